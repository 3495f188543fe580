"""Differential test of sharding callbacks (CheckpointOptions.experimental_sharding_callback).

TensorFlow (tf_sharding_helper.py, its own process) and ckpt (tests/tools/sharding_tool,
Checkpoint::Save with the C++ policy, sync and async) save the same variables with the
same policy: MaxShardSizePolicy at several sizes (values cut into uneven slices on axis 0
and, for the [3,100] value, on axis 1; strings; a scalar; bools) and ShardByTaskPolicy.
The two indexes must agree entry by entry: the number of data files, every key, dtype,
shape, slice list, and for every stored tensor or slice its data file (shard id), size
and checksum, and the data file holding the object graph. Then TF reads and restores
ckpt's checkpoint and ckpt restores TF's.
Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/sharding_tool.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
TOOL = os.path.join(BUILD_DIR, "tests", "tools", "sharding_tool")
HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_sharding_helper.py")

pytestmark = pytest.mark.skipif(not os.access(TOOL, os.X_OK), reason=f"sharding_tool not built: {TOOL} missing")

# 64: ~60 shards (rows of `big` one per shard, `wide` cut by columns); 300 and 1000:
# a few shards with uneven slices; "task": one data file.
POLICIES = ["64", "300", "1000", "task"]


def expected():
    i = np.arange(360, dtype=np.float32)
    return {
        "big": (i * np.float32(0.5) - np.float32(3)).astype(np.float64).tolist(),
        "flags": [1.0 if k % 3 == 0 else 0.0 for k in range(17)],
        "ints": (np.arange(300) * 7 - 1000).astype(np.float64).tolist(),
        "small": [2.5],
        "wide": (np.arange(300, dtype=np.float32) * np.float32(0.25)).astype(np.float64).tolist(),
        "words": [(b"x" * 50).hex(), "", b"\x00\x01".hex()],
    }


def run_tool(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"sharding_tool {args}: {p.stdout} {p.stderr}"
    return json.loads(p.stdout)


def run_helper(*args):
    pytest.importorskip("tensorflow")  # only checks that it is installed; TF runs in the child
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, HELPER, *args], capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stderr[-4000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def all_saved(tmp_path_factory):
    """Every policy saved by TF (one process), by ckpt sync and async, and TF's reads of ckpt's."""
    d = tmp_path_factory.mktemp("sharding")
    tf_paths = run_helper("save", str(d / "tf"), ",".join(POLICIES))
    out = {}
    for policy in POLICIES:
        cpp = run_tool("save", str(d / "cpp" / policy / "ckpt"), policy)["path"]
        cpp_async = run_tool("save", str(d / "cpp_async" / policy / "ckpt"), policy, "async")["path"]
        out[policy] = (policy, tf_paths[policy], cpp, cpp_async)
    reads = run_helper("read", *[p for v in out.values() for p in v[2:]])
    return out, reads


@pytest.fixture(params=POLICIES)
def saved(request, all_saved):
    return all_saved[0][request.param]


@pytest.fixture
def tf_reads(all_saved):
    return all_saved[1]


def test_index_equals_what_tf_writes(saved):
    policy, tf_path, cpp, cpp_async = saved
    tf_index = run_tool("index", tf_path)
    for path in (cpp, cpp_async):
        index = run_tool("index", path)
        assert index["num_shards"] == tf_index["num_shards"], policy
        assert sorted(index["entries"]) == sorted(tf_index["entries"]), policy
        for key, want in tf_index["entries"].items():
            assert index["entries"][key] == want, (policy, key)
        data_files = sorted(f for f in os.listdir(os.path.dirname(path)) if ".data-" in f)
        assert len(data_files) == tf_index["num_shards"]
    if policy != "task":
        assert tf_index["num_shards"] > 2
        assert len(tf_index["entries"]["big/.ATTRIBUTES/VARIABLE_VALUE"]["slices"]) > 1


def test_tf_reads_and_restores_ckpt_checkpoint(saved, tf_reads):
    _, _, cpp, cpp_async = saved
    want = expected()
    for path in (cpp, cpp_async):
        got = tf_reads[path]
        for k, v in want.items():
            assert got["loaded"][k] == v, k
            assert got["restored"][k] == v, k


def test_ckpt_restores_tf_checkpoint(saved):
    _, tf_path, _, _ = saved
    got = run_tool("restore", tf_path)
    want = expected()
    for k in ("big", "flags", "ints", "wide"):
        assert got[k] == want[k], k
    assert got["small"] == 2.5
    assert got["words_hex"] == want["words"]
