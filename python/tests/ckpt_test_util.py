"""Helpers shared by the python/tests modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT / "tests") not in sys.path:
    sys.path.append(str(REPO_ROOT / "tests"))
from pytest_support import TESTDATA, testdata  # noqa: E402,F401 (re-exported for the test modules)


def import_or_skip(name: str):
    """pytest.importorskip with a reason that says what to install."""
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install {name})")


def python_env() -> dict:
    """Environment for a subprocess that must import the same ckpt (sys.path as here)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def run_python(code_or_script, *args, timeout=900) -> subprocess.CompletedProcess:
    cmd = [sys.executable]
    cmd += [str(code_or_script)] if isinstance(code_or_script, Path) else ["-c", code_or_script]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          env=python_env())


class DLPackOnly:
    """An array seen only through the DLPack protocol (no buffer, no __array__):
    ckpt reaches it through np.from_dlpack, as a framework tensor it has no adapter for."""

    def __init__(self, a):
        self.a = a

    def __dlpack__(self, **kw):
        return self.a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()
