#!/usr/bin/env python3
"""Compare the dynamic symbols libmtarep.so exports with exports.txt.

Fails when the library exports a symbol the list does not name (an
accidental export), when a listed symbol is missing (an ABI break), when a
function declared MTAREP_API in include/ is not exported, or when an export
is not tagged with the version node of lib/mtarep.map.

Usage: check.py LIB EXPORTS_TXT INCLUDE_DIR [--update]
--update rewrites EXPORTS_TXT from LIB (review the diff before committing).
"""
import os
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":          # the version node itself (MTAREP_0.1)
            continue
        base, _, ver = name.partition("@")
        syms[base] = ver.lstrip("@")
    return syms


def declared(include_dir):
    """Functions declared with MTAREP_API in the public headers."""
    names = set()
    for root, _, files in os.walk(include_dir):
        for f in files:
            if not f.endswith(".h"):
                continue
            text = open(os.path.join(root, f), encoding="utf-8").read()
            text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
            for m in re.finditer(r"\bMTAREP_API\b([^;{]*?)\(", text):
                if "#define" in text[max(0, m.start() - 20):m.start()]:
                    continue
                ident = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(1))
                if ident:
                    names.add(ident[-1])
    return names


def listed(path):
    with open(path, encoding="utf-8") as fh:
        return [l.strip() for l in fh if l.strip() and not l.startswith("#")]


HEADER = """\
# Symbols libmtarep.so exports (checked by tests/abi/check.py, ctest `abi`).
# One name per line, sorted. A symbol the library exports but this list does
# not name fails the test (accidental export); so does a listed symbol that
# is missing (ABI break: needs a SOVERSION bump) and an MTAREP_API function
# declared in include/ but not exported.
#
# After adding public API on purpose, regenerate and review the diff:
#   cmake --build build && python3 tests/abi/check.py \\
#     build/libmtarep.so tests/abi/exports.txt include --update
"""


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    if len(args) != 3:
        print(__doc__)
        return 2
    lib, listfile, include_dir = args
    syms = exported(lib)
    if "--update" in sys.argv:
        with open(listfile, "w", encoding="utf-8") as fh:
            fh.write(HEADER)
            fh.writelines(s + "\n" for s in sorted(syms))
        print(f"wrote {len(syms)} symbols to {listfile}")
        return 0

    if not os.path.exists(listfile):
        print(f"{listfile} missing: create it with --update")
        return 1
    want = listed(listfile)
    problems = []
    extra = sorted(set(syms) - set(want))
    missing = sorted(set(want) - set(syms))
    undeclared = sorted(declared(include_dir) - set(syms))
    for s in extra:
        problems.append(f"exported but not in exports.txt: {s}")
    for s in missing:
        problems.append(f"in exports.txt but not exported: {s}")
    for s in undeclared:
        problems.append(f"declared MTAREP_API in include/ but not exported: {s}")
    mapfile = os.path.join(os.path.dirname(os.path.abspath(include_dir)), "lib", "mtarep.map")
    nodes = set()
    if os.path.exists(mapfile):
        nodes = set(re.findall(r"^\s*(MTAREP_[0-9.]+)\s*\{", open(mapfile).read(), re.M))
    for s, ver in sorted(syms.items()):
        if nodes and ver not in nodes:
            problems.append(f"{s} has version '{ver}', not one of {sorted(nodes)}")
    if want != sorted(want):
        problems.append("exports.txt is not sorted")
    for p in problems:
        print("ABI:", p)
    print(f"abi: {len(syms)} exported, {len(want)} listed, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
