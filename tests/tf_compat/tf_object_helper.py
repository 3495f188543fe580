"""TensorFlow side of test_object_checkpoint_tf.py (run in its own process).

    python tf_object_helper.py save_all <dir>      TF saves every scenario under <dir>/tf/
    python tf_object_helper.py restore_all <dir>   TF restores what object_tool saved under <dir>/cpp/

Each command writes one JSON file (<dir>/tf_save.json, <dir>/tf_restore.json)
holding, per scenario: the checkpoint path, variable values as hex of their raw
bytes, load-status outcomes, the sorted keys and the object graph (as a plain
dict) of the checkpoint. The trees mirror object_tool's (tests/tools/object_tool.cc).
"""

import gc
import json
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import trackable_object_graph_pb2  # noqa: E402


def hexval(v):
    return np.asarray(v.numpy()).tobytes().hex()


def outcome(fn):
    try:
        fn()
        return "ok"
    except AssertionError as e:
        return "fail: " + str(e)


def assertions(status, suffix=""):
    return {
        "assert_consumed" + suffix: outcome(status.assert_consumed),
        "assert_existing_objects_matched" + suffix: outcome(status.assert_existing_objects_matched),
        "assert_nontrivial_match" + suffix: outcome(status.assert_nontrivial_match),
    }


def graph_of(path):
    reader = tf.train.load_checkpoint(path)
    g = trackable_object_graph_pb2.TrackableObjectGraph()
    g.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    nodes = []
    for n in g.nodes:
        nodes.append({
            "children": [[c.node_id, c.local_name] for c in n.children],
            "attributes": [[a.name, a.checkpoint_key] for a in n.attributes],
            "slot_variables": [[s.original_variable_node_id, s.slot_name, s.slot_variable_node_id]
                               for s in n.slot_variables],
            "has_checkpoint_values": (n.has_checkpoint_values.value
                                      if n.HasField("has_checkpoint_values") else None),
        })
    keys = sorted(reader.get_variable_to_shape_map())
    return {"keys": keys, "nodes": nodes}


# ----------------------------------------------------------------- scenarios

class Sub(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.zeros([2, 3]))


class M(tf.Module):
    def __init__(self, with_late=True):
        super().__init__()
        self.b = tf.Variable(tf.zeros([2]))
        self.a = tf.Variable(0, dtype=tf.int64)
        self.lst = [tf.Variable(0.0), tf.Module()]
        self.dct = {"z": tf.Variable(0.0), "a.b/c": tf.Variable(tf.zeros([2]))}
        self.sub = Sub()
        self.shared = self.b
        if with_late:
            self.late = tf.Variable(tf.zeros([2]))


def modules_tree(with_late=True):
    m = M(with_late)
    extra = tf.Variable(tf.zeros([3]))
    ck = tf.train.Checkpoint(model=m, extra=extra)
    named = {"model.b": lambda: m.b, "model.a": lambda: m.a, "model.lst.0": lambda: m.lst[0],
             "model.dct.z": lambda: m.dct["z"], "model.dct.a.b/c": lambda: m.dct["a.b/c"],
             "model.sub.w": lambda: m.sub.w, "model.late": lambda: m.late, "extra": lambda: extra}
    return ck, m, named


def adam_v1_tree():
    var1 = tf.Variable(tf.zeros([2]))
    var2 = tf.Variable(tf.zeros([3]))
    opt = tf.compat.v1.train.AdamOptimizer(0.1)
    ck = tf.train.Checkpoint(var1=var1, var2=var2, optimizer=opt)
    named = {"var1": lambda: var1, "var2": lambda: var2,
             "opt.beta1_power": lambda: opt._get_beta_accumulators()[0],
             "opt.beta2_power": lambda: opt._get_beta_accumulators()[1]}
    for vn, v in (("var1", var1), ("var2", var2)):
        for s in ("m", "v"):
            named[f"slot.{vn}.{s}"] = (lambda v=v, s=s: opt.get_slot(v, s))
    return ck, opt, (var1, var2), named


def keras_tree():
    import keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    opt = keras.optimizers.Adam(0.1)
    opt.build(model.trainable_variables)
    ck = tf.train.Checkpoint(model=model, optimizer=opt)
    named = {}
    for i, n in enumerate(["k0", "b0", "k1", "b1"]):
        named["model." + n] = (lambda i=i: model.trainable_variables[i])
    for i in range(len(opt.variables)):
        named[f"opt.var{i}"] = (lambda i=i: opt.variables[i])
    return ck, model, opt, named


def values(named):
    return {k: hexval(f()) for k, f in named.items()}


def randomize(variables, rng):
    for v in variables:
        dtype = tf.as_dtype(v.dtype)  # Keras 3 variables report a str
        if dtype == tf.int64:
            v.assign(rng.integers(0, 10**6, size=tuple(v.shape)).astype(np.int64))
        else:
            v.assign(rng.standard_normal(tuple(v.shape)).astype(dtype.as_numpy_dtype))


class LogCatcher(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def partial_cases(path, catcher):
    """TF's outcomes for the mismatch cases object_tool's `partial` reproduces."""
    out = {}
    for case in ("missing_in_ckpt", "no_object", "deferred", "attribute"):
        for expect_partial in (False, True):
            catcher.lines.clear()
            a, b, c = tf.Variable(tf.zeros([2])), tf.Variable(tf.zeros([1])), tf.Variable(tf.zeros([1]))
            if case == "missing_in_ckpt":
                ck = tf.train.Checkpoint(a=a, b=b, c=c)
            elif case in ("no_object", "deferred"):
                ck = tf.train.Checkpoint(a=a)
            else:
                ck = tf.train.Checkpoint(a=tf.Module(), b=b)
            status = ck.read(path)
            r = assertions(status)
            if case == "deferred":
                ck.b = b
                r.update(assertions(status, "_after_attach"))
                r["b_after_attach"] = float(b.numpy()[0])
            if expect_partial:
                status.expect_partial()
            del status, ck, a, b, c
            gc.collect()
            r["warned"] = any("Detecting that an object or model" in line for line in catcher.lines)
            out[case + ("_expect_partial" if expect_partial else "")] = r
    return out


# ----------------------------------------------------------------- commands

def save_all(d):
    rng = np.random.default_rng(1234)
    out = {}
    tfdir = os.path.join(d, "tf")
    ck, m, named = modules_tree()
    randomize([f() for f in named.values()], rng)
    p = ck.save(os.path.join(tfdir, "modules", "ckpt"))
    out["modules"] = {"path": p, "values": values(named), "graph": graph_of(p)}

    ck, opt, (var1, var2), named = adam_v1_tree()
    opt.minimize(lambda: tf.reduce_sum(var1 * var1) + tf.reduce_sum(var2 * var2), var_list=[var1, var2])
    randomize([f() for f in named.values()], rng)
    p = ck.save(os.path.join(tfdir, "adam_v1", "ckpt"))
    out["adam_v1"] = {"path": p, "values": values(named), "graph": graph_of(p)}

    ck, model, opt, named = keras_tree()
    randomize([f() for f in named.values()], rng)
    p = ck.write(os.path.join(tfdir, "keras_adam", "ckpt"))
    out["keras_adam"] = {"path": p, "values": values(named), "graph": graph_of(p)}

    # The checkpoint of the partial-restore cases: Checkpoint(a=[1,2], b=[3]).
    p = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=tf.Variable([3.0])).write(os.path.join(tfdir, "ab", "ckpt"))
    out["ab_path"] = p
    catcher = LogCatcher()
    tf.get_logger().addHandler(catcher)
    logging.getLogger("tensorflow").addHandler(catcher)
    out["partial"] = partial_cases(p, catcher)
    with open(os.path.join(d, "tf_save.json"), "w") as f:
        json.dump(out, f, indent=1)


def restore_all(d):
    with open(os.path.join(d, "cpp_save.json")) as f:
        cpp = json.load(f)
    out = {}

    ck, m, named = modules_tree()
    st = ck.restore(cpp["modules"]["path"])
    out["modules"] = dict(assertions(st), values=values(named), save_counter=int(ck.save_counter.numpy()),
                          graph=graph_of(cpp["modules"]["path"]))

    ck, opt, (var1, var2), named = adam_v1_tree()
    # Slots and beta accumulators exist before the restore (as after training).
    opt._create_slots([var1, var2])
    opt._create_non_slot_variable(initial_value=0.9, name="beta1_power", colocate_with=var1)
    opt._create_non_slot_variable(initial_value=0.999, name="beta2_power", colocate_with=var1)
    st = ck.restore(cpp["adam_v1"]["path"])
    out["adam_v1"] = dict(assertions(st), values=values(named), graph=graph_of(cpp["adam_v1"]["path"]))

    ck, model, opt, named = keras_tree()
    st = ck.restore(cpp["keras_adam"]["path"])
    out["keras_adam"] = dict(assertions(st), values=values(named), graph=graph_of(cpp["keras_adam"]["path"]))
    with open(os.path.join(d, "tf_restore.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    {"save_all": save_all, "restore_all": restore_all}[sys.argv[1]](sys.argv[2])
