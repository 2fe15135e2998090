#!/usr/bin/env python3
"""Man pages: each renders without a groff/man warning, mtarep.1 names
every command and global option of `mtarep --help`, check_mtarep.1 every
mode of `check_mtarep --help`.

Usage: check_man.py MAN_DIR MTAREP CHECK_MTAREP
"""
import os
import re
import subprocess
import sys


def render_problems(page):
    out = []
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                       text=True)
    if g.returncode != 0 or g.stderr.strip():
        out.append(f"groff: {g.stderr.strip() or 'exit ' + str(g.returncode)}")
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    m = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True, env=env)
    if m.returncode != 0 or m.stderr.strip():
        out.append(f"man -l: {m.stderr.strip() or 'exit ' + str(m.returncode)}")
    return out, m.stdout


def main():
    man_dir, mtarep, check = sys.argv[1:4]
    problems = []
    pages = {}
    for name in ("mtarep.1", "check_mtarep.1"):
        p, text = render_problems(os.path.join(man_dir, name))
        problems += [f"{name}: {x}" for x in p]
        pages[name] = open(os.path.join(man_dir, name), encoding="utf-8").read()

    help_text = subprocess.run([mtarep, "--help"], capture_output=True, text=True).stdout
    cmds = re.search(r"^Commands:\n((?:  \S.*\n)+)", help_text, re.M)
    if not cmds:
        problems.append("mtarep --help: no Commands: section")
    else:
        for line in cmds.group(1).splitlines():
            cmd = line.split()[0]
            if not re.search(rf"^\.B {re.escape(cmd)}\b", pages["mtarep.1"], re.M):
                problems.append(f"mtarep.1: command '{cmd}' of mtarep --help is not described")
    for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text))):
        if opt.replace("-", r"\-") not in pages["mtarep.1"]:
            problems.append(f"mtarep.1: option {opt} of mtarep --help is missing")

    # and every option of each command's own help (up to its global part)
    for cmd in (re.findall(r"^  (\S+)", cmds.group(1), re.M) if cmds else []):
        sub = subprocess.run([mtarep, "help", cmd], capture_output=True, text=True).stdout
        sub = sub.split("Global options")[0]
        for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", sub))):
            if opt.replace("-", r"\-") not in pages["mtarep.1"]:
                problems.append(f"mtarep.1: option {opt} of mtarep help {cmd} is missing")

    chelp = subprocess.run([check, "--help"], capture_output=True, text=True)
    modes = set(re.findall(r"check_mtarep (\w+) ", chelp.stdout + chelp.stderr))
    if not modes:
        problems.append("check_mtarep --help: no modes found")
    for mode in sorted(modes):
        if not re.search(rf"^\.B (check_mtarep )?{mode}\b", pages["check_mtarep.1"], re.M):
            problems.append(f"check_mtarep.1: mode '{mode}' is not described")

    for p in problems:
        print("MAN:", p)
    print(f"man pages: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
