#!/usr/bin/env bash
# Everything CI runs, from a fresh Debian 12 machine (as root) or a dev box:
#   1. install missing packages (scripts/install-deps.sh)
#   2. build/       : configure, build, ctest (the ctest fixture starts and
#                     stops the loopback Knot/faultdns/redis servers)
#   3. build-asan/  : the same under ASan+UBSan (Python binding with libasan
#                     preloaded, PHP binding off: TOOLCHAIN pitfall 20)
#   4. build-fuzz/  : clang-14 + libFuzzer, each tests/fuzz/fuzz_*.c run for
#                     MTAREP_FUZZ_SECONDS (10) on its seed corpus
# Exits non-zero on any failure; the last line is "N passed, N failed"
# (ctest tests of all passes; a failed configure/build counts as 1 failed).
# Environment: MTAREP_SKIP_ASAN=1 / MTAREP_SKIP_FUZZ=1 skip a pass;
#   MTAREP_TEST_{KNOT,FAULTDNS,REDIS,HTTPS,DELAYDNS,SMTP}_PORT and MTAREP_ASAN_..._PORT
#   choose the preferred server ports of build/ and build-asan/ (defaults
#   5300 5301 6390 8443 5302 5303 and 5310 5311 6391 8444 5312 5313); a port in use is replaced
#   by a free one. Ports are picked after the build, right before ctest.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CTEST_OUTPUT_ON_FAILURE=1
jobs=${JOBS:-2}
passed=0 failed=0
logdir=$(mktemp -d /tmp/mtarep-test.XXXXXX)
t_start=$(date +%s)

cleanup() {
  # The fixture stops the servers; this catches an interrupted ctest.
  for b in build build-asan; do
    [ -d "$root/$b/test-state" ] && MTAREP_TEST_STATE=$root/$b/test-state \
      "$root/tests/servers/stop.sh" >/dev/null 2>&1
  done
  rm -rf "$logdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

# run_quiet <label> <cmd...>: output only on failure (errors first).
run_quiet() {
  local label=$1 log
  shift
  log=$logdir/$(echo "$label" | tr -c 'A-Za-z0-9' _).log
  if "$@" >"$log" 2>&1; then
    return 0
  fi
  echo "FAILED: $label"
  grep -E 'error|Error|FAILED|undefined reference' "$log" | head -40
  echo "--- last lines of the log:"
  tail -25 "$log"
  return 1
}

# Is PORT free on 127.0.0.1 for UDP and TCP?
port_free() {
  python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, t)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.close()
PY
}
# pick_port <preferred>: the preferred port if free, else a free one.
used_ports=" "
pick_port() {
  local p=$1
  while ! port_free "$p" || [[ $used_ports == *" $p "* ]]; do
    p=$(( (RANDOM % 20000) + 20000 ))
  done
  used_ports="$used_ports$p "
  echo "$p"
}

# run_ctest <build dir> [ctest args...]: adds ctest's counts to the totals.
run_ctest() {
  local b=$1 out total nfail
  shift
  out=$logdir/ctest-$(basename "$b").out
  (cd "$b" && ctest --output-on-failure "$@") 2>&1 | tee "$out" \
    | grep -vE '^ *(Start|Test project|$)'
  total=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/p' "$out" | tail -1)
  nfail=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' "$out" | tail -1)
  if [ -z "$total" ]; then
    if grep -q 'No tests were found' "$out"; then
      return 0
    fi
    echo "ctest in $b gave no summary"
    failed=$((failed + 1))
    return 1
  fi
  passed=$((passed + total - nfail))
  failed=$((failed + nfail))
  [ "$nfail" = 0 ]
}

# build_and_test <dir> [build args...] [-- ctest args...]: build (make -k:
# as much as compiles), then run ctest even after a build failure, so one
# broken target does not hide every other result; a failed build counts as
# one failure on top of ctest's.
build_and_test() {
  local b=$1 bargs=() cargs=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do bargs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  cargs=("$@")
  if ! MAKEFLAGS=-k run_quiet "build $b/" cmake --build "$b" -j"$jobs" "${bargs[@]}"; then
    failed=$((failed + 1))
  fi
  # Ports are picked now, not before the build: a port free minutes ago
  # may have been taken meanwhile. They only reach the tests' environment,
  # so re-configuring rebuilds nothing.
  if [ -n "$ports_prefix" ]; then
    pick_ports "$ports_prefix"
    echo "ports: ${ports[*]}"
    if ! run_quiet "set test ports in $b/" cmake -S . -B "$b" "${ports[@]}"; then
      failed=$((failed + 1))
    fi
  fi
  run_ctest "$b" "${cargs[@]}"
}

# pick_ports TEST|ASAN: fill ports[] with the -D options of the test
# servers, each MTAREP_<prefix>_*_PORT from the environment if set, else
# the default (5300... for build/, 5310... for build-asan/) if free.
pick_ports() {
  local k=${1}_KNOT_PORT f=${1}_FAULTDNS_PORT r=${1}_REDIS_PORT h=${1}_HTTPS_PORT \
        d=${1}_DELAYDNS_PORT m=${1}_SMTP_PORT base=5300 rb=6390 hb=8443
  if [ "$1" = ASAN ]; then base=5310; rb=6391; hb=8444; fi
  k=MTAREP_$k f=MTAREP_$f r=MTAREP_$r h=MTAREP_$h d=MTAREP_$d m=MTAREP_$m
  ports=(-DMTAREP_TEST_KNOT_PORT="$(pick_port "${!k:-$base}")"
         -DMTAREP_TEST_FAULTDNS_PORT="$(pick_port "${!f:-$((base + 1))}")"
         -DMTAREP_TEST_REDIS_PORT="$(pick_port "${!r:-$rb}")"
         -DMTAREP_TEST_HTTPS_PORT="$(pick_port "${!h:-$hb}")"
         -DMTAREP_TEST_DELAYDNS_PORT="$(pick_port "${!d:-$((base + 2))}")"
         -DMTAREP_TEST_SMTP_PORT="$(pick_port "${!m:-$((base + 3))}")")
}
ports_prefix=

py=/usr/bin/python3          # Debian's: pytest lives there (TOOLCHAIN pitfall 9)
[ -x "$py" ] || py=$(command -v python3)

step "dependencies"
"$root/scripts/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------- 1. build/
step "build/ (configure, build, ctest)"
ports_prefix=TEST
if run_quiet "configure build/" cmake -S . -B build -DPython3_EXECUTABLE="$py"; then
  build_and_test build
else
  failed=$((failed + 1))
fi

# ---------------------------------------------------- 2. ASan + UBSan (gcc)
if [ "${MTAREP_SKIP_ASAN:-0}" != 1 ]; then
  step "build-asan/ (ASan + UBSan)"
  san="-fsanitize=address,undefined"
  ports_prefix=ASAN
  if run_quiet "configure build-asan/" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
       -DCMAKE_C_COMPILER=gcc -DPython3_EXECUTABLE="$py" \
       -DCMAKE_C_FLAGS="$san -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
       -DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_SHARED_LINKER_FLAGS="$san" \
       -DCMAKE_MODULE_LINKER_FLAGS="$san" -DMTAREP_SANITIZE=ON \
       -DMTAREP_PHP=OFF -DMTAREP_BENCH=OFF; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} build_and_test build-asan
  else
    failed=$((failed + 1))
  fi
fi

# ------------------------------------------------------ 3. libFuzzer (clang)
if [ "${MTAREP_SKIP_FUZZ:-0}" != 1 ]; then
  step "build-fuzz/ (libFuzzer, ${MTAREP_FUZZ_SECONDS:-10} s per target)"
  ports_prefix=  # the fuzzers start no servers
  if run_quiet "configure build-fuzz/" env CC=clang-14 cmake -S . -B build-fuzz \
       -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTAREP_FUZZ=ON \
       -DMTAREP_FUZZ_SECONDS="${MTAREP_FUZZ_SECONDS:-10}" \
       -DMTAREP_PYTHON=OFF -DMTAREP_PHP=OFF -DMTAREP_BUILD_TOOLS=OFF \
       -DMTAREP_BUILD_EXAMPLES=OFF -DMTAREP_BENCH=OFF; then
    build_and_test build-fuzz --target fuzz -- -L fuzz -j"$jobs"
  else
    failed=$((failed + 1))
  fi
fi

step "done in $(( $(date +%s) - t_start )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
