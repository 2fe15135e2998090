#!/usr/bin/env python3
"""Run doxygen, then judge its warnings (doxygen cannot pick which kinds
are errors): an undocumented function and broken markup fail; undocumented
macros, enum values and struct members are printed as notes.

Usage: doxygen_check.py DOXYGEN DOXYFILE WARNINGS_LOG
"""
import re
import subprocess
import sys

FATAL = [
    re.compile(r"Member \S+\(.*\) \(function\) .* is not documented"),
    re.compile(r"Compound .* is not documented"),
    re.compile(r"Found unknown command"),
    re.compile(r"explicit link request to .* could not be resolved"),
    re.compile(r"Unsupported xml/html tag"),
    re.compile(r"unable to resolve reference"),
    re.compile(r"argument .* of command @param is not found"),
    re.compile(r"error:"),
]


def main():
    doxygen, doxyfile, log = sys.argv[1:4]
    r = subprocess.run([doxygen, doxyfile], capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        return 1
    entries, cur = [], None
    for line in open(log, encoding="utf-8", errors="replace"):
        if re.match(r"^\S.*:\d+: (warning|error):", line):
            cur = [line.rstrip()]
            entries.append(cur)
        elif cur is not None:
            cur.append(line.rstrip())
    fatal = [e for e in entries if any(p.search(e[0]) for p in FATAL)]
    notes = [e for e in entries if e not in fatal]
    for e in notes:
        print("note:", "\n      ".join(e))
    for e in fatal:
        print("ERROR:", "\n       ".join(e))
    print(f"doxygen: {len(fatal)} errors, {len(notes)} notes (undocumented macros/members)")
    return 1 if fatal else 0


if __name__ == "__main__":
    sys.exit(main())
