"""TensorFlow reads a checkpoint saved by 3 MPI ranks (tests/mpi/mpi_driver under mpirun).
(Also with experimental_io_device naming rank 2: that rank writes everything, the others stream to it.)

The mpirun save (a ckpt::Checkpoint written with CheckpointOptions::communicator) holds, for every
dtype a bundle stores, a [7, 3] ShardedVariable split by rows over the 3 ranks (3/2/2, object
`rows_dtN`), a [2, 5] one split by columns (2/2/1, `cols_dtN`) and a replicated Variable (`repl_dtN`,
written once), plus save_counter and the object graph. TensorFlow (in its own process):
  * reads every full tensor with tf.train.load_checkpoint — assembling the slices — and each one it
    returns must equal, byte for byte, what ckpt's reader assembles (the mpirun restore tests check
    ckpt's values against the generator);
  * restores each sliced value TF can read into its own ShardedVariable
    (tensorflow.python.distribute.sharded_variable, axis 0 only) with 2 and 4 shards (2 for the
    2-row column-split values), and into a plain tf.Variable, through tf.train.Checkpoint.read.
TF 2.21 assembles sliced tensors only for the dtypes its GetSliceValue handles: on this machine
strings, float16, uint16/32/64, qint16/quint16, the float8 types, int2/uint2 and float4_e2m1fn fail
there with "Dtype ... not supported" (ckpt reads them: the mpirun restore tests); every replicated
(unsliced) value and the required set below must be read, and the required set restored both ways.
Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/mpi/mpi_driver.
"""

import hashlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("CKPT_BUILD_DIR", str(REPO / "build")))
DRIVER = BUILD_DIR / "tests" / "mpi" / "mpi_driver"
# Numbers of the TF dtypes TF itself assembles from slices (float, double, int32, uint8, int16, int8,
# complex64, int64, bool, bfloat16, complex128).
REQUIRED = {1, 2, 3, 4, 5, 6, 8, 9, 10, 14, 18}

def digest(a):
    """[shape, sha256 of the bytes] of an array (strings length-prefixed): what both sides compare.

    TF_SIDE runs this same source in the TF child, so both digest alike."""
    a = np.asarray(a)
    h = hashlib.sha256()
    if a.dtype == object:
        for x in a.ravel():
            h.update(len(x).to_bytes(8, "little") + bytes(x))
    else:
        h.update(a.tobytes())
    return [list(a.shape), h.hexdigest()]


TF_SIDE = """
import hashlib, json, sys
import numpy as np
import tensorflow as tf

""" + inspect.getsource(digest) + r"""
from tensorflow.python.distribute import sharded_variable  # not public in TF 2.21

def error(e):
    return "error: " + type(e).__name__ + ": " + str(e).splitlines()[0][:200]

prefix = sys.argv[1]
reader = tf.train.load_checkpoint(prefix)
dtypes = reader.get_variable_to_dtype_map()
out = {"full": {}, "sharded": {}, "plain": {}}
for key, shape in sorted(reader.get_variable_to_shape_map().items()):
    try:
        out["full"][key] = digest(reader.get_tensor(key))
    except Exception as e:  # recorded: the test decides which failures are TF's known limits
        out["full"][key] = error(e)
        continue
    if not key.startswith(("rows_", "cols_")):
        continue
    name = key.split("/")[0]
    zeros = np.zeros(shape, dtypes[key].as_numpy_dtype)
    for nshards in (2, 4):
        if nshards > shape[0]:
            continue
        try:
            parts = [tf.Variable(p) for p in np.array_split(zeros, nshards, axis=0)]
            v = sharded_variable.ShardedVariable(parts, name=name)
            tf.train.Checkpoint(**{name: v}).read(prefix).expect_partial()
            got = digest(np.concatenate([p.numpy() for p in parts], axis=0))
        except Exception as e:
            got = error(e)
        out["sharded"].setdefault(key, {})[str(nshards)] = got
    try:
        v = tf.Variable(zeros)
        tf.train.Checkpoint(**{name: v}).read(prefix).expect_partial()
        out["plain"][key] = digest(v.numpy())
    except Exception as e:
        out["plain"][key] = error(e)
print(json.dumps(out))
"""


def mpi_runner():
    spec = importlib.util.spec_from_file_location("run_mpi_test", REPO / "tests" / "mpi" / "run_mpi_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Runner("mpirun", str(DRIVER))


# Every rank writes its own part; or rank 2 writes everything (experimental_io_device), the others
# streaming their values to it.
@pytest.fixture(scope="module", params=["", "/job:worker/replica:0/task:2/device:CPU:0"],
                ids=["each-rank-writes", "io-rank-2"])
def saved(request, tmp_path_factory):
    if not os.access(DRIVER, os.X_OK):
        pytest.skip(f"{DRIVER} not built (CKPT_WITH_MPI=ON and target mpi_driver)")
    prefix = str(tmp_path_factory.mktemp("mpi") / "ckpt")
    extra = [f"--io-device={request.param}"] if request.param else []
    out = mpi_runner().run(3, "save", prefix, "42", *extra)
    assert out.count("saved " + prefix) == 3, out
    return prefix


def test_tensorflow_reads_what_three_ranks_saved(saved):
    pytest.importorskip("tensorflow")  # only checks that it is installed; TF runs in the child
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, "-c", TF_SIDE, saved], capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stderr[-4000:]
    tf_read = json.loads(p.stdout.strip().splitlines()[-1])

    sys.path.insert(0, str(BUILD_DIR / "python"))
    sys.path.insert(1, str(REPO / "python"))
    import ckpt

    reader = ckpt.load_checkpoint(saved)
    keys = sorted(reader.get_variable_to_shape_map())
    assert sorted(tf_read["full"]) == keys  # TF lists the full keys only, as ckpt does
    # 31 dtypes x (rows, cols, replicated), save_counter, the object graph
    assert len(keys) == 95
    assert {"_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter/.ATTRIBUTES/VARIABLE_VALUE"} <= set(keys)
    values = [k for k in keys if k.startswith(("rows_", "cols_", "repl_"))]
    assert len(values) == 93

    def dtype_number(key):
        return int(key.split("/")[0].split("_dt")[1])

    read_by_tf, restored_by_tf = set(), set()
    for key in values:
        got = tf_read["full"][key]
        if isinstance(got, str):
            # TF's known limit: it cannot assemble slices of some dtypes ("Dtype half not supported").
            # Unsliced (replicated) values of every dtype, and the required dtypes sliced, it must read.
            assert key.startswith(("rows_", "cols_")) and "not supported" in got, f"TF failed to read {key}: {got}"
            assert dtype_number(key) not in REQUIRED, f"TF failed to read {key}: {got}"
            continue
        want = digest(reader.get_tensor(key))
        assert got == want, f"{key}: TF's full tensor differs from ckpt's"
        read_by_tf.add(dtype_number(key))
        if key.startswith("repl_"):
            continue
        # Restored into TF's own ShardedVariable (other shard counts) and a plain tf.Variable: where TF
        # manages (its Variable must exist for the dtype), the value must be ckpt's, bit for bit.
        restored = [tf_read["plain"][key], *tf_read["sharded"][key].values()]
        assert len(restored) == (3 if key.startswith("rows_") else 2), key
        for r in restored:
            if isinstance(r, str):
                assert dtype_number(key) not in REQUIRED, f"TF failed to restore {key}: {r}"
            else:
                assert r == want, f"{key}: the value TF restored differs from ckpt's"
        if not any(isinstance(r, str) for r in restored):
            restored_by_tf.add(dtype_number(key))
    assert REQUIRED <= read_by_tf
    assert REQUIRED <= restored_by_tf
