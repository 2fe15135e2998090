"""DNSBL checks answered from static zone text (no network)."""
import json
import unittest

import mtarep
from bindtest_zones import DNSBL_KEYS, DNSBL_ZONE

ZEN = "zen.dnsbl.test"
BROKEN = "broken.dnsbl.test"


class TestDnsblStatic(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=DNSBL_ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_listed(self):
        (r,) = self.ctx.dnsbl_check(["192.0.2.10"], zones=[ZEN])
        self.assertIsInstance(r, mtarep.DnsblResult)
        self.assertIs(r.status, mtarep.DnsblStatus.LISTED)
        self.assertEqual(r.status, "listed")
        self.assertTrue(r.listed)
        self.assertEqual(r.query, "192.0.2.10")
        self.assertEqual(r.zone, ZEN)
        self.assertEqual(r.list_name, ZEN, "unknown zone: its name is the list name")
        self.assertEqual(r.codes, ("127.0.0.3",))
        self.assertEqual(r.txt, "192.0.2.10 is listed for the binding tests")
        self.assertIsNone(r.error)
        self.assertEqual(r.error_code, 0)

    def test_not_listed(self):
        (r,) = self.ctx.dnsbl_check("192.0.2.20", zones=[ZEN])
        self.assertEqual(r.status, mtarep.DnsblStatus.NOT_LISTED)
        self.assertFalse(r.listed)
        self.assertEqual(r.codes, ())
        self.assertEqual(r.meanings, ())
        self.assertIsNone(r.txt)

    def test_failed_health_check_is_error_never_not_listed(self):
        res = self.ctx.dnsbl_check(["192.0.2.10", "192.0.2.20"], zones=[BROKEN])
        self.assertEqual([r.status for r in res], ["error", "error"])
        for r in res:
            self.assertIsInstance(r.error, str)
            self.assertIn(BROKEN, r.error)
            self.assertLess(r.error_code, 0)

    def test_health_check_option_reaches_the_library(self):
        (r,) = self.ctx.dnsbl_check(["192.0.2.20"], zones=[BROKEN], health_check=False)
        self.assertEqual(r.status, "not_listed")

    def test_fetch_txt_option(self):
        (r,) = self.ctx.dnsbl_check(["192.0.2.10"], zones=[ZEN], fetch_txt=False)
        self.assertEqual(r.status, "listed")
        self.assertIsNone(r.txt)

    def test_not_applicable(self):
        # An IP on a domain-only list of the built-in table: nothing is sent.
        res = self.ctx.dnsbl_check(["192.0.2.10", "2001:db8::1"], zones=["dbl.spamhaus.org"],
                                   health_check=False)
        self.assertEqual([r.status for r in res], [mtarep.DnsblStatus.NOT_APPLICABLE] * 2)
        self.assertEqual(res[1].query, "2001:db8::1")

    def test_query_major_order(self):
        res = self.ctx.dnsbl_check(("192.0.2.10", "192.0.2.20"), zones=(ZEN, BROKEN))
        self.assertEqual([(r.query, r.zone) for r in res],
                         [("192.0.2.10", ZEN), ("192.0.2.10", BROKEN),
                          ("192.0.2.20", ZEN), ("192.0.2.20", BROKEN)])
        self.assertEqual([str(r.status) for r in res], ["listed", "error", "not_listed", "error"])

    def test_to_dict_is_plain_json(self):
        (r,) = self.ctx.dnsbl_check(["192.0.2.10"], zones=[ZEN])
        d = r.to_dict()
        self.assertEqual(list(d), DNSBL_KEYS)
        raw = self.ctx._c.dnsbl_check(["192.0.2.10"], [ZEN], True, True)
        self.assertEqual(list(raw[0]), DNSBL_KEYS)
        self.assertEqual(d["status"], "listed")
        self.assertIs(type(d["status"]), str)
        self.assertEqual(d["codes"], ["127.0.0.3"])
        self.assertEqual(json.loads(json.dumps(d)), d)
        self.assertEqual(mtarep.DnsblResult(d), r)

    def test_module_level_convenience(self):
        res = mtarep.dnsbl_check(["192.0.2.10", "192.0.2.20"], zones=[ZEN], zone_text=DNSBL_ZONE)
        self.assertEqual([r.status for r in res], ["listed", "not_listed"])

    def test_invalid_query_raises_invalid_input(self):
        with self.assertRaises(mtarep.InvalidInput) as cm:
            self.ctx.dnsbl_check(["192.0.2.10", "256.1.1.1"], zones=[ZEN])
        self.assertEqual(cm.exception.code, -3)
        self.assertIn("256.1.1.1", cm.exception.message)
        self.assertIsInstance(cm.exception, mtarep.Error)
        self.assertIsInstance(cm.exception, ValueError)

    def test_invalid_zone_raises_invalid_input(self):
        with self.assertRaises(mtarep.InvalidInput) as cm:
            self.ctx.dnsbl_check(["192.0.2.10"], zones=["bad..zone"])
        self.assertEqual(cm.exception.code, -3)

    def test_empty_zone_list_is_refused_not_default(self):
        with self.assertRaises(mtarep.InvalidInput):
            self.ctx.dnsbl_check(["192.0.2.10"], zones=[])

    def test_embedded_nul_is_refused(self):
        with self.assertRaises(mtarep.InvalidInput):
            self.ctx.dnsbl_check(["192.0.2.10\0evil"], zones=[ZEN])

    def test_wrong_types(self):
        for bad in (None, 42, b"192.0.2.10", [b"192.0.2.10"], [1]):
            with self.assertRaises(TypeError, msg=repr(bad)):
                self.ctx.dnsbl_check(bad, zones=[ZEN])
        with self.assertRaises(TypeError):
            self.ctx.dnsbl_check(["192.0.2.10"], zones=42)

    def test_raw_layer_refuses_bare_str_sequence(self):
        # The typemap itself (not only the Python layer) refuses a str as a list.
        with self.assertRaises(TypeError):
            self.ctx._c.dnsbl_check("192.0.2.10", None, True, True)


if __name__ == "__main__":
    unittest.main()
