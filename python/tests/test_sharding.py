"""CheckpointOptions(experimental_sharding_callback=...): ckpt.experimental's policies and
TensorFlow's own policy objects; custom callbacks and other objects rejected (CO-05).
The TF side (in a subprocess that imports both) saves the same arrays with the same
TF policy object through tf.train.Checkpoint and through ckpt.Checkpoint: the same
number of data files with the same sizes (but the one holding the object graph, whose
bytes differ), and each restores the other's checkpoint.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

import ckpt
from ckpt_test_util import run_python


def arrays():
    return {
        "big": (np.arange(360, dtype=np.float32) * 0.5).reshape(40, 9),
        "ints": np.arange(300, dtype=np.int32) * 7 - 1000,
        "small": np.array(2.5),
        "wide": (np.arange(300, dtype=np.float32) * 0.25).reshape(3, 100),
    }


def data_files(prefix):
    d, name = os.path.split(str(prefix))
    return sorted(f for f in os.listdir(d) if f.startswith(name + ".data-"))


def test_max_shard_size_policy_writes_several_files_that_restore(tmp_path):
    a = arrays()
    c = ckpt.Checkpoint(**{k: ckpt.Variable(v) for k, v in a.items()})
    policy = ckpt.experimental.MaxShardSizePolicy(max_shard_size=1000)
    options = ckpt.CheckpointOptions(experimental_sharding_callback=policy)
    assert options.experimental_sharding_callback is policy
    path = c.save(tmp_path / "ck", options=options)
    assert len(data_files(path)) >= 4
    assert not os.path.exists(str(path) + "_temp")
    reader = ckpt.load_checkpoint(path)
    for k, v in a.items():
        np.testing.assert_array_equal(reader.get_tensor(f"{k}/.ATTRIBUTES/VARIABLE_VALUE"), v)
    back = {k: ckpt.Variable(np.zeros_like(v)) for k, v in a.items()}
    ckpt.Checkpoint(**back).restore(path).assert_consumed()
    for k, v in a.items():
        np.testing.assert_array_equal(back[k].numpy(), v)


def test_async_and_manager_saves_use_the_policy(tmp_path):
    a = arrays()
    c = ckpt.Checkpoint(**{k: ckpt.Variable(v) for k, v in a.items()})
    options = ckpt.CheckpointOptions(enable_async=True,
                                     experimental_sharding_callback=ckpt.experimental.MaxShardSizePolicy(700))
    manager = ckpt.CheckpointManager(c, tmp_path / "run", max_to_keep=2)
    path = manager.save(options=options)
    c.sync()
    assert len(data_files(path)) >= 5
    np.testing.assert_array_equal(ckpt.load_variable(path, "big/.ATTRIBUTES/VARIABLE_VALUE"), a["big"])


def test_shard_by_task_policy_is_one_data_file(tmp_path):
    c = ckpt.Checkpoint(**{k: ckpt.Variable(v) for k, v in arrays().items()})
    path = c.write(tmp_path / "ck", options=ckpt.CheckpointOptions(
        experimental_sharding_callback=ckpt.experimental.ShardByTaskPolicy()))
    assert data_files(path) == ["ck.data-00000-of-00001"]


def test_non_positive_max_shard_size_fails_the_save(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(np.ones(4, np.float32)))
    with pytest.raises(ckpt.errors.InvalidArgumentError, match="max_shard_size"):
        c.write(tmp_path / "ck", options=ckpt.CheckpointOptions(
            experimental_sharding_callback=ckpt.experimental.MaxShardSizePolicy(0)))
    assert not list(tmp_path.iterdir())


def test_wrong_type_is_tf_value_error_co05():
    with pytest.raises(ValueError, match="must be of type ShardingCallback"):
        ckpt.CheckpointOptions(experimental_sharding_callback=lambda tensors: [tensors])


def test_custom_callback_is_not_implemented():
    class AllInOne(ckpt.experimental.ShardingCallback):
        @property
        def description(self):
            return "all in one"

        def __call__(self, shardable_tensors):
            return [shardable_tensors]

    with pytest.raises(NotImplementedError, match="MaxShardSizePolicy"):
        ckpt.CheckpointOptions(experimental_sharding_callback=AllInOne())


def test_copy_keeps_the_callback():
    import copy

    policy = ckpt.experimental.MaxShardSizePolicy(10)
    o = copy.copy(ckpt.CheckpointOptions(experimental_sharding_callback=policy))
    assert o.experimental_sharding_callback is policy


TF_SIDE = r"""
import json, os, sys
import numpy as np
import ckpt
import tensorflow as tf

d, size = sys.argv[1], int(sys.argv[2])
a = {
    "big": (np.arange(360, dtype=np.float32) * 0.5).reshape(40, 9),
    "ints": np.arange(300, dtype=np.int32) * 7 - 1000,
    "small": np.array(2.5),
    "wide": (np.arange(300, dtype=np.float32) * 0.25).reshape(3, 100),
}
policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=size)
tf_path = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in a.items()}).save(
    os.path.join(d, "tf", "ckpt"), options=tf.train.CheckpointOptions(experimental_sharding_callback=policy))
ck_path = ckpt.Checkpoint(**{k: ckpt.Variable(v) for k, v in a.items()}).save(
    os.path.join(d, "ck", "ckpt"), options=ckpt.CheckpointOptions(experimental_sharding_callback=policy))

def sizes(prefix):
    dd, name = os.path.split(prefix)
    return [os.path.getsize(os.path.join(dd, f)) for f in sorted(os.listdir(dd)) if f.startswith(name + ".data-")]

ok = {}
fresh = {k: tf.Variable(tf.zeros_like(v)) for k, v in a.items()}
tf.train.Checkpoint(**fresh).restore(ck_path).assert_consumed()
ok["tf_restores_ckpt"] = all(np.array_equal(fresh[k].numpy(), v) for k, v in a.items())
back = {k: ckpt.Variable(np.zeros_like(v)) for k, v in a.items()}
ckpt.Checkpoint(**back).restore(tf_path).assert_consumed()
ok["ckpt_restores_tf"] = all(np.array_equal(back[k].numpy(), v) for k, v in a.items())
print(json.dumps({"tf": sizes(tf_path), "ckpt": sizes(ck_path), "ok": ok}))
"""


@pytest.mark.tf
@pytest.mark.parametrize("size", [300, 1000])
def test_tf_policy_objects_give_tf_s_files(tmp_path, size):
    pytest.importorskip("tensorflow")
    p = run_python(TF_SIDE, tmp_path, size)
    assert p.returncode == 0, p.stderr[-4000:]
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["ok"] == {"tf_restores_ckpt": True, "ckpt_restores_tf": True}
    assert len(out["ckpt"]) == len(out["tf"]) > 2
    # Same tensors in the same data files: every file but the one with the
    # object graph (TF's graph bytes differ from ckpt's) has the same size.
    assert sum(x != y for x, y in zip(out["ckpt"], out["tf"])) <= 1, out
