"""Runs TensorFlow's TF1 Saver (graph mode) for test_saver_tf.py, in its own process.

    python3 tf_saver_helper.py JOB.json RESULT.json

JOB.json: {"tasks": [{"name", "op", ...}]}; RESULT.json: {name: {"ok": bool, ...}}, rewritten
after each task.

Ops (a variable spec is {"name", "dtype" (numpy name), "shape", "hex" (raw bytes), "device"?}):
  write  {"dir", "vars", "saver": {...}, "saves": [{"path", "step"?, "latest"?, "meta"?,
         "state"?}]}: one graph, one Saver, the saves in order ->
         {"paths": [returned paths], "last": [...], "files": [sorted names in dir],
          "states": {state file name: text}}
  read   {"path", "vars", "saver": {...}}: fresh graph with zero-valued variables of the given
         dtype/shape, Saver.restore(path) -> {"values": {name: hex}}
  import {"meta", "path", "resave"}: fresh graph, tf.compat.v1.train.import_meta_graph(meta),
         then: the variables' values after running their initializers ("initial": {op name:
         hex}), the saver's restore(path) ("values": {op name: hex}), the filename tensor's
         default ("filename"), and the imported saver's save(resave) -> "resaved" (the path).
A spec with "partitions": k is one tf.compat.v1.get_variable partitioned by
fixed_size_partitioner(k) along axis 0 (parts "<name>/part_<i>", one checkpoint key <name>);
its value is loaded into the parts after initialisation and read back whole.
Saver options: sharded, max_to_keep, v1, pad, relative, reshape, filename (same names as
saver_tool).
"""

import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
tf.get_logger().setLevel("ERROR")


def make_saver(opts):
    return tf1.train.Saver(
        sharded=bool(opts.get("sharded")),
        max_to_keep=opts.get("max_to_keep", 5),
        write_version=tf1.train.SaverDef.V1 if opts.get("v1") else tf1.train.SaverDef.V2,
        pad_step_number=bool(opts.get("pad")),
        save_relative_paths=bool(opts.get("relative")),
        reshape=bool(opts.get("reshape")),
        filename=opts.get("filename"),
    )


def spec_array(s):
    return np.frombuffer(bytes.fromhex(s["hex"]), dtype=np.dtype(s["dtype"])).reshape(s["shape"])


def make_vars(specs, zero):
    out = []
    for s in specs:
        arr = spec_array(s)
        if zero:
            arr = np.zeros_like(arr)
        with tf1.device(s.get("device") or None):
            if s.get("partitions"):
                out.append(
                    tf1.get_variable(
                        s["name"],
                        shape=arr.shape,
                        dtype=tf.as_dtype(arr.dtype),
                        initializer=tf1.zeros_initializer(),
                        partitioner=tf1.fixed_size_partitioner(s["partitions"]),
                    )
                )
            else:
                out.append(tf1.Variable(arr, name=s["name"]))
    return out


def load_partitions(sess, specs, variables):
    """Gives each part of a partitioned variable its slice of the spec's value."""
    for s, v in zip(specs, variables):
        if not s.get("partitions"):
            continue
        arr = spec_array(s)
        for part in v:
            info = part._get_save_slice_info()  # noqa: SLF001 - TF exposes no public accessor
            index = tuple(slice(o, o + n) for o, n in zip(info.var_offset, info.var_shape))
            part.load(arr[index], sess)


def value_hex(sess, v):
    if hasattr(v, "as_tensor"):  # a PartitionedVariable: read it whole
        v = v.as_tensor()
    return np.ascontiguousarray(sess.run(v)).tobytes().hex()


def session():
    return tf1.Session(config=tf1.ConfigProto(device_count={"CPU": 3}))


def op_write(task):
    g = tf.Graph()
    with g.as_default():
        variables = make_vars(task["vars"], zero=False)
        saver = make_saver(task["saver"])
        paths = []
        with session() as sess:
            sess.run(tf1.global_variables_initializer())
            load_partitions(sess, task["vars"], variables)
            for s in task["saves"]:
                p = saver.save(
                    sess,
                    s["path"],
                    global_step=s.get("step"),
                    latest_filename=s.get("latest"),
                    write_meta_graph=s.get("meta", True),
                    write_state=s.get("state", True),
                )
                paths.append(p)
        d = task["dir"]
        states = {}
        for name in os.listdir(d):
            if name in ("checkpoint", "other"):
                with open(os.path.join(d, name)) as f:
                    states[name] = f.read()
        return {"paths": paths, "last": saver.last_checkpoints, "files": sorted(os.listdir(d)), "states": states}


def op_read(task):
    g = tf.Graph()
    with g.as_default():
        variables = make_vars(task["vars"], zero=True)
        saver = make_saver(task["saver"])
        with session() as sess:
            saver.restore(sess, task["path"])
            values = {}
            for spec, v in zip(task["vars"], variables):
                values[spec["name"]] = value_hex(sess, v)
    return {"values": values}


def op_import(task):
    g = tf.Graph()
    with g.as_default():
        saver = tf1.train.import_meta_graph(task["meta"])
        variables = tf1.global_variables()
        with session() as sess:
            sess.run(tf1.global_variables_initializer())
            initial = {v.op.name: value_hex(sess, v) for v in variables}
            saver.restore(sess, task["path"])
            values = {v.op.name: value_hex(sess, v) for v in variables}
            filename = sess.run(saver.saver_def.filename_tensor_name).decode()
            resaved = saver.save(sess, task["resave"], write_meta_graph=False, write_state=False)
    return {"initial": initial, "values": values, "filename": filename, "resaved": resaved}


def main():
    job_path, result_path = sys.argv[1], sys.argv[2]
    with open(job_path) as f:
        job = json.load(f)
    results = {}
    for task in job["tasks"]:
        try:
            out = {"write": op_write, "read": op_read, "import": op_import}[task["op"]](task)
            out["ok"] = True
        except Exception as e:  # noqa: BLE001 - reported to the test
            out = {"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
        results[task["name"]] = out
        with open(result_path, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
