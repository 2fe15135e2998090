#!/usr/bin/env python3
"""Run every example of README.md against an installed tree.

Each fenced block is classified by its language and an optional HTML
comment on the line just before its opening fence:

  ```sh / ```c / ```python / ```php / ```cmake   run (see below)
  ``` with "$ CMD" lines                          a transcript: each CMD runs,
                                                  the lines after it are its
                                                  expected output
  <!-- readme-test: output -->                    expected output of the block
                                                  run just before
  <!-- readme-test: exit=N -->                    expected exit status (default 0;
                                                  transcripts accept 0, 1 and 3,
                                                  the CLI's verdict codes)
  <!-- readme-test: skip REASON -->               not run (say why)

An untagged block that is neither runnable nor a transcript fails the test,
so every new example gets classified. Expected output: every line except
"..." must appear, in order, in the output (spaces collapsed; a line ending
in " ..." matches as a prefix).

Blocks run in a scratch directory holding links to the source tree's
examples/, tests/, bindings/, include/ and build/ (the build tree), with
the installed prefix's bin/ and the venv first on PATH, PKG_CONFIG_PATH,
CMAKE_PREFIX_PATH and LD_LIBRARY_PATH set; in the text, /usr/local becomes
the prefix and "-d extension=mtarep" the installed extension's path.

Usage: readme_test.py README SRC BUILD PREFIX VENV_PYTHON PHP_EXT|- PHP_LAYER_ROOT|-
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")
TAG = re.compile(r"^<!--\s*readme-test:\s*(.*?)\s*-->\s*$")


def blocks(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i, out = 0, []
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        tag = ""
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0 and TAG.match(lines[j]):
            tag = TAG.match(lines[j]).group(1)
        k = i + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        out.append({"lang": m.group(1), "tag": tag, "line": i + 1,
                    "text": "\n".join(lines[i + 1:k]) + "\n"})
        i = k + 1
    return out


def norm(s):
    return " ".join(s.split())


def match_output(expected, actual):
    """None if every expected line appears in order, else the first missing one."""
    got = [norm(l) for l in actual.splitlines()]
    pos = 0
    for e in expected.splitlines():
        e = e.rstrip()
        if not e.strip() or e.strip() == "...":
            continue
        prefix = e.endswith(" ...")
        want = norm(e[:-4] if prefix else e)
        while pos < len(got) and (not got[pos].startswith(want) if prefix else want not in got[pos]):
            pos += 1
        if pos == len(got):
            return e
        pos += 1
    return None


class Runner:
    def __init__(self, src, build, prefix, venv_py, php_ext, php_layer_root):
        self.src, self.prefix, self.php_ext = src, prefix, php_ext
        self.php_layer_root = php_layer_root
        self.work = tempfile.mkdtemp(prefix="mtarep-readme-")
        for d in ("examples", "tests", "bindings", "include"):
            os.symlink(os.path.join(src, d), os.path.join(self.work, d))
        os.symlink(build, os.path.join(self.work, "build"))
        libdir = os.path.dirname(os.path.dirname(
            next(os.path.join(r, f) for r, _, fs in os.walk(prefix) for f in fs
                 if f == "mtarep.pc")))
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([os.path.join(prefix, "bin"), os.path.dirname(venv_py),
                                       env.get("PATH", "")])
        env["PKG_CONFIG_PATH"] = os.path.join(libdir, "pkgconfig")
        env["CMAKE_PREFIX_PATH"] = prefix
        env["LD_LIBRARY_PATH"] = libdir
        env["VIRTUAL_ENV"] = os.path.dirname(os.path.dirname(venv_py))
        env.pop("PYTHONPATH", None)
        self.env, self.venv_py = env, venv_py

    def subst(self, text):
        text = text.replace("/usr/local", self.prefix)
        if self.php_ext:
            text = text.replace("-d extension=mtarep", f"-d extension={self.php_ext}")
        if self.php_layer_root:
            text = text.replace(os.path.join(self.prefix, "share"), self.php_layer_root)
        return text

    def sh(self, script, timeout=120):
        return subprocess.run(["bash", "-o", "pipefail", "-c", script], cwd=self.work,
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def run(self, b):
        lang, text = b["lang"], self.subst(b["text"])
        f = os.path.join(self.work, f"block{b['line']}")
        if lang == "sh":
            if not self.php_ext and "php -d extension=" in text:
                lines = text.splitlines()
                first = next((l for l in lines if l.strip() and not l.startswith("#")), "")
                if first.startswith("php "):
                    return None                     # a PHP example: no PHP in this build
                text = "\n".join(l for l in lines if not l.startswith("php ")) + "\n"
            return self.sh("set -e\n" + text)
        if lang == "python":
            open(f + ".py", "w").write(text)
            return self.sh(f"python3 {f}.py")
        if lang == "php":
            if not self.php_ext:
                return None
            open(f + ".php", "w").write(text if text.lstrip().startswith("<?php")
                                        else "<?php\n" + text)
            return self.sh(f"php -d extension={self.php_ext} {f}.php")
        if lang == "c":
            open(f + ".c", "w").write(text)
            return self.sh(f"cc -std=c11 -Wall -Werror {f}.c -o {f} "
                           f"$(pkg-config --cflags --libs mtarep) && {f}")
        if lang == "cmake":
            os.makedirs(f, exist_ok=True)
            open(os.path.join(f, "app.c"), "w").write(
                '#include <mtarep.h>\n#include <stdio.h>\n'
                'int main(void) { puts(mtarep_version(NULL)); return 0; }\n')
            open(os.path.join(f, "CMakeLists.txt"), "w").write(
                "cmake_minimum_required(VERSION 3.18)\nproject(readme_app C)\n"
                "add_executable(app app.c)\n" + text)
            return self.sh(f"cmake -S {f} -B {f}/b >{f}/log 2>&1 && "
                           f"cmake --build {f}/b >>{f}/log 2>&1 && {f}/b/app || "
                           f"{{ cat {f}/log; exit 1; }}")
        raise ValueError(lang)


def transcript(text):
    """[(command, expected output)] of a block of "$ CMD" lines."""
    steps = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append([line[2:], []])
        elif steps:
            steps[-1][1].append(line)
    return [(c, "\n".join(o)) for c, o in steps]


def main():
    readme, src, build, prefix, venv_py, php_ext, php_layer = sys.argv[1:8]
    php_ext = None if php_ext == "-" else php_ext
    php_layer = None if php_layer == "-" else php_layer
    r = Runner(src, build, prefix, venv_py, php_ext, php_layer)
    failures, ran, skipped, last = [], 0, 0, None
    try:
        for b in blocks(readme):
            where = f"README.md:{b['line']}"
            tag = b["tag"]
            if tag.startswith("skip"):
                skipped += 1
                print(f"skip {where}: {tag[4:].strip(' :') or 'no reason given'}")
                last = "skipped"
                continue
            if tag == "output":
                if last == "skipped":
                    continue
                if last is None:
                    failures.append(f"{where}: output block without a block run before it")
                    continue
                missing = match_output(b["text"], last.stdout)
                if missing is not None:
                    failures.append(f"{where}: expected output line not found: {missing!r}\n"
                                    f"--- actual stdout:\n{last.stdout}--- stderr:\n{last.stderr}")
                continue
            want_exit = 0
            m = re.match(r"exit=(\d+)$", tag)
            if m:
                want_exit = int(m.group(1))
            elif tag:
                failures.append(f"{where}: unknown readme-test tag {tag!r}")
                continue
            if b["lang"] in ("sh", "c", "python", "php", "cmake"):
                res = r.run(b)
                if res is None:
                    skipped += 1
                    print(f"skip {where}: {b['lang']} not available in this build")
                    last = "skipped"
                    continue
                ran += 1
                last = res
                if res.returncode != want_exit:
                    failures.append(f"{where} ({b['lang']}): exit {res.returncode}, "
                                    f"expected {want_exit}\n--- stdout:\n{res.stdout}"
                                    f"--- stderr:\n{res.stderr}")
                else:
                    print(f"ok   {where} ({b['lang']})")
                continue
            steps = transcript(b["text"])
            if b["lang"] == "" and steps:
                for cmd, expected in steps:
                    ran += 1
                    res = r.sh(r.subst(cmd))
                    ok_exit = (want_exit,) if m else (0, 1, 3)
                    missing = match_output(expected, res.stdout + res.stderr)
                    if res.returncode not in ok_exit or missing is not None:
                        failures.append(f"{where}: $ {cmd}: exit {res.returncode}"
                                        + (f", missing {missing!r}" if missing else "")
                                        + f"\n--- output:\n{res.stdout}{res.stderr}")
                    else:
                        print(f"ok   {where} $ {cmd[:70]}")
                last = None
                continue
            failures.append(f"{where}: untested block ({b['lang'] or 'no language'}): run it, "
                            "or tag it <!-- readme-test: output|skip REASON -->")
    finally:
        shutil.rmtree(r.work, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    print(f"README examples: {ran} run, {skipped} skipped, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
