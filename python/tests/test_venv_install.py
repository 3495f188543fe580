"""pip install of a clean copy of the tree into a fresh virtual environment, then
import, save and restore. Slow (builds the extension): run with `-m venv`.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ckpt_test_util import REPO_ROOT

pytestmark = pytest.mark.venv

SMOKE = """
import os, sys, numpy as np, ckpt
assert os.path.dirname(ckpt.__file__).startswith(sys.argv[2]), (ckpt.__file__, sys.argv[2])
m = ckpt.Module()
m.w = ckpt.Variable(np.arange(4, dtype=np.float32))
c = ckpt.Checkpoint(model=m, extra={"b": np.ones(2, np.int64)})
p = c.save(os.path.join(sys.argv[1], "ckpt"))
m.w.assign(np.zeros(4, np.float32))
ckpt.Checkpoint(model=m, extra={"b": np.ones(2, np.int64)}).restore(ckpt.latest_checkpoint(sys.argv[1])).assert_consumed()
assert m.w.numpy().tolist() == [0, 1, 2, 3]
print("SMOKE-OK", p)
"""


def clean_copy(dst: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", "build", "build-*", "_install*", "__pycache__", ".pytest_cache", "*.so")
    shutil.copytree(REPO_ROOT, dst, ignore=ignore)
    return dst


def run(cmd, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=3600, **kw)
    assert proc.returncode == 0, f"{cmd}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
    return proc


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def smoke(py: Path, tmp_path: Path, site: str):
    work = tmp_path / "run"
    work.mkdir()
    proc = run([py, "-c", SMOKE, work / "ckpts", site], cwd=work)  # cwd outside the tree
    assert "SMOKE-OK" in proc.stdout


def test_pip_install_into_fresh_venv(tmp_path):
    src = clean_copy(tmp_path / "src")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    py = venv_python(venv)
    run([py, "-m", "pip", "install", "-q", src])
    smoke(py, tmp_path, str(venv))
    # The wheel carries the extension and the stubs, and no libckpt.so.
    pkg = Path(run([py, "-c", "import ckpt, os; print(os.path.dirname(ckpt.__file__))"], cwd=tmp_path).stdout.strip())
    names = {p.name for p in pkg.iterdir()}
    assert "_ckpt.pyi" in names and "py.typed" in names
    assert any(n.startswith("_ckpt.") and n.endswith(".so") for n in names)
    assert not list(venv.rglob("libckpt.so*"))


def test_editable_install_without_build_isolation(tmp_path):
    src = clean_copy(tmp_path / "src")
    venv = tmp_path / "venv"
    # --system-site-packages: the build requirements (scikit-build-core,
    # nanobind, numpy) come from this interpreter, as --no-build-isolation needs.
    run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    py = venv_python(venv)
    run([py, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", src])
    smoke(py, tmp_path, str(src / "python"))
