#!/usr/bin/env bash
# SPF evaluation benchmark: libmtarep (one call at a time, batch, and from
# memory) vs libspf2's spfquery and pyspf, on the same sender domains served
# by a private Knot. Everything runs inside `unshare -mn` (a private network
# and mount namespace): Knot listens on 127.0.0.1:53 there and a private
# resolv.conf naming it is bind-mounted over /etc/resolv.conf, because
# spfquery and pyspf only read resolv.conf. Nothing leaves the namespace.
#
#   bench/spf/run.sh [BUILD_DIR]          (default: build; needs root)
# Environment: DOMAINS (2000) sender domains, PYN (300) evaluations for
#   pyspf per path (it is slow), CHUNK (500) evaluations per batch call,
#   DELAY_MS (2) and SLOWN (300): see "cold cache" below.
#
# Cold cache: on loopback every answer is instant, which measures CPU only.
# A resolver with a cold cache answers after a round trip upstream, so the
# second half moves Knot to 127.0.0.1:5353 and puts dnsdist (a real DNS
# proxy, DelayResponseAction) on 127.0.0.1:53 in front of it, delaying every
# answer by DELAY_MS,
# and runs libmtarep (single, batch) and spfquery through it; spfquery runs
# SLOWN evaluations there (it needs 6 x DELAY_MS each).
# Workload (SPF-SUITE.md §5): d<N>.bench.test = "v=spf1 ip4:192.0.2.0/24 a mx
# include:_spf.<d> -all" -> _spf "v=spf1 ip4:198.51.100.0/24
# include:_spf2.<d> ~all" -> _spf2 "v=spf1 ip6:2001:db8::/32 -all".
# Client 203.0.113.7 walks the whole tree (6 queries, fail); 192.0.2.5
# matches the first term (1 query, pass).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${MTAREP_SPF_BENCH_INNER:-}" != 1 ]; then
  build=$(cd "${1:-$root/build}" && pwd)
  [ -x "$build/bench/spf/bench_spf" ] || { echo "build first: cmake --build $build --target bench_spf"; exit 2; }
  for c in knotd spfquery unshare; do
    command -v $c >/dev/null || { echo "$c missing (apt-get install knot spfquery)"; exit 2; }
  done
  /usr/bin/python3 -c 'import spf' 2>/dev/null || { echo "pyspf missing (apt-get install python3-spf)"; exit 2; }
  exec env MTAREP_SPF_BENCH_INNER=1 BUILD="$build" unshare -mn bash "$0"
fi

build=$BUILD
domains=${DOMAINS:-2000} pyn=${PYN:-300} chunk=${CHUNK:-500}
state=$(mktemp -d /tmp/mtarep-spf-bench.XXXXXX)
trap 'kill $(cat "$state/knot.pid" "$state/dnsdist.pid" 2>/dev/null) 2>/dev/null || true
      umount /etc/resolv.conf 2>/dev/null; sleep 0.3; rm -rf "$state"' EXIT
ip link set lo up

# --- data
mkdir -p "$state/db"
python3 - "$state" "$domains" <<'PY'
import sys
state, n = sys.argv[1], int(sys.argv[2])
with open(f"{state}/bench.test.zone", "w") as z:
    z.write("$ORIGIN bench.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
            "@ NS ns\nns A 127.0.0.1\n")
    for i in range(n):
        d = f"d{i}"
        z.write(f'{d} TXT "v=spf1 ip4:192.0.2.0/24 a mx include:_spf.{d}.bench.test -all"\n'
                f"{d} A 198.18.{i >> 8}.{i & 255}\n{d} MX 10 mx.{d}\n"
                f"mx.{d} A 198.19.{i >> 8}.{i & 255}\n"
                f'_spf.{d} TXT "v=spf1 ip4:198.51.100.0/24 include:_spf2.{d}.bench.test ~all"\n'
                f'_spf2.{d} TXT "v=spf1 ip6:2001:db8::/32 -all"\n')
for name, ip in (("fail", "203.0.113.7"), ("pass", "192.0.2.5")):
    with open(f"{state}/{name}.txt", "w") as f:
        for i in range(n):
            f.write(f"{ip} user@d{i}.bench.test mail.d{i}.bench.test\n")
PY
cat > "$state/knot.conf" <<CONF
server:
    rundir: "$state"
    pidfile: "$state/knot.pid"
    listen: 127.0.0.1@53
database:
    storage: "$state/db"
control:
    listen: "$state/knot.sock"
log:
  - target: "$state/knot.log"
    any: warning
zone:
  - domain: bench.test
    file: "$state/bench.test.zone"
    zonefile-sync: -1
    journal-content: none
CONF
knotd -c "$state/knot.conf" -d
printf "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n" > "$state/resolv.conf"
mount --bind "$state/resolv.conf" /etc/resolv.conf   # private to this namespace
for _ in $(seq 1 50); do
  drill @127.0.0.1 d0.bench.test TXT 2>/dev/null | grep -q spf1 && break; sleep 0.1
done

rate() { sed -n 's/.*rate=\([0-9]*\).*/\1/p'; }
declare -A R
for path in fail pass; do
  f="$state/$path.txt"
  out=$("$build/bench/spf/bench_spf" --ns 127.0.0.1:53 --file "$f" --mode single)
  echo "libmtarep single  $path: $out"; R[single_$path]=$(echo "$out" | rate)
  out=$("$build/bench/spf/bench_spf" --ns 127.0.0.1:53 --file "$f" --mode batch --chunk "$chunk")
  echo "libmtarep batch   $path: $out"; R[batch_$path]=$(echo "$out" | rate)
  out=$("$build/bench/spf/bench_spf" --zone "$state/bench.test.zone" --file "$f" --mode single)
  echo "libmtarep memory  $path: $out"; R[mem_$path]=$(echo "$out" | rate)
  t0=$(date +%s.%N)
  spfquery -file "$f" > "$state/spfquery.$path.out" 2>&1 || true
  t1=$(date +%s.%N)
  n=$(wc -l < "$f")
  R[spfquery_$path]=$(python3 -c "print(round($n/($t1-$t0)))")
  echo "spfquery -file    $path: evals=$n rate=${R[spfquery_$path]} results: $(grep -Ec '^(fail|pass|softfail|neutral|none)$' "$state/spfquery.$path.out") verdict lines, $(grep -c '^fail$' "$state/spfquery.$path.out") fail, $(grep -c '^pass$' "$state/spfquery.$path.out") pass"
  out=$(/usr/bin/python3 - "$f" "$pyn" <<'PY'
import sys, time, spf, collections
lines = [l.split() for l in open(sys.argv[1])][: int(sys.argv[2])]
c = collections.Counter()
t0 = time.monotonic()
for ip, s, h in lines:
    c[spf.check2(i=ip, s=s, h=h)[0]] += 1
dt = time.monotonic() - t0
print(f"evals={len(lines)} seconds={dt:.3f} rate={len(lines)/dt:.0f} " + " ".join(f"{k}={v}" for k, v in c.items()))
PY
)
  echo "pyspf (dnspython) $path: $out"; R[pyspf_$path]=$(echo "$out" | rate)
done
echo
printf "%-32s %12s %12s\n" "evaluator (evals/s)" "fail (6 q)" "pass (1 q)"
for k in single:"libmtarep, one call per eval" batch:"libmtarep, batch of $chunk" mem:"libmtarep, zone in memory" spfquery:"libspf2 spfquery -file" pyspf:"pyspf 2.0.14 + dnspython"; do
  printf "%-32s %12s %12s\n" "${k#*:}" "${R[${k%%:*}_fail]}" "${R[${k%%:*}_pass]}"
done
echo
for p in fail pass; do
  python3 -c "
s,b,q,y=${R[single_$p]},${R[batch_$p]},${R[spfquery_$p]},${R[pyspf_$p]}
print('$p path ratios: batch/single %.2f, single/spfquery %.2f, batch/spfquery %.2f, single/pyspf %.1f' % (b/s, s/q, b/q, s/y))"
done


# --- cold cache: every answer delayed by DELAY_MS through dnsdist
delay=${DELAY_MS:-2} slown=${SLOWN:-300}
if ! command -v dnsdist >/dev/null; then
  echo; echo "dnsdist missing (apt-get install dnsdist): cold-cache rows skipped"; exit 0
fi
kill "$(cat "$state/knot.pid")"
for _ in $(seq 1 50); do kill -0 "$(cat "$state/knot.pid" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
sed -i 's/listen: 127.0.0.1@53$/listen: 127.0.0.1@5353/' "$state/knot.conf"
knotd -c "$state/knot.conf" -d
cat > "$state/dnsdist.conf" <<CONF
setLocal("127.0.0.1:53")
setSecurityPollSuffix("")
newServer({address="127.0.0.1:5353", checkName="bench.test.", checkType="SOA", mustResolve=true})
addResponseAction(AllRule(), DelayResponseAction($delay))
CONF
dnsdist --supervised --disable-syslog -C "$state/dnsdist.conf" >"$state/dnsdist.log" 2>&1 &
echo $! > "$state/dnsdist.pid"
for _ in $(seq 1 50); do
  drill @127.0.0.1 d0.bench.test TXT 2>/dev/null | grep -q spf1 && break; sleep 0.1
done
echo
echo "cold cache: every answer delayed ${delay} ms (dnsdist on 127.0.0.1:53 in front of Knot on :5353)"
f="$state/fail.txt"
head -n "$slown" "$f" > "$state/fail-slow.txt"
out=$("$build/bench/spf/bench_spf" --ns 127.0.0.1:53 --file "$state/fail-slow.txt" --mode single)
echo "libmtarep single  fail: $out"; cs=$(echo "$out" | rate)
out=$("$build/bench/spf/bench_spf" --ns 127.0.0.1:53 --file "$f" --mode batch --chunk "$chunk")
echo "libmtarep batch   fail: $out"; cb=$(echo "$out" | rate)
t0=$(date +%s.%N)
spfquery -file "$state/fail-slow.txt" > "$state/spfquery.slow.out" 2>&1 || true
t1=$(date +%s.%N)
cq=$(python3 -c "print(round($slown/($t1-$t0)))")
echo "spfquery -file    fail: evals=$slown rate=$cq, $(grep -c '^fail$' "$state/spfquery.slow.out") fail"
python3 -c "
s,b,q=$cs,$cb,$cq
print('cold cache (%d ms) fail path: single %d/s, batch %d/s, spfquery %d/s; single/spfquery %.2f, batch/spfquery %.1f' % ($delay, s, b, q, s/q, b/q))"
