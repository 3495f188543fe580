"""TensorFlow reads what ckpt's Saver saves from a group of processes.

saver_tool's `groupsave` (tests/tools/saver_tool.cc) saves one V2 checkpoint from N in-process
ranks through SaverSaveOptions.communicator: each rank's Saver holds its own parts of
partitioned variables (a float32 [10, 3] cut in N parts by rows, rank i holding part i; an
int32 [4, 6] cut into a 2 x 2 grid of blocks dealt to the ranks in turn — two axes, which TF's
own partitioners never produce) and the replicated variables (a float64 [3]), written once.
TensorFlow (tf_saver_helper.py, its own process) then restores it with a tf.compat.v1 Saver:
into variables partitioned by fixed_size_partitioner with another part count, and into whole
variables (TF assembles the slices, also the grid's). Every value must equal the saved bytes.
Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/saver_tool.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
SAVER_TOOL = os.path.join(BUILD_DIR, "tests", "tools", "saver_tool")
HELPER = os.path.join(os.path.dirname(__file__), "tf_saver_helper.py")

pytestmark = pytest.mark.skipif(
    not os.access(SAVER_TOOL, os.X_OK),
    reason=f"saver_tool not built: {SAVER_TOOL} missing (build target `saver_tool`, set CKPT_BUILD_DIR)",
)

ARRAYS = {
    "emb": np.arange(30, dtype=np.float32).reshape(10, 3) * 0.5 - 3,
    "grid": np.arange(24, dtype=np.int32).reshape(4, 6) * 7 - 50,
    "bias": np.array([1.5, -2.25, 1e300], dtype=np.float64),
}


def rows(n, k):
    """fixed_size_partitioner(k) along an axis of length n: (offset, size) per part."""
    base, extra = divmod(n, k)
    out, offset = [], 0
    for i in range(k):
        out.append((offset, base + (1 if i < extra else 0)))
        offset += out[-1][1]
    return out


def var_line(name, block, key=None, full=None, slice_spec=None, rank=None):
    dims = ",".join(map(str, block.shape)) or "-"
    line = f"var {name} {block.dtype.name} {dims} {np.ascontiguousarray(block).tobytes().hex()}"
    if key is not None:
        line += f" part={key};{','.join(map(str, full))};{slice_spec}"
    if rank is not None:
        line += f" rank={rank}"
    return line


def group_lines(n):
    lines = []
    emb = ARRAYS["emb"]
    for i, (offset, size) in enumerate(rows(emb.shape[0], n)):
        lines.append(var_line(f"emb/part_{i}", emb[offset : offset + size], "emb", emb.shape, f"{offset},{size}:0,3", i))
    grid = ARRAYS["grid"]
    for b, (r, c) in enumerate([(0, 0), (0, 3), (2, 0), (2, 3)]):
        block = grid[r : r + 2, c : c + 3]
        lines.append(var_line(f"grid/part_{b}", block, "grid", grid.shape, f"{r},2:{c},3", b % n))
    lines.append(var_line("bias", ARRAYS["bias"]))
    return lines


def tool(lines):
    r = subprocess.run([SAVER_TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in r.stdout.splitlines()]


def spec(name, partitions=None):
    a = ARRAYS[name]
    s = {"name": name, "dtype": a.dtype.name, "shape": list(a.shape), "hex": a.tobytes().hex()}
    if partitions:
        s["partitions"] = partitions
    return s


def test_tf_saver_restores_checkpoints_saved_by_groups_of_2_to_4(tmp_path):
    pytest.importorskip("tensorflow")
    tasks = []
    for n in (2, 3, 4):
        d = tmp_path / f"n{n}"
        out = tool(group_lines(n) + ["saver", f"groupsave {n} {d / 'model'} step=5"])
        assert all(o["ok"] for o in out), out
        path = out[-1]["path"]
        assert path == str(d / "model") + "-5"
        # Another partitioning of emb (k != n), and everything whole (TF assembles the slices).
        tasks.append({"name": f"parts{n}", "op": "read", "path": path, "saver": {},
                      "vars": [spec("emb", partitions=3 if n == 2 else 2), spec("bias")]})
        tasks.append({"name": f"whole{n}", "op": "read", "path": path, "saver": {},
                      "vars": [spec("emb"), spec("grid"), spec("bias")]})
    # One TensorFlow process for every task (its start-up dominates).
    job, result = tmp_path / "job.json", tmp_path / "result.json"
    job.write_text(json.dumps({"tasks": tasks}))
    r = subprocess.run([sys.executable, HELPER, str(job), str(result)], capture_output=True, text=True, timeout=600)
    if not result.exists():
        pytest.fail(f"TensorFlow helper failed: {r.stderr[-2000:]}")
    res = json.loads(result.read_text())
    for task in tasks:
        got = res[task["name"]]
        assert got["ok"], got.get("trace")
        for s in task["vars"]:
            assert got["values"][s["name"]] == s["hex"], (task["name"], s["name"])
