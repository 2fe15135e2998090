#!/usr/bin/env bash
# The Python package as users install it: libmtarep into a temporary prefix
# (cmake --install), a venv of /usr/bin/python3 (--system-site-packages: its
# pytest), `pip install --no-build-isolation` of bindings/python found
# through PKG_CONFIG_PATH, then the pytest suite against the installed
# package (not the build tree: no PYTHONPATH, run from outside the sources).
# Usage: package.sh <build dir> <cmake> <python> [pytest args...]
set -euo pipefail
build=$1 cmake=$2 py=$3
shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The ASan build preloads the sanitizer runtimes for Python tests; the
# compilers pip runs must not inherit them.
preload=${LD_PRELOAD:-}
unset LD_PRELOAD PYTHONPATH

for c in Runtime Development; do
  "$cmake" --install "$build" --prefix "$tmp/prefix" --component "$c" >"$tmp/install.log" \
    || { cat "$tmp/install.log"; exit 1; }
done
pcdir=$(dirname "$(find "$tmp/prefix" -name mtarep.pc | head -1)")
# A copy of bindings/: pip builds in the source directory, keep ours clean.
cp -r "$src/bindings" "$tmp/bindings"
"$py" -m venv --system-site-packages "$tmp/venv"
if ! PKG_CONFIG_PATH=$pcdir "$tmp/venv/bin/python" -m pip install -q --no-index \
       --no-build-isolation "$tmp/bindings/python" >"$tmp/pip.log" 2>&1; then
  cat "$tmp/pip.log"; exit 1
fi
echo "pip install: ok ($(PKG_CONFIG_PATH=$pcdir pkg-config --modversion mtarep))"

cd "$tmp"
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
[ -n "$preload" ] && export LD_PRELOAD=$preload
# The package imported must be the installed one, linked to the prefix's library.
"$tmp/venv/bin/python" - "$site" "$tmp/prefix" <<'PY'
import os, sys
import mtarep
site, prefix = sys.argv[1], sys.argv[2]
assert mtarep.__file__.startswith(site), mtarep.__file__
assert mtarep._capi.__file__.startswith(site), mtarep._capi.__file__
maps = open("/proc/self/maps").read()
libs = {l.split()[-1] for l in maps.splitlines() if "libmtarep.so" in l}
assert libs and all(p.startswith(prefix) for p in libs), libs
print("import mtarep:", mtarep.__version__, "from", os.path.dirname(mtarep.__file__))
PY
"$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider "$src/tests/python" "$@"

# The python3 on PATH, when it is another interpreter (e.g. pyenv, possibly
# without the `wheel` package: bindings/python/_mtarep_build.py then writes
# the wheel): install with --target and import from there.
unset LD_PRELOAD
other=$(command -v python3 || true)
if [ -n "$other" ] && [ "$("$other" -c 'import sys; print(sys.prefix)')" != \
     "$(/usr/bin/python3 -c 'import sys; print(sys.prefix)')" ] \
   && "$other" -m pip --version >/dev/null 2>&1; then
  rm -rf "$tmp/bindings"; cp -r "$src/bindings" "$tmp/bindings"
  if ! PKG_CONFIG_PATH=$pcdir "$other" -m pip install -q --no-index --no-build-isolation \
         --target "$tmp/other" "$tmp/bindings/python" >"$tmp/pip2.log" 2>&1; then
    cat "$tmp/pip2.log"; echo "pip install with $other: FAILED"; exit 1
  fi
  [ -n "$preload" ] && export LD_PRELOAD=$preload
  PYTHONPATH=$tmp/other "$other" -c 'import mtarep, sys
assert mtarep.classify("554 5.7.1 blocked using zen.spamhaus.org").category == "blocklist"
print("python3 on PATH:", sys.executable, "-> mtarep", mtarep.version())'
fi
