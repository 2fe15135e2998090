#!/usr/bin/env bash
# Log scanner benchmark: libmtarep vs grep, a Python `re` count and
# pflogsumm on the same generated Postfix log (MAILLOGS.md §4), in one run.
#
#   bench/logscan/run.sh [BUILD_DIR]      (default: build)
# Environment: MB (200) size of the generated log, REPEAT (3) runs per tool
#   (best time is kept; pflogsumm runs once), PFLOGSUMM=0 to skip it.
# The log is written to a temporary directory, checked against the
# generator's own counts, and deleted at the end. Targets: >= 1000 MB/s,
# >= 0.5x grep, >= 50x pflogsumm, peak RSS <= 32 MB.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
mb=${MB:-200} repeat=${REPEAT:-3}
gen=$build/bench/logscan/gen_postfix_log bin=$build/bench/logscan/bench_logscan
[ -x "$gen" ] && [ -x "$bin" ] || {
  echo "build first: cmake --build $build --target gen_postfix_log bench_logscan"; exit 2; }

tmp=$(mktemp -d /tmp/mtarep-logbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/mail.log
"$gen" "$log" "$mb" "$tmp/truth"
bytes=$(stat -c %s "$log")
sync "$log" 2>/dev/null || sync   # no writeback of the fresh file during the runs
cat "$log" > /dev/null   # warm the page cache

# best wall time (s) of REPEAT runs of a command; stdout to a regular file
# (never /dev/null: GNU grep stops at the first match there).
best() {
  local b=999999 t0 t1 t
  for _ in $(seq 1 "$repeat"); do
    t0=$(date +%s.%N); "$@" > "$tmp/out.txt"; t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l); if (( $(echo "$t < $b" | bc -l) )); then b=$t; fi
  done
  echo "$b"
}
rate() { echo "scale=1; $bytes / 1000000 / $1" | bc -l; }

"$bin" "$log" "$repeat" > "$tmp/lib.txt"
lib_s=$(awk '/^seconds/{print $2}' "$tmp/lib.txt")
rss=$(awk '/^peak_rss_kb/{print $2}' "$tmp/lib.txt")
for k in sent deferred bounced expired reputation_bounces; do
  want=$(awk -v k=$k '$1==k{print $2}' "$tmp/truth")
  got=$(awk -v k=$k '$1==k{print $2}' "$tmp/lib.txt")
  [ "$want" = "$got" ] || { echo "MISMATCH $k: generator $want, libmtarep $got"; exit 1; }
done

grep_s=$(LC_ALL=C best grep -c 'status=bounced' "$log")
grep_n=$(cat "$tmp/out.txt")
py_s=$(best /usr/bin/python3 -c "import re,sys;print(len(re.findall(rb'status=bounced', open(sys.argv[1],'rb').read())))" "$log")
py_n=$(cat "$tmp/out.txt")
bounced=$(awk '$1=="bounced"{print $2}' "$tmp/truth")
[ "$grep_n" = "$bounced" ] && [ "$py_n" = "$bounced" ] || {
  echo "MISMATCH bounced: grep $grep_n, python $py_n, generator $bounced"; exit 1; }

printf '%-28s %10s %10s %12s\n' tool seconds MB/s "lib speedup"
printf '%-28s %10.3f %10s %12s\n' "libmtarep (full scan)" "$lib_s" "$(rate "$lib_s")" 1.0
printf '%-28s %10.3f %10s %12.2f\n' "grep -c status=bounced" "$grep_s" "$(rate "$grep_s")" "$(echo "$grep_s / $lib_s" | bc -l)"
printf '%-28s %10.3f %10s %12.2f\n' "python3 re.findall" "$py_s" "$(rate "$py_s")" "$(echo "$py_s / $lib_s" | bc -l)"
if [ "${PFLOGSUMM:-1}" != 0 ] && command -v pflogsumm > /dev/null; then
  pfl_s=$(repeat=1 best pflogsumm "$log")
  printf '%-28s %10.3f %10s %12.1f\n' "pflogsumm" "$pfl_s" "$(rate "$pfl_s")" "$(echo "$pfl_s / $lib_s" | bc -l)"
fi
echo "log: $bytes bytes, $(wc -l < "$log") lines; counts match the generator:"
sed 's/^/  /' "$tmp/truth"
echo "libmtarep peak RSS: $((rss / 1024)) MB (getrusage)"
