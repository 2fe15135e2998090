#!/usr/bin/env python3
"""Compare the dynamic symbols libmtarep.so exports with exports.txt.

Fails when the library exports a symbol the list does not name (an
accidental export), when a listed symbol is missing while the SONAME is
still the one the list records ("soname: ..." line: a removal without a
soname bump is an ABI break), when the SONAME changed but the list was not
reviewed for it, when a function declared MTAREP_API in include/ is not
exported, or when an export is not tagged with the version node of
lib/mtarep.map.

Usage: check.py LIB EXPORTS_TXT INCLUDE_DIR [--update]
       check.py LIB EXPORTS_TXT INCLUDE_DIR --self-test
--update rewrites EXPORTS_TXT from LIB (review the diff before committing).
--self-test shows the check fails on a removed symbol (same soname) and on
a soname change, using temporary copies of the list.
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
        if kind == "A":          # the version node itself (MTAREP_0.2)
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


def soname(lib):
    out = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True,
                         text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return m.group(1) if m else None


def listed(path):
    """(symbols, recorded soname) of an exports list."""
    syms, recorded = [], None
    with open(path, encoding="utf-8") as fh:
        for l in fh:
            l = l.strip()
            if l.startswith("soname:"):
                recorded = l.split(":", 1)[1].strip()
            elif l and not l.startswith("#"):
                syms.append(l)
    return syms, recorded


HEADER = """\
# Symbols libmtarep.so exports (checked by tests/abi/check.py, ctest `abi`).
# One name per line, sorted. A symbol the library exports but this list does
# not name fails the test (accidental export); so does a listed symbol that
# is missing (ABI break: needs a SOVERSION bump) and an MTAREP_API function
# declared in include/ but not exported.
#
# The "soname:" line records the SONAME these symbols belong to: removing a
# symbol is allowed only together with a SONAME bump (VERSION/SOVERSION in
# CMakeLists.txt, docs/ABI.md), after which --update records the new one.
#
# After adding public API on purpose, regenerate and review the diff:
#   cmake --build build && python3 tests/abi/check.py \\
#     build/libmtarep.so tests/abi/exports.txt include --update
"""


def main():
    args = [a for a in sys.argv[1:] if a not in ("--update", "--self-test")]
    if len(args) != 3:
        print(__doc__)
        return 2
    lib, listfile, include_dir = args
    syms = exported(lib)
    if "--self-test" in sys.argv:
        return self_test(lib, listfile, include_dir, syms)
    if "--update" in sys.argv:
        with open(listfile, "w", encoding="utf-8") as fh:
            fh.write(HEADER)
            fh.write(f"soname: {soname(lib)}\n")
            fh.writelines(s + "\n" for s in sorted(syms))
        print(f"wrote {len(syms)} symbols to {listfile}")
        return 0

    if not os.path.exists(listfile):
        print(f"{listfile} missing: create it with --update")
        return 1
    return check(lib, listfile, include_dir, syms)


def check(lib, listfile, include_dir, syms):
    want, recorded = listed(listfile)
    current = soname(lib)
    problems = []
    extra = sorted(set(syms) - set(want))
    missing = sorted(set(want) - set(syms))
    if recorded is None:
        problems.append("exports.txt records no 'soname:' line (run --update)")
    elif recorded != current:
        problems.append(f"SONAME changed from {recorded} to {current}: review the removed "
                        f"symbols ({len(missing)}) and run --update")
        missing = []
    undeclared = sorted(declared(include_dir) - set(syms))
    for s in extra:
        problems.append(f"exported but not in exports.txt: {s}")
    for s in missing:
        problems.append(f"removed without a soname bump (ABI break, still {current}): {s}")
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


def self_test(lib, listfile, include_dir, syms):
    """The check must fail on a removed symbol and on an unreviewed bump."""
    import contextlib
    import io
    import tempfile
    text = open(listfile, encoding="utf-8").read()
    cases = [
        ("a listed symbol missing, same soname",
         text + "mtarep_zz_removed_symbol\n", "removed without a soname bump"),
        ("soname changed, list not updated",
         re.sub(r"^soname:.*$", "soname: libmtarep.so.0.0", text, flags=re.M),
         "SONAME changed"),
        ("no soname line", re.sub(r"^soname:.*\n", "", text, flags=re.M), "no 'soname:' line"),
    ]
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for what, body, expect in cases:
            path = os.path.join(d, "exports.txt")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(body)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                rc = check(lib, path, include_dir, syms)
            ok = rc == 1 and expect in out.getvalue()
            print(f"self-test: {what}: {'detected' if ok else 'NOT DETECTED'}")
            bad += not ok
    rc = check(lib, listfile, include_dir, syms)
    return 1 if bad or rc else 0


if __name__ == "__main__":
    sys.exit(main())
