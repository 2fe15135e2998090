"""mtarep CLI tests that need no server: option parsing, exit codes, and
offline runs against zone files (examples/demo.zone, data/offline.zone)."""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import (CliTestCase, DEMO_ZONE, OFFLINE_ZONE, run, run_tty)  # noqa: E402

DEMO_IP = "77.245.64.44"
OFF = ("--zone-file", OFFLINE_ZONE)


class TestUsage(CliTestCase):
    def test_version(self):
        for args in (["--version"], ["-V"], ["dnsbl", "--version"], ["rdns", "-V"]):
            r = run(*args)
            self.assertExit(r, 0)
            self.assertRegex(r.out, r"^mtarep \d+\.\d+\.\d+\n$", args)

    def test_help(self):
        r = run("--help")
        self.assertExit(r, 0)
        for cmd in ("check", "dnsbl", "rdns", "--nameserver", "--zone-file", "--json"):
            self.assertIn(cmd, r.out)
        for args in (["help", "dnsbl"], ["dnsbl", "--help"], ["--help", "dnsbl"]):
            r = run(*args)
            self.assertExit(r, 0)
            self.assertIn("Usage: mtarep dnsbl", r.out)
            self.assertIn("--zones", r.out)
        r = run("help", "check")
        self.assertExit(r, 0)
        self.assertIn("--domain", r.out)

    def test_help_unknown_command(self):
        r = run("help", "nosuch")
        self.assertExit(r, 2)
        self.assertIn("unknown command 'nosuch'", r.err)

    def test_no_command(self):
        r = run()
        self.assertExit(r, 2)
        self.assertIn("no command", r.err)
        self.assertEqual(r.out, "")

    def test_unknown_command(self):
        r = run("frobnicate", "1.2.3.4")
        self.assertExit(r, 2)
        self.assertIn("unknown command 'frobnicate'", r.err)

    def test_unknown_option_before_and_after(self):
        for args in (["--bogus", "dnsbl", "192.0.2.1"], ["dnsbl", "--bogus", "192.0.2.1"],
                     ["dnsbl", "192.0.2.1", "--bogus=1"], ["rdns", "192.0.2.1", "-q"]):
            r = run(*args)
            self.assertExit(r, 2)
            self.assertRegex(r.err, r"unknown option '(--bogus|-q)'", args)
            self.assertEqual(r.out, "", args)

    def test_option_of_other_command(self):
        r = run(*OFF, "rdns", "192.0.2.10", "--zones", "x.test")
        self.assertExit(r, 2)
        self.assertIn("unknown option '--zones'", r.err)

    def test_flag_with_value(self):
        r = run("dnsbl", "--json=yes", "192.0.2.1")
        self.assertExit(r, 2)
        self.assertIn("'--json' does not take a value", r.err)

    def test_missing_value(self):
        for args, opt in ((["dnsbl", "192.0.2.1", "--zones"], "--zones"),
                          (["dnsbl", "192.0.2.1", "-z"], "-z"),
                          (["check", "192.0.2.1", "--helo"], "--helo"),
                          (["rdns", "192.0.2.1", "--timeout"], "--timeout"),
                          (["--nameserver"], "--nameserver")):
            r = run(*args)
            self.assertExit(r, 2)
            self.assertIn("option '%s' needs a value" % opt, r.err)

    def test_bad_timeout(self):
        for v in ("abc", "0", "-5", "600001", "12ms", ""):
            r = run("--timeout", v, *OFF, "dnsbl", "192.0.2.1")
            self.assertExit(r, 2)
            self.assertIn("--timeout", r.err)

    def test_malformed_ip(self):
        for args in (["rdns", "256.1.1.1"], ["check", "256.1.1.1"], ["dnsbl", "256.1.1.1"],
                     ["check", "1.2.3"], ["rdns", "example.com"], ["rdns", "::g"]):
            r = run(*OFF, *args)
            self.assertExit(r, 2)
            self.assertIn("'%s' is not an IP address" % args[1], r.err)
            self.assertEqual(r.out, "")

    def test_operand_count(self):
        self.assertExit(run(*OFF, "rdns"), 2)
        self.assertExit(run(*OFF, "rdns", "192.0.2.10", "192.0.2.11"), 2)
        self.assertExit(run(*OFF, "check"), 2)
        r = run(*OFF, "dnsbl")
        self.assertExit(r, 2)
        self.assertIn("no query", r.err)

    def test_malformed_names(self):
        for args in (["check", "192.0.2.10", "--domain", "exa mple.com"],
                     ["check", "192.0.2.10", "--domain", "a..b"],
                     ["check", "192.0.2.10", "--helo", "bad/name"],
                     ["check", "192.0.2.10", "--helo", "[x]"],
                     ["check", "192.0.2.10", "--helo", "[1.2.3]"],
                     ["rdns", "192.0.2.10", "--helo", "[IPv6:1.2.3.4]"],
                     ["rdns", "192.0.2.10", "--helo", "x" * 64 + ".test"],
                     ["dnsbl", "--zones", "ok.test,bad zone", "192.0.2.1"],
                     ["dnsbl", "--zones", ",,", "192.0.2.1"],
                     ["dnsbl", "not a domain"]):
            r = run(*OFF, *args)
            self.assertExit(r, 2)
            self.assertTrue(r.err.startswith("mtarep: "), r)

    def test_bad_nameserver(self):
        r = run("--nameserver", "not-an-address", "dnsbl", "--zones", "x.test", "192.0.2.1")
        self.assertExit(r, 2)
        self.assertIn("--nameserver 'not-an-address'", r.err)

    def test_bad_zone_file(self):
        r = run("--zone-file", "/nonexistent/zone", "dnsbl", "192.0.2.1")
        self.assertExit(r, 2)
        self.assertIn("/nonexistent/zone", r.err)
        # a directory used to make the zone reader loop forever
        with tempfile.TemporaryDirectory() as d:
            r = run("--zone-file", d, "check", "192.0.2.1", timeout=20)
            self.assertExit(r, 2)
            self.assertIn("directory", r.err)
        with tempfile.NamedTemporaryFile("w", suffix=".zone") as f:
            f.write("$TTL 300\nthis is not a zone line at all\n")
            f.flush()
            r = run("--zone-file", f.name, "dnsbl", "192.0.2.1")
            self.assertExit(r, 2)
            self.assertIn(f.name, r.err)

    def test_garbage_never_crashes(self):
        junk = ["\x01\x02", "-", "--", "-" * 300, "a" * 5000, "1.2.3.4\n", "%s%n%s",
                "\u202e.test", "::", "1.2.3.4.5", "[::1]", "0x7f.0.0.1"]
        for j in junk:
            for cmd in ("dnsbl", "rdns", "check"):
                r = run(*OFF, cmd, j)
                self.assertIn(r.rc, (0, 1, 2, 3), (cmd, j, r))


class TestDemo(CliTestCase):
    """The offline demo: examples/demo.zone (owned by the dnsbl module)."""

    def test_helo_address_literal_is_judged_not_refused(self):
        # RFC 5321 allows "[192.0.2.1]" in EHLO: the check judges it
        r = run("--zone-file", DEMO_ZONE, "check", DEMO_IP, "--domain", "example.com",
                "--helo", "[%s]" % DEMO_IP, "--json")
        self.assertExit(r, 1)
        helo = self.check_by_name(r.json(), "helo")
        self.assertEqual(helo["status"], "warning", helo)
        self.assertIn("address literal", helo["evidence"][0])
        r = run("--zone-file", DEMO_ZONE, "rdns", DEMO_IP, "--helo", "[IPv6:2001:db8::1]")
        self.assertIn(r.rc, (0, 1), r)

    def test_demo_check_json(self):
        r = run("--zone-file", DEMO_ZONE, "check", DEMO_IP, "--domain", "example.com",
                "--helo", "mail.example.com", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["verdict"], "problem")
        self.assertEqual(doc["ip"], DEMO_IP)
        self.assertEqual(doc["domain"], "example.com")
        self.assertEqual(doc["helo"], "mail.example.com")
        names = [c["name"] for c in doc["checks"]]
        # problems first, each status group in rejection-cause order
        self.assertEqual(names, ["dnsbl", "spf", "helo", "dmarc", "rdns", "dkim", "dbl", "mx"])
        for c in doc["checks"]:
            self.assertEqual(set(c), {"name", "subject", "status", "evidence", "advice"})
            self.assertIn(c["status"], ("ok", "warning", "problem", "unknown"))
            self.assertIsInstance(c["evidence"], list)
            self.assertTrue(c["evidence"], c)
            if c["status"] in ("warning", "problem"):
                self.assertIsInstance(c["advice"], str, c)
        dnsbl = self.check_by_name(doc, "dnsbl")
        self.assertEqual(dnsbl["status"], "problem")
        zen = [e for e in dnsbl["evidence"] if "zen.spamhaus.org" in e]
        self.assertTrue(zen, dnsbl)
        self.assertIn("Spamhaus ZEN", zen[0])
        self.assertIn("check.spamhaus.org", dnsbl["advice"])
        helo = self.check_by_name(doc, "helo")
        self.assertEqual(helo["status"], "problem", helo)
        self.assertIn("mail.example.com", helo["evidence"][0])
        rdns = self.check_by_name(doc, "rdns")
        self.assertEqual(rdns["status"], "warning", rdns)  # generic but confirmed
        spf = self.check_by_name(doc, "spf")  # example.com's SPF omits the IP
        self.assertEqual(spf["status"], "problem", spf)
        self.assertIn("fail", spf["evidence"][0])
        self.assertIn("ip4:" + DEMO_IP, spf["advice"])
        self.assertTrue(any("generic" in e for e in rdns["evidence"]), rdns)
        dkim = self.check_by_name(doc, "dkim")  # found by selector discovery
        self.assertEqual(dkim["status"], "warning", dkim)
        self.assertTrue(any("DKIM key 1024-bit" in e for e in dkim["evidence"]), dkim)
        self.assertIn("2048-bit", dkim["advice"])
        dmarc = self.check_by_name(doc, "dmarc")
        self.assertEqual(dmarc["status"], "problem", dmarc)
        self.assertIn("no DMARC", dmarc["evidence"][0])
        self.assertIn("_dmarc.example.com", dmarc["advice"])

    def test_demo_check_human(self):
        r = run("--zone-file", DEMO_ZONE, "check", DEMO_IP, "--domain", "example.com",
                "--helo", "mail.example.com")
        self.assertExit(r, 1)
        self.assertNotIn("\x1b", r.out)  # not a terminal: no colour
        self.assertRegex(r.out, r"(?m)^\[FAIL\] dnsbl .*Spamhaus ZEN")
        self.assertRegex(r.out, r"(?m)^\[FAIL\] helo ")
        self.assertRegex(r.out, r"(?m)^\[WARN\] rdns ")
        self.assertRegex(r.out, r"(?m)^\[WARN\] dkim ")
        self.assertIn("DKIM key 1024-bit", r.out)
        self.assertRegex(r.out, r"(?m)^\[FAIL\] dmarc +no DMARC")
        self.assertIn("Advice:", r.out)
        self.assertRegex(r.out, r"(?m)^Verdict: problem")

    def test_demo_check_verdict_follows_worst(self):
        # Without --helo the rDNS is only a warning; ZEN still makes it a problem.
        r = run("--zone-file", DEMO_ZONE, "check", DEMO_IP, "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual([c["name"] for c in doc["checks"]], ["dnsbl", "rdns"])
        self.assertIsNone(doc["domain"])
        self.assertIsNone(doc["helo"])
        self.assertEqual(doc["verdict"], "problem")

    def test_demo_dnsbl_json(self):
        r = run("--zone-file", DEMO_ZONE, "dnsbl", DEMO_IP, "--json")
        self.assertExit(r, 1)
        arr = r.json()
        self.assertDnsblShape(arr)
        self.assertEqual(len(arr), 12)  # the default zones
        by_zone = {o["zone"]: o for o in arr}
        zen = by_zone["zen.spamhaus.org"]
        self.assertEqual(zen["status"], "listed")
        self.assertEqual(zen["list_name"], "Spamhaus ZEN")
        self.assertTrue(zen["meaning"], zen)
        for z in ("dbl.spamhaus.org", "multi.surbl.org", "multi.uribl.com"):
            self.assertEqual(by_zone[z]["status"], "not_applicable", by_zone[z])
        for o in arr:
            self.assertEqual(o["query"], DEMO_IP)

    def test_demo_dnsbl_human(self):
        r = run("--zone-file", DEMO_ZONE, "dnsbl", DEMO_IP)
        self.assertExit(r, 1)
        lines = r.out.splitlines()
        self.assertRegex(lines[0], r"^QUERY\s+LIST\s+STATUS\s+MEANING\s+DETAILS$")
        self.assertRegex(r.out, r"(?m)^77\.245\.64\.44\s+Spamhaus ZEN\s+LISTED\s+\S")
        self.assertRegex(r.out, r"1 query x 12 lists: [1-9]\d* listed")
        # the three domain lists do not take IPs: counted, not shown
        self.assertNotIn("n/a", r.out)
        self.assertIn("3 not applicable (not shown)", r.out)
        self.assertRegex(r.out, r"(?m)^77\.245\.64\.44\s+SpamCop\s+not listed$")


class TestDnsblOffline(CliTestCase):
    def dnsbl(self, *args, **kw):
        return run(*OFF, "dnsbl", "--zones", "bl.offline.test", *args, **kw)

    def test_statuses(self):
        r = self.dnsbl("192.0.2.20", "192.0.2.22", "--json")
        self.assertExit(r, 1)
        arr = r.json()
        self.assertDnsblShape(arr)
        self.assertEqual([(o["query"], o["status"]) for o in arr],
                         [("192.0.2.20", "listed"), ("192.0.2.22", "not_listed")])
        self.assertEqual(arr[0]["codes"], ["127.0.0.2"])
        self.assertIn("listed: see https://bl.offline.test/", arr[0]["txt"])
        self.assertEqual(arr[1]["codes"], [])
        self.assertIsNone(arr[1]["txt"])

    def test_clean_exit_0(self):
        r = self.dnsbl("192.0.2.22")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"(?m)^192\.0\.2\.22\s+bl\.offline\.test\s+not listed")

    def test_no_txt(self):
        r = self.dnsbl("192.0.2.20", "--no-txt", "--json")
        self.assertExit(r, 1)
        self.assertIsNone(r.json()[0]["txt"])

    def test_health_check(self):
        # broken.offline.test lists 127.0.0.1: no verdict from it.
        r = run(*OFF, "dnsbl", "--zones", "broken.offline.test", "192.0.2.22", "--json")
        self.assertExit(r, 3)
        o = r.json()[0]
        self.assertEqual(o["status"], "error")
        self.assertIn("health", o["error"])
        r = run(*OFF, "dnsbl", "--zones", "broken.offline.test", "--no-health-check",
                "192.0.2.22", "--json")
        self.assertExit(r, 0)
        self.assertEqual(r.json()[0]["status"], "not_listed")

    def test_listed_beats_error(self):
        r = run(*OFF, "dnsbl", "--zones", "bl.offline.test,broken.offline.test",
                "192.0.2.20")
        self.assertExit(r, 1)
        self.assertIn("ERROR", r.out)
        self.assertIn("LISTED", r.out)

    def test_not_applicable(self):
        r = run(*OFF, "dnsbl", "--zones", "dbl.spamhaus.org,bl.spamcop.net",
                "192.0.2.1", "2001:db8::1", "--json")
        self.assertExit(r, 0)
        got = {(o["query"], o["zone"]): o["status"] for o in r.json()}
        self.assertEqual(got[("192.0.2.1", "dbl.spamhaus.org")], "not_applicable")
        self.assertEqual(got[("192.0.2.1", "bl.spamcop.net")], "not_listed")
        self.assertEqual(got[("2001:db8::1", "dbl.spamhaus.org")], "not_applicable")
        self.assertEqual(got[("2001:db8::1", "bl.spamcop.net")], "not_applicable")
        r = run(*OFF, "dnsbl", "--zones", "bl.spamcop.net", "example.org", "--json")
        self.assertExit(r, 0)
        self.assertEqual(r.json()[0]["status"], "not_applicable")
        r = run(*OFF, "dnsbl", "--zones", "dbl.spamhaus.org", "192.0.2.1")
        self.assertExit(r, 0)
        self.assertIn("n/a", r.out)

    def test_file_and_stdin(self):
        content = ("# queries for the CLI test\n\n  192.0.2.20  \r\n"
                   "192.0.2.22 # trailing comment\n\t\n# 192.0.2.21\n")
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write(content)
            f.flush()
            for args, stdin in ((["--file", f.name], None), (["-f", "-"], content.encode()),
                                (["192.0.2.21", "--file=" + f.name], None)):
                r = self.dnsbl(*args, "--json", stdin=stdin)
                self.assertExit(r, 1)
                queries = [o["query"] for o in r.json()]
                want = ["192.0.2.20", "192.0.2.22"]
                if "192.0.2.21" in args:
                    want = ["192.0.2.21"] + want
                self.assertEqual(queries, want, args)

    def test_file_errors(self):
        r = self.dnsbl("--file", "/nonexistent/list")
        self.assertExit(r, 2)
        self.assertIn("cannot read '/nonexistent/list'", r.err)
        r = self.dnsbl("-f", "-", stdin=b"192.0.2.20\n192.0.2.22\nnot valid!\n")
        self.assertExit(r, 2)
        self.assertIn("<stdin>:3: 'not valid!'", r.err)
        r = self.dnsbl("-f", "-", stdin=b"192.0.2.20\x00junk\n")
        self.assertExit(r, 2)
        self.assertIn("NUL", r.err)
        r = self.dnsbl("-f", "-", stdin=b"\xff\xfe\x80\n")
        self.assertExit(r, 2)

    def test_global_options_before_and_after(self):
        before = run("--json", "--timeout", "500", *OFF, "dnsbl", "--zones", "bl.offline.test",
                     "192.0.2.20")
        after = run("dnsbl", "192.0.2.20", "--zone-file", OFFLINE_ZONE, "--zones",
                    "bl.offline.test", "--timeout=500", "-j")
        mixed = run("--zone-file", OFFLINE_ZONE, "dnsbl", "-j", "--zones=bl.offline.test",
                    "192.0.2.20")
        for r in (before, after, mixed):
            self.assertExit(r, 1)
        self.assertEqual(before.json(), after.json())
        self.assertEqual(before.json(), mixed.json())

    def test_double_dash(self):
        r = run(*OFF, "dnsbl", "--zones", "bl.offline.test", "--", "192.0.2.22")
        self.assertExit(r, 0)
        r = run(*OFF, "dnsbl", "--zones", "bl.offline.test", "--", "--json")
        self.assertExit(r, 2)  # an operand now, and not an address

    def test_terminal_escapes_are_sanitised(self):
        # A TXT reason carrying ESC and BEL never reaches the terminal raw.
        r = self.dnsbl("192.0.2.21")
        self.assertExit(r, 1)
        self.assertNotIn("\x1b", r.out)
        self.assertNotIn("\x07", r.out)
        self.assertIn("red", r.out)
        r = self.dnsbl("192.0.2.21", "--json")
        self.assertIn("red", r.json()[0]["txt"])
        rc, out, _ = run_tty(*OFF, "dnsbl", "--zones", "bl.offline.test", "192.0.2.21",
                             tty_stdout=True)
        self.assertEqual(rc, 1)
        self.assertNotIn(b"\x07", out)
        self.assertNotIn(b"\x1b[31mred", out)

    def test_user_input_in_messages_is_sanitised(self):
        # The CLI's own escaping: control bytes, C1 controls and bidi
        # overrides in echoed arguments come out as \xNN / \uNNNN.
        r = run("--zone-file", "/nonexistent/\x1b[31mzone\u202e", "dnsbl", "192.0.2.1")
        self.assertExit(r, 2)
        self.assertNotIn("\x1b", r.err)
        self.assertNotIn("\u202e", r.err)
        self.assertIn("/nonexistent/\\x1B[31mzone\\u202E", r.err)
        r = run("dnsbl", "--bo\x07gus\u0085")
        self.assertExit(r, 2)
        self.assertIn("unknown option '--bo\\x07gus\\u0085'", r.err)

    def test_colour_only_on_terminal(self):
        rc, out, _ = run_tty(*OFF, "dnsbl", "--zones", "bl.offline.test", "192.0.2.20",
                             tty_stdout=True)
        self.assertEqual(rc, 1)
        self.assertIn(b"\x1b[31mLISTED", out)
        rc, out, _ = run_tty(*OFF, "dnsbl", "--zones", "bl.offline.test", "192.0.2.20",
                             tty_stdout=True, env={"NO_COLOR": "1"})
        self.assertEqual(rc, 1)
        self.assertNotIn(b"\x1b", out)
        self.assertIn(b"LISTED", out)

    def test_progress_bar(self):
        queries = "".join("192.0.2.%d\n" % i for i in range(100, 160)).encode()  # 60
        rc, _, err = run_tty(*OFF, "dnsbl", "--zones", "bl.offline.test", "-f", "-",
                             "--json", stdin=queries, tty_stderr=True)
        self.assertEqual(rc, 0)
        self.assertIn(b"/60 lookups", err)
        # not a terminal, or few queries: no bar
        r = self.dnsbl("-f", "-", "--json", stdin=queries)
        self.assertExit(r, 0)
        self.assertEqual(r.err, "")
        self.assertEqual(len(r.json()), 60)
        rc, _, err = run_tty(*OFF, "dnsbl", "--zones", "bl.offline.test", "192.0.2.22",
                             tty_stderr=True)
        self.assertEqual(rc, 0)
        self.assertNotIn(b"lookups", err)


class TestRdnsOffline(CliTestCase):
    def test_ok(self):
        r = run(*OFF, "rdns", "192.0.2.10", "--helo", "mail.good.test", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        for key in ("ip", "ptr", "fcrdns", "confirmed_name", "helo", "helo_match",
                    "helo_resolves", "generic", "warnings", "error"):
            self.assertIn(key, doc)
        self.assertEqual(doc["ip"], "192.0.2.10")
        self.assertEqual(doc["ptr"], ["mail.good.test"])
        self.assertIs(doc["fcrdns"], True)
        self.assertEqual(doc["confirmed_name"], "mail.good.test")
        self.assertEqual(doc["helo"], "mail.good.test")
        self.assertIs(doc["helo_match"], True)
        self.assertIs(doc["helo_resolves"], True)
        self.assertIs(doc["generic"], False)
        self.assertIsInstance(doc["warnings"], list)

    def test_human(self):
        r = run(*OFF, "rdns", "192.0.2.10")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"(?m)^PTR:\s+mail\.good\.test$")
        self.assertRegex(r.out, r"(?m)^FCrDNS:\s+yes")
        self.assertRegex(r.out, r"(?m)^Result:\s+OK$")
        self.assertNotIn("HELO", r.out)

    def test_no_helo_gives_nulls(self):
        doc = run(*OFF, "rdns", "192.0.2.10", "--json").json()
        self.assertIsNone(doc["helo"])
        self.assertIsNone(doc["helo_match"])
        self.assertIsNone(doc["helo_resolves"])

    def test_no_ptr(self):
        r = run(*OFF, "rdns", "192.0.2.11", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["ptr"], [])
        self.assertIs(doc["fcrdns"], False)
        self.assertIsNone(doc["confirmed_name"])
        r = run(*OFF, "rdns", "192.0.2.11")
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"(?m)^PTR:\s+none$")
        self.assertRegex(r.out, r"(?m)^Result:\s+PROBLEM$")

    def test_fcrdns_fails(self):
        r = run(*OFF, "rdns", "192.0.2.12", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["ptr"], ["mail.bad.test"])
        self.assertIs(doc["fcrdns"], False)

    def test_helo_mismatch(self):
        r = run(*OFF, "rdns", "192.0.2.10", "--helo", "mail.bad.test", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertIs(doc["fcrdns"], True)
        self.assertIs(doc["helo_match"], False)
        self.assertIs(doc["helo_resolves"], False)

    def test_ipv6_no_ptr(self):
        r = run(*OFF, "rdns", "2001:db8::1", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.json()["ptr"], [])


class TestCheckOffline(CliTestCase):
    def test_all_ok(self):
        r = run(*OFF, "check", "192.0.2.10", "--helo", "mail.good.test", "--zones",
                "bl.offline.test", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["verdict"], "ok")
        self.assertEqual([(c["name"], c["status"]) for c in doc["checks"]],
                         [("dnsbl", "ok"), ("rdns", "ok"), ("helo", "ok")])
        for c in doc["checks"]:
            self.assertIsNone(c["advice"], c)
        r = run(*OFF, "check", "192.0.2.10", "--helo", "mail.good.test", "--zones",
                "bl.offline.test")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"(?m)^Verdict: ok")
        self.assertEqual(len(re.findall(r"(?m)^\[ OK \]", r.out)), 3)

    def test_no_ptr_is_problem(self):
        r = run(*OFF, "check", "192.0.2.11", "--zones", "bl.offline.test", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        rdns = self.check_by_name(doc, "rdns")
        self.assertEqual(rdns["status"], "problem")
        self.assertIn("PTR", rdns["advice"])

    def test_listing_is_problem(self):
        r = run(*OFF, "check", "192.0.2.20", "--zones", "bl.offline.test", "--json")
        self.assertExit(r, 1)
        d = self.check_by_name(r.json(), "dnsbl")
        self.assertEqual(d["status"], "problem")
        self.assertTrue(any(e.startswith("listed on bl.offline.test") for e in d["evidence"]), d)
        self.assertIsInstance(d["advice"], str)

    def test_unknown_is_never_ok(self):
        # rDNS fine, but the only list fails its health check -> unknown, exit 3
        r = run(*OFF, "check", "192.0.2.10", "--zones", "broken.offline.test", "--json")
        self.assertExit(r, 3)
        doc = r.json()
        self.assertEqual(doc["verdict"], "unknown")
        d = self.check_by_name(doc, "dnsbl")
        self.assertEqual(d["status"], "unknown")
        self.assertTrue(any("could not check" in e for e in d["evidence"]), d)

    def test_no_applicable_list_is_unknown(self):
        r = run(*OFF, "check", "192.0.2.10", "--zones", "dbl.spamhaus.org", "--json")
        self.assertExit(r, 3)
        self.assertEqual(self.check_by_name(r.json(), "dnsbl")["status"], "unknown")

    def test_html_unwritable_is_usage(self):
        # a bad --html FILE is a usage error (2), caught before the checks run,
        # never "could not decide" (3); nothing is created
        with tempfile.TemporaryDirectory() as d:
            for bad in (d, os.path.join(d, "no", "such.html")):
                r = run(*OFF, "check", "192.0.2.10", "--zones", "bl.offline.test",
                        "--html", bad)
                self.assertExit(r, 2)
                self.assertIn("--html", r.err)
                self.assertEqual(r.out, "")
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    unittest.main()


class TestSpf(CliTestCase):
    """mtarep spf: evaluation, tree inspection, text validation (demo zone)."""

    def spf(self, *args):
        return run("--zone-file", DEMO_ZONE, "spf", *args)

    def test_eval_fail_json(self):
        r = self.spf("--ip", DEMO_IP, "--sender", "a@example.com", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["result"], "fail")
        self.assertIn(DEMO_IP, doc["explanation"])
        self.assertEqual(doc["lookups"], 3)  # include -> include -> include
        self.assertEqual(doc["void_lookups"], 0)
        self.assertIsInstance(doc["warnings"], list)
        self.assertEqual([n["domain"] for n in doc["tree"]], ["example.com", "_spf.example.net", "_spf2.example.net",
                         "_spf.example-esp.org"])
        self.assertEqual(doc["tree"][1]["via"], "include")

    def test_eval_pass_and_softfail_paths(self):
        self.assertExit(self.spf("--ip", "192.0.2.25", "--sender", "a@example.com"), 0)
        # through the include: ~all there means "no match", then -all: fail
        self.assertExit(self.spf("--ip", "203.0.113.1", "--sender", "a@example.com"), 1)
        self.assertExit(self.spf("--ip", "198.51.100.7", "--sender", "", "--helo", "example.com"), 0)

    def test_inspect(self):
        r = self.spf("--domain", "example.com", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertTrue(doc["valid"])
        self.assertEqual(doc["tree"][0]["lookups_total"], 3)
        r = self.spf("--domain", "mail.example.com", "--json")  # no SPF record
        self.assertExit(r, 1)
        self.assertEqual(r.json()["result"], "none")

    def test_record(self):
        r = self.spf("--record", "v=spf1 ip4:1.2.3.4/33 -all", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertFalse(doc["valid"])
        self.assertEqual(doc["result"], "permerror")
        self.assertEqual(doc["error_offset"], 18)  # the "/33"
        r = self.spf("--record", "v=spf1 ptr +all")
        self.assertExit(r, 0)
        self.assertIn("deprecated", r.out)
        self.assertIn("+all", r.out)

    def test_usage(self):
        self.assertExit(self.spf(), 2)
        self.assertExit(self.spf("--ip", "1.2.3.4"), 2)
        self.assertExit(self.spf("--ip", "1.2.3.999", "--sender", "a@b.c"), 2)
        self.assertExit(self.spf("--domain", "example.com", "--record", "v=spf1"), 2)
