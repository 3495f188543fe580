"""TF objects checkpointed by TensorFlow and by ckpt side by side (run by test_tf_adapter.py).

Usage: python tf_adapter_side.py <dir>. For each scenario: objects trained a
little are written by tf.train.Checkpoint and by ckpt.Checkpoint with the same
keywords; fresh objects restore each file with the other library. Prints one
JSON line: {scenario: {check: bool or message}}.
"""

import collections
import json
import os
import sys
import traceback

import numpy as np
import tensorflow as tf
import keras

import ckpt
from tensorflow.python.checkpoint import graph_view

GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"
Pair = collections.namedtuple("Pair", ["first", "second"])


def variables_of(kwargs):
    """Every variable reachable from the keywords, in TF's breadth-first order."""
    root = tf.train.Checkpoint(**kwargs)
    objects, _ = graph_view.ObjectGraphView(root).breadth_first_traversal()
    seen, out = set(), []
    for obj in objects:
        if isinstance(obj, (tf.Variable, keras.Variable)) and id(obj) not in seen:
            seen.add(id(obj))
            out.append(obj)
    return out


def raw(v):
    return np.asarray(v.numpy()).tobytes()


# ---- scenarios: make(seed) -> keywords of trained objects ready to be saved or restored into ----

class Dense(tf.Module):
    def __init__(self, n_in, n_out, seed):
        super().__init__()
        g = tf.random.Generator.from_seed(seed)
        self.kernel = tf.Variable(g.normal((n_in, n_out)), name="kernel")
        self.bias = tf.Variable(tf.zeros(n_out), name="bias")


def tf_module(seed):
    root = tf.Module()
    root.layers = [Dense(3, 4, seed), Dense(4, 2, seed + 1)]
    root.table = {"steps": tf.Variable(seed, dtype=tf.int64), "label": tf.Variable(f"run-{seed}")}
    root.half = tf.Variable(tf.cast(tf.range(3), tf.bfloat16) + seed)
    root.frozen = tf.Variable([1.0 * seed], trainable=False)
    root.shared = root.layers[0].kernel  # one variable under two paths
    root.pair = Pair(tf.Variable(float(seed)), {"x": tf.Variable([seed])})
    return {"model": root}


def fit(model, optimizer, seed):
    model.compile(optimizer=optimizer, loss="mse")
    rng = np.random.default_rng(seed)
    model.fit(rng.normal(size=(16, 3)), rng.normal(size=(16, 1)), epochs=2, batch_size=8, verbose=0)


def keras_sequential(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    fit(model, keras.optimizers.Adam(0.01), seed)
    return {"model": model, "optimizer": model.optimizer}


def keras_functional(seed):
    keras.utils.set_random_seed(seed)
    x = keras.Input((3,))
    h = keras.layers.Dense(5, activation="tanh")(x)
    y = keras.layers.Dense(1)(keras.layers.Concatenate()([x, h]))
    model = keras.Model(x, y)
    fit(model, keras.optimizers.SGD(0.05, momentum=0.9), seed)
    return {"model": model, "optimizer": model.optimizer}


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(6, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def keras_subclassed(seed):
    keras.utils.set_random_seed(seed)
    model = Subclassed()
    fit(model, keras.optimizers.Adam(0.02), seed)
    return {"model": model, "optimizer": model.optimizer}


SCENARIOS = {"tf_module": tf_module, "keras_sequential": keras_sequential, "keras_functional": keras_functional,
             "keras_subclassed": keras_subclassed}


def run(name, make, d):
    out = {}
    saved = make(0)
    tf_path = tf.train.Checkpoint(**saved).write(os.path.join(d, name + "-tf"))
    ck_path = ckpt.Checkpoint(**saved).write(os.path.join(d, name + "-ckpt"))
    tf_reader, ck_reader = tf.train.load_checkpoint(tf_path), tf.train.load_checkpoint(ck_path)
    tf_keys = sorted(tf_reader.get_variable_to_shape_map())
    ck_keys = sorted(ck_reader.get_variable_to_shape_map())
    out["keys"] = tf_keys == ck_keys or f"tf {tf_keys} vs ckpt {ck_keys}"
    out["object_graph"] = tf_reader.get_tensor(GRAPH) == ck_reader.get_tensor(GRAPH)
    out["values"] = all(
        np.asarray(tf_reader.get_tensor(k)).tobytes() == np.asarray(ck_reader.get_tensor(k)).tobytes()
        for k in tf_keys if k != GRAPH)
    # save(): both add a save_counter to the root.
    tf_saved = tf.train.load_checkpoint(tf.train.Checkpoint(**saved).save(os.path.join(d, name + "-tfsave")))
    ck_saved = tf.train.load_checkpoint(ckpt.Checkpoint(**saved).save(os.path.join(d, name + "-ckptsave")))
    out["save_object_graph"] = tf_saved.get_tensor(GRAPH) == ck_saved.get_tensor(GRAPH)
    expected = [raw(v) for v in variables_of(saved)]
    for label, path, restore in (("ckpt_restores_tf", tf_path, ckpt.Checkpoint),
                                 ("tf_restores_ckpt", ck_path, tf.train.Checkpoint)):
        fresh = make(1)
        for obj in fresh.values():  # the optimizer must exist before a restore (see docs/python.md)
            if isinstance(obj, keras.optimizers.Optimizer):
                obj.build(fresh["model"].trainable_variables)
        before = variables_of(fresh)
        assert [raw(v) for v in before] != expected
        restore(**fresh).read(path).assert_consumed()
        after = variables_of(fresh)
        out[label] = [raw(v) for v in after] == expected
        out[label + "_in_place"] = len(before) == len(after) and all(a is b for a, b in zip(before, after))
    return out


def unbuilt_optimizer(d):
    saved = keras_sequential(0)
    path = ckpt.Checkpoint(**saved).write(os.path.join(d, "unbuilt"))
    fresh = keras_sequential(1)
    opt = keras.optimizers.Adam()
    try:
        ckpt.Checkpoint(model=fresh["model"], optimizer=opt).read(path)
    except ValueError as e:
        return {"loud": "optimizer.build(model.trainable_variables)" in str(e) or str(e)}
    return {"loud": "no error"}


def main(d):
    results = {}
    for name, make in SCENARIOS.items():
        try:
            results[name] = run(name, make, d)
        except Exception:  # reported per scenario
            results[name] = {"error": traceback.format_exc()}
    results["unbuilt_optimizer"] = unbuilt_optimizer(d)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
