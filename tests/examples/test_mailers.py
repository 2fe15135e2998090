"""The throttled mailers: examples/php/phpmailer_throttled.php (PHPMailer)
and examples/python/smtp_throttled.py (smtplib) send to a real SMTP sink
on loopback (aiosmtpd, tests/examples/smtp_sink.py) while sharing one
file-store budget."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MTAREP_SOURCE_DIR", os.path.join(HERE, "..", ".."))
PHP = os.environ.get("MTAREP_PHP")
PHP_EXT = os.environ.get("MTAREP_PHP_EXT")
SMTP = os.environ.get("MTAREP_TEST_SMTP")
PHPMAILER = "/usr/share/php/libphp-phpmailer/autoload.php"


@unittest.skipUnless(PHP and PHP_EXT and SMTP, "needs MTAREP_PHP, MTAREP_PHP_EXT, MTAREP_TEST_SMTP")
class TestMailers(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "received.jsonl")
        port = SMTP.rsplit(":", 1)[1]
        self.sink = subprocess.Popen([sys.executable, os.path.join(HERE, "smtp_sink.py"), port,
                                      self.out], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.assertEqual(self.sink.stdout.readline().strip(), "ready")
        self.store = f"file:{self.tmp.name}/throttle.tbl"

    def tearDown(self):
        self.sink.stdin.close()
        self.sink.wait(timeout=10)
        self.tmp.cleanup()

    def received(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out, encoding="utf-8") as f:
            return [json.loads(l) for l in f]

    def start(self, lang, count, limit, deadline):
        args = ["--smtp", SMTP, "--store", self.store, "--limit", limit, "--to",
                "rcpt@example.test", "--count", str(count), "--deadline", str(deadline)]
        if lang == "php":
            cmd = [PHP, "-d", f"extension={PHP_EXT}",
                   os.path.join(SRC, "examples", "php", "phpmailer_throttled.php")] + args
        else:
            cmd = [sys.executable, os.path.join(SRC, "examples", "python", "smtp_throttled.py")] + args
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_shared_budget_paces_both(self):
        # 4/1s: a burst of 4, then one every 250 ms, whoever sends
        t0 = time.time()
        procs = [self.start("php", 4, "4/1s", 10000), self.start("python", 4, "4/1s", 10000)]
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (o, e) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, o + e)
        got = self.received()
        subjects = sorted(m["subject"] for m in got)
        self.assertEqual(subjects, sorted([f"php message {n}" for n in range(1, 5)]
                                          + [f"python message {n}" for n in range(1, 5)]))
        self.assertTrue(all(m["rcpt_tos"] == ["rcpt@example.test"] for m in got))
        # The 8th unit is admitted 4 x 250 ms after the first burst at the
        # earliest, and arrives after its admission (delays only add).
        last = max(m["time"] for m in got)
        self.assertGreaterEqual(last - t0, 0.95, [m["time"] - t0 for m in got])

    def test_budget_exhausted_by_the_other_language(self):
        p = self.start("php", 2, "2/1h", 0)
        o, e = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, o + e)
        p = self.start("python", 1, "2/1h", 0)
        o, e = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, o + e)
        self.assertIn("deferred python message 1", o)
        self.assertEqual(len(self.received()), 2)


if __name__ == "__main__":
    unittest.main()
