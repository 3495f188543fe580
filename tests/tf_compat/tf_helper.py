"""Runs TensorFlow for the differential tests, in its own process.

    python3 tf_helper.py JOB.json RESULT.json

JOB.json: {"logical_cpus": N (optional), "tasks": [{"name": ..., "op": ..., ...}, ...]}.
Tasks run in order; after each one RESULT.json is rewritten with {name: {"ok": bool, ...}} so a
crash of TensorFlow (abort, segfault) loses only the task it happened in.

Ops (spec directories use the manifest format of bundle_tool, see tests/tools/bundle_tool.cc):
  probe         {"dtypes": [...]} -> {"dtypes": {name: {"ok": bool, "error"?: str}}}: which dtypes
                SaveV2/RestoreV2 accept.
  save_v2       {"spec_dir", "prefix", "probe"?: task name} -> one SaveV2 op with every entry of
                the manifest (slices as shape_and_slices); entries whose dtype failed the probe
                are left out and listed under "skipped".
  merge_v2      {"inputs": [...], "output"} -> MergeV2Checkpoints(delete_old_dirs=True).
  saver_sharded {"dir", "expected_dir"}: TF1 graph-mode Saver(sharded=True) over 3 CPU devices,
                with a partitioned variable; writes the values it saved to expected_dir (manifest
                format) -> {"path", "files", "slice_specs"}.
  checkpoint_policy {"dir", "expected_dir", "max_shard_size"}: TF2 tf.train.Checkpoint.save with
                MaxShardSizePolicy (variables split into slices across shards).
  save_variant  {"prefix"}: SaveV2 of a TensorList (DT_VARIANT) "list" and a float "x".
  read          {"prefix", "keys": [{"key", "dtype", "slices": [shape_and_slice...]}]}: for each
                key, load_checkpoint().get_tensor, RestoreV2 of the whole tensor and of each slice.
                A value is reported as {"shape", "nbytes", "sha256", "hex" (<= 4 KiB)} or, for
                strings, {"shape", "strings_b64"}; a failure as {"error"}.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import dtypes as tf_dtypes  # noqa: E402

QUANTIZED_BASE = {"qint8": "int8", "quint8": "uint8", "qint16": "int16", "quint16": "uint16", "qint32": "int32"}


def tf_dtype(name: str):
    d = getattr(tf_dtypes, name, None)
    if not isinstance(d, tf_dtypes.DType):
        raise ValueError(f"TensorFlow {tf.__version__} has no dtype {name}")
    return d


def make_tensor(dtype: str, shape, raw: bytes | None = None, strings=None):
    """A constant tensor holding exactly these bytes."""
    if dtype == "string":
        return tf.constant(np.array(strings, dtype=object).reshape(shape), dtype=tf.string)
    if dtype in QUANTIZED_BASE:
        base = np.frombuffer(raw, dtype=QUANTIZED_BASE[dtype]).reshape(shape)
        return tf.bitcast(tf.constant(base), tf_dtype(dtype))
    d = tf_dtype(dtype)
    arr = np.frombuffer(raw, dtype=d.as_numpy_dtype).reshape(shape)
    return tf.constant(arr, dtype=d)


def load_spec(spec_dir: str):
    """Yields (key bytes, dtype, shape_and_slice, tensor-maker) from a bundle_tool manifest."""
    manifest = json.load(open(os.path.join(spec_dir, "manifest.json")))
    for e in manifest:
        key = e["key"].encode() if "key" in e else base64.b64decode(e["key_b64"])
        if "slice" in e:
            full = e["full_shape"]
            extents = [] if e["slice"] == "" else e["slice"].split(":")
            shape = [full[d] if x == "-" else int(x.split(",")[1]) for d, x in enumerate(extents)]
            sas = " ".join(map(str, full)) + " " + e["slice"]
        else:
            shape, sas = e["shape"], ""
        if e["dtype"] == "string":
            strings = [base64.b64decode(s) for s in json.load(open(os.path.join(spec_dir, e["strings_file"])))]
            yield key, e["dtype"], sas, (lambda s=strings, sh=shape: make_tensor("string", sh, strings=s))
        else:
            path = os.path.join(spec_dir, e["file"])
            yield key, e["dtype"], sas, (
                lambda p=path, dt=e["dtype"], sh=shape: make_tensor(dt, sh, raw=open(p, "rb").read()))


def describe(value, dtype: str) -> dict:
    arr = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    if dtype == "string":
        arr = np.asarray(arr, dtype=object)  # a scalar comes back as plain bytes
        flat = arr.reshape(-1).tolist()
        return {"shape": list(arr.shape), "strings_b64": [base64.b64encode(s).decode() for s in flat]}
    raw = arr.tobytes()
    out = {"shape": list(arr.shape), "nbytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) <= 4096:
        out["hex"] = raw.hex()
    return out


def error_text(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).strip()[:2000]}"


def write_expected(expected_dir: str, items) -> None:
    """items: (key, dtype, numpy array) -> bundle_tool manifest + files."""
    os.makedirs(expected_dir, exist_ok=True)
    manifest = []
    for i, (key, dtype, arr) in enumerate(items):
        arr = np.asarray(arr)
        entry = {"key": key, "dtype": dtype, "shape": list(arr.shape)}
        if dtype == "string":
            name = f"e{i:04d}.json"
            with open(os.path.join(expected_dir, name), "w") as f:
                json.dump([base64.b64encode(s).decode() for s in arr.reshape(-1).tolist()], f)
            entry["strings_file"] = name
        else:
            name = f"e{i:04d}.bin"
            with open(os.path.join(expected_dir, name), "wb") as f:
                f.write(arr.tobytes())
            entry["file"] = name
        manifest.append(entry)
    with open(os.path.join(expected_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f)


# ----------------------------------------------------------------------------- ops


def op_probe(task, results):
    out = {}
    base = task["scratch"]
    for name in task["dtypes"]:
        try:
            d = tf_dtype(name)
            if name == "string":
                t = tf.constant([b"a", b""])
            else:
                raw = bytes(2 * np.dtype(d.as_numpy_dtype if name not in QUANTIZED_BASE
                                         else QUANTIZED_BASE[name]).itemsize)
                t = make_tensor(name, [2], raw=raw)
            prefix = os.path.join(base, name, "probe")
            os.makedirs(os.path.dirname(prefix), exist_ok=True)  # SaveV2 creates one level only
            tf.raw_ops.SaveV2(prefix=prefix, tensor_names=["x"], shape_and_slices=[""], tensors=[t])
            tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=["x"], shape_and_slices=[""], dtypes=[d])
            out[name] = {"ok": True, "enum": d.as_datatype_enum}
        except Exception as e:  # noqa: BLE001
            out[name] = {"ok": False, "error": error_text(e)}
    return {"dtypes": out}


def op_save_v2(task, results):
    supported = None
    if task.get("probe"):
        supported = {n for n, r in results[task["probe"]]["dtypes"].items() if r["ok"]}
    names, specs, tensors, skipped = [], [], [], []
    for key, dtype, sas, make in load_spec(task["spec_dir"]):
        if supported is not None and dtype not in supported:
            skipped.append(base64.b64encode(key).decode())
            continue
        names.append(key)
        specs.append(sas)
        tensors.append(make())
    os.makedirs(os.path.dirname(task["prefix"]), exist_ok=True)  # SaveV2 creates one level only
    tf.raw_ops.SaveV2(prefix=task["prefix"], tensor_names=tf.constant(names, dtype=tf.string),
                      shape_and_slices=specs, tensors=tensors)
    return {"saved": len(names), "skipped_b64": skipped}


def op_merge_v2(task, results):
    tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=task["inputs"], destination_prefix=task["output"],
                                  delete_old_dirs=True)
    return {"files": sorted(os.listdir(os.path.dirname(task["output"])))}


def op_saver_sharded(task, results):
    rng = np.random.default_rng(task.get("seed", 7))
    os.makedirs(task["dir"], exist_ok=True)
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            a = tf.compat.v1.get_variable(
                "dev0/a", initializer=tf.constant(rng.integers(-(2**62), 2**62, size=[2, 3], dtype=np.int64)))
            step = tf.compat.v1.train.get_or_create_global_step()
        with tf.device("/cpu:1"):
            emb = tf.compat.v1.get_variable(
                "dev1/emb", shape=[10, 4], dtype=tf.float32,
                initializer=tf.compat.v1.random_normal_initializer(seed=1),
                partitioner=tf.compat.v1.fixed_size_partitioner(3))
            cols = tf.compat.v1.get_variable(
                "dev1/cols", shape=[3, 7], dtype=tf.float64,
                initializer=tf.compat.v1.random_uniform_initializer(seed=2),
                partitioner=tf.compat.v1.fixed_size_partitioner(2, axis=1))
        with tf.device("/cpu:2"):
            s = tf.compat.v1.Variable(tf.constant([b"a\x00b", b"", b"\xff\xfe", "caf\u00e9".encode()]),
                                      name="dev2/s")
            h = tf.compat.v1.get_variable(
                "dev2/h", initializer=tf.constant(rng.standard_normal([5]).astype(np.float16)))
        saver = tf.compat.v1.train.Saver(sharded=True)
        cfg = tf.compat.v1.ConfigProto(device_count={"CPU": 3})
        with tf.compat.v1.Session(graph=g, config=cfg) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(step.assign(42))
            path = saver.save(sess, os.path.join(task["dir"], "model.ckpt"), global_step=step,
                              write_meta_graph=False)
            values = sess.run({"a": a, "emb": emb.as_tensor(), "cols": cols.as_tensor(), "s": s, "h": h,
                               "step": step})
            specs = {"dev1/emb": [v._save_slice_info.spec for v in emb],
                     "dev1/cols": [v._save_slice_info.spec for v in cols]}
    write_expected(task["expected_dir"], [
        ("dev0/a", "int64", values["a"]), ("dev1/emb", "float32", values["emb"]),
        ("dev1/cols", "float64", values["cols"]), ("dev2/s", "string", values["s"]),
        ("dev2/h", "float16", values["h"]), ("global_step", "int64", values["step"]),
    ])
    return {"path": path, "files": sorted(os.listdir(task["dir"])), "slice_specs": specs}


def op_checkpoint_policy(task, results):
    rng = np.random.default_rng(task.get("seed", 11))
    values = {
        "big": rng.standard_normal([40, 9]).astype(np.float32),
        "ints": rng.integers(-(2**31), 2**31, size=[300], dtype=np.int64).astype(np.int32),
        "small": np.array(2.5, dtype=np.float64),
        "words": np.array([b"x" * 50, b"", b"\x00\x01"], dtype=object),
    }
    variables = {k: tf.Variable(v) for k, v in values.items()}
    ckpt = tf.train.Checkpoint(**variables)
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=task["max_shard_size"])
    path = ckpt.save(os.path.join(task["dir"], "ckpt"), options=tf.train.CheckpointOptions(
        experimental_sharding_callback=policy))
    dt = {"big": "float32", "ints": "int32", "small": "float64", "words": "string"}
    write_expected(task["expected_dir"], [(f"{k}/.ATTRIBUTES/VARIABLE_VALUE", dt[k], v) for k, v in values.items()]
                   + [("save_counter/.ATTRIBUTES/VARIABLE_VALUE", "int64", np.array(1, dtype=np.int64))])
    return {"path": path, "files": sorted(os.listdir(task["dir"]))}


def op_save_variant(task, results):
    """A DT_VARIANT tensor (a TensorList) next to a float: TF can checkpoint variants."""
    os.makedirs(os.path.dirname(task["prefix"]), exist_ok=True)
    tl = tf.raw_ops.TensorListFromTensor(tensor=tf.constant([[1.0, 2.0], [3.0, 4.0]]),
                                         element_shape=tf.constant([2]))
    tf.raw_ops.SaveV2(prefix=task["prefix"], tensor_names=["list", "x"], shape_and_slices=["", ""],
                      tensors=[tl, tf.constant(1.5)])
    back = tf.raw_ops.RestoreV2(prefix=task["prefix"], tensor_names=["list"], shape_and_slices=[""],
                                dtypes=[tf.variant])[0]
    stacked = tf.raw_ops.TensorListStack(input_handle=back, element_shape=tf.constant([2]), element_dtype=tf.float32)
    return {"restored": stacked.numpy().tolist()}


def op_read(task, results):
    prefix = task["prefix"]
    out = {}
    reader = tf.train.load_checkpoint(prefix)
    dtype_map = {k: v.name for k, v in reader.get_variable_to_dtype_map().items()}
    shape_map = {k: list(v) for k, v in reader.get_variable_to_shape_map().items()}
    for item in task["keys"]:
        key, dtype = item["key"], item["dtype"]
        r = {}
        try:
            r["get_tensor"] = describe(reader.get_tensor(key), dtype)
        except Exception as e:  # noqa: BLE001
            r["get_tensor"] = {"error": error_text(e)}
        for spec in [""] + item.get("slices", []):
            try:
                t = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[key], shape_and_slices=[spec],
                                         dtypes=[tf_dtype(dtype)])[0]
                if dtype in QUANTIZED_BASE:
                    t = tf.bitcast(t, tf_dtype(QUANTIZED_BASE[dtype]))
                value = describe(t, dtype)
            except Exception as e:  # noqa: BLE001
                value = {"error": error_text(e)}
            r.setdefault("restore", {})[spec] = value
        out[key] = r
    return {"dtype_map": dtype_map, "shape_map": shape_map, "keys": out}


OPS = {
    "probe": op_probe, "save_v2": op_save_v2, "merge_v2": op_merge_v2, "saver_sharded": op_saver_sharded,
    "checkpoint_policy": op_checkpoint_policy, "read": op_read, "save_variant": op_save_variant,
}


def main() -> int:
    job_path, result_path = sys.argv[1], sys.argv[2]
    job = json.load(open(job_path))
    if job.get("logical_cpus"):
        cpus = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * int(job["logical_cpus"]))
    results = {"_meta": {"ok": True, "tf_version": tf.__version__}}

    def flush():
        tmp = result_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(results, f)
        os.replace(tmp, result_path)

    flush()
    for task in job["tasks"]:
        try:
            results[task["name"]] = {"ok": True, **OPS[task["op"]](task, results)}
        except Exception as e:  # noqa: BLE001
            results[task["name"]] = {"ok": False, "error": error_text(e), "traceback": traceback.format_exc()}
        flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
