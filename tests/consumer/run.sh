#!/usr/bin/env bash
# Install the build into a temporary prefix, then build and run consumer.c
# (a) with pkg-config, (b) with CMake find_package(mtarep) against the
# shared library and (c) against the static one.
# Usage: run.sh <build dir> <cmake> <cc>   (CFLAGS/LDFLAGS passed through)
set -euo pipefail
build=$1 cmake=$2 cc=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# Only the library's components: the binding modules install to absolute
# system paths (TOOLCHAIN pitfall 11) and must not be touched by a test.
for c in Runtime Development; do
  "$cmake" --install "$build" --prefix "$prefix" --component "$c" >"$tmp/install.log" \
    || { cat "$tmp/install.log"; exit 1; }
done
libdir=$(dirname "$(find "$prefix" -name 'mtarep.pc' -path '*/pkgconfig/*' | head -1)")/..
libdir=$(cd "$libdir" && pwd)
echo "installed into $prefix (libdir $libdir)"

fail=0
# (a) pkg-config
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
if $cc ${CFLAGS:-} -std=c11 -Wall -Wextra -Werror "$here/consumer.c" -o "$tmp/app-pc" \
     $(pkg-config --cflags --libs mtarep) ${LDFLAGS:-} \
   && LD_LIBRARY_PATH=$libdir "$tmp/app-pc"; then
  echo "pkg-config consumer: ok"
else
  echo "pkg-config consumer: FAILED"; fail=1
fi
unset PKG_CONFIG_PATH

# (b, c) CMake package, shared and static
for t in mtarep::mtarep mtarep::mtarep_static; do
  bd=$tmp/app-${t##*::}
  if "$cmake" -S "$here/app" -B "$bd" -DCMAKE_PREFIX_PATH="$prefix" -DMTAREP_TARGET="$t" \
       -DCONSUMER_SOURCE="$here/consumer.c" -DCMAKE_C_COMPILER="$cc" \
       -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${LDFLAGS:-}" >"$tmp/cfg.log" 2>&1 \
     && "$cmake" --build "$bd" >"$tmp/build.log" 2>&1 && "$bd/app"; then
    echo "find_package consumer ($t): ok"
  else
    echo "find_package consumer ($t): FAILED"; cat "$tmp/cfg.log" "$tmp/build.log" 2>/dev/null | tail -30
    fail=1
  fi
done
exit $fail
