"""Build the mtarep Python package against an installed libmtarep.

    pip install --no-build-isolation ./bindings/python

libmtarep is found with pkg-config (set PKG_CONFIG_PATH for a non-system
prefix); SWIG (>= 4.0) generates the extension mtarep.__capi from
bindings/python/mtarep_python.i and the shared bindings/*.i, and
bindings/gen_errors.py the exception classes (mtarep/_errors.py) from
bindings/errors.tsv and the installed <mtarep/errors.h>. Nothing is
downloaded. The module links the installed libmtarep.so; when that lives
outside the linker's default directories its libdir is recorded as RUNPATH,
so no LD_LIBRARY_PATH is needed.

Environment: PKG_CONFIG (default pkg-config), SWIG (default swig4.0/swig).
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
BIND = os.path.dirname(HERE)                       # bindings/: shared .i files, errors.tsv
SYSTEM_LIBDIRS = {"/usr/lib", "/usr/lib64", "/lib", "/lib64",
                  "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                  "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu"}


def fail(msg):
    sys.exit("mtarep setup.py: " + msg)


def pkgconfig(*args):
    exe = os.environ.get("PKG_CONFIG", "pkg-config")
    try:
        out = subprocess.run([exe, *args, "mtarep"], check=True, capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"{exe} not found (install pkg-config)")
    except subprocess.CalledProcessError as e:
        fail("libmtarep not found by pkg-config: install it first (cmake --install build) "
             "and set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig for a non-system prefix\n"
             + e.stderr.strip())
    return out.stdout.strip()


def swig_exe():
    for cand in (os.environ.get("SWIG"), "swig4.0", "swig"):
        if cand and shutil.which(cand):
            return cand
    fail("SWIG not found (Debian: apt-get install swig)")


if not os.path.exists(os.path.join(BIND, "mtarep.i")):
    fail(f"{BIND}/mtarep.i missing: build from a libmtarep source tree "
         "(pip install --no-build-isolation ./bindings/python)")

VERSION = pkgconfig("--modversion")
INCLUDEDIR = pkgconfig("--variable=includedir")
LIBDIR = pkgconfig("--variable=libdir")
CFLAGS = pkgconfig("--cflags").split()
LIBS = pkgconfig("--libs").split()


class BuildExt(build_ext):
    """SWIG and the error generator run here, into the build directories."""

    def run(self):
        gen = os.path.join(os.path.abspath(self.build_temp), "swig")
        pkg = os.path.join(os.path.abspath(self.build_lib), "mtarep")
        os.makedirs(gen, exist_ok=True)
        os.makedirs(pkg, exist_ok=True)
        wrap = os.path.join(gen, "mtarep_python_wrap.c")
        subprocess.run([swig_exe(), "-python", "-threads", "-builtin",
                        f"-I{INCLUDEDIR}", f"-I{BIND}", "-outdir", pkg,
                        "-module", "_capi", "-interface", "__capi",
                        "-o", wrap, os.path.join(HERE, "mtarep_python.i")], check=True)
        subprocess.run([sys.executable, os.path.join(BIND, "gen_errors.py"),
                        os.path.join(BIND, "errors.tsv"),
                        os.path.join(INCLUDEDIR, "mtarep", "errors.h"),
                        "--python", os.path.join(pkg, "_errors.py")], check=True)
        for ext in self.extensions:
            ext.sources = [wrap]
        super().run()


def extension():
    inc = [f[2:] for f in CFLAGS if f.startswith("-I")]
    other_cflags = [f for f in CFLAGS if not f.startswith("-I")]
    libdirs = [f[2:] for f in LIBS if f.startswith("-L")]
    libs = [f[2:] for f in LIBS if f.startswith("-l")]
    rpath = [] if os.path.realpath(LIBDIR) in SYSTEM_LIBDIRS else [LIBDIR]
    return Extension(
        "mtarep.__capi",
        sources=["mtarep_python.i"],            # replaced by the generated wrapper
        include_dirs=inc + [INCLUDEDIR],
        library_dirs=libdirs,
        libraries=libs,
        runtime_library_dirs=rpath,
        # The status out typemap reads arg1 as the context: make a misuse fatal.
        extra_compile_args=other_cflags + ["-Werror=incompatible-pointer-types"],
    )


setup(
    version=VERSION,
    packages=["mtarep"],
    package_data={"mtarep": ["py.typed", "*.pyi"]},
    ext_modules=[extension()],
    cmdclass={"build_ext": BuildExt},
)
