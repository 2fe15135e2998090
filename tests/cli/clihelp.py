"""Helpers for the mtarep CLI tests (run with /usr/bin/python3 -m pytest).

The binary comes from $MTAREP_CLI (ctest sets it to the built target);
servers and data from the MTAREP_TEST_* variables of tests/CMakeLists.txt.
"""
import json
import os
import pty
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("MTAREP_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
CLI = os.environ.get("MTAREP_CLI", "")
DEMO_ZONE = os.path.join(SOURCE_DIR, "examples", "demo.zone")
OFFLINE_ZONE = os.path.join(HERE, "data", "offline.zone")
ALLOWED_STATUSES = {"listed", "not_listed", "error", "not_applicable"}


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "rc=%r\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.out, self.err)


def run(*args, stdin=None, env=None, timeout=60):
    """Run the CLI; never through a shell. A signal (crash) fails the test."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([CLI] + [str(a) for a in args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=e)
    if p.returncode < 0:
        raise AssertionError("mtarep died of signal %d: %r" % (-p.returncode, args))
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))


def run_tty(*args, tty_stdout=False, tty_stderr=False, stdin=None, env=None, timeout=60):
    """Run with stdout and/or stderr on a pseudo-terminal. Returns
    (rc, stdout bytes, stderr bytes)."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    if env:
        e.update(env)
    master, slave = pty.openpty()
    p = subprocess.Popen([CLI] + [str(a) for a in args],
                         stdin=subprocess.PIPE,
                         stdout=slave if tty_stdout else subprocess.PIPE,
                         stderr=slave if tty_stderr else subprocess.PIPE, env=e)
    os.close(slave)
    tty_data = bytearray()
    if stdin is not None:
        p.stdin.write(stdin)
    p.stdin.close()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        tty_data += chunk
    piped_out = p.stdout.read() if not tty_stdout else b""
    piped_err = p.stderr.read() if not tty_stderr else b""
    rc = p.wait(timeout=timeout)
    os.close(master)
    if rc < 0:
        raise AssertionError("mtarep died of signal %d" % -rc)
    out = bytes(tty_data) if tty_stdout else piped_out
    err = bytes(tty_data) if tty_stderr and not tty_stdout else piped_err
    return rc, out, err


class CliTestCase(unittest.TestCase):
    def setUp(self):
        if not CLI or not os.access(CLI, os.X_OK):
            self.fail("MTAREP_CLI does not name the built mtarep binary: %r" % CLI)

    def assertExit(self, res, code):
        self.assertEqual(res.rc, code, "unexpected exit status:\n%r" % res)

    def check_by_name(self, doc, name):
        for c in doc["checks"]:
            if c["name"] == name:
                return c
        self.fail("no check %r in %s" % (name, json.dumps(doc, indent=1)))

    def assertDnsblShape(self, arr):
        self.assertIsInstance(arr, list)
        for o in arr:
            for key in ("query", "zone", "list_name", "status", "codes", "meaning",
                        "description", "txt", "error"):
                self.assertIn(key, o, "field %r missing in %r" % (key, o))
            self.assertIn(o["status"], ALLOWED_STATUSES, o)
            self.assertIsInstance(o["codes"], list)
            self.assertIsInstance(o["meaning"], list)
            for c in o["codes"] + o["meaning"]:
                self.assertIsInstance(c, str)
            if o["status"] == "error":
                self.assertIsInstance(o["error"], str, o)
            else:
                self.assertIsNone(o["error"], o)
            if o["status"] == "listed":
                self.assertTrue(o["codes"], o)
