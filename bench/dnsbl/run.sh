#!/usr/bin/env bash
# DNSBL sweep benchmark: libmtarep vs dnsperf on the same query set, against
# a private Knot on loopback (never any other address).
#
#   bench/dnsbl/run.sh [BUILD_DIR]     (default: build)
# Environment: ADDRS (2000) addresses x ZONES (10) zones = queries per sweep,
#   REPEAT (5) sweeps, PORT (5390) Knot's port on 127.0.0.1, INFLIGHT (256,
#   the library's default) the cap on queries outstanding at once, the same
#   for both: the context's max_inflight and dnsperf -q. CLIENTS (1): dnsperf
#   -c. WRAP: a command prefixed to the library run, e.g.
#   WRAP="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out" REPEAT=1
# Prints both rates and the ratio library/dnsperf (target >= 0.8).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
addrs=${ADDRS:-2000} nzones=${ZONES:-10} repeat=${REPEAT:-5}
port=${PORT:-5390} inflight=${INFLIGHT:-256} clients=${CLIENTS:-1}
bin=$build/bench/dnsbl/bench_dnsbl
[ -x "$bin" ] || { echo "build first: cmake --build $build --target bench_dnsbl"; exit 2; }
command -v dnsperf >/dev/null || { echo "dnsperf missing (scripts/install-deps.sh)"; exit 2; }

state=$(mktemp -d /tmp/mtarep-bench.XXXXXX)
stop() {
  if [ -s "$state/knot.pid" ]; then
    pid=$(cat "$state/knot.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$state"
}
trap stop EXIT

# --- data: addresses in 198.18.0.0/15 (RFC 2544 benchmarking range); in zone
# z, address i is listed when (i + z) is even, so half of all pairs are.
mkdir -p "$state/zones" "$state/db"
python3 - "$state" "$addrs" "$nzones" <<'PY'
import sys
state, n, nz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
addrs = ["198.%d.%d.%d" % (18 + (i >> 16), (i >> 8) & 255, i & 255) for i in range(n)]
with open(f"{state}/addrs.txt", "w") as f:
    f.write("\n".join(addrs) + "\n")
zones = [f"bl{z}.bench.test" for z in range(nz)]
with open(f"{state}/zones.txt", "w") as f:
    f.write(",".join(zones))
listed = 0
with open(f"{state}/queries.txt", "w") as q:
    for z, zone in enumerate(zones):
        with open(f"{state}/zones/{zone}.zone", "w") as f:
            f.write(f"$ORIGIN {zone}.\n$TTL 300\n"
                    f"@ SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n"
                    f"@ NS ns.{zone}.\nns A 127.0.0.1\n2.0.0.127 A 127.0.0.2\n")
            for i, a in enumerate(addrs):
                if (i + z) % 2 == 0:
                    f.write(".".join(reversed(a.split("."))) + " A 127.0.0.2\n")
    # the library sends address-major order; dnsperf gets the same names
    for i, a in enumerate(addrs):
        rev = ".".join(reversed(a.split(".")))
        for z, zone in enumerate(zones):
            q.write(f"{rev}.{zone} A\n")
            listed += (i + z) % 2 == 0
with open(f"{state}/listed.txt", "w") as f:
    f.write(str(listed))
PY

{
  cat <<CONF
server:
    rundir: "$state"
    pidfile: "$state/knot.pid"
    listen: 127.0.0.1@$port
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$state/db"
log:
  - target: "$state/knot.log"
    any: warning
template:
  - id: default
    storage: "$state/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
CONF
  for z in $(tr , ' ' < "$state/zones.txt"); do echo "  - domain: $z"; done
} > "$state/knot.conf"
knotd -c "$state/knot.conf" -d
ok=0
for _ in $(seq 1 100); do
  drill -p "$port" @127.0.0.1 2.0.0.127.bl0.bench.test A 2>/dev/null | grep -q '127\.0\.0\.2' && { ok=1; break; }
  sleep 0.1
done
[ $ok = 1 ] || { echo "knot did not come up on 127.0.0.1:$port"; cat "$state/knot.log"; exit 1; }

nq=$((addrs * nzones))
listed=$(cat "$state/listed.txt") zl=$(cat "$state/zones.txt")
echo "== $addrs addresses x $nzones zones = $nq queries per sweep, $repeat rounds, Knot on 127.0.0.1:$port"
echo "== each round: library sweep, then dnsperf over the same $nq queries (alternating, so"
echo "   background load hits both alike); at most $inflight queries outstanding in both:"
echo "   library: $(basename "$bin") 127.0.0.1:$port addrs.txt <zones> 1 $listed $inflight"
echo "   dnsperf: dnsperf -s 127.0.0.1 -p $port -d queries.txt -n 1 -l 0 -c $clients -q $inflight -t 5"
lib_q=0 lib_t=0 perf_q=0 perf_t=0 lost=0 ratios=()
for r in $(seq 1 "$repeat"); do
  ${WRAP:-} "$bin" "127.0.0.1:$port" "$state/addrs.txt" "$zl" 1 "$listed" "$inflight" > "$state/lib.out" \
    || { cat "$state/lib.out"; echo "library sweep failed"; exit 1; }
  dnsperf -s 127.0.0.1 -p "$port" -d "$state/queries.txt" -n 1 -l 0 -c $clients -q "$inflight" -t 5 \
    > "$state/dnsperf.out" 2>&1 || { cat "$state/dnsperf.out"; exit 1; }
  read -r lq lt < <(awk '/^library:/ {print $2, $5}' "$state/lib.out")
  pq=$(awk '/Queries completed/ {print $3}' "$state/dnsperf.out")
  pt=$(awk '/Run time \(s\)/ {print $4}' "$state/dnsperf.out")
  pl=$(awk '/Queries lost/ {print $3}' "$state/dnsperf.out")
  printf 'round %d: library %6.0f q/s (%s s), dnsperf %6.0f q/s (%s s, %s lost)\n' "$r" \
    "$(awk -v q="$lq" -v t="$lt" 'BEGIN {print q / t}')" "$lt" \
    "$(awk -v q="$pq" -v t="$pt" 'BEGIN {print q / t}')" "$pt" "$pl"
  lib_q=$(awk -v a="$lib_q" -v b="$lq" 'BEGIN {print a + b}')
  lib_t=$(awk -v a="$lib_t" -v b="$lt" 'BEGIN {print a + b}')
  perf_q=$(awk -v a="$perf_q" -v b="$pq" 'BEGIN {print a + b}')
  perf_t=$(awk -v a="$perf_t" -v b="$pt" 'BEGIN {print a + b}')
  lost=$((lost + pl))
  ratios+=("$(awk -v a="$lq" -v b="$lt" -v c="$pq" -v d="$pt" 'BEGIN {printf "%.3f", (a / b) / (c / d)}')")
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
lib_qps=$(awk -v q="$lib_q" -v t="$lib_t" 'BEGIN {printf "%.0f", q / t}')
perf_qps=$(awk -v q="$perf_q" -v t="$perf_t" 'BEGIN {printf "%.0f", q / t}')
ratio=$(awk -v a="$lib_qps" -v b="$perf_qps" 'BEGIN {printf "%.2f", a / b}')
echo "RESULT library $lib_qps q/s, dnsperf $perf_qps q/s ($lost lost), ratio $ratio, median of per-round ratios $median (target >= 0.8)"
