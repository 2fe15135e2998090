"""mtarep CLI tests over the wire: Knot (tests/servers/zones/cli.test.zone,
10.113.0.203.in-addr.arpa.zone) and the fault DNS server. ctest runs them
with the "servers" fixture."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import CliTestCase, run  # noqa: E402

KNOT = os.environ.get("MTAREP_TEST_KNOT", "127.0.0.1:5300")
FAULT = os.environ.get("MTAREP_TEST_FAULTDNS", "127.0.0.1:5301")
NS = ("--nameserver", KNOT, "--timeout", "1000")


class TestKnot(CliTestCase):
    def test_dnsbl(self):
        r = run(*NS, "dnsbl", "--zones", "bl.cli.test", "192.0.2.10", "192.0.2.20", "--json")
        self.assertExit(r, 1)
        arr = r.json()
        self.assertDnsblShape(arr)
        self.assertEqual([(o["query"], o["zone"], o["status"]) for o in arr],
                         [("192.0.2.10", "bl.cli.test", "listed"),
                          ("192.0.2.20", "bl.cli.test", "not_listed")])
        self.assertEqual(arr[0]["codes"], ["127.0.0.2"])
        self.assertEqual(arr[0]["txt"], "listed: see http://bl.cli.test/?192.0.2.10")
        self.assertEqual(arr[0]["list_name"], "bl.cli.test")  # not in the built-in table

    def test_dnsbl_clean(self):
        r = run("dnsbl", "192.0.2.20", *NS, "--zones", "bl.cli.test")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"(?m)^192\.0\.2\.20\s+bl\.cli\.test\s+not listed\s*$")

    def test_second_list(self):
        r = run(*NS, "dnsbl", "--zones", "dirty.cli.test", "203.0.113.10", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.json()[0]["status"], "listed")

    def test_zone_knot_is_not_authoritative_for(self):
        # REFUSED (not NXDOMAIN) is no verdict: error, exit 3, never not_listed
        r = run(*NS, "dnsbl", "--zones", "nowhere.invalid", "192.0.2.20", "--json")
        self.assertExit(r, 3)
        self.assertEqual(r.json()[0]["status"], "error")

    def test_rdns(self):
        r = run(*NS, "rdns", "203.0.113.10", "--helo", "mail.cli.test", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["ptr"], ["mail.cli.test"])
        self.assertIs(doc["fcrdns"], True)
        self.assertIs(doc["helo_match"], True)
        r = run(*NS, "rdns", "203.0.113.10", "--helo", "other.cli.test", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertIs(doc["helo_match"], False)
        self.assertIs(doc["helo_resolves"], False)

    def test_check(self):
        r = run(*NS, "check", "203.0.113.10", "--helo", "mail.cli.test",
                "--zones", "bl.cli.test", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["verdict"], "ok")
        self.assertEqual([c["status"] for c in doc["checks"]], ["ok", "ok", "ok"])
        r = run(*NS, "check", "203.0.113.10", "--helo", "mail.cli.test",
                "--zones", "bl.cli.test,dirty.cli.test")
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"(?m)^\[FAIL\] dnsbl .*dirty\.cli\.test")
        self.assertRegex(r.out, r"(?m)^Verdict: problem")


class TestFaultDns(CliTestCase):
    def test_dnsbl_servfail_is_unknown(self):
        t0 = time.monotonic()
        r = run("--nameserver", FAULT, "--timeout", "300", "dnsbl",
                "--zones", "servfail.fault.test", "192.0.2.10", "--json", timeout=30)
        self.assertLess(time.monotonic() - t0, 15)
        self.assertExit(r, 3)
        arr = r.json()
        self.assertDnsblShape(arr)
        self.assertEqual(arr[0]["status"], "error")
        self.assertTrue(arr[0]["error"])

    def test_timeout_is_unknown(self):
        # no reply at all: 300 ms per try, 2 tries, then error (exit 3)
        t0 = time.monotonic()
        r = run("--nameserver", FAULT, "--timeout", "300", "dnsbl", "--zones",
                "timeout.fault.test,refused.fault.test,garbage.fault.test",
                "192.0.2.10", "--json", timeout=30)
        self.assertLess(time.monotonic() - t0, 15)
        self.assertExit(r, 3)
        arr = r.json()
        self.assertDnsblShape(arr)
        self.assertEqual([o["status"] for o in arr], ["error"] * 3)
        self.assertEqual(arr[0]["error_code"], "MTAREP_ETIMEOUT")

    def test_human_shows_error(self):
        r = run("--nameserver", FAULT, "--timeout", "300", "dnsbl",
                "--zones", "servfail.fault.test", "192.0.2.10", timeout=30)
        self.assertExit(r, 3)
        self.assertRegex(r.out, r"(?m)^192\.0\.2\.10\s+servfail\.fault\.test\s+ERROR\s+\S")
        self.assertIn("1 error", r.out)

    def test_check_unknown_never_ok(self):
        r = run("--nameserver", FAULT, "--timeout", "300", "check", "192.0.2.10",
                "--zones", "servfail.fault.test", "--json", timeout=30)
        self.assertIn(r.rc, (1, 3), r)
        doc = r.json()
        d = [c for c in doc["checks"] if c["name"] == "dnsbl"][0]
        self.assertEqual(d["status"], "unknown")
        self.assertNotEqual(doc["verdict"], "ok")


if __name__ == "__main__":
    unittest.main()
