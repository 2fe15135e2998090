"""mtarep logscan / classify: counts on the sample logs against the
hand-checked tests/data/logs/expected-counts.tsv, stdin and gzip input,
options, and the classifier's JSON Lines output. No server needed."""
import gzip
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clihelp import CliTestCase, SOURCE_DIR, run  # noqa: E402

DATA = os.environ.get("MTAREP_TEST_DATA", os.path.join(SOURCE_DIR, "tests", "data"))
LOGS = os.path.join(DATA, "logs")
PF = os.path.join(LOGS, "postfix-sample.log")
EXIM = os.path.join(LOGS, "exim-sample.log")
KEYS = ("sent", "deferred", "bounced", "expired")


def expected():
    rows = []
    with open(os.path.join(LOGS, "expected-counts.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            file, scope, name, *nums = line.rstrip("\n").split("\t")
            rows.append((file, scope, name, dict(zip(KEYS, map(int, nums)))))
    return rows


class TestLogscan(CliTestCase):
    def scan_json(self, *args, stdin=None):
        r = run("--json", "logscan", *args, stdin=stdin)
        self.assertExit(r, 0)
        return r.json()

    def test_expected_counts(self):
        docs = {}
        n = 0
        for file, scope, name, want in expected():
            if file not in docs:
                docs[file] = self.scan_json("--year", "2021", os.path.join(LOGS, file))
            doc = docs[file]
            if scope == "totals":
                got = doc["totals"]
            elif scope == "domain":
                self.assertIn(name, doc["domains"], (file, name))
                got = doc["domains"][name]
            else:
                kind = scope.split("-")[1]
                causes = doc["totals"]["causes"]
                self.assertEqual(causes.get(name, {}).get(kind, 0), want[kind], (file, scope, name))
                n += 1
                continue
            self.assertEqual({k: got[k] for k in KEYS}, want, (file, scope, name))
            n += 1
        self.assertGreaterEqual(n, 20)

    def test_stdin_and_gzip_agree(self):
        with open(PF, "rb") as f:
            raw = f.read()
        a = self.scan_json(PF)["totals"]
        b = self.scan_json("-", stdin=raw)["totals"]
        c = self.scan_json("-", stdin=gzip.compress(raw))["totals"]
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "mail.log.1.gz")
            with open(p, "wb") as f:
                f.write(gzip.compress(raw[:1000]) + gzip.compress(raw[1000:]))  # two members
            e = self.scan_json(p)["totals"]
        for x in (b, c, e):
            self.assertEqual({k: x[k] for k in KEYS}, {k: a[k] for k in KEYS})
        self.assertEqual(a["sent"], 23)

    def test_several_files_add_up(self):
        doc = self.scan_json(PF, EXIM)
        self.assertEqual(doc["totals"]["sent"], 23 + 140)
        self.assertEqual(doc["totals"]["bounced"], 4 + 50)

    def test_format_forced(self):
        doc = self.scan_json("--format", "exim", PF)
        self.assertEqual({k: doc["totals"][k] for k in KEYS}, dict.fromkeys(KEYS, 0))
        doc = self.scan_json("--format", "postfix", PF)
        self.assertEqual(doc["totals"]["sent"], 23)
        self.assertEqual(doc["format"], "postfix")

    def test_since_and_exclude(self):
        log = ("2025-03-01T10:00:00Z mx postfix/smtp[1]: AAAAA11111: to=<a@x.example>, "
               "relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/0, dsn=2.0.0, status=sent (ok)\n"
               "2025-03-02T10:00:00Z mx postfix/smtp[1]: AAAAA22222: to=<a@x.example>, "
               "relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/0/0, dsn=5.7.1, status=bounced "
               "(host mx.x.example[192.0.2.1] said: 550 5.7.1 Unfortunately, messages from [192.0.2.9] "
               "weren't sent. Please contact your Internet service provider since part of their network "
               "is on our block list (S3140). (in reply to MAIL FROM command))\n").encode()
        doc = self.scan_json("-", stdin=log)
        self.assertEqual(doc["totals"]["sent"], 1)
        self.assertEqual(doc["totals"]["causes"]["reputation"]["bounced"], 1)
        self.assertEqual(sorted(doc["days"]), ["2025-03-01", "2025-03-02"])
        doc = self.scan_json("--since", "2025-03-02", "-", stdin=log)
        self.assertEqual((doc["totals"]["sent"], doc["totals"]["bounced"]), (0, 1))
        doc = self.scan_json("--exclude-relay", "127.0.0.1:10024", "-", stdin=log)
        self.assertEqual((doc["totals"]["sent"], doc["stats"]["excluded"]), (0, 1))

    def test_non_utf8_domain_json(self):
        log = (b"2025-03-01T10:00:00Z mx postfix/smtp[1]: AAAAA11111: to=<a@b\xff\x1b.example>, "
               b"relay=none, delay=1, delays=0/0/0/0, dsn=5.1.1, status=bounced (550 5.1.1 no)\n")
        doc = self.scan_json("-", stdin=log)
        self.assertEqual(doc["totals"]["bounced"], 1)
        (name,) = doc["domains"]
        self.assertNotIn("\x1b", name)
        r = run("logscan", "-", stdin=log)
        self.assertExit(r, 0)
        self.assertNotIn("\x1b", r.out)

    def test_human_tables(self):
        r = run("logscan", PF)
        self.assertExit(r, 0)
        self.assertIn("sent 23, deferred 1, bounced 4, expired 0", r.out)
        self.assertRegex(r.out, r"example\.com\s+4\s+0\s+2\s+0\s+33\.3%\s+mailbox")
        r = run("logscan", "--by", "cause", PF)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"reputation\s+1\s+0\s+")
        self.assertIn("mtarep dnsbl", r.out)
        r = run("logscan", "--by", "day", "--year", "2021", PF)
        self.assertExit(r, 0)
        self.assertIn("day (UTC)", r.out)

    def test_usage_errors(self):
        for args in (["logscan"], ["logscan", "--format", "sendmail", PF],
                     ["logscan", "--by", "week", PF], ["logscan", "--since", "soon", PF]):
            r = run(*args)
            self.assertExit(r, 2)
            self.assertEqual(r.out, "")
        r = run("logscan", "/nonexistent/mail.log")
        self.assertExit(r, 2)
        self.assertIn("/nonexistent/mail.log", r.err)
        r = run("logscan", "-", stdin=b"\x1f\x8b\x08\x00garbage")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("gzip", r.err)

    def test_help(self):
        r = run("help", "logscan")
        self.assertExit(r, 0)
        self.assertIn("--since", r.out)
        r = run("--help")
        self.assertIn("logscan", r.out)
        self.assertIn("classify", r.out)


class TestClassify(CliTestCase):
    def test_rule_docs_in_sync(self):
        import subprocess
        script = os.path.join(SOURCE_DIR, "lib", "smtpreply", "rules2md.py")
        p = subprocess.run([sys.executable, script, "--check"])
        self.assertEqual(p.returncode, 0, "docs/smtp-replies.md is stale: run " + script)


    def test_sample_json_lines(self):
        texts, cats = [], []
        with open(os.path.join(DATA, "smtp-replies", "sample.tsv")) as f:
            for line in f:
                if line.startswith("#"):
                    continue
                t, c, *_ = line.rstrip("\n").split("\t")
                texts.append(t)
                cats.append(c)
        r = run("--json", "classify", stdin=("\n".join(texts) + "\n").encode())
        self.assertExit(r, 0)
        objs = [json.loads(x) for x in r.out.splitlines()]
        self.assertEqual([o["category"] for o in objs], cats)
        for o in objs:
            for k in ("receiver", "blocklist", "advice", "code", "enhanced_code"):
                self.assertIn(k, o)
            self.assertTrue(o["advice"])

    def test_fields(self):
        r = run("--json", "classify",
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org")
        self.assertExit(r, 0)
        o = json.loads(r.out)
        self.assertEqual((o["category"], o["blocklist"], o["code"], o["enhanced_code"]),
                         ("blocklist", "zen.spamhaus.org", 554, "5.7.1"))
        r = run("classify", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred")
        self.assertExit(r, 0)
        self.assertTrue(r.out.startswith("reputation"))
        self.assertIn("receiver=Yahoo", r.out)

    def test_bad_lines(self):
        stdin = b"550 5.1.1 user unknown\n\n   \n" + b"x" * 5000 + b"\n\xff\xfe 550\n"
        r = run("--json", "classify", stdin=stdin)
        self.assertExit(r, 2)
        objs = [json.loads(x) for x in r.out.splitlines()]
        self.assertEqual(len(objs), 4)  # the empty line is skipped
        self.assertEqual(objs[0]["category"], "mailbox")
        self.assertIsNone(objs[1]["category"])
        self.assertEqual(objs[2]["error_code"], "MTAREP_ELIMIT")
        self.assertEqual(objs[3]["category"], "other")


CHECK = os.environ.get("MTAREP_CHECK", "")
DEMO_ZONE = os.path.join(SOURCE_DIR, "examples", "demo.zone")


@unittest.skipUnless(CHECK, "check_mtarep not built (MTAREP_CHECK unset)")
class TestCheckPlugin(unittest.TestCase):
    def plugin(self, *args):
        import subprocess
        p = subprocess.run([CHECK] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertGreaterEqual(p.returncode, 0, "killed by a signal")
        out = p.stdout.decode()
        self.assertEqual(len(out.strip().splitlines()), 1, out)  # one status line
        return p.returncode, out

    def test_bounce_thresholds(self):
        # sample: 4 bounced of 27 final outcomes = 14.81 %
        rc, out = self.plugin("bounce", PF)
        self.assertEqual(rc, 2, out)
        self.assertTrue(out.startswith("BOUNCE CRITICAL - bounce 14.81% (4/27)"), out)
        self.assertIn("'bounce_rate'=14.81%;5;10;0;100", out)
        self.assertIn("'bounced_reputation'=1", out)
        self.assertIn("'bounced_mailbox'=3", out)
        self.assertEqual(self.plugin("bounce", "-w", "10%", "-c", "20%", PF)[0], 1)
        self.assertEqual(self.plugin("bounce", "-w", "20", "-c", "30", PF)[0], 0)
        self.assertEqual(self.plugin("bounce", "-w", "~:20", "-c", "@14:15", PF)[0], 2)
        self.assertEqual(self.plugin("bounce", "-w", "15:", "-c", "~:", PF)[0], 1)  # below 15
        self.assertEqual(self.plugin("bounce", "-w", "abc", PF)[0], 3)
        self.assertEqual(self.plugin("bounce", "/nonexistent.log")[0], 3)
        self.assertEqual(self.plugin("nosuchmode")[0], 3)

    def test_dnsbl(self):
        rc, out = self.plugin("dnsbl", "-H", "77.245.64.44", "-Z", DEMO_ZONE, "-z", "zen.spamhaus.org")
        self.assertEqual(rc, 2, out)
        self.assertIn("zen.spamhaus.org", out)
        rc, out = self.plugin("dnsbl", "-H", "192.0.2.1", "-Z", DEMO_ZONE, "-z", "zen.spamhaus.org")
        self.assertEqual(rc, 0, out)
        # nothing answers on 127.0.0.1:9: undecidable, never OK
        rc, out = self.plugin("dnsbl", "-H", "192.0.2.1", "-n", "127.0.0.1:9", "-z",
                              "zen.spamhaus.org", "-t", "20")
        self.assertEqual(rc, 3, out)
        self.assertEqual(self.plugin("dnsbl", "-H", "not-an-ip", "-Z", DEMO_ZONE)[0], 3)

    def test_bad_options_are_unknown(self):
        # malformed options were ignored (atoi, default format, default lists)
        for args in (("bounce", "--format", "sendmail", PF), ("bounce", "-t", "abc", PF),
                     ("dnsbl", "-H", "77.245.64.44", "-Z", DEMO_ZONE, "-t", "5s"),
                     ("dnsbl", "-H", "77.245.64.44", "-Z", DEMO_ZONE, "-z", "")):
            rc, out = self.plugin(*args)
            self.assertEqual(rc, 3, (args, out))
            self.assertIn("UNKNOWN", out)


if __name__ == "__main__":
    unittest.main()
