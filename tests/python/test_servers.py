"""Against the loopback servers of the ctest fixture "servers": Knot serves
tests/servers/zones/bind.test.zone, faultdns.py answers by qname label
(servfail, timeout, garbage, ...). Skipped only when run outside ctest."""
import os
import threading
import time
import unittest

import mtarep

KNOT = os.environ.get("MTAREP_TEST_KNOT")
FAULT = os.environ.get("MTAREP_TEST_FAULTDNS")


@unittest.skipUnless(KNOT, "MTAREP_TEST_KNOT not set (run through ctest)")
class TestKnot(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(nameservers=[KNOT], timeout_ms=1000, retries=1)

    def tearDown(self):
        self.ctx.close()

    def test_dnsbl(self):
        res = self.ctx.dnsbl_check(["192.0.2.10", "192.0.2.20"], zones=["bl.bind.test"])
        self.assertEqual([str(r.status) for r in res], ["listed", "not_listed"])
        self.assertEqual(res[0].codes, ("127.0.0.4",))
        self.assertEqual(res[0].txt, "192.0.2.10 listed by the bindings test")

    def test_dns_lookup(self):
        self.assertEqual(self.ctx.dns_lookup("mail.bind.test", "A"), ["192.0.2.10"])
        self.assertEqual(self.ctx.dns_lookup("mail.bind.test", "AAAA"), ["2001:db8::10"])
        self.assertEqual(self.ctx.dns_lookup("note.bind.test", "TXT"), ['"hello from knot"'])
        self.assertEqual(self.ctx.dns_lookup("bind.test", "MX"), ["10 mail.bind.test."])
        self.assertEqual(self.ctx.dns_lookup("absent.bind.test", "A"), [])


@unittest.skipUnless(FAULT, "MTAREP_TEST_FAULTDNS not set (run through ctest)")
class TestFaults(unittest.TestCase):
    def ctx(self, timeout_ms=300):
        return mtarep.Context(nameservers=[FAULT], timeout_ms=timeout_ms, retries=0)

    def test_servfail_zone_is_error_never_not_listed(self):
        with self.ctx() as ctx:
            for zone in ("servfail.fault.test", "garbage.fault.test", "refused.fault.test"):
                (r,) = ctx.dnsbl_check(["192.0.2.10"], zones=[zone])
                self.assertEqual(r.status, mtarep.DnsblStatus.ERROR, zone)
                self.assertTrue(r.error, zone)
                self.assertLess(r.error_code, 0, zone)

    def test_timeout_zone_is_error(self):
        with self.ctx(timeout_ms=200) as ctx:
            (r,) = ctx.dnsbl_check(["192.0.2.10"], zones=["timeout.fault.test"])
            self.assertEqual(r.status, "error")

    def test_lookup_errors_raise(self):
        with self.ctx() as ctx:
            with self.assertRaises(mtarep.Timeout) as cm:
                ctx.dns_lookup("x.timeout.fault.test", "A")
            self.assertEqual(cm.exception.code, -4)
            self.assertIsInstance(cm.exception, mtarep.TempFail)
            self.assertTrue(cm.exception.message)
            with self.assertRaises(mtarep.TempFail) as cm:
                ctx.dns_lookup("x.servfail.fault.test", "A")
            self.assertEqual(cm.exception.code, -5)
            self.assertNotIsInstance(cm.exception, mtarep.Timeout)
            with self.assertRaises(mtarep.ParseError):
                ctx.dns_lookup("x.garbage.fault.test", "A")
            # a healthy answer from the same server still works
            self.assertEqual(ctx.dns_lookup("ok.fault.test", "A"), ["127.0.0.2"])

    def test_gil_released_while_waiting(self):
        # While one thread waits 600 ms for a timeout, this one keeps running;
        # with the GIL held it would stall for the whole wait.
        done = threading.Event()
        errors = []

        def wait_for_timeout():
            try:
                with self.ctx(timeout_ms=600) as ctx:
                    ctx.dns_lookup("gil.timeout.fault.test", "A")
            except mtarep.Timeout:
                pass
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
            finally:
                done.set()

        t = threading.Thread(target=wait_for_timeout)
        start = last = time.monotonic()
        max_gap = 0.0
        t.start()
        while not done.is_set():
            now = time.monotonic()
            max_gap = max(max_gap, now - last)
            last = now
            time.sleep(0.005)
        t.join()
        self.assertEqual(errors, [])
        self.assertGreaterEqual(time.monotonic() - start, 0.5, "the lookup did not wait")
        self.assertLess(max_gap, 0.3, "main thread stalled: GIL held during the DNS wait")


if __name__ == "__main__":
    unittest.main()
