#!/usr/bin/env bash
# Stop what start.sh started, by pidfile (never by process name).
set -u
state=${MTAREP_TEST_STATE:?MTAREP_TEST_STATE not set}
stop_pid() {
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}
[ -S "$state/knot.sock" ] && knotc -c "$state/knot.conf" stop >/dev/null 2>&1
stop_pid "$state/knot.pid"
stop_pid "$state/faultdns.pid"
stop_pid "$state/redis.pid"
stop_pid "$state/https.pid"
echo "test servers stopped"
exit 0
