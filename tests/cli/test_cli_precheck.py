"""mtarep check (mtarep_precheck) over the wire: the demo zone served by Knot
(tests/servers/demo_zones.py) behind the delaying forwarder
tests/servers/delaydns.py; every check's unknown path; the SMTP probe
against a real SMTP server (aiosmtpd); the HTML page in headless Chromium.
ctest runs it with the "servers" fixture."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import CliTestCase, run, run_tty  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MTAREP_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("MTAREP_BINARY_DIR", tempfile.gettempdir())
KNOT = os.environ.get("MTAREP_TEST_KNOT", "127.0.0.1:5300")
DELAY = os.environ.get("MTAREP_TEST_DELAYDNS", "127.0.0.1:5302")
SMTP = os.environ.get("MTAREP_TEST_SMTP", "127.0.0.1:5303")
STATE = os.environ.get("MTAREP_TEST_STATE", tempfile.gettempdir())
DEMO_IP = "77.245.64.44"
DEMO = (DEMO_IP, "--domain", "example.com", "--helo", "mail.example.com",
        "--selector", "mail", "--selector", "s2048")
SPF_DEPTH = 3  # example.com -> _spf.example.net -> _spf2.example.net -> _spf.example-esp.org
DELAY_MS = 50
CHROMIUM = "/usr/bin/chromium"


def wait_file(path, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.05)
    return False


class Proc:
    """A helper server started by the test, stopped by its pid."""

    def __init__(self, argv, pidfile):
        self.pidfile = pidfile
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not wait_file(pidfile):
            self.stop()
            raise AssertionError("%s did not start: %s" % (argv[1], self.p.stderr.read()))

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.p.stderr.close()


def delaydns(delay_ms=DELAY_MS, drop=None):
    host, port = DELAY.rsplit(":", 1)
    argv = [sys.executable, os.path.join(SRC, "tests", "servers", "delaydns.py"),
            "--addr", host, "--port", port, "--upstream", KNOT, "--delay-ms", str(delay_ms),
            "--pidfile", os.path.join(STATE, "delaydns.pid")]
    if drop:
        argv += ["--drop", drop]
    return Proc(argv, os.path.join(STATE, "delaydns.pid"))


class TestConcurrency(CliTestCase):
    def test_demo_within_spf_depth_plus_3_rounds(self):
        d = delaydns()
        try:
            # the same answers as the offline demo, 50 ms per question
            times = []
            for _ in range(3):
                t0 = time.monotonic()
                r = run("--nameserver", DELAY, "--timeout", "2000", "check", *DEMO, "--json")
                times.append(time.monotonic() - t0)
                self.assertExit(r, 1)
            doc = r.json()
            st = {c["name"]: c["status"] for c in doc["checks"]}
            self.assertEqual(st, {"dnsbl": "problem", "spf": "problem", "helo": "problem",
                                  "dmarc": "problem", "rdns": "warning", "dkim": "warning",
                                  "dbl": "ok", "mx": "ok"})
            limit = (SPF_DEPTH + 3) * DELAY_MS / 1000.0
            # best of 3: the bound is about the library, not a busy CI machine
            self.assertLessEqual(min(times), limit, "times %r over %.3f s" % (times, limit))
            # and it is the delay that dominates (the forwarder really delays)
            self.assertGreaterEqual(min(times), (SPF_DEPTH + 1) * DELAY_MS / 1000.0, times)
        finally:
            d.stop()


# What to drop so that exactly one check's DNS times out: (check, regex on
# "qname qtype").
UNKNOWN_CASES = [
    ("rdns", r"in-addr\.arpa 12$"),
    ("helo", r"in-addr\.arpa 12$|^mail\.example\.com 1$"),  # PTR and HELO A
    ("dnsbl", r"\.zen\.spamhaus\.org 1$"),
    ("dbl", r"^example\.com\.dbl\.spamhaus\.org"),
    ("spf", r"^_spf2\.example\.net 16$"),
    ("dkim", r"_domainkey\.example\.com 16$"),
    ("dmarc", r"^_dmarc\.example\.com 16$"),
    ("mx", r"^example\.com 15$"),
]


class TestUnknown(CliTestCase):
    def test_each_check_unknown_when_its_dns_times_out(self):
        for name, drop in UNKNOWN_CASES:
            with self.subTest(check=name):
                d = delaydns(0, drop)
                try:
                    r = run("--nameserver", DELAY, "--timeout", "300", "check", *DEMO,
                            "--json")
                finally:
                    d.stop()
                doc = r.json()
                c = self.check_by_name(doc, name)
                self.assertEqual(c["status"], "unknown", c)
                self.assertNotEqual(doc["verdict"], "ok")
                # the demo's problems stay problems: exit 1 ("problems found")
                self.assertExit(r, 1)

    def test_all_unknown_never_ok(self):
        # a nameserver that never answers: no check may claim ok
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        try:
            ns = "127.0.0.1:%d" % s.getsockname()[1]
            r = run("--nameserver", ns, "--timeout", "300", "check", *DEMO, "--json")
        finally:
            s.close()
        self.assertExit(r, 3)
        doc = r.json()
        self.assertEqual(doc["verdict"], "unknown")
        names = {c["name"] for c in doc["checks"]}
        self.assertEqual(names, {"dnsbl", "rdns", "spf", "dbl", "helo", "dkim", "dmarc", "mx"})
        for c in doc["checks"]:
            self.assertEqual(c["status"], "unknown", c)


class TestSmtpProbe(CliTestCase):
    def smtp(self, accept=False):
        host, port = SMTP.rsplit(":", 1)
        self.log = os.path.join(STATE, "smtp-probe.log")
        open(self.log, "w").close()
        argv = ["/usr/bin/python3", os.path.join(HERE, "smtp_reject.py"), "--port", port,
                "--pidfile", os.path.join(STATE, "smtp.pid"), "--log", self.log]
        if accept:
            argv.append("--accept")
        return Proc(argv, os.path.join(STATE, "smtp.pid"))

    def test_reputation_rejection_classified(self):
        s = self.smtp()
        try:
            r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", *DEMO,
                    "--probe-mx", SMTP, "--json")
        finally:
            s.stop()
        self.assertExit(r, 1)
        doc = r.json()
        smtp = doc["checks"][0]  # what the receiver said comes first
        self.assertEqual((smtp["name"], smtp["status"]), ("smtp", "problem"), smtp)
        self.assertEqual(smtp["subject"], SMTP)
        ev = "\n".join(smtp["evidence"])
        self.assertIn("RCPT TO refused: 554 5.7.1", ev)
        self.assertIn("classified: reputation", ev)
        self.assertTrue(smtp["advice"])
        log = open(self.log).read()
        self.assertIn("RCPT postmaster@", log)
        self.assertNotIn("DATA", log)

    def test_accepted(self):
        s = self.smtp(accept=True)
        try:
            r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", *DEMO,
                    "--probe-mx", SMTP, "--probe-rcpt", "abuse@mx.test.invalid", "--json")
        finally:
            s.stop()
        smtp = self.check_by_name(r.json(), "smtp")
        self.assertEqual(smtp["status"], "ok", smtp)
        self.assertIn("DATA never sent", smtp["evidence"][-1])
        log = open(self.log).read()
        self.assertIn("RCPT abuse@mx.test.invalid", log)
        self.assertNotIn("DATA\n", log)

    def test_unreachable_is_unknown(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
        port = s.getsockname()[1]
        try:
            r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", *DEMO,
                    "--probe-mx", "127.0.0.1:%d" % port, "--json")
        finally:
            s.close()
        smtp = self.check_by_name(r.json(), "smtp")
        self.assertEqual(smtp["status"], "unknown", smtp)

    def test_bad_probe_is_usage(self):
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", *DEMO,
                "--probe-mx", "mx.example.com:99999")
        self.assertExit(r, 2)


class TestHuman(CliTestCase):
    def test_names_each_demo_problem_with_advice(self):
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", DEMO_IP,
                "--domain", "example.com", "--helo", "mail.example.com")
        self.assertExit(r, 1)
        self.assertNotIn("\x1b", r.out)  # not a terminal: no colour
        lines = r.out.splitlines()
        first = [l for l in lines if l.startswith("[")]
        self.assertTrue(first[0].startswith("[FAIL] dnsbl") and "Spamhaus ZEN" in first[0])
        for pat in (r"\[FAIL\] spf +SPF of example.com for 77.245.64.44: fail",
                    r"\[WARN\] dkim +selector mail: rsa key, 1024 bits",
                    r"\[FAIL\] dmarc +no DMARC record",
                    r"\[FAIL\] helo +HELO mail.example.com does not match the PTR"):
            self.assertRegex(r.out, pat)
        self.assertEqual(r.out.count("Advice:"), 6)  # every problem and warning
        self.assertRegex(r.out, r"(?m)^Verdict: problem \(2 ok, 2 warnings, 4 problems, 0 unknown\)")

    def test_colour_on_a_terminal(self):
        rc, out, _ = run_tty("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check",
                             DEMO_IP, "--domain", "example.com", tty_stdout=True)
        self.assertEqual(rc, 1)
        self.assertIn(b"\x1b[", out)

    def test_usage_is_2(self):
        # (exit 0 for a clean sender: test_cli_offline.py TestCheckOffline)
        r = run("check", DEMO_IP, "--html", "")
        self.assertExit(r, 2)
        r = run("check", DEMO_IP, "--selector", "bad selector")
        self.assertExit(r, 2)
        r = run("--json", "check", DEMO_IP, "--html", "-")
        self.assertExit(r, 2)
        self.assertIn("standard output", r.err)
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", DEMO_IP,
                "--domain", "example.com", "--selector", "bad..sel")
        self.assertExit(r, 2)


class TestLogs(CliTestCase):
    def test_bounce_summary(self):
        logs = os.path.join(SRC, "tests", "data", "logs")
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", DEMO_IP,
                "--log", os.path.join(logs, "postfix-sample.log"),
                "--log", os.path.join(logs, "exim-sample.log"), "--json")
        self.assertExit(r, 1)
        b = self.check_by_name(r.json(), "bounces")
        self.assertEqual(b["subject"], "logs")
        self.assertRegex(b["evidence"][0], r"^\d+ sent, \d+ bounced, \d+ deferred")
        self.assertTrue(any(e.startswith("cause reputation:") for e in b["evidence"]), b)
        self.assertEqual(b["status"], "problem")  # a reputation bounce, and > 5 %

    def test_unreadable_log_is_unknown(self):
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check",
                "192.0.2.25", "--zones", "zen.spamhaus.org", "--log", "/nonexistent/x.log",
                "--json")
        b = self.check_by_name(r.json(), "bounces")
        self.assertEqual(b["status"], "unknown", b)
        self.assertNotEqual(r.json()["verdict"], "ok")

    def test_log_name_not_utf8_still_reports(self):
        # a file name is bytes: one that is not UTF-8 (here Latin-1 e-acute)
        # used to fail the whole check with "out of memory" (jansson)
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check",
                "192.0.2.25", "--zones", "zen.spamhaus.org", "--log",
                os.fsdecode(b"/nonexistent/caf\xe9.log"), "--json")
        self.assertExit(r, 1)  # 192.0.2.25 has no PTR in the demo
        b = self.check_by_name(r.json(), "bounces")
        self.assertEqual((b["status"], b["subject"]), ("unknown", "/nonexistent/caf?.log"), b)


class TestHtml(CliTestCase):
    def test_page_in_chromium(self):
        out = os.path.join(BUILD, "precheck-report")
        os.makedirs(out, exist_ok=True)
        page = os.path.join(out, "demo.html")
        r = run("--zone-file", os.path.join(SRC, "examples", "demo.zone"), "check", *DEMO,
                "--html", page, "--json")
        self.assertExit(r, 1)
        doc = r.json()
        html = open(page, encoding="utf-8").read()
        self.assertNotRegex(html, r"(?i)<script|<link|src=|url\(|@import|https?://[^\"<]*\.(css|js)")
        for c in doc["checks"]:
            self.assertIn('data-check="%s"' % c["name"], html)
        if not os.access(CHROMIUM, os.X_OK):
            self.skipTest("chromium not installed")
        prof = tempfile.mkdtemp(prefix="mtarep-chromium-")
        flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--user-data-dir=" + prof,
                 "--enable-logging=stderr", "--v=0"]
        try:
            dom = subprocess.run(flags + ["--dump-dom", "file://" + page],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            shot = os.path.join(out, "demo.png")
            if os.path.exists(shot):
                os.unlink(shot)
            sc = subprocess.run(flags + ["--screenshot=" + shot, "--window-size=1200,2400",
                                         "file://" + page],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        finally:
            shutil.rmtree(prof, ignore_errors=True)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        text = dom.stdout.decode("utf-8", "replace")
        errs = dom.stderr.decode("utf-8", "replace") + sc.stderr.decode("utf-8", "replace")
        self.assertNotRegex(errs, r"CONSOLE\(\d+\)|Uncaught|ERR_FILE_NOT_FOUND|"
                            r"Failed to load resource", errs[-2000:])
        shown = re.findall(r'data-check="([a-z]+)"', text)
        self.assertEqual(shown, [c["name"] for c in doc["checks"]])
        self.assertIn("Verdict: <strong>problem</strong>", text)
        self.assertTrue(os.path.getsize(shot) > 10000, "screenshot %s" % shot)


if __name__ == "__main__":
    unittest.main()
