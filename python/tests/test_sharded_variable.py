"""ckpt.ShardedVariable in one process: blocks of a tensor saved through ckpt.Checkpoint as one TF
partitioned value, restored into any other blocking (or whole), over numpy and torch arrays; and
TensorFlow (in a subprocess) reads the full tensor. Saving from several processes:
test_distributed.py (dist_side.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import ckpt
from ckpt import errors
from ckpt_test_util import import_or_skip, run_python
from tensor_digest import digest

KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE"


def full_rows():
    return np.arange(1000 * 64, dtype=np.float32).reshape(1000, 64) * 0.5


def blocks_by_rows(full, n):
    """np.array_split's blocks of `full` along axis 0 with their offsets (copies: the caller's buffers)."""
    out, start = [], 0
    for part in np.array_split(full, n, axis=0):
        out.append((part.copy(), (start, 0)))
        start += part.shape[0]
    return out


def sharded(blocks, full_shape, name):
    (first, offset), rest = blocks[0], blocks[1:]
    v = ckpt.ShardedVariable(first, full_shape=full_shape, offset=offset, name=name)
    for block, off in rest:
        v.add_shard(block, off)
    return v


def test_blocks_covering_the_tensor_save_as_one_full_tensor(tmp_path):
    full = full_rows()
    w = sharded(blocks_by_rows(full, 3), full.shape, "w")
    assert w.shape == (1000, 64) and w.offsets == [(0, 0), (334, 0), (667, 0)] and w.dtype == ckpt.dtypes.float32
    path = ckpt.Checkpoint(w=w).save(str(tmp_path / "ck"))
    reader = ckpt.load_checkpoint(path)
    assert reader.get_variable_to_shape_map()[KEY.format("w")] == [1000, 64]
    np.testing.assert_array_equal(reader.get_tensor(KEY.format("w")), full)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_restore_fills_exactly_its_block_from_another_blocking(tmp_path, n):
    full = full_rows()
    path = ckpt.Checkpoint(w=sharded(blocks_by_rows(full, 3), full.shape, "w")).save(str(tmp_path / "ck"))
    # n column blocks (another axis than the saved one), each a separate caller buffer
    cols = np.array_split(np.arange(64), n)
    targets = [np.zeros((1000, len(c)), np.float32) for c in cols]
    w = sharded([(t, (0, int(c[0]))) for t, c in zip(targets, cols)], full.shape, "w")
    ckpt.Checkpoint(w=w).restore(path).assert_consumed()
    for t, c in zip(targets, cols):
        np.testing.assert_array_equal(t, full[:, c[0]:c[-1] + 1])  # restored into the caller's array


def test_plain_variable_checkpoint_restores_into_a_block_and_back(tmp_path):
    full = full_rows()
    whole = ckpt.Checkpoint(w=ckpt.Variable(full)).save(str(tmp_path / "whole"))
    block = np.zeros((300, 64), np.float32)
    ckpt.Checkpoint(w=ckpt.ShardedVariable(block, full_shape=(1000, 64), offset=(500, 0))).restore(whole)
    np.testing.assert_array_equal(block, full[500:800])
    # and a sharded save restores into a plain Variable whole
    sharded_path = ckpt.Checkpoint(w=sharded(blocks_by_rows(full, 4), full.shape, "w")).save(str(tmp_path / "sh"))
    v = ckpt.Variable(np.zeros_like(full))
    ckpt.Checkpoint(w=v).restore(sharded_path).assert_consumed()
    np.testing.assert_array_equal(v.numpy(), full)


def test_torch_blocks_restored_in_place(tmp_path):
    torch = import_or_skip("torch")
    full = torch.arange(10 * 6, dtype=torch.float32).reshape(10, 6)
    a, b = full[:, :4].clone(), full[:, 4:].clone()
    w = sharded([(a, (0, 0)), (b, (0, 4))], (10, 6), "t")
    path = ckpt.Checkpoint(t=w).save(str(tmp_path / "ck"))
    np.testing.assert_array_equal(ckpt.load_variable(path, KEY.format("t")), full.numpy())
    target = torch.zeros(3, 6)
    param = target[:]  # a view: the caller's other handles see the restore
    ckpt.Checkpoint(t=ckpt.ShardedVariable(target, full_shape=(10, 6), offset=(7, 0))).restore(path)
    assert torch.equal(param, full[7:])


def test_strings_and_read_only_blocks_come_back_through_value(tmp_path):
    full = np.array([[f"r{i}c{j}".encode() * (i % 3) for j in range(5)] for i in range(4)], dtype=object)
    ro = full[:, 2:].copy()
    path = ckpt.Checkpoint(s=sharded([(full[:, :2].copy(), (0, 0)), (ro, (0, 2))], (4, 5), "s")).save(
        str(tmp_path / "ck"))
    np.testing.assert_array_equal(ckpt.load_variable(path, KEY.format("s")), full)
    got = ckpt.ShardedVariable(np.array([[b""] * 3] * 2, dtype=object), full_shape=(4, 5), offset=(1, 1))
    ckpt.Checkpoint(s=got).restore(path)
    assert [bytes(x) for x in got.value().ravel()] == [bytes(x) for x in full[1:3, 1:4].ravel()]
    frozen = np.zeros((2, 5), np.float64)
    frozen.flags.writeable = False
    fpath = ckpt.Checkpoint(f=ckpt.Variable(np.arange(20.0).reshape(4, 5))).save(str(tmp_path / "f"))
    fv = ckpt.ShardedVariable(frozen, full_shape=(4, 5), offset=(2, 0))
    ckpt.Checkpoint(f=fv).restore(fpath)
    np.testing.assert_array_equal(fv.value(), np.arange(10.0, 20.0).reshape(2, 5))


def test_blocks_that_do_not_fit_overlap_or_leave_a_gap_are_errors(tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="does not fit"):
        ckpt.ShardedVariable(np.zeros((3, 64)), full_shape=(1000, 64), offset=(999, 0))
    with pytest.raises(errors.InvalidArgumentError, match="one entry per dimension"):
        ckpt.ShardedVariable(np.zeros((3, 64)), full_shape=(1000, 64), offset=(0,))
    w = ckpt.ShardedVariable(np.zeros((5, 4), np.float32), full_shape=(10, 4), offset=(0, 0))
    with pytest.raises(errors.InvalidArgumentError, match="overlaps"):
        w.add_shard(np.zeros((2, 4), np.float32), (4, 0))
    with pytest.raises(errors.InvalidArgumentError, match="dtype"):
        w.add_shard(np.zeros((5, 4), np.int32), (5, 0))
    # In one process the blocks must cover the tensor: rows 5..9 are missing.
    with pytest.raises(errors.InvalidArgumentError):
        ckpt.Checkpoint(w=w).save(str(tmp_path / "gap"))
    assert not list(tmp_path.glob("gap*.index"))
    # Restoring into another full shape: TF's text (a ValueError, as TF's restore raises).
    w.add_shard(np.ones((5, 4), np.float32), (5, 0))
    path = ckpt.Checkpoint(w=w).save(str(tmp_path / "ok"))
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \(10, 4\)"):
        ckpt.Checkpoint(w=ckpt.ShardedVariable(np.zeros((2, 4), np.float32), full_shape=(11, 4),
                                               offset=(0, 0))).restore(path)


TF_READ = r"""
import json, sys
import numpy as np
import tensorflow as tf
from tensor_digest import digest
reader = tf.train.load_checkpoint(sys.argv[1])
print(json.dumps({k: digest(reader.get_tensor(k)) for k in sys.argv[2:]}))
"""


def test_tensorflow_reads_the_full_tensors(tmp_path):
    import_or_skip("tensorflow")  # TF runs in the child process
    rows = full_rows()
    grid = (np.arange(6 * 8, dtype=np.int32).reshape(6, 8) * 3 - 7)
    # rows: 3 row blocks; grid: 4 blocks on both axes (TF assembles them too)
    g = sharded([(grid[:3, :5].copy(), (0, 0)), (grid[:3, 5:].copy(), (0, 5)), (grid[3:, :5].copy(), (3, 0)),
                 (grid[3:, 5:].copy(), (3, 5))], grid.shape, "grid")
    path = ckpt.Checkpoint(rows=sharded(blocks_by_rows(rows, 3), rows.shape, "rows"), grid=g).save(
        str(tmp_path / "ck"))
    keys = [KEY.format("rows"), KEY.format("grid")]
    proc = run_python(TF_READ, path, *keys, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    tf_read = json.loads(proc.stdout.strip().splitlines()[-1])
    assert tf_read == {KEY.format("rows"): digest(rows), KEY.format("grid"): digest(grid)}


TF_MODULE_VARIABLES = r"""
import json
import tensorflow as tf
from tensorflow.python.distribute.sharded_variable import ShardedVariable
m = tf.Module()
m.a = tf.Variable([0.5], name="a")
m.b = ShardedVariable([tf.Variable([[1.0, 2.0]], name="b/part_0"), tf.Variable([[3.0, 4.0]], name="b/part_1")])
m.c = [tf.Variable([7.0], trainable=False, name="c"),
       {"d": ShardedVariable([tf.Variable([5.0], trainable=False, name="d/part_0"),
                              tf.Variable([6.0], trainable=False, name="d/part_1")])}]
print(json.dumps({kind: [v.numpy().tolist() for v in getattr(m, kind)]
                  for kind in ("variables", "trainable_variables", "non_trainable_variables")}))
"""


def test_module_variables_list_the_blocks_of_sharded_variables_as_tf_module_does():
    m = ckpt.Module()
    m.a = ckpt.Variable(np.array([0.5], np.float32))
    m.b = ckpt.ShardedVariable(np.array([[1.0, 2.0]], np.float32), full_shape=(2, 2), offset=(0, 0), name="b")
    m.b.add_shard(np.array([[3.0, 4.0]], np.float32), (1, 0))
    d = ckpt.ShardedVariable(ckpt.Variable(np.array([5.0], np.float32), trainable=False), full_shape=(2,),
                             offset=(0,), name="d")
    d.add_shard(ckpt.Variable(np.array([6.0], np.float32), trainable=False), (1,))
    m.c = [ckpt.Variable(np.array([7.0], np.float32), trainable=False), {"d": d}]
    assert m.variables == [m.a, *m.b.variables, m.c[0], *d.variables]  # the block Variables themselves
    ours = {kind: [v.numpy().tolist() for v in getattr(m, kind)]
            for kind in ("variables", "trainable_variables", "non_trainable_variables")}
    assert ours == {"variables": [[0.5], [[1.0, 2.0]], [[3.0, 4.0]], [7.0], [5.0], [6.0]],
                    "trainable_variables": [[0.5], [[1.0, 2.0]], [[3.0, 4.0]]],
                    "non_trainable_variables": [[7.0], [5.0], [6.0]]}
    import_or_skip("tensorflow")  # the same structure in tf.Module (TF 2.21), in a child process
    proc = run_python(TF_MODULE_VARIABLES, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ours
