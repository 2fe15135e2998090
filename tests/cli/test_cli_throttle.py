"""mtarep warmup plan / mtarep throttle (file store offline; Redis tests need
the "servers" fixture: MTAREP_TEST_REDIS=127.0.0.1:PORT)."""
import os
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from clihelp import CLI, run

SVG = "{http://www.w3.org/2000/svg}"


class WarmupPlan(unittest.TestCase):
    def test_default_table(self):
        r = run("warmup", "plan", "--days", "3", "--start", "2026-02-27")
        self.assertEqual(r.rc, 0, r)
        lines = r.out.splitlines()
        self.assertEqual(lines[0].split(), ["DAY", "DATE", "DAILY", "HOURLY"], r)
        self.assertEqual(lines[1].split(), ["1", "2026-02-27", "50", "7"], r)
        self.assertEqual(lines[3].split(), ["3", "2026-03-01", "100", "13"], r)

    def test_json_preset(self):
        r = run("--json", "warmup", "plan", "--preset", "sparkpost")
        self.assertEqual(r.rc, 0, r)
        j = r.json()
        self.assertEqual(j["plan"], "sparkpost")
        self.assertEqual(j["plan_days"], 29)
        self.assertEqual(len(j["days"]), 29)
        self.assertEqual(j["days"][0], {"day": 1, "date": None, "daily": 200, "hourly": 25})
        self.assertEqual(j["days"][-1]["daily"], 10000000)
        dailies = [d["daily"] for d in j["days"]]
        self.assertEqual(dailies, sorted(dailies))

    def test_schedule_and_days_past_end(self):
        r = run("--json", "warmup", "plan", "--schedule", "day 1 10/d 2/h\nday 2 20/d 4/h",
                "--days", "4")
        self.assertEqual(r.rc, 0, r)
        j = r.json()
        self.assertIsNone(j["plan"])
        self.assertEqual([(d["daily"], d["hourly"]) for d in j["days"]],
                         [(10, 2), (20, 4), (20, 4), (20, 4)])

    def test_schedule_from_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "plan.txt")
            with open(path, "w") as f:
                f.write("# careful start\nspread 10\nday 1-2 100/d\ngeometric 150 2 1000\n")
            r = run("--json", "warmup", "plan", "--schedule", "@" + path)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual([d["daily"] for d in r.json()["days"]],
                             [100, 100, 150, 300, 600, 1000])
            r = run("warmup", "plan", "--schedule", "@" + os.path.join(d, "missing"))
            self.assertEqual(r.rc, 2, r)

    def test_usage_errors(self):
        for args in (["warmup"], ["warmup", "plot"], ["warmup", "plan", "--preset", "nope"],
                     ["warmup", "plan", "--start", "2026-13-01"],
                     ["warmup", "plan", "--days", "0"],
                     ["warmup", "plan", "--schedule", "day x"],
                     ["warmup", "plan", "--preset", "mtarep", "--schedule", "day 1 5/d"]):
            r = run(*args)
            self.assertEqual(r.rc, 2, (args, r))
            self.assertIn("mtarep:", r.err)

    def test_svg(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "plan.svg")
            r = run("warmup", "plan", "--preset", "mailtrap", "--start", "2026-01-01",
                    "--svg", path)
            self.assertEqual(r.rc, 0, r)
            root = ET.parse(path).getroot()  # well-formed XML or this raises
            self.assertEqual(root.tag, SVG + "svg")
            bars = root.findall(SVG + "rect[@class='day']")
            self.assertEqual(len(bars), 21)
            heights = [float(b.get("height")) for b in bars]
            self.assertEqual(heights, sorted(heights))
            self.assertGreater(heights[-1], heights[0])
            texts = [t.text for t in root.iter(SVG + "text")]
            self.assertIn("1", texts)      # x axis labels
            self.assertIn("21", texts)
            self.assertIn("0", texts)      # y axis starts at 0
            self.assertTrue(any(t and "2026-01-01" in t for t in texts), texts)
            r = run("warmup", "plan", "--svg", os.path.join(d, "no", "such", "dir.svg"))
            self.assertEqual(r.rc, 2, r)
            self.assertIn("No such file or directory", r.err)
            # "-" is standard output (as check --html -), never a file named "-"
            r = subprocess.run([CLI, "warmup", "plan", "--days", "3",
                                "--svg", "-"], cwd=d, capture_output=True)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual(ET.fromstring(r.stdout).tag, SVG + "svg")
            self.assertFalse(os.path.exists(os.path.join(d, "-")))
            r = run("--json", "warmup", "plan", "--svg", "-")
            self.assertEqual(r.rc, 2, r)


class ThrottleFile(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.store = "file:" + os.path.join(self.tmp.name, "t.tbl")

    def tearDown(self):
        self.tmp.cleanup()

    def thr(self, mode, *extra, key="ip:192.0.2.1", limit="3/1d"):
        return run("throttle", mode, "--store", self.store, "--key", key, "--limit", limit,
                   *extra)

    def test_try_exact_budget(self):
        for i in range(3):
            r = self.thr("try")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("admitted (remaining %d)" % (2 - i), r.out)
        r = self.thr("try")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("retry after", r.out)
        r = self.thr("try", "--json")
        self.assertEqual(r.rc, 1, r)
        j = r.json()
        self.assertIs(j["admitted"], False)
        # a window: the 3 leave it one day (+ at most 1 d/15) after they were sent
        self.assertTrue(24 * 3600 * 1000 - 60000 < j["retry_after_ms"] <= 25.6 * 3600 * 1000, j)
        self.assertEqual(j["remaining"], 0)
        self.assertEqual(j["degraded"], "none")
        self.assertEqual(j["limits"][0]["limit"], "3/1d window")
        self.assertEqual(len(j["limits"]), 1)
        self.assertIs(j["limits"][0]["blocking"], True)
        # another key has its own budget
        self.assertEqual(self.thr("try", key="ip:192.0.2.2").rc, 0)

    def test_fresh_key_admits_n_at_once_and_never_more_in_a_period(self):
        r = self.thr("try", "--quantity", "100", "--json", limit="100/1h")
        self.assertEqual(r.rc, 0, r)
        r = self.thr("try", "--json", limit="100/1h")
        self.assertEqual(r.rc, 1, r)
        # released one hour (+ at most 4 min) after the 100 were sent
        self.assertTrue(3600 * 1000 - 60000 < r.json()["retry_after_ms"] <= 3840 * 1000, r)
        r = self.thr("try", "--json", "--quantity", "101", key="big", limit="100/1h")
        self.assertEqual(r.json()["retry_after_ms"], -1)  # above N: never

    def test_burst_and_quantity(self):
        r = self.thr("try", "--burst", "5", "--quantity", "5", "--json", limit="10/1d")
        self.assertEqual(r.rc, 0, r)
        j = r.json()
        self.assertEqual(j["remaining"], 0)
        # the window of N and the pacing of burst B, in one decision
        self.assertEqual([x["limit"] for x in j["limits"]], ["10/1d window", "10/1d:5"])
        self.assertEqual([x["remaining"] for x in j["limits"]], [5, 0])
        r = self.thr("try", "--burst", "5", "--json", limit="10/1d")
        self.assertEqual(r.rc, 1, r)
        self.assertTrue(8580000 < r.json()["retry_after_ms"] <= 8640000, r)  # T = 1 d / 10
        self.assertEqual([x["blocking"] for x in r.json()["limits"]], [False, True])
        r = self.thr("try", "--burst", "11", limit="10/1d")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("above N", r.err)
        r = self.thr("try", "--json", "--quantity", "6", key="other", limit="10/1d:5")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.json()["retry_after_ms"], -1)  # above the burst: never

    def test_eight_limits(self):
        # MTAREP_THROTTLE_MAX_LIMITS (8) plain limits fit; a burst counts as one more
        lims = []
        for p in ("1s", "2s", "3s", "4s", "5s", "6s", "7s", "8s"):
            lims += ["--limit", "5/" + p]
        r = run("throttle", "try", "--store", self.store, "--key", "k8", "--json", *lims)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.json()["limits"]), 8)
        r = run("throttle", "try", "--store", self.store, "--key", "k8", *lims[:14],
                "--limit", "5/9s:2")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("at most 8 limits", r.err)

    def test_status_does_not_count(self):
        for _ in range(3):
            r = self.thr("status", "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.json()["remaining"], 3)
        self.assertEqual(self.thr("try", "--quantity", "3").rc, 0)
        r = self.thr("status")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(self.thr("reset").rc, 0)
        self.assertEqual(self.thr("try").rc, 0)

    def test_acquire_waits_and_deadline(self):
        # 10/1s burst 1: T = 100 ms; the second acquire waits about T
        self.assertEqual(self.thr("acquire", limit="10/1s", key="p").rc, 0)
        r = self.thr("acquire", "--burst", "1", "--deadline", "2000", limit="10/1s", key="p")
        self.assertEqual(r.rc, 0, r)
        # a 1/1d limit spent: waiting 50 ms cannot help -> refused at once
        self.assertEqual(self.thr("try", limit="1/1d", key="q").rc, 0)
        r = self.thr("acquire", "--deadline", "50", "--json", limit="1/1d", key="q")
        self.assertEqual(r.rc, 1, r)
        self.assertGreater(r.json()["retry_after_ms"], 50)

    def test_usage_errors(self):
        for args in (["throttle"], ["throttle", "spend"],
                     ["throttle", "try", "--store", self.store, "--key", "k"],
                     ["throttle", "try", "--store", self.store, "--limit", "1/1h"],
                     ["throttle", "try", "--key", "k", "--limit", "1/1h"],
                     ["throttle", "try", "--store", self.store, "--key", "k", "--limit", "1/1x"],
                     ["throttle", "try", "--store", self.store, "--key", "k", "--limit", "x/1h"],
                     ["throttle", "try", "--store", self.store, "--key", "", "--limit", "1/1h"],
                     ["throttle", "try", "--store", self.store, "--key", "k" * 201,
                      "--limit", "1/1h"],
                     ["throttle", "try", "--store", self.store, "--key", "k", "--limit", "1/1h",
                      "--quantity", "0"],
                     ["throttle", "try", "--store", "ftp://x", "--key", "k", "--limit", "1/1h"],
                     ["throttle", "try", "--store", self.store, "--key", "k", "--limit", "1/1h",
                      "--on-failure", "maybe"]):
            r = run(*args)
            self.assertEqual(r.rc, 2, (args, r))

    def test_store_failure_exit_3(self):
        r = run("throttle", "try", "--store", "file:/nonexistent-dir/x/t.tbl", "--key", "k",
                "--limit", "1/1h")
        self.assertEqual(r.rc, 3, r)
        self.assertIn("store", r.err)
        # nothing listens on port 1; the password never shows
        r = run("throttle", "try", "--store", "redis://user:s3cr3tpw@127.0.0.1:1/0",
                "--key", "k", "--limit", "1/1h", "--json")
        self.assertEqual(r.rc, 3, r)
        self.assertNotIn("s3cr3tpw", r.out + r.err)
        self.assertIn("127.0.0.1", r.err)
        j = r.json()  # a script parsing stdout learns "not admitted" and why
        self.assertIs(j["admitted"], False)
        self.assertIsNone(j["retry_after_ms"])
        self.assertTrue(j["error"].startswith("MTAREP_E"), j)
        self.assertIn("127.0.0.1", j["message"])
        # fail open: admitted, degraded
        r = run("throttle", "try", "--store", "redis://:s3cr3tpw@127.0.0.1:1", "--key", "k",
                "--limit", "1/1h", "--on-failure", "open", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["degraded"], "open")
        self.assertNotIn("s3cr3tpw", r.out + r.err)

    def test_help_documents_guarantee(self):
        r = run("help", "throttle")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("at most N in ANY window", r.out)
        self.assertIn("B + floor(L/T)", r.out)


@unittest.skipUnless(os.environ.get("MTAREP_TEST_REDIS"), "needs MTAREP_TEST_REDIS")
class ThrottleRedis(unittest.TestCase):
    def test_try_budget_and_status(self):
        store = "redis://" + os.environ["MTAREP_TEST_REDIS"] + "/0"
        key = "cli-test:%d" % os.getpid()
        base = ["--store", store, "--key", key, "--limit", "2/1d"]
        self.assertEqual(run("throttle", "reset", *base).rc, 0)
        self.assertEqual(run("throttle", "try", *base).rc, 0)
        r = run("throttle", "try", *base, "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json()["remaining"], 0)
        self.assertEqual(r.json()["store"], store)
        r = run("throttle", "try", *base, "--json")
        self.assertEqual(r.rc, 1, r)
        self.assertGreater(r.json()["retry_after_ms"], 0)
        r = run("throttle", "status", *base)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(run("throttle", "reset", *base).rc, 0)
        self.assertEqual(run("throttle", "status", *base).rc, 0)


if __name__ == "__main__":
    unittest.main()
