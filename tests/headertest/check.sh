#!/usr/bin/env bash
# Compile every public header on its own (twice, to check the include
# guard) as strict C11 and, when a C++ compiler is given, as C++11: a header
# that needs another include first, or declares something sloppy, fails.
# Usage: check.sh <cc> <c++ or ""> <include dir>
set -euo pipefail
cc=$1 cxx=$2 inc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$inc"
mapfile -t headers < <(find . -name '*.h' | sed 's|^\./||' | sort)
[ ${#headers[@]} -gt 0 ] || { echo "no headers under $inc"; exit 1; }
fail=0 n=0
for h in "${headers[@]}"; do
  printf '#include <%s>\n#include <%s>\nint mtarep_headertest_dummy;\n' "$h" "$h" > "$tmp/t.c"
  if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -pedantic-errors -Werror -I"$inc" \
       -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
    echo "FAIL (C11): $h"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1))
  fi
  n=$((n + 1))
  if [ -n "$cxx" ]; then
    cp "$tmp/t.c" "$tmp/t.cpp"
    if ! "$cxx" -std=c++11 -Wall -Wextra -Wpedantic -pedantic-errors -Werror -I"$inc" \
         -c "$tmp/t.cpp" -o "$tmp/t.o" 2>"$tmp/err"; then
      echo "FAIL (C++11): $h"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1))
    fi
    n=$((n + 1))
  fi
done
echo "headertest: ${#headers[@]} headers, $n compiles, $fail failed"
[ $fail = 0 ]
