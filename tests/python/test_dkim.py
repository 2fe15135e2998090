"""DKIM keys and DMARC policies through the Python binding (static zone
text, no network)."""
import unittest

import mtarep

RSA1024 = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+9rAVsSXrGJ4loX9DziDNDhBLRYn3Z6JWHQUASh+2eD1JA4enNqUQNZceMSyIm0/m5I6etvc4VQ96pJK3Ybj72ALTNfWqVw7Md0tqxz2eww5TET/t8gg0SM1De03N5D/UC9j9EqH1im6Xwm7I/wtATfLkyYn3Mw+O1a1Y0GJVwIDAQAB"
ED25519 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
ZONE = """
$TTL 300
mail._domainkey.example.test. TXT "v=DKIM1; k=rsa; p=%s"
ed._domainkey.example.test.   TXT "v=DKIM1; k=ed25519; p=%s"
_dmarc.example.test.          TXT "v=DMARC1; p=reject; rua=mailto:d@example.test"
""" % (RSA1024, ED25519)
KEYS = {"verdict", "problems", "key_type", "key_bits", "testing", "revoked", "record",
        "name", "selector"}


class TestDkim(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_validate(self):
        r = self.ctx.dkim_validate("v=DKIM1; k=rsa; p=" + RSA1024)
        self.assertEqual(set(r), KEYS)
        self.assertEqual((r["verdict"], r["key_type"], r["key_bits"]), ("warning", "rsa", 1024))
        self.assertEqual(r["problems"][0]["severity"], "warning")
        self.assertIn("1024-bit", r["problems"][0]["message"])
        r = self.ctx.dkim_validate("v=DKIM1; k=rsa; k=rsa; p=")
        self.assertEqual(r["verdict"], "invalid")
        self.assertEqual(r["problems"][0]["offset"], 16)
        self.assertIsNone(r["key_bits"])

    def test_fetch_and_discover(self):
        r = self.ctx.dkim_fetch("example.test", "ed")
        self.assertEqual((r["verdict"], r["key_type"]), ("valid", "ed25519"))
        self.assertEqual(self.ctx.dkim_fetch("example.test", "x")["verdict"], "none")
        d = self.ctx.dkim_discover("example.test", ["ed", "mail", "nope"])
        self.assertEqual((d["found"], d["undecided"]), (2, 0))
        self.assertEqual([s["selector"] for s in d["selectors"]], ["ed", "mail", "nope"])
        d = self.ctx.dkim_discover("example.test")
        self.assertEqual(d["found"], 1)  # "mail" is a common selector, "ed" is not
        with self.assertRaises(mtarep.InvalidInput):
            self.ctx.dkim_fetch("bad..domain", "x")


class TestDmarc(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_validate(self):
        r = self.ctx.dmarc_validate("v=DMARC1; p=reject; pct=50")
        self.assertEqual(r["verdict"], "warning")
        self.assertEqual(r["tags"], {"v": "DMARC1", "p": "reject", "pct": "50"})
        self.assertTrue(any("pct" in p["message"] for p in r["problems"]))
        self.assertEqual(self.ctx.dmarc_validate("p=reject; v=DMARC1")["verdict"], "invalid")

    def test_fetch(self):
        r = self.ctx.dmarc_fetch("a.b.example.test")
        self.assertEqual((r["verdict"], r["rule"], r["policy_domain"], r["policy"]),
                         ("valid", "tree-walk", "example.test", "reject"))
        self.assertEqual(self.ctx.dmarc_fetch("other.test")["verdict"], "none")


if __name__ == "__main__":
    unittest.main()
