#!/usr/bin/env bash
# Install every Debian 12 package libmtarep needs to build, test, fuzz and
# benchmark. Idempotent: when all are installed already, apt is not touched
# at all (no network, no lock). Run as root. Never starts services: the
# test suites run their own Knot/redis on private loopback ports, so a
# system knot/redis (if any) is irrelevant, but we keep the install quiet.
set -euo pipefail

pkgs=(
  # build
  cmake make gcc g++ libc6-dev pkg-config curl openssl git
  libldns-dev ldnsutils libcurl4-openssl-dev libjansson-dev libssl-dev
  libhiredis-dev libpsl-dev zlib1g-dev
  # tests, sanitizers, fuzzing (libclang-rt-14-dev carries libFuzzer; the
  # separate libfuzzer-14-dev is not needed, TOOLCHAIN §7)
  libcriterion-dev libyaml-dev clang-14 libclang-rt-14-dev valgrind
  # bindings
  swig php-dev php-cli phpunit python3 python3-dev python3-pytest
  # pip package of the binding, docs, examples (PHPMailer, SMTP sink)
  python3-pip python3-venv python3-setuptools python3-wheel doxygen groff-base man-db
  libphp-phpmailer python3-aiosmtpd
  # loopback servers, benchmarks, log tools
  knot redis-server redis-tools dnsperf hyperfine pflogsumm
  # bench/spf: a resolver whose answers take time (DelayResponseAction)
  dnsdist spfquery python3-spf
  # precheck report page in headless Chromium, SMTP sink/probe target,
  # PHP mailer example, API reference
  chromium
)

missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [ "${st:0:2}" = "ii" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

# Keep maintainer scripts from starting knot/redis (invoke-rc.d and
# deb-systemd-invoke both honour policy-rc.d exit 101 = "action forbidden").
# Only when no policy-rc.d exists already (e.g. Docker images ship one).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [ $own_policy = 1 ] && rm -f "$policy"; return 0; }
trap cleanup EXIT

apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null
apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=300 install "${missing[@]}" >/dev/null
echo "install-deps: done"
