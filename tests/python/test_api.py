"""Module surface: version, default zones, the generated exception classes."""
import pickle
import re
import unittest

import mtarep
from mtarep import _capi, _errors


class TestModule(unittest.TestCase):
    def test_version(self):
        v = mtarep.version()
        self.assertRegex(v, r"^\d+\.\d+\.\d+$")
        self.assertEqual(mtarep.__version__, v)
        major, minor, patch = (int(x) for x in v.split("."))
        self.assertEqual(mtarep.version_num(), (major << 16) | (minor << 8) | patch)

    def test_default_zones(self):
        zones = mtarep.default_zones()
        self.assertIsInstance(zones, list)
        self.assertGreater(len(zones), 0)
        for z in zones:
            self.assertIsInstance(z, str)
            self.assertRegex(z, r"^[a-z0-9.-]+\.[a-z]+$")
        self.assertEqual(len(set(zones)), len(zones), "duplicate default zones")

    def test_raw_module_stays_private(self):
        for name in mtarep.__all__:
            self.assertFalse(name.startswith("_"), name)
            self.assertTrue(hasattr(mtarep, name), name)
        self.assertNotIn("_capi", mtarep.__all__)
        self.assertTrue(mtarep._capi.__name__.startswith("mtarep."))

    def test_uninitialised_raw_context_is_refused_not_a_crash(self):
        c = _capi.Context.__new__(_capi.Context)
        with self.assertRaises(TypeError):
            c.rdns_check("192.0.2.10", None)
        with self.assertRaises(TypeError):
            c.dnsbl_check(["192.0.2.10"], None, True, True)

    def test_strerror(self):
        self.assertEqual(mtarep.strerror(0), "success")
        self.assertNotEqual(mtarep.strerror(-4), mtarep.strerror(-5))
        self.assertEqual(mtarep.strerror(-999), "unknown error")

    def test_rdns_name_is_generic(self):
        self.assertTrue(mtarep.rdns_name_is_generic("host-192-0-2-20.dyn.example.test", "192.0.2.20"))
        self.assertFalse(mtarep.rdns_name_is_generic("mail.example.test", "192.0.2.10"))
        with self.assertRaises(TypeError):
            mtarep.rdns_name_is_generic(None, "192.0.2.10")


class TestErrors(unittest.TestCase):
    EXPECTED = {  # the names for the C codes
        -1: "Error", -2: "OutOfMemory", -3: "InvalidInput", -4: "Timeout", -5: "TempFail",
        -6: "NotFound", -7: "ParseError", -8: "LimitExceeded", -9: "Blocked",
        -10: "HttpError", -11: "Throttled", -12: "Cancelled", -13: "IOFailure",
        -14: "AuthError", -15: "TLSError", -16: "VersionError", -17: "ConfigError",
    }

    def test_one_class_per_code(self):
        for code, name in self.EXPECTED.items():
            cls = getattr(mtarep, name)
            self.assertTrue(issubclass(cls, mtarep.Error), name)
            self.assertEqual(cls.code, code, name)
            self.assertIs(_errors._BY_CODE[code], cls)
            # the table agrees with the C header's constants and names
            c_name = _capi.error_name(code)
            self.assertEqual(getattr(_capi, c_name), code)
            self.assertEqual(cls(message="x").name, c_name)

    def test_hierarchy(self):
        self.assertTrue(issubclass(mtarep.Error, Exception))
        self.assertTrue(issubclass(mtarep.Timeout, mtarep.TempFail))
        self.assertTrue(issubclass(mtarep.Throttled, mtarep.TempFail))
        self.assertFalse(issubclass(mtarep.NotFound, mtarep.TempFail))
        self.assertTrue(issubclass(mtarep.InvalidInput, ValueError))
        self.assertFalse(hasattr(mtarep, "IOError_"))

    def test_instance_attributes(self):
        e = _errors._from_code(-4, "timeout after 2 tries to 127.0.0.1:53")
        self.assertIsInstance(e, mtarep.Timeout)
        self.assertEqual(e.code, -4)
        self.assertEqual(e.message, "timeout after 2 tries to 127.0.0.1:53")
        self.assertEqual(str(e), e.message)
        self.assertEqual(e.name, "MTAREP_ETIMEOUT")
        again = pickle.loads(pickle.dumps(e))
        self.assertIs(type(again), mtarep.Timeout)
        self.assertEqual((again.code, again.message), (e.code, e.message))

    def test_unknown_code_is_base_error(self):
        e = _errors._from_code(-1000, "from a newer library")
        self.assertIs(type(e), mtarep.Error)
        self.assertEqual(e.code, -1000)
        self.assertTrue(re.match(r"^MTAREP_", e.name))


if __name__ == "__main__":
    unittest.main()
