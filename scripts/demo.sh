#!/usr/bin/env bash
# The demo: install what is missing, build into build/, then diagnose a
# sender with the mtarep CLI against the offline demo zone (nothing is sent
# over the network: examples/demo.zone answers every DNS question).
# The demo sender HAS problems, so the CLI's exit code 1 ("problem found")
# is success here; only an exit code > 1 (usage error, undecidable) fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log=$(mktemp /tmp/mtarep-demo.XXXXXX.log)
trap 'rm -f "$log"' EXIT

"$root/scripts/install-deps.sh"
echo "building build/ ..."
if ! { cmake -S . -B build -DPython3_EXECUTABLE=/usr/bin/python3 \
       && cmake --build build -j2 --target mtarep_cli; } >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -30; tail -20 "$log"
  exit 1
fi

cmd=(build/tools/mtarep/mtarep check 77.245.64.44 --domain example.com
     --helo mail.example.com --zone-file examples/demo.zone)
echo "\$ ${cmd[*]}"
rc=0
"${cmd[@]}" || rc=$?
echo
echo "(mtarep exit code $rc: 0 clean, 1 problems found, 2 usage error, 3 undecidable)"
if [ "$rc" -gt 1 ]; then
  exit "$rc"
fi
exit 0
