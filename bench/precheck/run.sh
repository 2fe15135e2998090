#!/usr/bin/env bash
# Precheck benchmark: the demo (examples/demo.zone: 12 DNSBL zones, 2 DKIM
# selectors, an SPF tree 3 includes deep) served by Knot behind
# tests/servers/delaydns.py, which holds every answer DELAY_MS (50) ms.
# Prints the time of mtarep_precheck() (all questions in one engine run),
# of the same checks module after module, and one question at a time, with
# the ratios; then, with the three providers served by tests/servers/httpsd.py
# answering each request after PROVIDER_DELAY_MS (300) ms, the precheck with
# the providers' requests beside the DNS questions against the precheck
# followed by the blocking provider calls in turn (PROVIDER_DELAY_MS=0: skip).
# Uses the test servers' start/stop scripts in a private state directory;
# nothing leaves 127.0.0.1.
#
#   bench/precheck/run.sh [BUILD_DIR]   (default: build)
# Environment: RUNS (5), DELAY_MS (50), PROVIDER_DELAY_MS (300), and the ports
#   MTAREP_BENCH_KNOT_PORT (5300), MTAREP_BENCH_FAULTDNS_PORT (5301),
#   MTAREP_BENCH_REDIS_PORT (6390), MTAREP_BENCH_DELAYDNS_PORT (5302),
#   MTAREP_BENCH_HTTPS_PORT (8443).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=$build/bench/precheck/bench_precheck
[ -x "$bin" ] || { echo "build first: cmake --build $build --target bench_precheck"; exit 2; }
state=$(mktemp -d /tmp/mtarep-precheck-bench.XXXXXX)
export MTAREP_TEST_STATE=$state
export MTAREP_TEST_KNOT=127.0.0.1:${MTAREP_BENCH_KNOT_PORT:-5300}
export MTAREP_TEST_FAULTDNS=127.0.0.1:${MTAREP_BENCH_FAULTDNS_PORT:-5301}
export MTAREP_TEST_REDIS=127.0.0.1:${MTAREP_BENCH_REDIS_PORT:-6390}
export MTAREP_TEST_HTTPS=127.0.0.1:${MTAREP_BENCH_HTTPS_PORT:-8443}
delay=127.0.0.1:${MTAREP_BENCH_DELAYDNS_PORT:-5302}
cleanup() {
  [ -s "$state/delaydns.pid" ] && kill "$(cat "$state/delaydns.pid")" 2>/dev/null || true
  "$root/tests/servers/stop.sh" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
"$root/tests/servers/start.sh" >/dev/null
python3 "$root/tests/servers/delaydns.py" --addr "${delay%:*}" --port "${delay##*:}" \
  --upstream "$MTAREP_TEST_KNOT" --delay-ms "${DELAY_MS:-50}" \
  --pidfile "$state/delaydns.pid" 2>/dev/null &
for _ in $(seq 1 100); do [ -s "$state/delaydns.pid" ] && break; sleep 0.05; done
echo "nameserver $delay: Knot $MTAREP_TEST_KNOT with ${DELAY_MS:-50} ms per answer"
echo "acceptance bound: (SPF depth 3 + 3) x ${DELAY_MS:-50} ms = $(( 6 * ${DELAY_MS:-50} )) ms"
pdelay=${PROVIDER_DELAY_MS:-300}
if [ "$pdelay" -gt 0 ]; then
  "$bin" "$delay" "${RUNS:-5}" "https://$MTAREP_TEST_HTTPS/delay-$pdelay" "$state/https/ca.pem"
else
  "$bin" "$delay" "${RUNS:-5}"
fi
