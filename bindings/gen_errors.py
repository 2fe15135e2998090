#!/usr/bin/env python3
"""Generate both bindings' exception hierarchies from bindings/errors.tsv.

One table (code, C name, class, parent[, aliases]) -> Python module
(mtarep/_errors.py) and a C header for the PHP extension (class table
registered in MINIT, each class also under the namespace Mtarep\Exception).
Aliases (comma-separated, optional fifth column) are extra names for the
same class in both languages (Python RateLimited is Throttled). The
table is checked against include/mtarep/errors.h so a new C code without a
row, or a row whose value drifted, fails the build instead of surfacing as a
generic exception.

Usage: gen_errors.py TABLE HEADER [--python OUT.py] [--php OUT.h]
"""
import argparse
import builtins
import os
import re
import sys

# Python-only extra bases: catching ValueError should catch bad input, as it
# does for the standard library's own parsers (ipaddress, int()).
PY_MIXINS = {"InvalidInput": "ValueError"}

IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
HDR_LINE = re.compile(r"^\s*(MTAREP_[A-Z0-9_]+)\s*=\s*(-?\d+)\s*,?\s*/\*\*<\s*(.*?)\s*\*/")


def die(msg):
    sys.exit("gen_errors.py: " + msg)


def read_header(path):
    codes = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HDR_LINE.match(line)
            if m:
                codes[m.group(1)] = (int(m.group(2)), m.group(3))
    if not codes:
        die(f"{path}: no MTAREP_* codes found")
    return codes


def read_table(path, header):
    rows = []
    seen_codes, seen_names, seen_classes = set(), set(), set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) not in (4, 5):
                die(f"{path}:{n}: expected 4 or 5 tab-separated fields, got {len(fields)}")
            code_s, cname, cls, parent = (x.strip() for x in fields[:4])
            aliases = [a.strip() for a in fields[4].split(",") if a.strip()] \
                if len(fields) == 5 else []
            try:
                code = int(code_s)
            except ValueError:
                die(f"{path}:{n}: code {code_s!r} is not an integer")
            if code >= 0:
                die(f"{path}:{n}: code {code} must be negative")
            if cname not in header:
                die(f"{path}:{n}: {cname} is not in errors.h")
            if header[cname][0] != code:
                die(f"{path}:{n}: {cname} is {header[cname][0]} in errors.h, not {code}")
            if not IDENT.match(cls):
                die(f"{path}:{n}: class {cls!r} is not a plain identifier")
            if hasattr(builtins, cls):
                die(f"{path}:{n}: class {cls!r} would shadow a Python builtin")
            for a in aliases:
                if not IDENT.match(a) or hasattr(builtins, a):
                    die(f"{path}:{n}: alias {a!r} is not a plain identifier or shadows a builtin")
            for val, seen, what in [(code, seen_codes, "code"), (cname, seen_names, "C name"),
                                    (cls, seen_classes, "class")] + \
                                   [(a, seen_classes, "class") for a in aliases]:
                if val in seen:
                    die(f"{path}:{n}: duplicate {what} {val}")
                seen.add(val)
            rows.append({"code": code, "cname": cname, "cls": cls, "parent": parent,
                         "doc": header[cname][1], "aliases": aliases})
    missing = sorted((v[0], k) for k, v in header.items() if v[0] < 0 and k not in seen_names)
    if missing:
        die(f"{path}: codes without a row: " + ", ".join(k for _, k in missing))
    roots = [r for r in rows if r["parent"] == "-"]
    if len(roots) != 1:
        die(f"{path}: need exactly one root row (parent '-'), found {len(roots)}")
    for r in rows:
        if r["parent"] != "-" and r["parent"] not in seen_classes:
            die(f"{path}: parent {r['parent']!r} of {r['cls']} is not a class in the table")
    return rows


def topo_order(rows):
    """Parents before children, otherwise table order; fails on cycles."""
    by_cls = {r["cls"]: r for r in rows}
    done, out = set(), []

    def visit(r, stack):
        if r["cls"] in done:
            return
        if r["cls"] in stack:
            die("cycle in parents: " + " -> ".join(stack + [r["cls"]]))
        if r["parent"] != "-":
            visit(by_cls[r["parent"]], stack + [r["cls"]])
        done.add(r["cls"])
        out.append(r)

    for r in rows:
        visit(r, [])
    return out


def php_base(cls):
    return cls[:-len("Error")] if cls.endswith("Error") else cls


def php_name(cls):
    return f"Mtarep{php_base(cls)}Exception"


def php_ns_name(cls):
    """Mtarep\\Exception\\InvalidInputException (root: ...\\MtarepException)."""
    return "Mtarep\\Exception\\" + (php_base(cls) or "Mtarep") + "Exception"


def c_str(s):
    return '"' + s.replace("\\", "\\\\") + '"'


def write_atomic(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def gen_python(rows, src):
    root = next(r for r in rows if r["parent"] == "-")
    out = [f"# Generated from {src} by bindings/gen_errors.py: do not edit.",
           '"""Exceptions raised by mtarep: one class per libmtarep error code."""',
           "",
           "from typing import Dict, Optional, Type",
           "", ""]
    for r in rows:
        bases = "Exception" if r is root else r["parent"]
        if r["cls"] in PY_MIXINS:
            bases += ", " + PY_MIXINS[r["cls"]]
        out.append(f"class {r['cls']}({bases}):")
        doc = f"{r['doc'][:1].upper()}{r['doc'][1:]} ({r['cname']}, {r['code']})."
        if r is root:
            out += [f'    """Base of every mtarep exception. {doc}',
                    "",
                    "    Attributes: ``code`` (the negative C status code), ``message``",
                    "    (detail of the failed call, from mtarep_ctx_errmsg(), else the",
                    "    code's description) and ``name`` (its C symbol).",
                    '    """',
                    "",
                    f"    code: int = {r['code']}",
                    "    message: str",
                    "",
                    '    def __init__(self, message: str = "", code: Optional[int] = None) -> None:',
                    "        if code is None:",
                    "            code = type(self).code",
                    "        super().__init__(message, code)",
                    "        self.code = code",
                    "        self.message = message",
                    "",
                    "    @property",
                    "    def name(self) -> str:",
                    "        return _NAMES.get(self.code, _NAMES[Error.code])",
                    "",
                    "    def __str__(self) -> str:",
                    "        return self.message",
                    "",
                    "    def __repr__(self) -> str:",
                    "        return f\"{type(self).__name__}({self.message!r}, code={self.code})\"",
                    "", ""]
        else:
            out += [f'    """{doc}"""', "", f"    code = {r['code']}", "", ""]
    aliases = [(a, r["cls"]) for r in rows for a in r["aliases"]]
    for a, cls in aliases:
        out.append(f"{a} = {cls}  # alias")
    if aliases:
        out += ["", ""]
    out.append("_BY_CODE: Dict[int, Type[Error]] = {")
    out += [f"    {r['code']}: {r['cls']}," for r in sorted(rows, key=lambda r: -r["code"])]
    out += ["}", "", "_NAMES: Dict[int, str] = {"]
    out += [f"    {r['code']}: \"{r['cname']}\"," for r in sorted(rows, key=lambda r: -r["code"])]
    names = [r["cls"] for r in rows] + [a for a, _ in aliases]
    out += ["}", "",
            "__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]",
            "", "",
            "def _from_code(code: int, message: str) -> Error:",
            '    """Exception instance for a C status code (unknown codes give Error)."""',
            "    return _BY_CODE.get(code, Error)(message, code)",
            ""]
    return "\n".join(out)


def gen_php(rows, src):
    index = {r["cls"]: i for i, r in enumerate(rows)}
    out = [f"/* Generated from {src} by bindings/gen_errors.py: do not edit. */",
           "#ifndef MTAREP_PHP_ERRORS_H",
           "#define MTAREP_PHP_ERRORS_H",
           "",
           "/* Parents come before children; parent -1 extends \\Exception. */",
           "static const struct mtarep_php_exc_def {",
           "    int code;",
           "    const char *name;",
           "    int parent;",
           "} mtarep_php_exc_defs[] = {"]
    for r in rows:
        parent = -1 if r["parent"] == "-" else index[r["parent"]]
        out.append(f"    {{{r['code']}, \"{php_name(r['cls'])}\", {parent}}}, /* {r['cname']} */")
    out += ["};",
            f"#define MTAREP_PHP_NEXC {len(rows)}",
            "",
            "/* More names of those classes: every class under the namespace",
            " * Mtarep\\Exception, and the table's aliases in both forms. */",
            "static const struct mtarep_php_exc_alias {",
            "    const char *name;",
            "    int cls;",
            "} mtarep_php_exc_aliases[] = {"]
    n = 0
    for i, r in enumerate(rows):
        for name in [php_ns_name(r["cls"])] + \
                [f(a) for a in r["aliases"] for f in (php_name, php_ns_name)]:
            out.append(f"    {{{c_str(name)}, {i}}},")
            n += 1
    out += ["};",
            f"#define MTAREP_PHP_NEXC_ALIASES {n}",
            "",
            "#endif",
            ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table")
    ap.add_argument("header")
    ap.add_argument("--python")
    ap.add_argument("--php")
    a = ap.parse_args()
    rows = topo_order(read_table(a.table, read_header(a.header)))
    src = "bindings/" + os.path.basename(a.table)
    if a.python:
        write_atomic(a.python, gen_python(rows, src))
    if a.php:
        write_atomic(a.php, gen_php(rows, src))


if __name__ == "__main__":
    main()
