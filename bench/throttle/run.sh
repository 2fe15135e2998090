#!/usr/bin/env bash
# Throttle benchmark: decisions per second of the memory, shared-file and
# Redis stores, with baselines measured in the same run:
#  - a flock()-guarded counter file (lock, read, add, write, unlock), with
#    the same number of processes as the file store;
#  - redis-benchmark running EVALSHA of the library's own Lua script with
#    the same arguments, at the same concurrency (-c C vs C threads sharing
#    one throttle object with C connections).
# A private redis-server is started on 127.0.0.1:PORT and stopped at exit.
#
#   bench/throttle/run.sh [BUILD_DIR]          (default: build)
# Environment: SECS (3) seconds per run, KEYS (10000) random keys,
#   PORT (16490) private Redis port, CONC ("1 4 16") Redis concurrencies,
#   REPS (1) runs per figure, the best kept (on a machine shared with other
#   work, REPS=2 or 3 keeps a load spike from deciding a ratio).
# Targets: file store >= 5x flock; Redis store >= 0.8x redis-benchmark.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
secs=${SECS:-3} keys=${KEYS:-10000} port=${PORT:-16490} conc=${CONC:-"1 4 16"}
reps=${REPS:-1}
bin=$build/bench/throttle/bench_throttle
[ -x "$bin" ] || { echo "build first: cmake --build $build --target bench_throttle"; exit 2; }
for t in redis-server redis-cli redis-benchmark; do
  command -v $t >/dev/null || { echo "$t missing"; exit 2; }
done
if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  echo "port $port is in use; set PORT"; exit 2
fi

state=$(mktemp -d /tmp/mtarep-bench-thr.XXXXXX)
stop() {
  if [ -s "$state/redis.pid" ]; then
    pid=$(cat "$state/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$state"
}
trap stop EXIT
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$state" \
  --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis.log" >/dev/null
for _ in $(seq 1 100); do
  [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done

# best of $reps runs of a command printing one number
best() {
  local b=0 v
  for _ in $(seq 1 "$reps"); do
    v=$("$@")
    b=$(awk -v a="$b" -v c="$v" 'BEGIN { print (c + 0 > a + 0 ? c : a) }')
  done
  echo "$b"
}
rate1() { "$bin" "$@" -s "$secs" -k "$keys" | sed -n 's/.*rate=\([0-9]*\).*/\1/p'; }
rate() { best rate1 "$@"; }
rb1() {
  local c=$1 n=$2 key=$3; shift 3
  redis-benchmark -h 127.0.0.1 -p "$port" -c "$c" -n "$n" -r "$keys" --csv \
    EVALSHA "$sha" 1 "$key" "$@" | tail -n 1 | cut -d, -f2 | tr -d '"'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "throttle benchmark: $(nproc) CPUs, ${secs}s per run, best of $reps, $keys keys, one limit per decision"
echo "(GCRA 1000000/1s, and the sliding window 1000000/1s window: -w 1)"
printf '%-40s %12s %10s\n' "store (workers)" "decisions/s" "ratio"
m1=$(rate memory -t 1); m2=$(rate memory -t 2)
w1=$(rate memory -t 1 -w 1)
printf '%-40s %12s\n' "memory (1 thread)" "$m1" "memory (2 threads)" "$m2"
printf '%-40s %12s %9sx  (vs GCRA)\n' "memory, window (1 thread)" "$w1" "$(ratio "$w1" "$m1")"
fail=0
for p in 1 2; do
  rm -f "$state/t.tbl" "$state/w.tbl" "$state/c.cnt"
  f=$(rate file "$state/t.tbl" -p $p)
  fw=$(rate file "$state/w.tbl" -p $p -w 1)
  b=$(rate flock "$state/c.cnt" -p $p)
  rm -f "$state/t.tbl" "$state/w.tbl" "$state/c.cnt"
  r=$(ratio "$f" "$b")
  rw=$(ratio "$fw" "$b")
  printf '%-40s %12s\n' "flock counter file ($p proc)" "$b"
  printf '%-40s %12s %9sx  (target >= 5 vs flock)\n' "file store ($p proc)" "$f" "$r"
  printf '%-40s %12s %9sx  (target >= 5 vs flock)\n' "file store, window ($p proc)" "$fw" "$rw"
  awk -v r="$r" -v w="$rw" 'BEGIN { exit !(r < 5 || w < 5) }' && fail=1
done
sha=$(redis-cli -h 127.0.0.1 -p "$port" SCRIPT LOAD "$("$bin" script)")
for c in $conc; do
  ours=$(rate redis "redis://127.0.0.1:$port" -t "$c")
  n=$(awk -v r="$ours" -v s="$secs" 'BEGIN { n = int(r * s); print (n < 20000 ? 20000 : n) }')
  # same script, same arguments: 1 key, q=1, no peek, server clock, GCRA T=1us, tau=1s
  rb=$(best rb1 "$c" "$n" 'mtarep:{k__rand_int__}:1000' 1 0 '' g 1 1000000 0)
  r=$(ratio "$ours" "$rb")
  printf '%-40s %12.0f\n' "redis-benchmark EVALSHA (-c $c)" "$rb"
  printf '%-40s %12s %9sx  (target >= 0.8 vs redis-benchmark)\n' "redis store ($c threads)" "$ours" "$r"
  awk -v r="$r" 'BEGIN { exit !(r < 0.8) }' && fail=1
  # window: P = 1 s, w = 66667 us, N = 1000000
  ours=$(rate redis "redis://127.0.0.1:$port" -t "$c" -w 1)
  n=$(awk -v r="$ours" -v s="$secs" 'BEGIN { n = int(r * s); print (n < 20000 ? 20000 : n) }')
  rb=$(best rb1 "$c" "$n" 'mtarep:{k__rand_int__}:1000:w' 1 0 '' w 1000000 66667 1000000)
  r=$(ratio "$ours" "$rb")
  printf '%-40s %12.0f\n' "redis-benchmark EVALSHA window (-c $c)" "$rb"
  printf '%-40s %12s %9sx  (target >= 0.8 vs redis-benchmark)\n' "redis store, window ($c threads)" "$ours" "$r"
  awk -v r="$r" 'BEGIN { exit !(r < 0.8) }' && fail=1
done
[ $fail = 0 ] && echo "targets met" || echo "a target was missed"
