"""PEP 517 backend of the mtarep package: setuptools' own, plus a wheel
writer for interpreters that lack the `wheel` package.

pip --no-build-isolation uses the interpreter's setuptools as is and
nothing may be downloaded; setuptools < 70 needs `wheel` for bdist_wheel
(pyenv builds, for instance, ship setuptools without it). Then this module
runs `setup.py build` and writes the wheel itself (PEP 427: the built
package, METADATA from egg_info, WHEEL, RECORD).
"""
import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403

try:
    import wheel  # noqa: F401
    _HAVE_WHEEL = True
except ImportError:
    _HAVE_WHEEL = False

_HERE = os.path.dirname(os.path.abspath(__file__))


def _record_line(root, rel):
    data = open(os.path.join(root, rel), "rb").read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{rel},sha256={digest},{len(data)}"


def _build_wheel_without_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "lib")
        subprocess.run([sys.executable, "setup.py", "-q", "build", "--build-base",
                        os.path.join(tmp, "build"), "--build-lib", lib,
                        "egg_info", "--egg-base", tmp], cwd=_HERE, check=True)
        pkg_info = open(os.path.join(tmp, "mtarep.egg-info", "PKG-INFO"), encoding="utf-8").read()
        version = next(l.split(":", 1)[1].strip() for l in pkg_info.splitlines()
                       if l.startswith("Version:"))
        tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
        plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        dist_info = f"mtarep-{version}.dist-info"
        os.makedirs(os.path.join(lib, dist_info))
        files = {
            "METADATA": pkg_info,
            "WHEEL": (f"Wheel-Version: 1.0\nGenerator: mtarep _mtarep_build\n"
                      f"Root-Is-Purelib: false\nTag: {tag}-{tag}-{plat}\n"),
            "top_level.txt": "mtarep\n",
        }
        for name, text in files.items():
            with open(os.path.join(lib, dist_info, name), "w", encoding="utf-8") as f:
                f.write(text)
        rels = sorted(os.path.relpath(os.path.join(r, f), lib)
                      for r, _, fs in os.walk(lib) for f in fs
                      if "__pycache__" not in r)
        record = os.path.join(dist_info, "RECORD")
        with open(os.path.join(lib, record), "w", encoding="utf-8") as f:
            f.write("".join(_record_line(lib, r) + "\n" for r in rels) + f"{record},,\n")
        whl = f"mtarep-{version}-{tag}-{tag}-{plat}.whl"
        with zipfile.ZipFile(os.path.join(wheel_directory, whl), "w", zipfile.ZIP_DEFLATED) as z:
            for rel in rels + [record]:
                z.write(os.path.join(lib, rel), rel)
        return whl


if not _HAVE_WHEEL:
    # setuptools' metadata hook needs bdist_wheel too: without it, pip takes
    # the metadata from the wheel built here.
    del prepare_metadata_for_build_wheel  # noqa: F821

    def get_requires_for_build_wheel(config_settings=None):
        return []

    build_wheel = _build_wheel_without_wheel
else:
    build_wheel = _setuptools.build_wheel
