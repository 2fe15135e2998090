"""mtarep.Throttle and mtarep.warmup_plan: exact budgets on file and memory
stores, acquire's waiting and deadline, slot()/limit(), threads sharing one
object (GIL released while waiting), failure modes, Redis when available."""
import os
import tempfile
import threading
import time
import unittest

import mtarep


class TmpStore(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.store = "file:" + os.path.join(self.tmp.name, "t.tbl")

    def tearDown(self):
        self.tmp.cleanup()


class TestThrottle(TmpStore):
    def test_exact_budget_and_decision(self):
        t = mtarep.Throttle(self.store, "3/1d")
        got = [t.try_acquire("ip:192.0.2.1") for _ in range(5)]
        self.assertEqual([bool(d) for d in got], [True, True, True, False, False])
        self.assertEqual([d.remaining for d in got[:3]], [2, 1, 0])
        d = got[3]
        self.assertFalse(d.admitted)
        self.assertTrue(0 < d.retry_after_ms <= 8 * 3600 * 1000, d)
        self.assertEqual(d.degraded, "none")
        self.assertEqual(d.limits[0]["limit"], "3/1d")
        self.assertTrue(d.limits[0]["blocking"])
        self.assertEqual(set(d.to_dict()), {"admitted", "retry_after_ms", "remaining",
                                            "degraded", "message", "status", "limits"})
        # a second object on the same file sees the same budget
        t2 = mtarep.Throttle(self.store, ["3/1d"])
        self.assertFalse(t2.try_acquire("ip:192.0.2.1"))
        self.assertTrue(t2.try_acquire("ip:192.0.2.2"))
        self.assertEqual(t2.store, self.store)

    def test_window_limit(self):
        # at most 4 in any 10 s, 4 at once; with pacing of burst 2 on the same key
        t = mtarep.Throttle(self.store, "4/10s window")
        self.assertTrue(t.try_acquire("w", 4))
        d = t.try_acquire("w", 1)
        self.assertFalse(d)
        # released 10 s (+ at most 10/15 s) after the 4 were sent
        self.assertTrue(9000 < d.retry_after_ms <= 10667, d)
        self.assertEqual(d.limits[0]["limit"], "4/10s window")
        self.assertEqual(t.try_acquire("w", 5).status, "never")  # above N
        both = mtarep.Throttle(self.store, ["4/10s window", "4/10s:2"])
        self.assertTrue(both.try_acquire("p", 2))
        d = both.try_acquire("p", 1)
        self.assertEqual([l["blocking"] for l in d.limits], [False, True])
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle(self.store, "4/10s window:2")

    def test_several_limits_all_or_nothing(self):
        t = mtarep.Throttle(self.store, ["5/1h", "7/1d"])
        self.assertTrue(t.try_acquire("k", 5))
        d = t.try_acquire("k", 1)
        self.assertFalse(d)
        self.assertEqual([l["blocking"] for l in d.limits], [True, False])
        # the refused request was not counted against the day limit
        self.assertEqual(t.status("k").limits[1]["remaining"], 2)

    def test_quantity_above_burst_never_passes(self):
        t = mtarep.Throttle(self.store, "100/1d:10")
        d = t.try_acquire("k", 11)
        self.assertFalse(d)
        self.assertEqual((d.retry_after_ms, d.status), (-1, "never"))
        with self.assertRaises(mtarep.LimitExceeded):
            t.acquire("k", 11, deadline_ms=1000)

    def test_acquire_waits_then_deadline(self):
        t = mtarep.Throttle(self.store, "20/1s:1")  # one unit every 50 ms
        t0 = time.monotonic()  # before the first: a slow first call must not eat the wait
        self.assertTrue(t.acquire("p"))
        self.assertTrue(t.acquire("p", deadline_ms=2000))
        self.assertGreaterEqual(time.monotonic() - t0, 0.04)  # 50 ms less ms rounding
        t1 = mtarep.Throttle(self.store, "1/1d")
        t1.try_acquire("q")
        t0 = time.monotonic()
        with self.assertRaises(mtarep.Throttled) as cm:
            t1.acquire("q", deadline_ms=5000)
        self.assertLess(time.monotonic() - t0, 1.0)  # refused at once, no vain sleep
        self.assertGreater(cm.exception.decision.retry_after_ms, 5000)
        self.assertIsInstance(cm.exception, mtarep.TempFail)

    def test_slot_and_decorator(self):
        t = mtarep.Throttle(self.store, "2/1d", deadline_ms=0)
        sent = []
        with t.slot("s", quantity=2) as d:
            sent.append("a")
            self.assertTrue(d.admitted)
        with self.assertRaises(mtarep.Throttled):
            with t.slot("s"):
                sent.append("never")
        self.assertEqual(sent, ["a"])

        @t.limit(lambda to, rcpts: "dom:" + to.split("@")[1], quantity=lambda to, rcpts: rcpts)
        def send(to, rcpts):
            sent.append(to)
            return rcpts
        self.assertEqual(send("x@example.org", 2), 2)
        with self.assertRaises(mtarep.Throttled):
            send("y@example.org", 1)
        self.assertEqual(send("z@example.net", 1), 1)
        self.assertEqual(sent, ["a", "x@example.org", "z@example.net"])
        self.assertEqual(send.__name__, "send")

    def test_threads_share_one_budget(self):
        t = mtarep.Throttle(self.store, "50/1d")
        admitted = []
        lock = threading.Lock()

        def worker():
            n = sum(1 for _ in range(40) if t.try_acquire("shared"))
            with lock:
                admitted.append(n)
        ths = [threading.Thread(target=worker) for _ in range(4)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        self.assertEqual(sum(admitted), 50)

    def test_gil_released_while_waiting(self):
        t = mtarep.Throttle(self.store, "2/1s:1")  # the second acquire waits ~500 ms
        t.acquire("g")
        ticks = []
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.01)
        th = threading.Thread(target=ticker)
        th.start()
        try:
            t0 = time.monotonic()
            t.acquire("g", deadline_ms=3000)
            waited = time.monotonic() - t0
        finally:
            stop.set()
            th.join()
        self.assertGreater(waited, 0.3)
        self.assertGreater(len(ticks), 10, "the other thread did not run during the wait")

    def test_reset_and_close(self):
        t = mtarep.Throttle(self.store, "1/1d")
        self.assertTrue(t.try_acquire("r"))
        self.assertFalse(t.status("r").admitted)
        t.reset("r")
        self.assertTrue(t.status("r").admitted)
        with t:
            pass
        with self.assertRaises(mtarep.InvalidInput):
            t.try_acquire("r")

    def test_bad_arguments(self):
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle(self.store, "1/1x")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle(self.store, [])
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle(self.store, "1/1h,2/1d")  # one limit per item
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle("ftp://x", "1/1h")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.Throttle(self.store, "1/1h", on_failure="maybe")
        with self.assertRaises(mtarep.IOFailure):
            mtarep.Throttle("file:/nonexistent-dir/x/y.tbl", "1/1h")
        t = mtarep.Throttle(self.store, "1/1h")
        with self.assertRaises(mtarep.InvalidInput):
            t.try_acquire("")
        with self.assertRaises(mtarep.InvalidInput):
            t.try_acquire("k" * 201)
        with self.assertRaises(mtarep.InvalidInput):
            t.try_acquire("k", 0)
        with self.assertRaises(TypeError):
            t.try_acquire("k", 1.5)
        with self.assertRaises(TypeError):
            t.try_acquire(b"k")

    def test_failure_modes_without_redis(self):
        dead = "redis://user:pw-s3cret@127.0.0.1:1/0"
        closed = mtarep.Throttle(dead, "1/1h", timeout_ms=200)
        with self.assertRaises(mtarep.TempFail) as cm:
            closed.try_acquire("k")
        self.assertNotIn("pw-s3cret", str(cm.exception))
        self.assertNotIn("pw-s3cret", repr(closed))
        opened = mtarep.Throttle(dead, "1/1h", on_failure="open", timeout_ms=200)
        d = opened.try_acquire("k")
        self.assertTrue(d.admitted)
        self.assertEqual(d.degraded, "open")
        local = mtarep.Throttle(dead, "1/1h", on_failure="local", timeout_ms=200)
        self.assertEqual(local.try_acquire("k").degraded, "local")
        self.assertFalse(local.try_acquire("k").admitted)  # the fallback enforces the limit


@unittest.skipUnless(os.environ.get("MTAREP_TEST_REDIS"), "needs MTAREP_TEST_REDIS")
class TestThrottleRedis(unittest.TestCase):
    def test_budget(self):
        t = mtarep.Throttle("redis://" + os.environ["MTAREP_TEST_REDIS"], "4/1d")
        key = "py-test:%d" % os.getpid()
        t.reset(key)
        self.assertEqual(sum(1 for _ in range(10) if t.try_acquire(key)), 4)
        t.reset(key)
        self.assertTrue(t.status(key).admitted)


class TestWarmupPlan(unittest.TestCase):
    def test_presets(self):
        p = mtarep.warmup_plan()
        self.assertEqual(len(p), 21)
        self.assertEqual(p[0], {"day": 1, "date": None, "daily": 50, "hourly": 7})
        self.assertEqual(p[-1]["daily"], 1000)
        sg = mtarep.warmup_plan("sendgrid")
        self.assertEqual(len(sg), 42)
        self.assertEqual((sg[0]["hourly"], sg[0]["daily"]), (20, 480))
        self.assertEqual(len(mtarep.warmup_plan(preset="sparkpost")), 29)

    def test_start_and_days(self):
        import datetime
        p = mtarep.warmup_plan(preset="mailtrap", start=datetime.date(2026, 2, 27), days=30)
        self.assertEqual(len(p), 30)
        self.assertEqual([d["date"] for d in p[:3]], ["2026-02-27", "2026-02-28", "2026-03-01"])
        self.assertEqual(p[29]["daily"], p[20]["daily"])  # past the end: last day's caps
        self.assertEqual(mtarep.warmup_plan(start="2026-01-01", days=1)[0]["date"], "2026-01-01")

    def test_schedule(self):
        p = mtarep.warmup_plan(schedule="spread 10\nday 1 100/d\nday 2 200/d 50/h")
        self.assertEqual([(d["daily"], d["hourly"]) for d in p], [(100, 10), (200, 50)])

    def test_errors(self):
        with self.assertRaises(mtarep.NotFound):
            mtarep.warmup_plan("nope")
        with self.assertRaises(mtarep.ParseError):
            mtarep.warmup_plan(schedule="day one")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.warmup_plan(start="2026-13-40")
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.warmup_plan(days=0)
        with self.assertRaises(mtarep.InvalidInput):
            mtarep.warmup_plan("mtarep", schedule="day 1 5/d")


if __name__ == "__main__":
    unittest.main()
