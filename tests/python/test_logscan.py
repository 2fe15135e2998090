"""Log scanner and SMTP reply classifier through the binding (mtarep._capi):
the hand-checked sample counts and the classifier's dict shape."""
import gzip
import os
import tempfile
import unittest

from mtarep import _capi, _errors

SRC = os.environ.get("MTAREP_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LOGS = os.path.join(SRC, "tests", "data", "logs")
KEYS = ("sent", "deferred", "bounced", "expired")


class TestLogscan(unittest.TestCase):
    def test_sample_totals_and_domains(self):
        r = _capi.logscan([os.path.join(LOGS, "postfix-sample.log")])
        self.assertEqual(r["format"], "postfix")
        self.assertEqual({k: r["totals"][k] for k in KEYS},
                         {"sent": 23, "deferred": 1, "bounced": 4, "expired": 0})
        ex = r["domains"]["example.com"]
        self.assertEqual((ex["sent"], ex["bounced"]), (4, 2))
        self.assertEqual(r["totals"]["bounced_by_cause"]["reputation"], 1)
        self.assertEqual(r["totals"]["bounced_by_cause"]["mailbox"], 3)
        both = _capi.logscan([os.path.join(LOGS, "postfix-sample.log"),
                              os.path.join(LOGS, "exim-sample.log")])
        self.assertEqual(both["totals"]["sent"], 23 + 140)

    def test_gzip_and_options(self):
        with open(os.path.join(LOGS, "exim-sample.log"), "rb") as f:
            raw = f.read()
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "main.log.gz")
            with open(p, "wb") as f:
                f.write(gzip.compress(raw))
            r = _capi.logscan([p], "exim")
            self.assertEqual((r["totals"]["sent"], r["totals"]["bounced"]), (140, 50))
            r = _capi.logscan([p], "postfix")
            self.assertEqual(r["totals"]["sent"], 0)
            r = _capi.logscan([p], "auto", "2000-01-01")  # sample is dated 1999
            self.assertEqual(r["totals"]["sent"], 0)

    def test_errors(self):
        with self.assertRaises(_errors.IOFailure):
            _capi.logscan(["/nonexistent/mail.log"])
        with self.assertRaises(_errors.InvalidInput):
            _capi.logscan([os.path.join(LOGS, "postfix-sample.log")], "sendmail")
        with self.assertRaises(_errors.InvalidInput):
            _capi.logscan([os.path.join(LOGS, "postfix-sample.log")], "auto", "soon")
        with self.assertRaises(TypeError):
            _capi.logscan(42)


class TestClassify(unittest.TestCase):
    def test_dict(self):
        r = _capi.classify("554 5.7.1 Service unavailable; Client host [192.0.2.1] "
                           "blocked using zen.spamhaus.org")
        self.assertEqual(set(r), {"category", "receiver", "blocklist", "advice", "code",
                                  "enhanced_code", "rule"})
        self.assertEqual((r["category"], r["blocklist"], r["code"], r["enhanced_code"]),
                         ("blocklist", "zen.spamhaus.org", 554, "5.7.1"))
        r = _capi.classify("Blocked")
        self.assertEqual((r["category"], r["code"], r["enhanced_code"], r["receiver"]),
                         ("other", None, None, None))

    def test_bad_input(self):
        with self.assertRaises(_errors.InvalidInput):
            _capi.classify("  ")
        with self.assertRaises(_errors.LimitExceeded):
            _capi.classify("x" * 5000)


if __name__ == "__main__":
    unittest.main()


class TestPythonicLayer(unittest.TestCase):
    """mtarep.classify / mtarep.logscan: the public names over _capi."""

    def test_classify_object(self):
        import mtarep
        r = mtarep.classify("554 5.7.1 Service unavailable; Client host [192.0.2.1] "
                            "blocked using zen.spamhaus.org")
        self.assertIsInstance(r, mtarep.ReplyInfo)
        self.assertEqual(r.category, "blocklist")
        self.assertEqual(r.code, 554)
        self.assertEqual(r.enhanced_code, "5.7.1")
        self.assertEqual(r.to_dict()["category"], "blocklist")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.classify("")
        with self.assertRaises(TypeError):
            mtarep.classify(None)

    def test_logscan_paths(self):
        import mtarep
        p = os.path.join(LOGS, "postfix-sample.log")
        r = mtarep.logscan(p)
        self.assertEqual({k: r["totals"][k] for k in KEYS},
                         {"sent": 23, "deferred": 1, "bounced": 4, "expired": 0})
        self.assertEqual(mtarep.logscan([p], "exim")["totals"]["sent"], 0)
        with self.assertRaises(mtarep.Error):
            mtarep.logscan([p], since="not a time")
