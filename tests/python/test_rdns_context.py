"""rDNS verdicts, DNS look-ups and Context behaviour, from static zone text."""
import os
import tempfile
import unittest

import mtarep
from bindtest_zones import RDNS_KEYS, RDNS_ZONE


class TestRdns(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=RDNS_ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_fcrdns_and_helo_match(self):
        r = self.ctx.rdns_check("192.0.2.10", helo="mail.example.test")
        self.assertIsInstance(r, mtarep.RdnsResult)
        self.assertEqual(r.ip, "192.0.2.10")
        self.assertEqual(r.ptr, ("mail.example.test",))
        self.assertIs(r.has_ptr, True)
        self.assertIs(r.fcrdns, True)
        self.assertEqual(r.confirmed_name, "mail.example.test")
        self.assertIs(r.helo_match, True)
        self.assertIs(r.helo_resolves, True)
        self.assertIs(r.generic, False)
        self.assertIsNone(r.error)

    def test_helo_mismatch(self):
        r = self.ctx.rdns_check("192.0.2.10", "other.example.test")
        self.assertIs(r.fcrdns, True)
        self.assertIs(r.helo_match, False)
        self.assertIs(r.helo_resolves, False)

    def test_no_helo_is_unknown(self):
        r = self.ctx.rdns_check("192.0.2.10")
        self.assertIsNone(r.helo_match)
        self.assertIsNone(r.helo_resolves)

    def test_not_confirmed_and_generic(self):
        r = self.ctx.rdns_check("192.0.2.20")
        self.assertEqual(r.ptr, ("host-192-0-2-20.dyn.example.test",))
        self.assertIs(r.fcrdns, False)
        self.assertIsNone(r.confirmed_name)
        self.assertIs(r.generic, True)

    def test_no_ptr(self):
        r = self.ctx.rdns_check("192.0.2.30")
        self.assertIs(r.has_ptr, False)
        self.assertEqual(r.ptr, ())
        self.assertIsNot(r.fcrdns, True)

    def test_to_dict(self):
        d = self.ctx.rdns_check("192.0.2.10", "mail.example.test").to_dict()
        self.assertEqual(list(d), RDNS_KEYS)
        self.assertEqual(list(self.ctx._c.rdns_check("192.0.2.10", None)), RDNS_KEYS)
        self.assertEqual(d["ptr"], ["mail.example.test"])
        self.assertIs(d["fcrdns"], True)
        self.assertIsInstance(d["warnings"], list)

    def test_invalid_ip(self):
        with self.assertRaises(mtarep.InvalidInput) as cm:
            self.ctx.rdns_check("256.1.1.1")
        e = cm.exception
        self.assertEqual(e.code, -3)
        self.assertEqual(e.name, "MTAREP_EINVAL")
        self.assertIn("256.1.1.1", e.message)

    def test_module_level_convenience(self):
        r = mtarep.rdns_check("192.0.2.10", "mail.example.test", zone_text=RDNS_ZONE)
        self.assertIs(r.fcrdns, True)


class TestContext(unittest.TestCase):
    def test_dns_lookup(self):
        with mtarep.Context(zone_text=RDNS_ZONE) as ctx:
            self.assertEqual(ctx.dns_lookup("mail.example.test", "A"), ["192.0.2.10"])
            self.assertEqual(ctx.dns_lookup("mail.example.test"), ["192.0.2.10"])
            self.assertEqual(ctx.dns_lookup("mail.example.test", "TXT"), ['"v=spf1 -all"'])
            self.assertEqual(ctx.dns_lookup("10.2.0.192.in-addr.arpa", "PTR"), ["mail.example.test."])
            self.assertEqual(ctx.dns_lookup("nothing.example.test", "A"), [])
            with self.assertRaises(mtarep.InvalidInput):
                ctx.dns_lookup("mail.example.test", "NOSUCHTYPE")

    def test_closed_context(self):
        ctx = mtarep.Context(zone_text=RDNS_ZONE)
        ctx.close()
        with self.assertRaises(mtarep.InvalidInput):
            ctx.rdns_check("192.0.2.10")

    def test_bad_settings(self):
        with self.assertRaises(mtarep.InvalidInput) as cm:
            mtarep.Context(timeout_ms=0)
        self.assertIn("timeout", cm.exception.message)
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Context(retries=11)
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Context(timeout_ms=-5)
        with self.assertRaises(TypeError):
            mtarep.Context(timeout_ms="2000")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Context(nameservers=["not an address"])
        with mtarep.Context() as ctx:
            with self.assertRaises(mtarep.InvalidInput):
                ctx.set_retries(99)
            ctx.set_timeout_ms(100)

    def test_bad_zone_text_is_parse_error(self):
        with self.assertRaises(mtarep.ParseError) as cm:
            mtarep.Context(zone_text="$ORIGIN x.test.\nfoo A not-an-address\n")
        self.assertEqual(cm.exception.code, -7)
        self.assertTrue(cm.exception.message)

    def test_zone_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "rdns.zone")
            with open(path, "w") as f:
                f.write(RDNS_ZONE)
            r = mtarep.rdns_check("192.0.2.10", zone_files=path)
            self.assertIs(r.fcrdns, True)
            with self.assertRaises(mtarep.IOFailure) as cm:
                mtarep.Context(zone_files=[os.path.join(d, "missing.zone")])
            self.assertEqual(cm.exception.code, -13)


if __name__ == "__main__":
    unittest.main()
