"""Differential tests of sharded (partitioned) variables against TensorFlow.

C++ saves ShardedVariables (sharded_tool, tests/tools/sharded_tool.cc): rows of a
float32 [10,3] split 4/3/3, columns of a float64 [4,6], an int32 [4,6] as a 2x2
grid, an int64 [5] split 3/2, and a plain variable. TensorFlow (tf_sharded_helper.py,
its own process) then:
  * reads every full tensor with tf.train.load_checkpoint (TF assembles the slices,
    also the multi-axis grid);
  * restores into its own ShardedVariable with 2 and 4 shards and into plain
    tf.Variables;
and the object graph holds one ordinary variable node per sharded variable.
TF saves its own ShardedVariables (rows 4/3/3, int64 3/2): the index entries (full
entry with its slice list, one entry per slice under TF's slice key, sizes and
checksums) equal the ones C++ writes for the same layout, and C++ restores TF's
checkpoint into 1..4 row blocks.
The C++ side saves once from one process and once from three in-process ranks
(the distributed save protocol): TF's view of both is checked.
Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/sharded_tool.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
TOOL = os.path.join(BUILD_DIR, "tests", "tools", "sharded_tool")
HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_sharded_helper.py")
KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE"
SPECS = {"rows": (10, 3), "cols": (4, 6), "grid": (4, 6), "i64": (5,), "plain": (3,)}

pytestmark = pytest.mark.skipif(not os.access(TOOL, os.X_OK), reason=f"sharded_tool not built: {TOOL} missing")


def expected(name):
    i = np.arange(int(np.prod(SPECS[name])), dtype=np.float64)
    return {"rows": i + 0.5, "plain": i + 0.5, "cols": i * 0.25, "grid": i * 3 - 7, "i64": i * 1000}[name].tolist()


def run_tool(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"sharded_tool {args}: {p.stdout} {p.stderr}"
    return json.loads(p.stdout)


def run_helper(*args):
    pytest.importorskip("tensorflow")  # only checks that it is installed; TF runs in the child
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, HELPER, *args], capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stderr[-4000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


# One process, and three in-process ranks saving one checkpoint through the
# distributed protocol (CheckpointOptions.communicator; each rank holds every
# third block, `plain` is replicated): TF must read both alike.
@pytest.fixture(scope="module", params=["one_process", "three_ranks"])
def cpp_saved(tmp_path_factory, request):
    d = tmp_path_factory.mktemp("sharded")
    if request.param == "one_process":
        path = run_tool("save", str(d / "cpp" / "ck"))["path"]
    else:
        path = run_tool("save-distributed", str(d / "cpp" / "ck"), "3")["path"]
    return path, run_helper("read", path)


@pytest.fixture(scope="module")
def tf_saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("sharded_tf")
    return run_helper("save", str(d))["path"]


def test_tf_reads_every_full_tensor(cpp_saved):
    _, tf = cpp_saved
    assert set(tf["full"]) == {KEY.format(n) for n in SPECS}
    for name, shape in SPECS.items():
        got = tf["full"][KEY.format(name)]
        assert got["shape"] == list(shape), name
        assert got["values"] == expected(name), name


def test_object_graph_nodes_are_ordinary_variables(cpp_saved):
    _, tf = cpp_saved
    for name in ("rows", "cols", "grid", "i64"):
        assert tf["graph"][KEY.format(name)] == {"name": "VARIABLE_VALUE", "full_name": name, "children": 0}


@pytest.mark.parametrize("nshards", ["2", "4"])
def test_tf_restores_into_its_sharded_variable_with_other_shard_counts(cpp_saved, nshards):
    _, tf = cpp_saved
    for name, values in tf["tf_sharded"][nshards].items():
        assert values == expected(name), name


def test_tf_restores_into_plain_variables(cpp_saved):
    _, tf = cpp_saved
    for name, values in tf["tf_plain"].items():
        assert values == expected(name), name


def test_index_entries_equal_what_tf_writes(cpp_saved, tf_saved):
    cpp_index = run_tool("index", cpp_saved[0])
    tf_index = run_tool("index", tf_saved)
    for name in ("rows", "i64"):
        key = KEY.format(name)
        assert cpp_index[key] == tf_index[key], name
    tf_slice_keys = {k: v for k, v in tf_index.items() if k.startswith("slice:")}
    cpp_slice_keys = {k: v for k, v in cpp_index.items() if k.startswith("slice:")}
    assert tf_slice_keys and all(cpp_slice_keys[k] == v for k, v in tf_slice_keys.items())


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_cpp_restores_tf_sharded_variables_into_any_row_split(tf_saved, n):
    # sharded_tool restores every scenario variable; TF's checkpoint holds rows, i64, plain.
    p = subprocess.run([TOOL, "restore", tf_saved, str(n)], capture_output=True, text=True, timeout=120)
    # cols/grid are missing from TF's checkpoint: the restore still fills the others.
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["rows"] == expected("rows")
    assert out["i64"] == expected("i64")


@pytest.mark.parametrize("n", [1, 3, 4])
def test_cpp_round_trip_into_any_row_split(cpp_saved, n):
    out = run_tool("restore", cpp_saved[0], str(n))
    assert out["assert_consumed"] == "OK"
    for name in ("rows", "cols", "grid", "i64"):
        assert out[name] == expected(name), name
