"""The Pythonic layer: result objects, verdict enums, exceptions from
errors.tsv, type hints and stubs, docstrings (offline)."""
import ast
import enum
import inspect
import json
import os
import typing
import unittest

import mtarep
from mtarep import _capi, _results

ZONE = """
$TTL 300
example.test.                 TXT "v=spf1 ip4:192.0.2.0/24 -all"
mail._domainkey.example.test. TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
_dmarc.example.test.          TXT "v=DMARC1; p=reject; rua=mailto:d@example.test"
"""
PKG = os.path.dirname(mtarep.__file__)
SRC = os.environ.get("MTAREP_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))


class TestResults(unittest.TestCase):
    def setUp(self):
        self.ctx = mtarep.Context(zone_text=ZONE)

    def tearDown(self):
        self.ctx.close()

    def test_spf_object_enum_and_dict(self):
        r = self.ctx.spf_check("192.0.2.7", "a@example.test")
        self.assertIsInstance(r, mtarep.SpfResult)
        self.assertIs(r.result, mtarep.SpfVerdict.PASS)
        self.assertTrue(r)
        self.assertEqual(r.result, "pass")            # str enum: equal to its value
        self.assertEqual(r["result"], "pass")         # dict-style access still works
        self.assertIsInstance(r.tree[0], mtarep.SpfNode)
        self.assertEqual(r.tree[0].domain, "example.test")
        d = r.to_dict()
        self.assertEqual(type(d["result"]), str)
        self.assertEqual(type(d["tree"]), list)
        self.assertEqual(type(d["tree"][0]), dict)
        json.dumps(d)
        fail = self.ctx.spf_check("203.0.113.1", "a@example.test")
        self.assertIs(fail.result, mtarep.SpfVerdict.FAIL)
        self.assertFalse(fail)

    def test_dkim_dmarc(self):
        k = self.ctx.dkim_fetch("example.test", "mail")
        self.assertIsInstance(k, mtarep.DkimKey)
        self.assertIs(k.verdict, mtarep.Verdict.VALID)
        self.assertEqual((k.key_type, k.key_bits), ("ed25519", 256))
        self.assertIs(self.ctx.dkim_fetch("example.test", "none").verdict, mtarep.Verdict.NONE)
        d = self.ctx.dkim_discover("example.test", ["mail", "x"])
        self.assertIsInstance(d, mtarep.DkimDiscovery)
        self.assertEqual([s.selector for s in d.selectors], ["mail", "x"])
        p = self.ctx.dmarc_fetch("example.test")
        self.assertIsInstance(p, mtarep.DmarcPolicy)
        self.assertEqual((p.policy, p.rule), ("reject", "exact"))
        bad = self.ctx.dkim_validate("v=DKIM1; k=rsa; p=!!")
        self.assertIs(bad.verdict, mtarep.Verdict.INVALID)
        self.assertIsInstance(bad.problems[0], mtarep.Problem)
        self.assertIsInstance(bad.problems[0].severity, mtarep.Severity)
        json.dumps([k.to_dict(), d.to_dict(), p.to_dict(), bad.to_dict()])

    def test_module_level_results(self):
        r = mtarep.classify("554 5.7.1 blocked using zen.spamhaus.org")
        self.assertIs(r.category, mtarep.ReplyCategory.BLOCKLIST)
        plan = mtarep.warmup_plan(days=2)
        self.assertIsInstance(plan[0], mtarep.WarmupDay)
        self.assertEqual(plan[0].day, 1)
        log = os.path.join(SRC, "tests", "data", "logs", "postfix-sample.log")
        rep = mtarep.logscan(log)
        self.assertIsInstance(rep, mtarep.LogscanReport)
        self.assertIsInstance(rep.totals, mtarep.LogCounts)
        self.assertEqual(rep.totals.sent, 23)
        self.assertAlmostEqual(rep.totals.bounce_rate, 100 * 4 / 27)
        self.assertIsInstance(rep.domains["example.com"], mtarep.LogCounts)
        t = mtarep.Throttle("memory:", "1/1h")
        d = t.try_acquire("k")
        self.assertIs(d.status, mtarep.ThrottleStatus.OK)
        self.assertIs(d.degraded, mtarep.Degraded.NONE)
        self.assertIsInstance(d.limits[0], mtarep.ThrottleLimit)
        self.assertFalse(t.try_acquire("k"))

    def test_unknown_keys_and_values_are_kept(self):
        # a newer C layer may add keys or enum values: never lose them
        r = mtarep.DnsblResult({"query": "q", "zone": "z", "status": "brand_new", "codes": [],
                                "meanings": [], "extra_field": 7})
        self.assertEqual(r.status, "brand_new")
        self.assertEqual(r.extra_field, 7)
        self.assertEqual(r.to_dict()["extra_field"], 7)
        self.assertIsNone(r.txt)
        with self.assertRaises(AttributeError):
            r.nothing_like_this
        with self.assertRaises(KeyError):
            r["nothing_like_this"]

    def test_every_result_class_documented(self):
        for name in _results.__all__:
            cls = getattr(mtarep, name, None) or getattr(_results, name)
            self.assertTrue(inspect.getdoc(cls), name)
            if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls is not _results.StrEnum:
                self.assertTrue(issubclass(cls, str), name)


class TestErrors(unittest.TestCase):
    def test_hierarchy_from_table(self):
        for cls in (mtarep.TempFail, mtarep.InvalidInput, mtarep.AuthError,
                    mtarep.RateLimited, mtarep.Timeout, mtarep.ParseError):
            self.assertTrue(issubclass(cls, mtarep.Error), cls)
        self.assertTrue(issubclass(mtarep.RateLimited, mtarep.TempFail))
        self.assertIs(mtarep.RateLimited, mtarep.Throttled)
        self.assertTrue(issubclass(mtarep.InvalidInput, ValueError))
        # rows of errors.tsv <-> classes
        rows = [l.split("\t") for l in open(os.path.join(SRC, "bindings", "errors.tsv"))
                if l.strip() and not l.startswith("#")]
        self.assertTrue(rows)
        for f in rows:
            cls = getattr(mtarep, f[2].strip())
            self.assertEqual(cls.code, int(f[0]))
            self.assertEqual(cls("x").name, f[1].strip())

    def test_raised_with_code_and_message(self):
        with self.assertRaises(mtarep.InvalidInput) as cm:
            mtarep.Context(zone_text=ZONE).rdns_check("300.1.1.1")
        self.assertEqual(cm.exception.code, _capi.MTAREP_EINVAL)
        self.assertTrue(cm.exception.message)


class TestTyping(unittest.TestCase):
    def test_py_typed_and_stub_installed(self):
        self.assertTrue(os.path.exists(os.path.join(PKG, "py.typed")))
        self.assertTrue(os.path.exists(os.path.join(PKG, "_capi.pyi")))

    def test_stub_covers_raw_module(self):
        tree = ast.parse(open(os.path.join(PKG, "_capi.pyi")).read())
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
                if isinstance(node, ast.ClassDef):
                    names |= {f"{node.name}.{m.name}" for m in node.body
                              if isinstance(m, ast.FunctionDef)}
            elif isinstance(node, ast.AnnAssign):
                names.add(node.target.id)
        public = set()
        for n in dir(_capi):
            if n.startswith("_") or n.startswith("SWIG") or n == "MTAREP_ERRORS":
                continue
            o = getattr(_capi, n)
            public.add(n)
            if isinstance(o, type):
                public |= {f"{n}.{m}" for m in vars(o)
                           if not m.startswith("_") and m not in ("this", "thisown")}
        self.assertEqual(sorted(public - names), [], "missing from _capi.pyi")
        # and the other way: the stub names nothing the module lacks
        extra = [n for n in names - public if not n.split(".")[-1].startswith("_")]
        self.assertEqual(sorted(extra), [], "in _capi.pyi but not in the module")

    def test_public_api_annotated_and_documented(self):
        for name in mtarep.__all__:
            obj = getattr(mtarep, name)
            if inspect.isfunction(obj):
                funcs = [(name, obj)]
            elif inspect.isclass(obj) and obj.__module__ == "mtarep":
                funcs = [(f"{name}.{m}", f) for m, f in vars(obj).items()
                         if inspect.isfunction(f) and not m.startswith("_")]
            else:
                continue
            for qual, f in funcs:
                self.assertTrue(inspect.getdoc(f), f"{qual}: no docstring")
                hints = typing.get_type_hints(f)
                self.assertIn("return", hints, f"{qual}: no return annotation")


if __name__ == "__main__":
    unittest.main()
