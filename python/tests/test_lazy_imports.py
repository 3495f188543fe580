"""`import ckpt` stays cheap: ml_dtypes is imported only when a dtype needs it."""

import subprocess
import sys

import pytest
from ckpt_test_util import python_env


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=python_env()).stdout.split()


def test_import_ckpt_does_not_import_ml_dtypes():
    out = _run("import sys, numpy as np, ckpt\n"
               "ckpt.dtypes.as_dtype(np.float32); ckpt.dtypes.float32.as_numpy_dtype\n"
               "print('ml_dtypes' in sys.modules)")
    assert out == ["False"]


def test_ml_dtypes_loaded_on_first_need():
    pytest.importorskip("ml_dtypes", reason="ml_dtypes not installed (the test extra installs it)")
    out = _run("import sys, ckpt\n"
               "print(ckpt.dtypes.bfloat16.as_numpy_dtype.__name__, 'ml_dtypes' in sys.modules)")
    assert out == ["bfloat16", "True"]
    # A dtype made by the caller's own ml_dtypes maps back before ckpt ever needed it.
    out = _run("import ml_dtypes, numpy as np, ckpt\n"
               "print(ckpt.dtypes.as_dtype(np.dtype(ml_dtypes.float8_e4m3fn)).name)")
    assert out == ["float8_e4m3fn"]
