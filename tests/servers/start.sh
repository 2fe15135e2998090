#!/usr/bin/env bash
# Start the loopback test servers: Knot DNS (zones in tests/servers/zones),
# the fault DNS server (tests/servers/faultdns.py) and redis-server. All
# state lives in $MTAREP_TEST_STATE; stop.sh stops them by pidfile, never by
# name. Ports come from MTAREP_TEST_{KNOT,FAULTDNS,REDIS} (ADDR:PORT).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${MTAREP_TEST_STATE:?MTAREP_TEST_STATE not set}
knot=${MTAREP_TEST_KNOT:-127.0.0.1:5300}
fault=${MTAREP_TEST_FAULTDNS:-127.0.0.1:5301}
redis=${MTAREP_TEST_REDIS:-127.0.0.1:6390}
https=${MTAREP_TEST_HTTPS:-127.0.0.1:8443}

"$here/stop.sh" >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state/db" "$state/redis"

# --- Knot: one zone per tests/servers/zones/<domain>.zone
{
  cat <<CONF
server:
    rundir: "$state"
    pidfile: "$state/knot.pid"
    listen: ${knot%:*}@${knot##*:}
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$state/db"
control:
    listen: "$state/knot.sock"
log:
  - target: "$state/knot.log"
    any: info
template:
  - id: default
    storage: "$here/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
CONF
  for z in "$here"/zones/*.zone; do
    [ -e "$z" ] || continue
    d=$(basename "$z" .zone)
    echo "  - domain: $d"
  done
  # the offline demo (examples/demo.zone), one file per apex (precheck tests)
  python3 "$here/demo_zones.py" "$here/../../examples/demo.zone" "$state/demo-zones" |
    while read -r d; do
      printf '  - domain: %s\n    file: "%s"\n' "$d" "$state/demo-zones/$d.zone"
    done
} > "$state/knot.conf"
knotc -c "$state/knot.conf" conf-check >/dev/null
knotd -c "$state/knot.conf" -d

# --- fault DNS server (canned broken answers), when present
if [ -f "$here/faultdns.py" ]; then
  python3 "$here/faultdns.py" --addr "${fault%:*}" --port "${fault##*:}" \
    --pidfile "$state/faultdns.pid" >"$state/faultdns.log" 2>&1 &
fi

# --- redis (no persistence)
if command -v redis-server >/dev/null; then
  redis-server --bind "${redis%:*}" --port "${redis##*:}" --save '' --appendonly no \
    --dir "$state/redis" --daemonize yes --pidfile "$state/redis.pid" \
    --logfile "$state/redis.log" --protected-mode yes
fi

# --- HTTPS provider server (tests/servers/httpsd.py): a test CA and server
# certificate made now, plus an unrelated CA for the wrong-CA tests.
if [ -f "$here/httpsd.py" ]; then
  t="$state/https"
  mkdir -p "$t"
  for ca in ca wrongca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/CN=mtarep-test-$ca" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign -keyout "$t/$ca.key" -out "$t/$ca.pem" 2>/dev/null
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -keyout "$t/srv.key" -out "$t/srv.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$t/ext.cnf"
  openssl x509 -req -in "$t/srv.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
    -days 2 -extfile "$t/ext.cnf" -out "$t/srv.pem" 2>/dev/null
  python3 "$here/httpsd.py" --addr "${https%:*}" --port "${https##*:}" --cert "$t/srv.pem" \
    --key "$t/srv.key" --data "${MTAREP_TEST_DATA:-$here/../data}/providers" \
    --pidfile "$state/https.pid" >"$state/https.log" 2>&1 &
fi

# --- wait until each answers (drill exits 0 even on SERVFAIL: grep the answer)
ok=0
for _ in $(seq 1 100); do
  if drill -p "${knot##*:}" @"${knot%:*}" health.mtarep.test TXT 2>/dev/null | grep -q 'mtarep-ok'; then
    ok=1; break
  fi
  sleep 0.1
done
[ $ok = 1 ] || { echo "knot did not come up on $knot"; cat "$state/knot.log" || true; exit 1; }
if [ -f "$here/faultdns.py" ]; then
  ok=0
  for _ in $(seq 1 100); do
    [ -s "$state/faultdns.pid" ] && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "faultdns did not come up on $fault"; cat "$state/faultdns.log"; exit 1; }
fi
if command -v redis-server >/dev/null; then
  ok=0
  for _ in $(seq 1 100); do
    [ "$(redis-cli -h "${redis%:*}" -p "${redis##*:}" ping 2>/dev/null)" = PONG ] && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "redis did not come up on $redis"; exit 1; }
fi
if [ -f "$here/httpsd.py" ]; then
  ok=0
  for _ in $(seq 1 100); do
    curl -fsS --noproxy '*' --cacert "$state/https/ca.pem" "https://$https/health" >/dev/null 2>&1 \
      && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "httpsd did not come up on $https"; cat "$state/https.log"; exit 1; }
fi
echo "test servers up: knot $knot, faultdns $fault, redis $redis, https $https (state $state)"
