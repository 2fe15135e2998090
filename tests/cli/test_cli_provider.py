"""mtarep provider: Mailgun, SNDS and Postmaster against the loopback HTTPS
server (tests/servers/httpsd.py, test CA from start.sh). ctest runs them with
the "servers" fixture."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import CliTestCase, DEMO_ZONE, run  # noqa: E402

HTTPS = os.environ.get("MTAREP_TEST_HTTPS", "127.0.0.1:8443")
STATE = os.environ.get("MTAREP_TEST_STATE", "")
CA = os.path.join(STATE, "https", "ca.pem")
WRONG_CA = os.path.join(STATE, "https", "wrongca.pem")
MG_KEY = "key-test-0123456789abcdef"
SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666"
G_TOKEN = "ya29.test-token-0123456789"
KEYS = {"MAILGUN_API_KEY": MG_KEY, "SNDS_KEY": SNDS_KEY, "GOOGLE_OAUTH_TOKEN": G_TOKEN}


def base(case):
    return "https://%s/%s" % (HTTPS, case)


def prov(which, case, *extra, ca=CA, env=None):
    args = ["provider", which, "--base-url", base(case), "--ca-file", ca]
    if which != "snds":
        args += ["--domain", "mail.example.com" if which == "postmaster" else "mg.example.com"]
    e = dict(KEYS)
    e.update(env or {})
    return run(*(args + list(extra)), env=e)


class TestProviderCli(CliTestCase):
    def assertFigures(self, doc):
        for k in ("volume", "bounce_rate", "complaint_rate", "reputation", "periods"):
            self.assertIn(k, doc)
        for d in [doc] + doc["periods"]:
            for k in ("bounce_rate", "complaint_rate"):
                v = d[k]
                self.assertTrue(v is None or 0 <= v <= 1, "%s=%r" % (k, v))
            self.assertIn(d["reputation"], (None, "high", "medium", "low", "bad"))
            self.assertTrue(d["volume"] is None or d["volume"] >= 0)

    def test_mailgun_metrics_json(self):
        r = prov("mailgun", "ok", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertFigures(doc)
        self.assertEqual(doc["source"], "mailgun")
        self.assertEqual(doc["volume"], 27500)
        self.assertEqual(len(doc["periods"]), 3)
        self.assertIsNone(doc["periods"][2]["bounce_rate"])  # nothing accepted that day
        self.assertAlmostEqual(doc["bounce_rate"], (118 + 301) / 27500)

    def test_mailgun_stats_region_duration(self):
        r = prov("mailgun", "ok", "--api", "stats", "--region", "eu", "--duration", "1d", "--json")
        self.assertExit(r, 0)
        self.assertFigures(r.json())
        self.assertEqual(r.json()["periods"][0]["start"], "2025-09-01T00:00:00Z")

    def test_mailgun_start_end(self):
        for api in ("stats", "metrics"):
            r = prov("mailgun", "ok", "--api", api, "--start", "Mon, 01 Sep 2025 00:00:00 +0000",
                     "--end", "1756944000", "--resolution", "day", "--json")
            self.assertExit(r, 0)
            self.assertEqual(r.json()["counts"]["accepted"], 27500)
        r = prov("mailgun", "ok", "--start", "bad\x01date")
        self.assertExit(r, 2)

    def test_mailgun_text(self):
        r = prov("mailgun", "ok")
        self.assertExit(r, 0)
        self.assertIn("Volume:     27500", r.out)
        self.assertIn("2025-09-02T00:00:00Z", r.out)

    def test_snds_problem_exit_and_blocked(self):
        r = prov("snds", "ok/snds", "--json")
        self.assertExit(r, 1)  # a RED IP and blocked ranges
        doc = r.json()
        self.assertFigures(doc)
        self.assertEqual(doc["reputation"], "bad")
        self.assertEqual(len(doc["blocked"]), 3)
        self.assertTrue(doc["periods"][0]["complaint_rate_upper_bound"])
        self.assertEqual(doc["periods"][0]["raw"]["filter_result"], "GREEN")

    def test_postmaster_pages(self):
        r = prov("postmaster", "ok", "--days", "3", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertFigures(doc)
        self.assertEqual([p["start"] for p in doc["periods"]],
                         ["2025-09-01", "2025-09-02", "2025-09-03"])
        self.assertEqual(doc["reputation"], "medium")

    def test_no_figures_is_unknown(self):
        # an answer without data decides nothing: exit 3, never 0
        for which, case in (("snds", "empty/snds"), ("postmaster", "empty")):
            r = prov(which, case, "--json")
            self.assertExit(r, 3)
            doc = r.json()
            self.assertEqual(doc["periods"], [])
            self.assertIsNone(doc["complaint_rate"])
            self.assertIsNone(doc["reputation"])

    def test_postmaster_v2(self):
        r = prov("postmaster", "ok", "--api", "v2", "--days", "2", "--json")
        self.assertExit(r, 0)
        doc = r.json()
        self.assertFigures(doc)
        self.assertEqual(len(doc["periods"]), 2)
        self.assertIsNone(doc["reputation"])
        self.assertEqual(doc["periods"][1]["raw"]["rejects"], 57)
        self.assertExit(prov("postmaster", "ok", "--api", "stats"), 2)
        self.assertExit(prov("mailgun", "ok", "--api", "v2"), 2)

    def test_thresholds(self):
        r = prov("mailgun", "ok", "--max-bounce-rate", "0.01")
        self.assertExit(r, 1)

    def test_key_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".key") as f:
            f.write(MG_KEY + "\n")
            f.flush()
            r = prov("mailgun", "ok", "--key-file", f.name, env={"MAILGUN_API_KEY": "wrong"})
        self.assertExit(r, 0)

    def test_bad_key_file_is_usage(self):
        with tempfile.TemporaryDirectory() as d:
            empty = os.path.join(d, "empty.key")
            open(empty, "w").close()
            for path, why in ((d, "Is a directory"), (os.path.join(d, "none"), "No such file"),
                              (empty, "holds no key")):
                r = prov("mailgun", "ok", "--key-file", path)
                self.assertExit(r, 2)
                self.assertIn(why, r.err)

    def test_key_never_on_command_line(self):
        r = run("provider", "mailgun", "--domain", "mg.example.com", "--key", "sekrit-value-42")
        self.assertExit(r, 2)
        self.assertNotIn("sekrit-value-42", r.out + r.err)
        self.assertIn("environment", r.err)

    def test_no_key(self):
        e = {k: "" for k in KEYS}
        r = run("provider", "snds", env=e)
        self.assertExit(r, 2)
        self.assertIn("SNDS_KEY", r.err)

    def test_usage(self):
        self.assertExit(run("provider"), 2)
        self.assertExit(run("provider", "hotmail", env=KEYS), 2)
        self.assertExit(run("provider", "postmaster", env=KEYS), 2)  # no --domain
        r = run("provider", "snds", "--base-url", "http://192.0.2.1", env=KEYS)
        self.assertExit(r, 2)
        self.assertIn("loopback", r.err)

    def test_bad_key_or_region(self):
        r = prov("mailgun", "ok", env={"MAILGUN_API_KEY": "key-wrong-0000"})
        self.assertExit(r, 3)
        self.assertIn("bad API key or wrong region (US/EU)", r.err)
        self.assertIn("MTAREP_EAUTH", r.err)

    def test_typed_errors(self):
        cases = [("e404", "MTAREP_ENOTFOUND"), ("e500", "MTAREP_EHTTP"),
                 ("malformed", "MTAREP_EPARSE"), ("trunc", "MTAREP_EPARSE")]
        for case, name in cases:
            r = prov("postmaster", case)
            self.assertExit(r, 3)
            self.assertIn(name, r.err, case)
        r = prov("snds", "e429/snds", "--retries", "0")
        self.assertExit(r, 3)
        self.assertIn("MTAREP_ETHROTTLED", r.err)
        self.assertIn("retry after 7 s", r.err)
        r = run("--timeout", "500", "provider", "snds", "--base-url", base("slow/snds"),
                "--ca-file", CA, env=KEYS)
        self.assertExit(r, 3)
        self.assertIn("MTAREP_ETIMEOUT", r.err)

    def test_option_of_another_provider_is_usage(self):
        # silently ignoring e.g. --days for mailgun would answer another question
        for which, opt in (("postmaster", ("--region", "eu")), ("snds", ("--duration", "1d")),
                           ("mailgun", ("--days", "3")), ("mailgun", ("--date", "090125")),
                           ("postmaster", ("--start", "1756944000"))):
            r = prov(which, "ok", *opt)
            self.assertExit(r, 2)
            self.assertIn(opt[0], r.err)

    def test_unreadable_ca_file_is_usage(self):
        # a CA bundle that cannot be read is a usage error (2) before any
        # request, not a TLS failure (3) after one
        with tempfile.TemporaryDirectory() as d:
            for bad in ("", os.path.join(d, "missing.pem"), d):
                r = prov("mailgun", "ok", ca=bad)
                self.assertExit(r, 2)
                self.assertIn("--ca-file", r.err)
                r = run("check", "192.0.2.1", "--zone-file", DEMO_ZONE, "--ca-file", bad)
                self.assertExit(r, 2)
                self.assertIn("--ca-file", r.err)

    def test_wrong_ca(self):
        r = prov("mailgun", "ok", ca=WRONG_CA)
        self.assertExit(r, 3)
        self.assertIn("MTAREP_ETLS", r.err)

    def test_keys_never_in_output(self):
        """The server quotes every credential back; -vv logs everything."""
        for which, key in (("mailgun", MG_KEY), ("snds", SNDS_KEY), ("postmaster", G_TOKEN)):
            for extra in ((), ("--json",), ("-vv",)):
                r = prov(which, "echo" + ("/snds" if which == "snds" else ""), *extra)
                self.assertExit(r, 3)
                self.assertIn("<key>", r.err)
                self.assertNotIn(key, r.out + r.err)


if __name__ == "__main__":
    unittest.main()
