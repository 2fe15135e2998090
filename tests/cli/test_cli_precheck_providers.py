"""mtarep check --provider: the provider checks of the precheck against the
loopback HTTPS server (tests/servers/httpsd.py, test CA from start.sh), DNS
from static zone files only. ctest runs it with the "servers" fixture."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import DEMO_ZONE, CliTestCase, run  # noqa: E402

HTTPS = os.environ.get("MTAREP_TEST_HTTPS", "127.0.0.1:8443")
STATE = os.environ.get("MTAREP_TEST_STATE", "")
CA = os.path.join(STATE, "https", "ca.pem")
MG_KEY = "key-test-0123456789abcdef"
SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666"
G_TOKEN = "ya29.test-token-0123456789"
KEYS = {"MAILGUN_API_KEY": MG_KEY, "SNDS_KEY": SNDS_KEY, "GOOGLE_OAUTH_TOKEN": G_TOKEN}
# every DNS check of 192.0.2.10 is ok with this zone and --zones bl.test
CLEAN = """10.2.0.192.in-addr.arpa. 300 IN PTR mta1.example.net.
mta1.example.net. 300 IN A 192.0.2.10
2.0.0.127.bl.test. 300 IN A 127.0.0.2
"""


class TestCheckProviders(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.clean = os.path.join(cls.tmp.name, "clean.zone")
        with open(cls.clean, "w") as f:
            f.write(CLEAN)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check(self, ip, case, *extra, demo=False, env=None):
        args = []
        if demo:
            args += ["--zone-file", DEMO_ZONE]
        args += ["--zone-file", self.clean, "check", ip, "--zones", "bl.test",
                 "--provider-base-url", "https://%s/%s" % (HTTPS, case), "--ca-file", CA]
        e = dict(KEYS)
        e.update(env or {})
        return run(*(args + list(extra)), env=e)

    def assertNoKeys(self, *texts):
        for t in texts:
            for k in (MG_KEY, SNDS_KEY, G_TOKEN, "key-test-01", "ya29.test"):
                self.assertNotIn(k, t)

    def test_snds_ok_verdict_ok(self):
        r = self.check("192.0.2.10", "good", "--provider", "snds", "--json")
        self.assertExit(r, 0)
        c = self.check_by_name(r.json(), "snds")
        self.assertEqual(c["status"], "ok")
        self.assertEqual(c["subject"], "192.0.2.10")
        self.assertIn("GREEN", " ".join(c["evidence"]))
        self.assertEqual(r.json()["verdict"], "ok")

    def test_unknown_never_ok(self):
        for case, extra, code in (("e401", (), "MTAREP_EAUTH"),
                                  ("slow", ("--provider-timeout", "1000"), "MTAREP_ETIMEOUT")):
            r = self.check("192.0.2.10", case, "--provider", "snds", "--json", *extra)
            self.assertExit(r, 3)
            doc = r.json()
            self.assertEqual(doc["verdict"], "unknown")
            c = self.check_by_name(doc, "snds")
            self.assertEqual(c["status"], "unknown")
            self.assertIn(code, " ".join(c["evidence"]))
            self.assertTrue(c["advice"])

    def test_all_three_bad(self):
        r = self.check("198.51.100.7", "bad", "--domain", "example.com", "--provider", "snds",
                       "--provider", "postmaster", "--provider", "mailgun", "--json", demo=True)
        self.assertExit(r, 1)
        doc = r.json()
        names = [c["name"] for c in doc["checks"]]
        self.assertEqual(names[:2], ["snds", "postmaster"])
        for n in ("snds", "postmaster", "mailgun"):
            self.assertEqual(self.check_by_name(doc, n)["status"], "problem")
        self.assertIn("RED", " ".join(self.check_by_name(doc, "snds")["evidence"]))

    def test_mailgun_ok_and_401_advice(self):
        r = self.check("192.0.2.10", "good", "--domain", "example.com", "--provider", "mailgun",
                       "--region", "eu", "--json", demo=True)
        self.assertEqual(self.check_by_name(r.json(), "mailgun")["status"], "ok")
        r = self.check("192.0.2.10", "e401", "--domain", "example.com", "--provider", "mailgun",
                       "--json", demo=True)
        c = self.check_by_name(r.json(), "mailgun")
        self.assertEqual(c["status"], "unknown")
        self.assertIn("wrong region", c["advice"])

    def test_keys_never_shown(self):
        html = os.path.join(self.tmp.name, "echo.html")
        common = ("--domain", "example.com", "--provider", "snds", "--provider", "postmaster",
                  "--provider", "mailgun")
        rj = self.check("192.0.2.10", "echo", *common, "--json", demo=True)
        rh = self.check("192.0.2.10", "echo", *common, "--html", html, "-v", demo=True)
        for r in (rj, rh):
            self.assertExit(r, 1)  # the demo's DNS problems; the providers are unknown
        for n in ("snds", "postmaster", "mailgun"):
            self.assertEqual(self.check_by_name(rj.json(), n)["status"], "unknown")
        self.assertIn("<key>", rj.out)  # the server's echo, redacted
        with open(html) as f:
            page = f.read()
        self.assertIn('data-check="mailgun"', page)
        self.assertNoKeys(rj.out, rj.err, rh.out, rh.err, page)

    def test_usage(self):
        r = self.check("192.0.2.10", "good", "--provider", "mailgun")
        self.assertExit(r, 2)
        self.assertIn("--domain", r.err)
        r = self.check("192.0.2.10", "good", "--provider", "snds", env={"SNDS_KEY": ""})
        self.assertExit(r, 2)
        self.assertIn("SNDS_KEY", r.err)
        r = self.check("192.0.2.10", "good", "--provider", "yahoo")
        self.assertExit(r, 2)
        r = self.check("192.0.2.10", "good", "--key", "secret-on-argv")
        self.assertExit(r, 2)
        self.assertNotIn("secret-on-argv", r.err + r.out)
        r = self.check("192.0.2.10", "good", "--provider", "snds", "--provider-base-url",
                       "http://192.0.2.1:80")
        self.assertExit(r, 2)


if __name__ == "__main__":
    unittest.main()
