"""One wheel of a clean copy of the tree, installed into fresh virtual environments, then import,
save and restore (alone, and beside TensorFlow). Slow (builds the extension): run with `-m venv`.
"""

import os
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """One wheel, built once from a clean copy of the tree (no build isolation: the build requirements
    scikit-build-core, nanobind and numpy come from this interpreter, installed by scripts/setup.sh), and
    installed by both tests below: a second compile of the same sources would test nothing new."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = clean_copy(tmp / "src")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps", "-w", tmp / "dist", src])
    wheels = list((tmp / "dist").glob("ckpt-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_into_fresh_isolated_venv(tmp_path, wheel):
    """A venv that sees nothing of this interpreter: the wheel and its declared dependencies suffice."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    py = venv_python(venv)
    run([py, "-m", "pip", "install", "-q", wheel])
    smoke(py, tmp_path, str(venv))
    # The wheel carries the extension and the stubs, and no libckpt.so.
    pkg = Path(run([py, "-c", "import ckpt, os; print(os.path.dirname(ckpt.__file__))"], cwd=tmp_path).stdout.strip())
    names = {p.name for p in pkg.iterdir()}
    assert "_ckpt.pyi" in names and "py.typed" in names
    assert any(n.startswith("_ckpt.") and n.endswith(".so") for n in names)
    assert not list(venv.rglob("libckpt.so*"))


TF_BESIDE = """
import sys
first = sys.argv[1]
if first == "tf":
    import tensorflow as tf, ckpt
else:
    import ckpt, tensorflow as tf
import numpy as np, os
v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
d = sys.argv[2]
p = tf.train.Checkpoint(v=v).write(os.path.join(d, "tf"))
r = ckpt.load_checkpoint(p)
assert r.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [[0, 1, 2], [3, 4, 5]]
m = ckpt.Module()
m.w = ckpt.Variable(np.full(3, 7, np.int64))
q = ckpt.Checkpoint(m=m).write(os.path.join(d, "ours"))
assert tf.train.load_checkpoint(q).get_tensor("m/w/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [7, 7, 7]
print("TF-BESIDE-OK", ckpt.__file__)
"""


def test_wheel_beside_tensorflow(tmp_path, wheel):
    """The installed wheel (not the build tree) shares a process with TensorFlow in either import order:
    the module's symbols must not clash with TF's own protobuf/leveldb copies."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    py = venv_python(venv)
    run([py, "-m", "pip", "install", "-q", "--no-deps", wheel])
    smoke(py, tmp_path, str(venv))
    for first in ("tf", "ckpt"):
        d = tmp_path / f"tf_{first}"
        d.mkdir()
        proc = run([py, "-c", TF_BESIDE, first, d], cwd=d, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        assert "TF-BESIDE-OK" in proc.stdout and str(venv) in proc.stdout, proc.stdout
