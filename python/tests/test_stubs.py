"""The shipped type stubs: ckpt/_ckpt.pyi matches the compiled module, and mypy
accepts the package and typed user code (and rejects wrong calls).
"""

import subprocess
import sys
from pathlib import Path

import pytest

import ckpt
from ckpt_test_util import import_or_skip, python_env

PKG = Path(ckpt.__file__).resolve().parent
STUB = PKG / "_ckpt.pyi"
REGEN = "python -m nanobind.stubgen -P -m ckpt._ckpt -o python/ckpt/_ckpt.pyi"


def test_extension_stub_is_current(tmp_path):
    import_or_skip("nanobind")
    out = tmp_path / "_ckpt.pyi"
    proc = subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-P", "-m", "ckpt._ckpt", "-o", str(out)],
                          capture_output=True, text=True, env=python_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert STUB.is_file(), f"{STUB} missing: run {REGEN}"
    assert out.read_text() == STUB.read_text(), f"ckpt/_ckpt.pyi is stale: regenerate it with `{REGEN}`"


GOOD = """
import numpy as np
import ckpt

class Model(ckpt.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = ckpt.Variable(np.zeros(3, np.float32), name="w")

m = Model()
c = ckpt.Checkpoint(model=m)
path: str = c.save("/tmp/x")
status: ckpt.CheckpointLoadStatus = c.restore(path).assert_consumed()
latest: str | None = ckpt.latest_checkpoint("/tmp")
shapes: dict[str, list[int]] = ckpt.load_checkpoint(path).get_variable_to_shape_map()
name: str = ckpt._ckpt.dtype_name(1)
mgr = ckpt.CheckpointManager(c, "/tmp/m", max_to_keep=3)
saved: str | None = mgr.save()
opts = ckpt.CheckpointOptions(enable_async=True)
sv = ckpt.ShardedVariable(np.zeros((2, 3), np.float32), full_shape=(4, 3), offset=(0, 0), name="s")
sv.add_shard(np.zeros((2, 3), np.float32), (2, 0))
full: tuple[int, ...] = sv.shape
"""

BAD = """
import ckpt
n: int = ckpt._ckpt.dtype_name(1)
ckpt.latest_checkpoint("/tmp", latest_filename=3)
ckpt.Checkpoint().restore("/p").assert_consumed().no_such_method()
"""


def run_mypy(tmp_path, name, code):
    import_or_skip("mypy")
    f = tmp_path / name
    f.write_text(code)
    return subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", "--no-incremental",
                           "--ignore-missing-imports", "--follow-imports=silent", str(f)],
                          capture_output=True, text=True, env=python_env(), timeout=600, cwd=tmp_path)


def test_mypy_accepts_package_and_typed_usage(tmp_path):
    import_or_skip("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", "--no-incremental",
                           "--ignore-missing-imports", str(PKG)],
                          capture_output=True, text=True, env=python_env(), timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_mypy(tmp_path, "good.py", GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_rejects_wrong_calls(tmp_path):
    proc = run_mypy(tmp_path, "bad.py", BAD)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "bad.py:3" in out and "bad.py:4" in out and "bad.py:5" in out, out
