"""The throttled-send examples run offline and respect the budget; the PHP
one (when MTAREP_PHP and MTAREP_PHP_EXT are set) shares it with Python's."""
import os
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("MTAREP_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PY_EX = os.path.join(SRC, "examples", "python", "throttled_send.py")
PHP_EX = os.path.join(SRC, "examples", "php", "throttled_send.php")
PHP = os.environ.get("MTAREP_PHP")
PHP_EXT = os.environ.get("MTAREP_PHP_EXT")


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


class TestExamples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.store = "file:" + os.path.join(self.tmp.name, "t.tbl")
        self.outbox = os.path.join(self.tmp.name, "outbox.txt")

    def tearDown(self):
        self.tmp.cleanup()

    def run_py(self, *extra):
        p = subprocess.run([sys.executable, PY_EX, "--store", self.store, "--outbox", self.outbox,
                            *extra], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_python_example(self):
        out = self.run_py()
        self.assertIn("sent 5, deferred 3", out)
        self.assertEqual(len(lines(self.outbox)), 5)
        self.assertIn("message 6: deferred, retry after", out)
        # a second run finds the budget spent
        self.assertIn("sent 0, deferred 8", self.run_py())
        self.assertEqual(len(lines(self.outbox)), 5)

    def test_python_example_waits_for_pacing(self):
        out = self.run_py("--limit", "20/1s:1", "--messages", "4", "--deadline-ms", "2000")
        self.assertIn("sent 4, deferred 0", out)

    @unittest.skipUnless(PHP and PHP_EXT, "needs MTAREP_PHP and MTAREP_PHP_EXT")
    def test_php_example_shares_the_budget(self):
        def run_php(*extra):
            p = subprocess.run([PHP, "-d", "extension=" + PHP_EXT, PHP_EX, self.store,
                                self.outbox, *extra], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            return p.stdout
        self.assertIn("sent 3, deferred 0", run_php("3"))
        self.assertIn("sent 2, deferred 6", self.run_py())   # 5/1d: 3 went through PHP
        self.assertIn("sent 0, deferred 2", run_php("2"))
        self.assertEqual(len(lines(self.outbox)), 5)
        p = subprocess.run([PHP, "-d", "extension=" + PHP_EXT, PHP_EX], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
