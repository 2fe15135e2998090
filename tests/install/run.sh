#!/usr/bin/env bash
# Acceptance on an installed tree only: install the build into a temporary
# prefix the way README.md says (cmake --install; the PHP extension, whose
# directory is absolute, under a DESTDIR), pip-install the Python package
# into a venv, then show
#   pkg-config --libs mtarep, find_package(mtarep), python3 -c 'import mtarep',
#   php -d extension=<installed mtarep.so> -r '...', the CLI and its man page
# work from there, run the PHP layer's tests against the installed layer, and
# run every example of README.md (tests/docs/readme_test.py).
# Usage: run.sh <build dir> <cmake> <cc> [php]
set -euo pipefail
build=$1 cmake=$2 cc=$3 php=${4:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/prefix
fail=0
step() { echo "--- $*"; }
bad() { echo "FAILED: $*"; fail=1; }

# ASan build: uninstrumented interpreters need the runtimes preloaded.
preload=
if ldd "$build/libmtarep.so" | grep -q libasan; then
  preload="$($cc -print-file-name=libasan.so) $($cc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
fi
unset PYTHONPATH

step "cmake --install (prefix $P)"
for c in Runtime Development Unspecified; do
  "$cmake" --install "$build" --prefix "$P" --component "$c" >>"$tmp/install.log" \
    || { cat "$tmp/install.log"; exit 1; }
done
pc=$(find "$P" -name mtarep.pc | head -1)
libdir=$(cd "$(dirname "$pc")/.." && pwd)
export PKG_CONFIG_PATH=$libdir/pkgconfig

step "pkg-config --libs mtarep"
libs=$(pkg-config --libs mtarep)
echo "$libs"
[[ " $libs " == *" -L$libdir "* && " $libs " == *" -lmtarep "* ]] || bad "pkg-config libs: $libs"
[ "$(pkg-config --modversion mtarep)" = "$("$build/tools/mtarep/mtarep" --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1)" ] \
  || bad "pkg-config version differs from the CLI's"
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Werror ${CFLAGS:-} "$src/tests/consumer/consumer.c" -o "$tmp/app-pc" \
     $(pkg-config --cflags --libs mtarep) ${LDFLAGS:-} && LD_LIBRARY_PATH=$libdir "$tmp/app-pc" >/dev/null; then
  echo "built and ran a program with pkg-config"
else bad "pkg-config consumer"; fi

step "find_package(mtarep)"
if "$cmake" -S "$src/tests/consumer/app" -B "$tmp/app-cmake" -DCMAKE_PREFIX_PATH="$P" \
     -DCONSUMER_SOURCE="$src/tests/consumer/consumer.c" -DCMAKE_C_COMPILER="$cc" \
     -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${LDFLAGS:-}" >"$tmp/cfg.log" 2>&1 \
   && "$cmake" --build "$tmp/app-cmake" >"$tmp/bld.log" 2>&1 && "$tmp/app-cmake/app" >/dev/null; then
  grep -o "mtarep_DIR:PATH=.*" "$tmp/app-cmake/CMakeCache.txt"
else bad "find_package consumer"; cat "$tmp/cfg.log" "$tmp/bld.log" | tail -20; fi

step "CLI and man pages"
"$P/bin/mtarep" --version || bad "installed mtarep --version"
for m in mtarep check_mtarep; do
  f=$(find "$P" -name "$m.1" | head -1)
  [ -n "$f" ] && MANWIDTH=80 man -l "$f" 2>&1 | grep -q "^NAME" || bad "man page $m.1 not installed/renderable"
done

step "pip install --no-build-isolation ./bindings/python (venv)"
cp -r "$src/bindings" "$tmp/bindings"
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
if ! "$tmp/venv/bin/python" -m pip install -q --no-index --no-build-isolation \
       "$tmp/bindings/python" >"$tmp/pip.log" 2>&1; then cat "$tmp/pip.log"; bad "pip install"; fi
(cd "$tmp" && LD_PRELOAD=$preload "$tmp/venv/bin/python3" -c \
  'import mtarep; print("import mtarep:", mtarep.version(), mtarep.__file__)') || bad "import mtarep"

phpext=-
if [ -n "$php" ]; then
  step "php -d extension=<installed mtarep.so>"
  DESTDIR=$tmp/phproot "$cmake" --install "$build" --prefix "$P" --component PHP >>"$tmp/install.log"
  phpext=$(find "$tmp/phproot" -name mtarep.so | head -1)
  # the class layer as a plain prefix install would place it
  mkdir -p "$P/share/mtarep/php"
  cp -r "$(find "$tmp/phproot" -type d -name Mtarep -path '*/share/mtarep/php/*' | head -1)" "$P/share/mtarep/php/"
  echo "extension: $phpext"
  P=$P "$php" -d extension="$phpext" -r '
    require getenv("P") . "/share/mtarep/php/Mtarep/autoload.php";
    $ctx = new Mtarep\Context(["zoneText" => "x.example.test. 300 A 192.0.2.1\n"]);
    echo "php: libmtarep ", Mtarep\Mtarep::version(), " ", $ctx->dnsLookup("x.example.test")[0], "\n";' \
    >"$tmp/php.out" 2>&1 || true
  cat "$tmp/php.out"
  grep -q "^php: libmtarep .* 192.0.2.1$" "$tmp/php.out" || bad "php with the installed extension"
  # by name from its extension directory, as `extension=mtarep` in an ini file
  # does (-n: no ini files, whose other extensions would then not be found)
  "$php" -n -d extension_dir="$(dirname "$phpext")" -d extension=mtarep \
    -r 'echo "php -d extension=mtarep: ", mtarep_version(), "\n";' || bad "php -d extension=mtarep"
  MTAREP_PHP_LAYER=$P/share/mtarep/php "$php" -d extension="$phpext" /usr/bin/phpunit \
    --do-not-cache-result "$src/tests/php/LayerTest.php" >"$tmp/phpunit.log" 2>&1 \
    && tail -1 "$tmp/phpunit.log" || { cat "$tmp/phpunit.log"; bad "phpunit LayerTest on the installed layer"; }
fi

step "README.md examples"
LD_PRELOAD=$preload /usr/bin/python3 "$src/tests/docs/readme_test.py" "$src/README.md" "$src" \
  "$build" "$P" "$tmp/venv/bin/python3" "$phpext" - || bad "README examples"

exit $fail
