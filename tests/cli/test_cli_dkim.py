"""mtarep dkim / dmarc: record text (offline), the demo zone, the Knot zones
tests/servers/zones/authtest.zone and example.co.uk.zone, and the fault DNS
server (could not decide). ctest runs them with the "servers" fixture."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import DEMO_ZONE, SOURCE_DIR, CliTestCase, run  # noqa: E402

KNOT = os.environ.get("MTAREP_TEST_KNOT", "127.0.0.1:5300")
FAULT = os.environ.get("MTAREP_TEST_FAULTDNS", "127.0.0.1:5301")
NS = ("--nameserver", KNOT, "--timeout", "1000")
FNS = ("--nameserver", FAULT, "--timeout", "300")
RSA1024 = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+9rAVsSXrGJ4loX9DziDNDhBLRYn3Z6JWHQUASh+2eD1JA4enNqUQNZceMSyIm0/m5I6etvc4VQ96pJK3Ybj72ALTNfWqVw7Md0tqxz2eww5TET/t8gg0SM1De03N5D/UC9j9EqH1im6Xwm7I/wtATfLkyYn3Mw+O1a1Y0GJVwIDAQAB"
VECTORS = os.path.join(SOURCE_DIR, "tests", "data")


def vectors(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rec, expected, reason = line.rstrip("\n").split("\t")[:3]
            yield rec, expected, reason


class ShapeMixin:
    def assertShape(self, doc):
        self.assertIn(doc["verdict"], ("valid", "warning", "invalid", "none", "unknown"))
        self.assertIsInstance(doc["problems"], list)
        for p in doc["problems"]:
            self.assertIn(p["severity"], ("info", "warning", "error"))
            self.assertIsInstance(p["message"], str)


class TestDkimRecord(CliTestCase, ShapeMixin):
    def test_vectors(self):
        for rec, expected, reason in vectors("dkim/key-records.tsv"):
            r = run("dkim", "--record", rec, "--json")
            doc = r.json()
            self.assertShape(doc)
            self.assertEqual(doc["verdict"], expected, (reason, doc))
            self.assertExit(r, 0 if expected == "valid" else 1)
            if expected != "valid":
                self.assertTrue(doc["problems"], doc)

    def test_key_fields(self):
        r = run("dkim", "--record", "v=DKIM1; k=rsa; p=" + RSA1024, "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual((doc["verdict"], doc["key_type"], doc["key_bits"]), ("warning", "rsa", 1024))
        self.assertTrue(any(p["severity"] == "warning" and "1024-bit" in p["message"]
                            for p in doc["problems"]), doc)
        r = run("dkim", "--record", "v=DKIM1; k=rsa; p=" + RSA1024)
        self.assertIn("rsa, 1024 bits", r.out)
        self.assertIn("warning", r.out)

    def test_syntax_offset(self):
        r = run("dkim", "--record", "v=DKIM1; k=rsa; k=rsa; p=x", "--json")
        doc = r.json()
        self.assertEqual(doc["verdict"], "invalid")
        self.assertEqual(doc["problems"][0]["offset"], 16)
        self.assertIsNone(doc["key_bits"])

    def test_usage(self):
        for args in (("dkim",), ("dkim", "--domain", "example.com"),
                     ("dkim", "--record", "x", "--domain", "example.com"),
                     ("dkim", "--domain", "example.com", "--selector", "a", "--discover"),
                     ("dkim", "--domain", "bad..name", "--selector", "a"),
                     ("dkim", "--record", "x", "--selector", "a"),
                     ("dkim", "operand")):
            r = run(*args)
            self.assertExit(r, 2)


class TestDmarcRecord(CliTestCase, ShapeMixin):
    def test_vectors(self):
        for rec, expected, reason in vectors("dmarc/records.tsv"):
            if " || " in rec:
                continue  # several RRs at one name: see TestDmarcKnot.test_two_records
            r = run("dmarc", "--record", rec, "--json")
            doc = r.json()
            self.assertShape(doc)
            self.assertEqual(doc["verdict"], expected, (reason, doc))
            self.assertExit(r, 0 if expected == "valid" else 1)

    def test_info_keeps_valid(self):
        r = run("dmarc", "--record", "v=DMARC1; p=none", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual(doc["verdict"], "valid")
        self.assertEqual({p["severity"] for p in doc["problems"]}, {"info"})
        self.assertEqual(doc["tags"], {"v": "DMARC1", "p": "none"})
        self.assertEqual(doc["policy"], "none")

    def test_usage(self):
        for args in (("dmarc",), ("dmarc", "--record", "x", "--domain", "example.com"),
                     ("dmarc", "--domain", "-x")):
            self.assertExit(run(*args), 2)


class TestDemoZone(CliTestCase):
    def test_dkim_selector(self):
        r = run("--zone-file", DEMO_ZONE, "dkim", "--domain", "example.com", "--selector",
                "mail", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual((doc["verdict"], doc["key_bits"]), ("warning", 1024))

    def test_dkim_discover(self):
        r = run("--zone-file", DEMO_ZONE, "dkim", "--domain", "example.com", "--discover",
                "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["found"], 2)
        self.assertEqual(sorted(s["selector"] for s in doc["selectors"]), ["mail", "s2048"])
        self.assertGreater(doc["tried"], 10)

    def test_dmarc_none(self):
        r = run("--zone-file", DEMO_ZONE, "dmarc", "--domain", "example.com", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual(doc["verdict"], "none")
        self.assertIn("no DMARC record", doc["problems"][0]["message"])

    def test_check_selector(self):
        r = run("--zone-file", DEMO_ZONE, "check", "77.245.64.44", "--domain", "example.com",
                "--selector", "mail", "--selector", "other", "--json")
        self.assertExit(r, 1)
        dkim = self.check_by_name(r.json(), "dkim")
        self.assertEqual(dkim["status"], "problem")  # "other" was asked for and is missing
        self.assertTrue(any("other._domainkey.example.com" in e for e in dkim["evidence"]))


class TestDkimKnot(CliTestCase):
    def test_fetch(self):
        r = run(*NS, "dkim", "--domain", "good.authtest", "--selector", "mail", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual((doc["verdict"], doc["key_type"], doc["key_bits"]), ("valid", "rsa", 2048))
        r = run(*NS, "dkim", "--domain", "good.authtest", "--selector", "ed", "--json")
        self.assertEqual(r.json()["key_type"], "ed25519")
        r = run(*NS, "dkim", "--domain", "good.authtest", "--selector", "gone", "--json")
        self.assertExit(r, 1)
        self.assertTrue(r.json()["revoked"])
        r = run(*NS, "dkim", "--domain", "good.authtest", "--selector", "nope", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.json()["verdict"], "none")

    def test_could_not_decide(self):
        r = run(*FNS, "dkim", "--domain", "servfail.example", "--selector", "s", "--json")
        self.assertExit(r, 3)
        self.assertEqual(r.json()["verdict"], "unknown")
        r = run(*FNS, "dmarc", "--domain", "timeout.example", "--json")
        self.assertExit(r, 3)
        self.assertEqual(r.json()["verdict"], "unknown")


class TestDmarcKnot(CliTestCase):
    def test_walk(self):
        r = run(*NS, "dmarc", "--domain", "a.b.good.authtest", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertEqual((doc["rule"], doc["policy_domain"], doc["policy"]),
                         ("tree-walk", "good.authtest", "reject"))

    def test_psl(self):
        r = run(*NS, "dmarc", "--domain", "x.mid.example.co.uk", "--json")
        self.assertExit(r, 1)
        doc = r.json()
        self.assertEqual((doc["policy_domain"], doc["org_domain"]),
                         ("mid.example.co.uk", "example.co.uk"))

    def test_two_records(self):
        r = run(*NS, "dmarc", "--domain", "bad.authtest", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.json()["verdict"], "invalid")


if __name__ == "__main__":
    unittest.main()
