"""examples/c, each built by the project and run here: against the static
demo zone, the loopback Knot and fault DNS servers, and policy requests
piped and sent over a socket. Paths come from the environment (ctest)."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("MTAREP_EXAMPLES_BIN", "")
SRC = os.environ.get("MTAREP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
KNOT = os.environ.get("MTAREP_TEST_KNOT")
FAULT = os.environ.get("MTAREP_TEST_FAULTDNS")
DEMO = os.path.join(SRC, "examples", "demo.zone")


def run(name, *args, stdin=None, timeout=30):
    return subprocess.run([os.path.join(BIN, name), *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def rcpt(n, state="RCPT"):
    return "".join(f"request=smtpd_access_policy\nprotocol_state={state}\n"
                   f"client_address=192.0.2.{i}\nrecipient=r{i}@example.test\n\n"
                   for i in range(n))


class TestDnsbl(unittest.TestCase):
    def test_demo_zone(self):
        r = run("dnsbl_check", "--zone-file", DEMO, "77.245.64.44", "zen.spamhaus.org",
                "bl.spamcop.net")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stdout, r"LISTED +zen\.spamhaus\.org +Listed by SBL and XBL")
        self.assertIn("not listed  bl.spamcop.net", r.stdout)

    @unittest.skipUnless(KNOT and FAULT, "needs the loopback servers")
    def test_knot_and_unknown(self):
        r = run("dnsbl_check", "--nameserver", KNOT, "192.0.2.99", "zen.dnsbl.test")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("LISTED", r.stdout)
        r = run("dnsbl_check", "--nameserver", KNOT, "192.0.2.1", "zen.dnsbl.test")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # SERVFAIL is "unknown" (exit 3), never "not listed"
        r = run("dnsbl_check", "--nameserver", FAULT, "192.0.2.1", "servfail.fault.test")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("unknown", r.stdout)

    def test_bad_input(self):
        r = run("dnsbl_check", "--zone-file", DEMO, "1.2.3")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not an IP address", r.stderr)


@unittest.skipUnless(KNOT and FAULT, "needs the loopback servers")
class TestSpf(unittest.TestCase):
    def test_pass_fail_temperror(self):
        r = run("spf_check", "--nameserver", KNOT, "192.0.2.7", "user@examples.test")
        self.assertEqual((r.returncode, r.stdout.split()[0]), (0, "spf=pass"), r.stderr)
        r = run("spf_check", "--nameserver", KNOT, "198.51.100.25", "user@examples.test")
        self.assertEqual(r.returncode, 0, r.stdout)          # via mx
        r = run("spf_check", "--nameserver", KNOT, "203.0.113.1", "user@examples.test")
        self.assertEqual((r.returncode, r.stdout.split()[0]), (1, "spf=fail"))
        r = run("spf_check", "--nameserver", FAULT, "192.0.2.7", "user@x.servfail.fault.test")
        self.assertEqual((r.returncode, r.stdout.split()[0]), (3, "spf=temperror"))
        r = run("spf_check", "--nameserver", KNOT, "300.1.1.1", "user@examples.test")
        self.assertEqual(r.returncode, 2)


class TestThrottledSend(unittest.TestCase):
    def test_paces_the_loop(self):
        t0 = time.monotonic()
        r = run("throttled_send", "8", "4/1s")
        dt = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("sent message"), 8)
        # burst 4 at once, then one per 250 ms: >= 1 s for the last 4
        self.assertGreaterEqual(dt, 0.9)
        self.assertLess(dt, 10)

    def test_deadline_and_shared_file_store(self):
        with tempfile.TemporaryDirectory() as d:
            store = f"file:{d}/t.tbl"
            r = run("throttled_send", "--store", store, "--deadline", "100", "3", "2/1h")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout.count("sent message"), 2)
            self.assertIn("stopped before message 3", r.stdout)
            # a second process sees the same budget: nothing left
            r = run("throttled_send", "--store", store, "--deadline", "100", "1", "2/1h")
            self.assertEqual((r.returncode, r.stdout.count("sent message")), (1, 0))


class TestPolicyService(unittest.TestCase):
    def test_piped_requests(self):
        # one plan day for ever: 50/day, 7/hour; only RCPT requests count
        today = time.strftime("%Y-%m-%d", time.gmtime())
        r = run("policy_warmup", "--start", today, "--schedule", "day 1 50/d 7/h",
                stdin=rcpt(2, "CONNECT") + rcpt(8))
        self.assertEqual(r.returncode, 0, r.stderr)
        replies = [b for b in r.stdout.split("\n\n") if b]
        self.assertEqual(len(replies), 10)
        self.assertEqual(replies[:9], ["action=DUNNO"] * 9)
        self.assertRegex(replies[9], r"^action=DEFER_IF_PERMIT 4\.7\.1 IP warm-up day 1: "
                                     r"50/day, 7/hour reached, retry in \d+ s$")
        r = run("policy_warmup", "--schedule", "day 3 50/d", stdin="")
        self.assertEqual(r.returncode, 2)
        self.assertIn("expected day", r.stderr)

    def test_garbage_is_refused(self):
        r = run("policy_warmup", stdin="no equals sign here\n\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not name=value", r.stderr)
        r = run("policy_warmup", stdin="a=" + "x" * 5000 + "\n\n")
        self.assertEqual(r.returncode, 1)

    def test_socket_service_shares_the_budget(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.Popen([os.path.join(BIN, "policy_warmup"), "--listen", "127.0.0.1:0",
                                  "--store", f"file:{d}/w.tbl"],
                                 stdout=subprocess.PIPE, text=True)
            try:
                line = p.stdout.readline()
                self.assertTrue(line.startswith("listening on 127.0.0.1:"), line)
                port = int(line.rsplit(":", 1)[1])
                replies = []
                for _ in range(2):             # two connections = two processes
                    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                        f = s.makefile("rw")
                        for i in range(4):
                            f.write(rcpt(1))
                            f.flush()
                            replies.append(f.readline().strip())
                            self.assertEqual(f.readline(), "\n")
                self.assertEqual(replies[:7], ["action=DUNNO"] * 7)
                self.assertTrue(replies[7].startswith("action=DEFER_IF_PERMIT 4.7.1"), replies[7])
            finally:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=10)


if __name__ == "__main__":
    unittest.main()
