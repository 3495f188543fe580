"""TensorFlow side of test_tf_side_by_side.py (run in its own process).

    python tf_side.py <dir> <testdata_dir>

Writes the TensorFlow version of every scenario under <dir>/tf/, restores what
ckpt wrote under <dir>/ckpt/, reads every V2 checkpoint of <testdata_dir>, and
dumps the results as JSON to <dir>/tf.json. The scenarios mirror
ckpt_side() in test_tf_side_by_side.py.
"""

import glob
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from side_by_side_model import model_arrays  # noqa: E402
from tensor_digest import digest  # noqa: E402


def outcome(fn):
    try:
        fn()
        return "ok"
    except AssertionError as e:
        return "fail: " + str(e).split("\n")[0]


def values(**named):
    return {k: np.asarray(v.numpy()).tolist() if np.asarray(v.numpy()).dtype != object
            else [bytes(x).hex() for x in np.asarray(v.numpy()).reshape(-1)] for k, v in named.items()}


def object_checkpoint(zero=False):
    a = model_arrays(zero)
    m = tf.Module()
    m.dense = tf.Module()
    m.dense.kernel = tf.Variable(a["kernel"])
    m.dense.bias = tf.Variable(a["bias"])
    step = tf.Variable(a["step"])
    table = tf.Variable(a["table"])
    d = {"fc.weight": tf.Variable(a["w"]), "fc.bias": tf.Variable(a["b"])}
    layers = [tf.Variable(a["l0"]), tf.Variable(a["l1"])]
    c = tf.train.Checkpoint(model=m, step=step, table=table, d=d, layers=layers)
    named = dict(kernel=m.dense.kernel, bias=m.dense.bias, step=step, table=table,
                 w=d["fc.weight"], b=d["fc.bias"], l0=layers[0], l1=layers[1])
    return c, named


def main():
    out_dir, testdata = sys.argv[1], sys.argv[2]
    tf_dir = os.path.join(out_dir, "tf")
    res = {}

    # --- object-based checkpoint ---
    c, _ = object_checkpoint()
    res["object_save"] = [c.save(os.path.join(tf_dir, "obj", "ckpt")) for _ in range(2)]
    c, named = object_checkpoint(zero=True)
    st = c.restore(os.path.join(out_dir, "ckpt", "obj", "ckpt-2"))
    res["object_restore"] = {"consumed": outcome(st.assert_consumed), "values": values(**named),
                             "save_counter": int(c.save_counter.numpy())}

    # --- state file ---
    sdir = os.path.join(tf_dir, "state")
    os.makedirs(sdir)
    tf.compat.v1.train.update_checkpoint_state(
        sdir, "model-3", ["model-1", "model-2", "model-3"], all_model_checkpoint_timestamps=[1.5, 2.25, 3.0],
        last_preserved_timestamp=0.5)
    st = tf.train.get_checkpoint_state(os.path.join(out_dir, "ckpt", "state"))
    res["state_read"] = {"model_checkpoint_path": st.model_checkpoint_path,
                         "all": list(st.all_model_checkpoint_paths),
                         "timestamps": list(st.all_model_checkpoint_timestamps),
                         "last_preserved": st.last_preserved_timestamp}

    # --- TF1 Saver (graph mode) ---
    with tf.Graph().as_default():
        w = tf.compat.v1.Variable(np.array([1.0, 2.0, 3.0], np.float32), name="w")
        b = tf.compat.v1.Variable(np.array([4, 5], np.int32), name="b")
        saver = tf.compat.v1.train.Saver({"w": w, "b": b}, max_to_keep=2, save_relative_paths=True)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            res["saver_save"] = [saver.save(sess, os.path.join(tf_dir, "saver", "model.ckpt"), global_step=s,
                                            write_meta_graph=False) for s in (1, 2, 3)]
            sess.run([w.assign(np.zeros(3, np.float32)), b.assign(np.zeros(2, np.int32))])
            saver.restore(sess, os.path.join(out_dir, "ckpt", "saver", "model.ckpt-3"))
            res["saver_restore"] = {"w": sess.run(w).tolist(), "b": sess.run(b).tolist()}

    # --- CheckpointManager ---
    v = tf.Variable(np.float32(1))
    mgr = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), os.path.join(tf_dir, "manager"), max_to_keep=2)
    res["manager_save"] = [mgr.save() for _ in range(3)]
    res["manager_checkpoints"] = list(mgr.checkpoints)

    # --- reading real TF checkpoints ---
    reads = {}
    for index in sorted(glob.glob(os.path.join(testdata, "**", "*.index"), recursive=True)):
        prefix = index[: -len(".index")]
        r = tf.train.load_checkpoint(prefix)
        shapes = r.get_variable_to_shape_map()
        dtypes = {k: v.name for k, v in r.get_variable_to_dtype_map().items()}
        tensors = {}
        for k in sorted(shapes):
            try:
                tensors[k] = digest(r.get_tensor(k))
            except Exception as e:  # noqa: BLE001 - the class name is the result
                tensors[k] = "error:" + type(e).__name__
        reads[os.path.relpath(prefix, testdata)] = {"shapes": shapes, "dtypes": dtypes, "tensors": tensors,
                                                    "list": [[k, s] for k, s in tf.train.list_variables(prefix)]}
    res["reads"] = reads

    with open(os.path.join(out_dir, "tf.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
