"""Acceptance: a PHP process and a Python process share one budget in one
file store. Both hammer the same key concurrently with "50/1d" (burst 50:
no refill worth a unit during the run, T = 28.8 min), so exactly 50 units
pass in total, none more, none fewer; and a second key with "40/1d window"
(a sliding window: 40 at once on a fresh key, then nothing for a day), so
exactly 40. Needs MTAREP_PHP (php binary) and
MTAREP_PHP_EXT (the built mtarep.so); tests/python/CMakeLists.txt sets
them for the python_throttle_php test."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import mtarep

PHP = os.environ.get("MTAREP_PHP")
PHP_EXT = os.environ.get("MTAREP_PHP_EXT")

# Both workers: wait for the start time, then try one unit at a time for
# RUN seconds; print {"admitted", "attempts", "first", "last"} (wall clock).
PY_WORKER = r"""
import json, sys, time, mtarep
store, start, run = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
t = mtarep.Throttle(store, "50/1d")
w = mtarep.Throttle(store, "40/1d window")
while time.time() < start: time.sleep(0.001)
adm = att = wadm = 0; first = time.time()
while time.time() < start + run:
    att += 1
    if t.try_acquire("shared:192.0.2.1"): adm += 1
    if w.try_acquire("shared:192.0.2.1"): wadm += 1
print(json.dumps({"admitted": adm, "window": wadm, "attempts": att, "first": first,
                  "last": time.time()}))
"""
PHP_WORKER = r"""
[$store, $start, $run] = [$argv[1], (float)$argv[2], (float)$argv[3]];
$t = new MtarepThrottle($store, "50/1d");
$w = new MtarepThrottle($store, "40/1d window");
while (microtime(true) < $start) usleep(1000);
$adm = $att = $wadm = 0; $first = microtime(true);
while (microtime(true) < $start + $run) {
    $att++;
    if ($t->try_acquire("shared:192.0.2.1", 1)["admitted"]) $adm++;
    if ($w->try_acquire("shared:192.0.2.1", 1)["admitted"]) $wadm++;
}
echo json_encode(["admitted" => $adm, "window" => $wadm, "attempts" => $att, "first" => $first,
                  "last" => microtime(true)]), "\n";
"""


@unittest.skipUnless(PHP and PHP_EXT, "needs MTAREP_PHP and MTAREP_PHP_EXT")
class TestSharedBudget(unittest.TestCase):
    def test_php_and_python_share_exactly_one_budget(self):
        with tempfile.TemporaryDirectory() as d:
            store = "file:" + os.path.join(d, "shared.tbl")
            start, run = time.time() + 3.0, 2.0  # margin for interpreter start-up on a busy machine
            args = [store, repr(start), repr(run)]
            procs = [
                subprocess.Popen([sys.executable, "-c", PY_WORKER] + args,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE),
                subprocess.Popen([PHP, "-d", "extension=" + PHP_EXT, "-r", PHP_WORKER] + args,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE),
            ]
            res = []
            for p in procs:
                out, err = p.communicate(timeout=60)
                self.assertEqual(p.returncode, 0, err.decode())
                res.append(json.loads(out))
            py, php = res
            # both really ran at the same time, and many times over the budget
            self.assertLess(max(py["first"], php["first"]), min(py["last"], php["last"]), res)
            self.assertGreater(py["attempts"], 100, res)
            self.assertGreater(php["attempts"], 100, res)
            self.assertEqual(py["admitted"] + php["admitted"], 50, res)
            self.assertEqual(py["window"] + php["window"], 40, res)
            # and the store agrees: nothing left
            self.assertEqual(mtarep.Throttle(store, "50/1d").status("shared:192.0.2.1").remaining, 0)
            self.assertEqual(
                mtarep.Throttle(store, "40/1d window").status("shared:192.0.2.1").remaining, 0)


if __name__ == "__main__":
    unittest.main()
