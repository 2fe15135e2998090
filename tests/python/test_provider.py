"""Reputation providers through the Python binding against the loopback
HTTPS server of the ctest fixture (tests/servers/httpsd.py). Skipped only
when run outside ctest."""
import os
import unittest

import mtarep

HTTPS = os.environ.get("MTAREP_TEST_HTTPS")
STATE = os.environ.get("MTAREP_TEST_STATE", "")
CA = os.path.join(STATE, "https", "ca.pem")
MG_KEY = "key-test-0123456789abcdef"
SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666"


@unittest.skipUnless(HTTPS, "MTAREP_TEST_HTTPS not set (run through ctest)")
class TestProviders(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context()

    def tearDown(self):
        self.ctx.close()

    def base(self, case):
        return "https://%s/%s" % (HTTPS, case)

    def test_mailgun_normalized(self):
        r = self.ctx.provider_mailgun("mg.example.com", MG_KEY, api="stats",
                                      base_url=self.base("ok"), ca_file=CA)
        self.assertEqual(r["source"], "mailgun")
        self.assertEqual(r["volume"], 27500)
        self.assertAlmostEqual(r["bounce_rate"], (126 + 345) / 27500)
        self.assertIsNone(r["reputation"])
        self.assertEqual(len(r["periods"]), 3)
        self.assertIsNone(r["periods"][2]["complaint_rate"])
        self.assertEqual(r["periods"][0]["raw"]["failed"]["permanent"]["suppress-bounce"], 96)

    def test_snds_and_errors(self):
        r = self.ctx.provider_snds(SNDS_KEY, base_url=self.base("ok/snds"), ca_file=CA)
        self.assertEqual(r["reputation"], "bad")
        self.assertEqual(r["blocked"][2]["reason"], "SpamHaus SBL/XBL")
        with self.assertRaises(mtarep.AuthError) as cm:
            self.ctx.provider_snds(SNDS_KEY, base_url=self.base("echo/snds"), ca_file=CA)
        self.assertNotIn(SNDS_KEY, str(cm.exception))
        self.assertIn("<key>", cm.exception.message)
        with self.assertRaises(mtarep.AuthError) as cm:
            self.ctx.provider_mailgun("mg.example.com", "key-wrong-0000",
                                      base_url=self.base("ok"), ca_file=CA)
        self.assertIn("wrong region (US/EU)", cm.exception.message)
        with self.assertRaises(mtarep.Error) as cm:
            self.ctx.provider_mailgun("mg.example.com", MG_KEY, api="v9",
                                      base_url=self.base("ok"), ca_file=CA)
        self.assertEqual(cm.exception.code, mtarep.InvalidInput.code)

    def test_postmaster_v2(self):
        r = self.ctx.provider_postmaster("mail.example.com", "ya29.test-token-0123456789",
                                         days=2, base_url=self.base("ok"), ca_file=CA, api="v2")
        self.assertEqual([p["start"] for p in r["periods"]], ["2025-09-01", "2025-09-02"])
        self.assertAlmostEqual(r["periods"][0]["complaint_rate"], 0.0009)

    def test_parse_offline(self):
        body = "192.0.2.1,,,10,10,10,YELLOW,0.5%,,,0,,,\r\n"
        r = self.ctx.provider_parse("snds_data", body)
        self.assertEqual(r["periods"][0]["reputation"], "low")
        self.assertAlmostEqual(r["complaint_rate"], 0.005)
        # the Pythonic view of the same result
        self.assertIsInstance(r, mtarep.ProviderResult)
        self.assertIs(r.periods[0].reputation, mtarep.Reputation.LOW)
        self.assertEqual(r.periods[0].raw["filter_result"], "YELLOW")
        self.assertEqual(r.to_dict()["source"], "snds")
        with self.assertRaises(mtarep.ParseError):
            self.ctx.provider_parse("postmaster", "Forbidden")


if __name__ == "__main__":
    unittest.main()
