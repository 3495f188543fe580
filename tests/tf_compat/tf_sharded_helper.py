"""TensorFlow side of test_sharded_tf.py (run in its own process).

    python tf_sharded_helper.py save <dir>       TF saves ShardedVariables (row shards) under <dir>/tf/ck
    python tf_sharded_helper.py read <prefix>    TF reads a checkpoint three ways

Both print one JSON object. `read` gives: every full tensor as tf.train.load_checkpoint
returns it (flat values, shape), the object graph's attributes, and the values TF
restores into its own ShardedVariable with a different number of shards and into a
plain tf.Variable. The scenario mirrors sharded_tool (tests/tools/sharded_tool.cc).
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import trackable_object_graph_pb2  # noqa: E402
from tensorflow.python.distribute import sharded_variable  # noqa: E402  (not public in TF 2.21)

# name -> (dtype, full shape); values are a function of the flat index (sharded_tool's Value()).
SPECS = {"rows": (np.float32, (10, 3)), "cols": (np.float64, (4, 6)), "grid": (np.int32, (4, 6)),
         "i64": (np.int64, (5,))}


def value(name, shape):
    i = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    dt = SPECS[name][0] if name in SPECS else np.float32
    if name in ("rows", "plain"):
        return (i + 0.5).astype(dt)
    if name == "cols":
        return (i * 0.25).astype(dt)
    if name == "grid":
        return (i * 3 - 7).astype(dt)
    return (i * 1000).astype(dt)


def sharded(name, nshards, zeros=False):
    dt, shape = SPECS[name]
    full = value(name, shape)
    parts = np.array_split(np.zeros_like(full) if zeros else full, nshards, axis=0)
    return sharded_variable.ShardedVariable(
        [tf.Variable(p, name=f"{name}/part_{k}") for k, p in enumerate(parts)], name=name)


def flat(v):
    return [float(x) for x in np.asarray(v).reshape(-1)]


def save(d):
    ck = tf.train.Checkpoint(rows=sharded("rows", 3), i64=sharded("i64", 2),
                             plain=tf.Variable(value("plain", (3,)), name="plain"))
    path = ck.write(os.path.join(d, "tf", "ck"))
    print(json.dumps({"path": path}))


def read(prefix):
    out = {"full": {}, "graph": {}, "tf_sharded": {}, "tf_plain": {}}
    reader = tf.train.load_checkpoint(prefix)
    for key, shape in reader.get_variable_to_shape_map().items():
        if key == "_CHECKPOINTABLE_OBJECT_GRAPH":
            g = trackable_object_graph_pb2.TrackableObjectGraph()
            g.ParseFromString(reader.get_tensor(key))
            for node in g.nodes:
                for a in node.attributes:
                    out["graph"][a.checkpoint_key] = {"name": a.name, "full_name": a.full_name,
                                                      "children": len(node.children)}
            continue
        out["full"][key] = {"shape": list(shape), "values": flat(reader.get_tensor(key))}
    # TF's own ShardedVariable (axis 0 only) with a shard count the writer did not use.
    names = [n for n in ("rows", "i64", "cols", "grid") if f"{n}/.ATTRIBUTES/VARIABLE_VALUE" in out["full"]]
    for nshards in (2, 4):
        objs = {n: sharded(n, nshards, zeros=True) for n in names}
        tf.train.Checkpoint(**objs).read(prefix).expect_partial()
        out["tf_sharded"][str(nshards)] = {
            n: flat(np.concatenate([v.numpy() for v in objs[n].variables], axis=0)) for n in names}
    objs = {n: tf.Variable(np.zeros(SPECS[n][1], SPECS[n][0])) for n in names}
    tf.train.Checkpoint(**objs).read(prefix).expect_partial()
    out["tf_plain"] = {n: flat(objs[n].numpy()) for n in names}
    print(json.dumps(out))


if __name__ == "__main__":
    {"save": save, "read": read}[sys.argv[1]](sys.argv[2])
