"""SPF through the Python binding: evaluation, tree inspection, validation
(static zone text, no network)."""
import unittest

import mtarep

SPF_ZONE = """
$TTL 300
example.test.       TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test mx -all"
example.test.       MX 10 mx.example.test.
mx.example.test.    A 198.51.100.25
_spf.example.test.  TXT "v=spf1 ip6:2001:db8::/32 a:gone.example.test ~all"
broken.test.        TXT "v=spf1 ip4:192.0.2.1/40 -all"
"""


class TestSpf(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=SPF_ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_pass_and_fail(self):
        r = self.ctx.spf_check("192.0.2.7", "user@example.test")
        self.assertEqual(r["result"], "pass")
        self.assertIsNone(r["explanation"])
        r = self.ctx.spf_check("198.51.100.25", "user@example.test", helo="mx.example.test")
        self.assertEqual(r["result"], "pass")  # mx
        r = self.ctx.spf_check("203.0.113.9", "user@example.test")
        self.assertEqual(r["result"], "fail")
        self.assertIn("203.0.113.9", r["explanation"])
        self.assertEqual(r["lookups"], 3)
        self.assertEqual(r["void_lookups"], 1)
        self.assertEqual([n["domain"] for n in r["tree"]], ["example.test", "_spf.example.test"])
        self.assertIsNone(r["tree"][0]["parent"])
        self.assertEqual(r["tree"][1]["parent"], 0)

    def test_helo_identity(self):
        r = self.ctx.spf_check("192.0.2.7", "", helo="example.test")
        self.assertEqual(r["result"], "pass")

    def test_permerror_is_a_verdict(self):
        r = self.ctx.spf_check("192.0.2.1", "a@broken.test")
        self.assertEqual(r["result"], "permerror")
        self.assertEqual(r["error_offset"], 20)  # the "/40"

    def test_inspect(self):
        r = self.ctx.spf_inspect("example.test")
        self.assertTrue(r["valid"])
        self.assertEqual(r["lookups"], 3)
        self.assertEqual(r["tree"][0]["lookups_total"], 3)
        self.assertTrue(any("gone.example.test" in w for w in r["warnings"]), r["warnings"])
        r = self.ctx.spf_inspect("nothing.test")
        self.assertEqual(r["result"], "none")
        self.assertFalse(r["valid"])

    def test_validate(self):
        r = self.ctx.spf_validate("v=spf1 ptr +all")
        self.assertTrue(r["valid"])
        self.assertEqual(len(r["warnings"]), 2)
        r = self.ctx.spf_validate("v=spf1 bogus -all")
        self.assertFalse(r["valid"])
        self.assertEqual(r["error_offset"], 7)

    def test_bad_input_raises(self):
        with self.assertRaises(mtarep.InvalidInput):
            self.ctx.spf_check("300.1.1.1", "a@example.test")
        with self.assertRaises(mtarep.InvalidInput):
            self.ctx.spf_inspect("not a domain")
        with self.assertRaises(TypeError):
            self.ctx.spf_check(b"192.0.2.1", "a@example.test")


if __name__ == "__main__":
    unittest.main()
