"""`ckpt diff`, `ckpt convert` and `ckpt graph` (issue 7).

Conversions are checked against the real third-party readers and writers: the `safetensors`
package (Rust core: safetensors.deserialize / serialize_file, safetensors.numpy, and
safetensors.torch when torch is importable), numpy (np.load / np.savez / np.savez_compressed)
and TensorFlow (tf.train.load_checkpoint, in a subprocess). Every round trip is compared bit
for bit. Source bundles are written with the C++ BundleWriter through bundle_tool.
"""

from __future__ import annotations

import json
import os
import pty
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pytest_support import TESTDATA, testdata

safetensors = pytest.importorskip("safetensors")
import safetensors.numpy as st_numpy  # noqa: E402

KERAS_CASE = TESTDATA / "tfx" / "keras_tuner_trial_epoch0"

# TF dtype name -> safetensors header dtype, for everything both can hold.
ST_DTYPES = {
    "bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "uint16": "U16", "int32": "I32",
    "uint32": "U32", "int64": "I64", "uint64": "U64", "float16": "F16", "bfloat16": "BF16",
    "float32": "F32", "float64": "F64", "complex64": "C64", "float8_e5m2": "F8_E5M2",
    "float8_e4m3fn": "F8_E4M3", "float8_e4m3fnuz": "F8_E4M3FNUZ", "float8_e5m2fnuz": "F8_E5M2FNUZ",
}
# Dtypes numpy has natively -> their .npy descr.
NPZ_NATIVE = {
    "bool": "|b1", "uint8": "|u1", "int8": "|i1", "int16": "<i2", "uint16": "<u2", "int32": "<i4",
    "uint32": "<u4", "int64": "<i8", "uint64": "<u8", "float16": "<f2", "float32": "<f4",
    "float64": "<f8", "complex64": "<c8", "complex128": "<c16",
}
# Dtypes numpy lacks -> the storage field of ckpt's one-field structured encoding.
NPZ_RAW_BITS = {
    "bfloat16": "<u2", "float8_e5m2": "u1", "float8_e4m3fn": "u1", "float8_e4m3fnuz": "u1",
    "float8_e4m3b11fnuz": "u1", "float8_e5m2fnuz": "u1", "int4": "u1", "uint4": "u1", "int2": "u1",
    "uint2": "u1", "float4_e2m1fn": "u1", "qint8": "i1", "quint8": "u1", "qint16": "<i2",
    "quint16": "<u2", "qint32": "<i4",
}
ALL_FIXED = sorted(set(ST_DTYPES) | set(NPZ_NATIVE) | set(NPZ_RAW_BITS))
SHAPE = (3, 5)
VOCAB = [b"alpha", b"", b"caf\xc3\xa9", b"x" * 40]


def random_bits(dtype: str, np_dtype, rng, shape=SHAPE) -> np.ndarray:
    """Random bytes viewed as the dtype (NaN payloads and all), so round trips must be bit-exact."""
    dt = np_dtype(dtype)
    n = int(np.prod(shape))
    if dtype == "bool":
        raw = rng.integers(0, 2, n, dtype=np.uint8).tobytes()
    elif dtype in ("int4", "uint4", "float4_e2m1fn"):
        raw = rng.integers(0, 16, n, dtype=np.uint8).tobytes()
    elif dtype in ("int2", "uint2"):
        raw = rng.integers(0, 4, n, dtype=np.uint8).tobytes()
    else:
        raw = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
    return np.frombuffer(raw, dtype=dt).reshape(shape)


def raw(arr) -> bytes:
    return np.ascontiguousarray(arr).tobytes()


def stderr(proc) -> str:
    return proc.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def src_bundle(tmp_path_factory, bundles, BundleSpecClass, np_dtype):
    """A bundle with one tensor per fixed-size dtype (random bits), strings, a partitioned tensor,
    a scalar, an empty tensor and a non-UTF-8 key. Returns (prefix, {key: (dtype, array)})."""
    rng = np.random.default_rng(7)
    root = tmp_path_factory.mktemp("tools_src")
    spec = BundleSpecClass()
    values: dict = {}
    for dt in ALL_FIXED:
        arr = random_bits(dt, np_dtype, rng)
        spec.add(f"t/{dt}", dt, arr)
        values[f"t/{dt}"] = (dt, arr)
    scalar = np.array(2.5, dtype=np.float32)
    spec.add("scalar", "float32", scalar)
    values["scalar"] = ("float32", scalar)
    empty = np.zeros((0, 4), dtype=np.int32)
    spec.add("empty", "int32", empty)
    values["empty"] = ("int32", empty)
    emb = np.arange(12, dtype=np.float32).reshape(6, 2)
    spec.add_slice("emb", "float32", [6, 2], "0,3:-", emb[0:3])
    spec.add_slice("emb", "float32", [6, 2], "3,3:-", emb[3:6])
    values["emb"] = ("float32", emb)
    spec.add("vocab", "string", VOCAB)
    values["vocab"] = ("string", VOCAB)
    spec.add(b"bad\xffkey", "float32", np.array([1.0], dtype=np.float32))
    bundles.write(spec, root / "spec", root / "src")
    return root / "src", values


def read_bundle(bundles, prefix, out_dir) -> dict:
    return {k.decode("utf-8", "surrogateescape"): t for k, t in bundles.read(prefix, out_dir).items()}


# =============================================================================== diff


@pytest.fixture(scope="module")
def diff_pair(tmp_path_factory, bundles, BundleSpecClass):
    """Two bundles that differ in every way `ckpt diff` reports."""
    root = tmp_path_factory.mktemp("diff")
    a, b = BundleSpecClass(), BundleSpecClass()
    same = np.arange(6, dtype=np.float64).reshape(2, 3)
    for s in (a, b):
        s.add("same", "float64", same)
        s.add("strings_same", "string", [b"x", b"y"])
    a.add("w", "float32", np.array([1.0, 2.0, -4.0, 0.0], dtype=np.float32))
    b.add("w", "float32", np.array([1.0, 2.5, -3.0, -0.0], dtype=np.float32))
    a.add("nan", "float32", np.array([np.nan, 1.0, np.inf], dtype=np.float32))
    b.add("nan", "float32", np.array([np.nan, np.nan, np.inf], dtype=np.float32))
    a.add("big", "int64", np.array([2**62 + 1, 5], dtype=np.int64))
    b.add("big", "int64", np.array([2**62, 5], dtype=np.int64))
    a.add("cast", "float32", np.array([1.0, 0.5], dtype=np.float32))
    b.add("cast", "float64", np.array([1.0, 0.25], dtype=np.float64))
    a.add("reshaped", "int32", np.zeros((2, 3), dtype=np.int32))
    b.add("reshaped", "int32", np.zeros((3, 2), dtype=np.int32))
    a.add("strings", "string", [b"a", b"b", b"c"])
    b.add("strings", "string", [b"a", b"B", b"c"])
    a.add("only_a", "int8", np.array([1], dtype=np.int8))
    b.add("only_b", "uint16", np.array([[1, 2]], dtype=np.uint16))
    bundles.write(a, root / "sa", root / "a")
    bundles.write(b, root / "sb", root / "b")
    return root / "a", root / "b"


def test_diff_identical_is_exit_0(ckpt_cli, diff_pair):
    a, _ = diff_pair
    proc = ckpt_cli.run("diff", a, a)
    assert proc.returncode == 0, stderr(proc)
    assert "identical" in proc.stdout.decode()
    d = ckpt_cli.json("diff", a, str(a) + ".index", "--json")
    assert d["identical"] is True and d["changed"] == [] and d["only_in_a"] == [] and d["only_in_b"] == []
    assert d["num_common"] == d["num_equal"] == 9


def test_diff_reports_every_kind_of_change(ckpt_cli, diff_pair):
    a, b = diff_pair
    proc = ckpt_cli.run("diff", a, b, "--json")
    assert proc.returncode == 1, stderr(proc)
    d = json.loads(proc.stdout)
    assert d["identical"] is False
    assert d["only_in_a"] == [{"key": "only_a", "dtype": "int8", "shape": [1]}]
    assert d["only_in_b"] == [{"key": "only_b", "dtype": "uint16", "shape": [1, 2]}]
    changed = {c["key"]: c for c in d["changed"]}
    assert set(changed) == {"w", "nan", "big", "cast", "reshaped", "strings"}
    assert d["num_equal"] == 2  # same, strings_same

    w = changed["w"]
    a_w, b_w = np.array([1.0, 2.0, -4.0, 0.0]), np.array([1.0, 2.5, -3.0, -0.0])
    assert w["kind"] == "values" and w["num_elements"] == 4
    assert w["num_different"] == 2  # 0.0 vs -0.0 is equal
    assert w["max_abs_diff"] == np.max(np.abs(a_w - b_w)) == 1.0
    assert w["max_rel_diff"] == pytest.approx(max(0.5 / 2.5, 1.0 / 4.0))

    nan = changed["nan"]  # NaN == NaN, inf == inf, 1.0 vs NaN is infinitely far
    assert nan["num_different"] == 1 and nan["max_abs_diff"] == "inf"

    big = changed["big"]  # exact integer arithmetic: 2**62+1 vs 2**62 differ by exactly 1
    assert big["num_different"] == 1 and big["max_abs_diff"] == 1.0

    cast = changed["cast"]
    assert cast["kind"] == "dtype" and cast["dtype_a"] == "float32" and cast["dtype_b"] == "float64"
    assert cast["num_different"] == 1 and cast["max_abs_diff"] == 0.25 and cast["max_rel_diff"] == 0.5

    reshaped = changed["reshaped"]
    assert reshaped["kind"] == "shape" and reshaped["shape_a"] == [2, 3] and reshaped["shape_b"] == [3, 2]
    assert "num_different" not in reshaped

    s = changed["strings"]
    assert s["kind"] == "values" and s["num_different"] == 1 and "max_abs_diff" not in s


def test_diff_text_output(ckpt_cli, diff_pair):
    a, b = diff_pair
    proc = ckpt_cli.run("diff", a, b)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "- only_a  int8 [1]  (only in A)" in out
    assert "+ only_b  uint16 [1,2]  (only in B)" in out
    assert "~ reshaped  shape [2,3] -> [3,2]" in out
    assert "~ cast  dtype float32 -> float64 [2]" in out
    assert "~ w  float32 [4]  2/4 elements differ, max abs 1.0, max rel 0.25" in out
    assert "same" not in out.replace("strings_same", "")  # equal tensors are not listed...
    assert "  same  float64 [2,3]  equal" in ckpt_cli.run("diff", a, b, "--all").stdout.decode()  # ...unless --all
    assert out.splitlines()[-1] == "different: 1 only in A, 1 only in B, 6 of 8 common tensors changed"


def test_diff_tolerances(ckpt_cli, tmp_path, bundles, BundleSpecClass):
    a, b = BundleSpecClass(), BundleSpecClass()
    a.add("x", "float32", np.array([1.0, 100.0], dtype=np.float32))
    b.add("x", "float32", np.array([1.001, 100.5], dtype=np.float32))
    bundles.write(a, tmp_path / "sa", tmp_path / "a")
    bundles.write(b, tmp_path / "sb", tmp_path / "b")
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b").returncode == 1
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b", "--atol", "0.01").returncode == 1  # 0.5 > 0.01
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b", "--atol", "0.6").returncode == 0
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b", "--rtol", "0.005").returncode == 0
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b", "--rtol", "0.0001").returncode == 1


def test_diff_errors_are_exit_2(ckpt_cli, diff_pair, tmp_path):
    a, _ = diff_pair
    for args in [(a,), (a, a, a), (a, a, "--bogus"), (a, a, "--atol", "x"), (a, a, "--rtol", "-1")]:
        proc = ckpt_cli.run("diff", *args)
        assert proc.returncode == 2, args
        assert "usage: ckpt diff" in stderr(proc)
    proc = ckpt_cli.run("diff", a, tmp_path / "missing")
    assert proc.returncode == 2 and "NOT_FOUND" in stderr(proc) or "not found" in stderr(proc).lower()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(struct.pack("<Q", 10**12) + b"{}")
    proc = ckpt_cli.run("diff", a, bad)
    assert proc.returncode == 2 and "DATA_LOSS" in stderr(proc)


def test_diff_ignore_object_graph(ckpt_cli, tmp_path, bundles, BundleSpecClass):
    a, b = BundleSpecClass(), BundleSpecClass()
    a.add("_CHECKPOINTABLE_OBJECT_GRAPH", "string", b"graph one")
    b.add("_CHECKPOINTABLE_OBJECT_GRAPH", "string", b"graph two")
    for s in (a, b):
        s.add("v", "float32", np.ones(2, dtype=np.float32))
    bundles.write(a, tmp_path / "sa", tmp_path / "a")
    bundles.write(b, tmp_path / "sb", tmp_path / "b")
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b").returncode == 1
    assert ckpt_cli.run("diff", tmp_path / "a", tmp_path / "b", "--ignore-object-graph").returncode == 0


# =============================================================================== convert: safetensors


def convert(ckpt_cli, *args):
    return ckpt_cli.json("convert", *map(str, args), "--json")


def convert_there_and_back(ckpt_cli, prefix, converted, back):
    """Converts the bundle `prefix` to the file `converted`, and that to a new bundle `back`."""
    convert(ckpt_cli, prefix, converted)
    convert(ckpt_cli, converted, back)


def keys_only_in_first(ckpt_cli, a, b):
    """`ckpt diff A B --json` after a conversion A -> B: asserts that no value changed and
    nothing was added; returns the keys B lacks (what the conversion had to leave out)."""
    d = json.loads(ckpt_cli.run("diff", a, b, "--json").stdout)
    assert d["changed"] == [] and d["only_in_b"] == []
    return [k["key"] for k in d["only_in_a"]]


def test_bundle_to_safetensors_read_by_real_safetensors(ckpt_cli, src_bundle, tmp_path):
    prefix, values = src_bundle
    out = tmp_path / "model.safetensors"
    report = convert(ckpt_cli, prefix, out)
    assert report["from"] == "checkpoint" and report["to"] == "safetensors"
    assert report["outputs"] == [str(out)]

    # What cannot be represented is reported, with a reason, and left out.
    skipped = {s.get("key"): s for s in report["skipped"]}
    expect_skipped = {f"t/{d}" for d in ALL_FIXED if d not in ST_DTYPES} | {"vocab", "bad\ufffdkey"}
    assert set(skipped) == expect_skipped
    assert "string" in skipped["vocab"]["reason"]
    assert "complex128" in skipped["t/complex128"]["reason"]
    assert "UTF-8" in skipped["bad\ufffdkey"]["reason"]

    # The Rust core parses the file (all dtypes), bit-exact.
    tensors = dict(safetensors.deserialize(out.read_bytes()))
    assert set(tensors) == {f"t/{d}" for d in ST_DTYPES} | {"scalar", "empty", "emb"}
    for key, t in tensors.items():
        dt, arr = values[key]
        if key.startswith("t/"):
            assert t["dtype"] == ST_DTYPES[dt], key
        assert t["shape"] == list(arr.shape), key
        assert bytes(t["data"]) == raw(arr), key
    # safetensors' numpy front end, for the dtypes numpy knows (it has no bfloat16/float8).
    with safetensors.safe_open(str(out), framework="numpy") as f:
        for dt in ("float32", "float64", "int64", "uint64", "bool", "complex64", "float16", "int8"):
            got = f.get_tensor(f"t/{dt}")
            assert got.dtype == np.dtype(NPZ_NATIVE[dt]) and got.tobytes() == raw(values[f"t/{dt}"][1]), dt
        assert np.array_equal(f.get_tensor("emb"), values["emb"][1])  # partitioned tensor, assembled
        scalar = f.get_tensor("scalar")
        assert scalar.shape == () and scalar == np.float32(2.5)


def test_bundle_to_safetensors_read_by_torch(ckpt_cli, src_bundle, tmp_path):
    torch = pytest.importorskip("torch")
    import safetensors.torch as st_torch

    prefix, values = src_bundle
    out = tmp_path / "t.safetensors"
    convert(ckpt_cli, prefix, out)
    loaded = st_torch.load_file(str(out))
    torch_names = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32,
                   "float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2,
                   "int64": torch.int64, "bool": torch.bool}
    for dt, tdt in torch_names.items():
        t = loaded[f"t/{dt}"]
        assert t.dtype == tdt and tuple(t.shape) == SHAPE
        as_bytes = t.contiguous().view(torch.uint8).numpy().tobytes()
        assert as_bytes == raw(values[f"t/{dt}"][1]), dt


def test_safetensors_from_real_writer_to_bundle(ckpt_cli, bundles, np_dtype, tmp_path):
    """Files written by safetensors' own serializer, every dtype it shares with TF, into a bundle."""
    rng = np.random.default_rng(11)
    arrays = {f"w.{dt}": random_bits(dt, np_dtype, rng, (2, 3, 4)) for dt in ST_DTYPES}
    arrays["scalar"] = np.array(-1.25, dtype=np.float64)
    arrays["zero_size"] = np.zeros((0,), dtype=np.float32)
    tf_dtype = {k: k[2:] if k.startswith("w.") else str(a.dtype) for k, a in arrays.items()}
    specs = {k: safetensors.TensorSpec(dtype=tf_dtype[k], shape=a.shape, data_ptr=a.ctypes.data, data_len=a.nbytes)
             for k, a in arrays.items()}
    src = tmp_path / "hf.safetensors"
    safetensors.serialize_file(specs, str(src), metadata={"format": "pt"})
    report = convert(ckpt_cli, src, tmp_path / "ckpt")
    assert report["skipped"] == [] and report["tensors_written"] == len(arrays)
    got = read_bundle(bundles, tmp_path / "ckpt", tmp_path / "read")
    assert set(got) == set(arrays)
    for k, a in arrays.items():
        assert got[k].dtype == tf_dtype[k] and got[k].shape == list(a.shape), k
        assert got[k].data == raw(a), k
    # and numpy's writer
    src2 = tmp_path / "np.safetensors"
    st_numpy.save_file({"a": np.arange(10, dtype=np.int16), "b": np.eye(3, dtype=np.float32)}, str(src2))
    convert(ckpt_cli, src2, tmp_path / "ckpt2")
    got = read_bundle(bundles, tmp_path / "ckpt2", tmp_path / "read2")
    assert got["a"].dtype == "int16" and got["a"].data == np.arange(10, dtype=np.int16).tobytes()
    assert got["b"].dtype == "float32" and got["b"].data == np.eye(3, dtype=np.float32).tobytes()


def test_safetensors_round_trip_is_identical(ckpt_cli, src_bundle, tmp_path):
    prefix, _ = src_bundle
    convert_there_and_back(ckpt_cli, prefix, tmp_path / "m.safetensors", tmp_path / "back")
    # diff works across formats too: everything that was converted is equal.
    assert set(keys_only_in_first(ckpt_cli, prefix, tmp_path / "m.safetensors")) == {
        f"t/{x}" for x in ALL_FIXED if x not in ST_DTYPES} | {"vocab", "bad\ufffdkey"}
    assert ckpt_cli.run("diff", tmp_path / "back", tmp_path / "m.safetensors").returncode == 0


def test_sharded_safetensors(ckpt_cli, bundles, BundleSpecClass, tmp_path):
    spec = BundleSpecClass()
    arrays = {f"layer{i}/w": np.full((64,), i, dtype=np.float32) for i in range(5)}  # 256 bytes each
    arrays["big"] = np.arange(300, dtype=np.float64)  # 2400 bytes: larger than a shard
    for k, a in arrays.items():
        spec.add(k, str(a.dtype), a)
    bundles.write(spec, tmp_path / "spec", tmp_path / "src")
    out_dir = tmp_path / "hf"
    out_dir.mkdir()
    index = out_dir / "model.safetensors.index.json"
    report = convert(ckpt_cli, tmp_path / "src", index, "--max-shard-size", "600B")
    assert report["to"] == "safetensors-sharded"
    # key order: big, layer0..4 -> [big] [layer0 layer1] [layer2 layer3] [layer4]
    names = [f"model-{i:05d}-of-00004.safetensors" for i in range(1, 5)]
    assert report["outputs"] == [str(out_dir / n) for n in names] + [str(index)]
    doc = json.loads(index.read_text())
    assert doc["metadata"] == {"total_size": sum(a.nbytes for a in arrays.values())}
    assert doc["weight_map"] == {"big": names[0], "layer0/w": names[1], "layer1/w": names[1],
                                 "layer2/w": names[2], "layer3/w": names[2], "layer4/w": names[3]}
    # Every shard is a valid safetensors file holding exactly its tensors.
    loaded = {}
    for n in names:
        part = st_numpy.load_file(str(out_dir / n))
        assert {k for k, v in doc["weight_map"].items() if v == n} == set(part)
        loaded.update(part)
    for k, a in arrays.items():
        assert loaded[k].tobytes() == a.tobytes()
    # Read back: by index path, and by directory.
    for src in (index, out_dir):
        assert ckpt_cli.run("diff", tmp_path / "src", src).returncode == 0
    convert(ckpt_cli, out_dir, tmp_path / "back")
    assert ckpt_cli.run("diff", tmp_path / "src", tmp_path / "back").returncode == 0


def test_sharded_safetensors_written_like_hugging_face(ckpt_cli, bundles, tmp_path):
    """An index + shards as transformers' save_pretrained lays them out, read back into a bundle."""
    d = tmp_path / "hf"
    d.mkdir()
    shard1 = {"embed.weight": np.arange(8, dtype=np.float16).reshape(2, 4)}
    shard2 = {"lm_head.weight": np.ones((4, 2), dtype=np.float32), "lm_head.bias": np.zeros(2, dtype=np.float32)}
    st_numpy.save_file(shard1, str(d / "model-00001-of-00002.safetensors"), metadata={"format": "pt"})
    st_numpy.save_file(shard2, str(d / "model-00002-of-00002.safetensors"), metadata={"format": "pt"})
    weight_map = {k: "model-00001-of-00002.safetensors" for k in shard1}
    weight_map.update({k: "model-00002-of-00002.safetensors" for k in shard2})
    (d / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {"total_size": 56}, "weight_map": weight_map}, indent=2, sort_keys=True))
    convert(ckpt_cli, d, tmp_path / "ckpt")
    got = read_bundle(bundles, tmp_path / "ckpt", tmp_path / "read")
    for k, a in {**shard1, **shard2}.items():
        assert got[k].data == a.tobytes() and got[k].shape == list(a.shape)
    # An index naming a shard outside its directory is refused.
    weight_map["embed.weight"] = "../model-00001-of-00002.safetensors"
    (d / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    proc = ckpt_cli.run("convert", d, tmp_path / "ckpt2")
    assert proc.returncode == 1 and "plain file name" in stderr(proc)


def tf_run(script: str, *args, timeout=600) -> dict:
    """Runs `script` with TensorFlow in a fresh interpreter; it prints one JSON document."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *map(str, args)], capture_output=True,
                          timeout=timeout, env=env)
    if proc.returncode != 0 and b"No module named 'tensorflow'" in proc.stderr:
        pytest.skip("TensorFlow is not installed")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


TF_READ = """
import json, sys
import tensorflow as tf
r = tf.train.load_checkpoint(sys.argv[1])
out = {}
for key, dtype in r.get_variable_to_dtype_map().items():
    t = r.get_tensor(key)
    out[key] = {"dtype": dtype.name, "shape": list(t.shape), "hex": t.tobytes().hex()}
print(json.dumps(out))
"""


def test_tensorflow_reads_bundle_converted_from_safetensors(ckpt_cli, np_dtype, tmp_path):
    rng = np.random.default_rng(3)
    # The dtypes tf.train.load_checkpoint hands back as numpy arrays.
    dtypes = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8",
              "uint16", "uint32", "uint64", "bool", "complex64"]
    arrays = {f"model/{dt}": random_bits(dt, np_dtype, rng, (4, 3)) for dt in dtypes}
    specs = {k: safetensors.TensorSpec(dtype=k.split("/")[1], shape=a.shape, data_ptr=a.ctypes.data, data_len=a.nbytes)
             for k, a in arrays.items()}
    safetensors.serialize_file(specs, str(tmp_path / "m.safetensors"))
    convert(ckpt_cli, tmp_path / "m.safetensors", tmp_path / "ckpt")
    got = tf_run(TF_READ, tmp_path / "ckpt")
    assert set(got) == set(arrays)
    for k, a in arrays.items():
        dt = k.split("/")[1]
        assert got[k]["dtype"] == dt and got[k]["shape"] == [4, 3], k
        assert got[k]["hex"] == raw(a).hex(), k


# =============================================================================== convert: npz


def test_bundle_to_npz_read_by_numpy(ckpt_cli, src_bundle, tmp_path):
    prefix, values = src_bundle
    out = tmp_path / "m.npz"
    report = convert(ckpt_cli, prefix, out)
    assert [s["key"] for s in report["skipped"]] == ["bad\ufffdkey"]
    notes = {n["key"]: n["note"] for n in report["notes"]}
    assert set(notes) == {f"t/{d}" for d in NPZ_RAW_BITS}
    assert "[('bfloat16', '<u2')]" in notes["t/bfloat16"]
    with np.load(out) as z:  # allow_pickle stays False: nothing is pickled
        assert set(z.files) == set(values)
        for dt in NPZ_NATIVE:
            a = z[f"t/{dt}"]
            assert a.dtype == np.dtype(NPZ_NATIVE[dt]) and a.shape == SHAPE and a.tobytes() == raw(values[f"t/{dt}"][1])
        for dt, field in NPZ_RAW_BITS.items():
            a = z[f"t/{dt}"]
            assert a.dtype.names == (dt,) and a.dtype[dt] == np.dtype(field), dt
            assert a.shape == SHAPE and a.tobytes() == raw(values[f"t/{dt}"][1]), dt
        # the documented way back to a real bfloat16 array
        import ml_dtypes

        bf = z["t/bfloat16"].view(ml_dtypes.bfloat16)
        assert bf.tobytes() == raw(values["t/bfloat16"][1])
        assert z["vocab"].dtype == np.dtype("S40") and z["vocab"].tolist() == VOCAB
        assert z["scalar"].shape == () and z["empty"].shape == (0, 4)
        assert np.array_equal(z["emb"], values["emb"][1])


def test_npz_round_trip_keeps_every_dtype(ckpt_cli, src_bundle, tmp_path):
    prefix, _ = src_bundle
    convert_there_and_back(ckpt_cli, prefix, tmp_path / "m.npz", tmp_path / "back")
    assert keys_only_in_first(ckpt_cli, prefix, tmp_path / "back") == ["bad\ufffdkey"]
    ls = {e["key"]: e["dtype"] for e in ckpt_cli.json("ls", tmp_path / "back", "--json")}
    for dt in ALL_FIXED:
        assert ls[f"t/{dt}"] == dt


def test_npz_from_numpy_writers(ckpt_cli, bundles, tmp_path):
    arrays = {
        "f32": np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)),
        "big_endian": np.arange(6, dtype=">f8").reshape(2, 3),
        "complex_be": np.array([1 + 2j, -3j], dtype=">c8"),
        "unicode": np.array([["h\u00e9llo", "\u65e5\u672c"], ["", "x"]]),
        "bytes_fortran": np.asfortranarray(np.array([[b"ab", b"c"], [b"", b"defg"]])),
        "bools": np.array([True, False, True]),
        "scalar": np.array(7, dtype=np.uint64),
        "nested/name": np.arange(3, dtype=np.int8),
    }
    for writer, name in ((np.savez, "plain.npz"), (np.savez_compressed, "deflated.npz")):
        writer(tmp_path / name, **arrays)
        out = tmp_path / (name + ".ckpt")
        report = convert(ckpt_cli, tmp_path / name, out)
        assert report["skipped"] == [], name
        got = read_bundle(bundles, out, tmp_path / (name + ".read"))
        for k, a in arrays.items():
            t = got[k]
            assert t.shape == list(a.shape), (name, k)
            if a.dtype.kind in "SU":
                expect = [s.encode() if isinstance(s, str) else s for s in np.ascontiguousarray(a).reshape(-1).tolist()]
                assert t.dtype == "string" and t.strings == expect, (name, k)
            else:
                native = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"))
                assert t.data == native.tobytes(), (name, k)


def test_npz_refuses_pickles_and_reports_them(ckpt_cli, tmp_path):
    np.savez(tmp_path / "obj.npz", ok=np.arange(3), obj=np.array([{"a": 1}, None], dtype=object))
    report = convert(ckpt_cli, tmp_path / "obj.npz", tmp_path / "out")
    assert [s["key"] for s in report["skipped"]] == ["obj"]
    assert "pickle" in report["skipped"][0]["reason"]
    proc = ckpt_cli.run("convert", tmp_path / "obj.npz", tmp_path / "out2", "--strict")
    assert proc.returncode == 1 and "obj" in stderr(proc)
    assert not list(tmp_path.glob("out2*"))


def test_npz_strings_ending_in_nul_are_reported(ckpt_cli, bundles, BundleSpecClass, tmp_path):
    spec = BundleSpecClass()
    spec.add("fine", "string", [b"a\x00b"])
    spec.add("trailing_nul", "string", [b"ab\x00"])
    bundles.write(spec, tmp_path / "spec", tmp_path / "src")
    report = convert(ckpt_cli, tmp_path / "src", tmp_path / "s.npz")
    assert [s["key"] for s in report["skipped"]] == ["trailing_nul"]
    with np.load(tmp_path / "s.npz") as z:
        assert z.files == ["fine"] and z["fine"].tolist() == [b"a\x00b"]


def test_npz_zip64(ckpt_cli, src_bundle, tmp_path):
    prefix, values = src_bundle
    out = tmp_path / "z64.npz"
    convert(ckpt_cli, prefix, out, "--zip64")
    raw_zip = out.read_bytes()
    assert b"PK\x06\x06" in raw_zip and b"PK\x06\x07" in raw_zip  # ZIP64 end record + locator
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None  # every CRC checks out
    with np.load(out) as z:
        assert z["t/float64"].tobytes() == raw(values["t/float64"][1])
    convert(ckpt_cli, out, tmp_path / "back")
    assert ckpt_cli.run("diff", tmp_path / "back", tmp_path / "z64.npz").returncode == 0
    # Without --zip64 a small archive has no ZIP64 records.
    convert(ckpt_cli, prefix, tmp_path / "small.npz")
    assert b"PK\x06\x06" not in (tmp_path / "small.npz").read_bytes()


# =============================================================================== convert: options, safety


def test_convert_strict_force_and_dry_run(ckpt_cli, src_bundle, tmp_path):
    prefix, _ = src_bundle
    out = tmp_path / "m.safetensors"
    proc = ckpt_cli.run("convert", prefix, out, "--strict")
    assert proc.returncode == 1 and "cannot be stored as safetensors" in stderr(proc) and "t/complex128" in stderr(proc)
    assert not out.exists() and list(tmp_path.iterdir()) == []

    dry = convert(ckpt_cli, prefix, out, "--dry-run")
    assert dry["dry_run"] is True and dry["outputs"] == [str(out)] and not out.exists()
    assert dry["skipped"]

    convert(ckpt_cli, prefix, out)
    proc = ckpt_cli.run("convert", prefix, out)
    assert proc.returncode == 1 and "ALREADY_EXISTS" in stderr(proc)
    convert(ckpt_cli, prefix, out, "--force")
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temporary files left


def test_convert_usage_errors(ckpt_cli, src_bundle, tmp_path):
    prefix, _ = src_bundle
    for args in [(prefix,), (prefix, tmp_path / "x", "--to", "onnx"), (prefix, tmp_path / "x", "--max-shard-size", "lots"),
                 (prefix, tmp_path / "x", "--nope")]:
        proc = ckpt_cli.run("convert", *args)
        assert proc.returncode == 2 and "usage: ckpt convert" in stderr(proc), args
    help_text = ckpt_cli.ok("convert", "--help").stdout.decode()
    assert "bfloat16" in help_text and "--max-shard-size" in help_text


def test_convert_explicit_formats(ckpt_cli, src_bundle, tmp_path):
    prefix, values = src_bundle
    out = tmp_path / "weights.bin"  # a name that says nothing
    report = convert(ckpt_cli, prefix, out, "--to", "npz")
    assert report["to"] == "npz"
    with np.load(out) as z:
        assert z["t/int32"].tobytes() == raw(values["t/int32"][1])
    # reading it back needs no --from: the content is sniffed
    assert ckpt_cli.run("diff", out, tmp_path / "weights.bin").returncode == 0
    report = convert(ckpt_cli, out, tmp_path / "back", "--from", "npz")
    assert report["from"] == "npz"


@pytest.mark.parametrize("damage", ["huge_header", "truncated", "offsets_outside", "bad_json", "wrong_size", "bad_dtype_shape"])
def test_corrupt_safetensors_is_data_loss(ckpt_cli, tmp_path, damage):
    good = safetensors.numpy.save({"a": np.arange(4, dtype=np.float32), "b": np.ones(2, dtype=np.int64)})
    n = struct.unpack("<Q", good[:8])[0]
    header = json.loads(good[8:8 + n])
    if damage == "huge_header":
        data = struct.pack("<Q", 2**63 + 5) + good[8:]
    elif damage == "truncated":
        data = good[:8 + n + 5]
    elif damage == "bad_json":
        data = good[:8] + b"{" * n + good[8 + n:]
    else:
        if damage == "offsets_outside":
            header["a"]["data_offsets"] = [0, 10**15]
        elif damage == "wrong_size":
            header["a"]["shape"] = [5]
        else:
            header["a"]["shape"] = [-1]
        h = json.dumps(header).encode()
        data = struct.pack("<Q", len(h)) + h + good[8 + n:]
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(data)
    proc = ckpt_cli.run("convert", bad, tmp_path / "out")
    assert proc.returncode == 1, stderr(proc)
    assert "DATA_LOSS" in stderr(proc)
    assert not list(tmp_path.glob("out*"))


@pytest.mark.parametrize("damage", ["truncated", "crc", "member_size", "not_zip", "npy_magic"])
def test_corrupt_npz_is_data_loss(ckpt_cli, tmp_path, damage):
    src = tmp_path / "good.npz"
    np.savez(src, a=np.arange(1000, dtype=np.int64), b=np.ones(3))
    data = bytearray(src.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "crc":
        i = data.index(b"\x93NUMPY") + 200
        data[i] ^= 0xFF
    elif damage == "member_size":
        # the .npy header promises more elements than the member holds
        i = data.index(b"(1000,)")
        data[i:i + 7] = b"(9999,)"
    elif damage == "not_zip":
        data = bytearray(b"PK\x03\x04" + b"\0" * 100)
    else:
        i = data.index(b"\x93NUMPY")
        data[i:i + 6] = b"XXNUMP"
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    proc = ckpt_cli.run("convert", bad, tmp_path / "out")
    assert proc.returncode == 1, stderr(proc)
    assert "DATA_LOSS" in stderr(proc), stderr(proc)


def test_progress_bar_only_on_a_tty(ckpt_cli, src_bundle, tmp_path):
    prefix, _ = src_bundle
    proc = ckpt_cli.ok("convert", prefix, tmp_path / "a.npz")
    assert b"\r" not in proc.stderr and b"[#" not in proc.stderr  # stderr is a pipe here
    # With stderr on a pseudo-terminal the bar appears there (and only there).
    master, slave = pty.openpty()
    try:
        p = subprocess.run([str(ckpt_cli.path), "convert", str(prefix), str(tmp_path / "b.npz")], stdout=subprocess.PIPE,
                           stderr=slave, timeout=120)
        os.close(slave)
        tty_out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            tty_out += chunk
    finally:
        os.close(master)
    assert p.returncode == 0
    assert b"\r[" in tty_out and b"100%" in tty_out
    assert b"\r" not in p.stdout and b"converted" in p.stdout
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()  # output is deterministic


MEASURE = """
import resource, subprocess, sys, json
p = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({"rc": p.returncode, "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "err": p.stderr.decode(errors="replace")}))
"""


def test_convert_streams_one_tensor_at_a_time(ckpt_cli, bundles, BundleSpecClass, tmp_path):
    """8 tensors of 16 MB: peak memory must stay near one tensor, not the 128 MB total."""
    spec = BundleSpecClass()
    for i in range(8):
        spec.add(f"w{i}", "float32", np.full((4 * 1024 * 1024,), i, dtype=np.float32))
    bundles.write(spec, tmp_path / "spec", tmp_path / "src")
    for spec_dir in (tmp_path / "spec",):
        for f in spec_dir.iterdir():
            f.unlink()
    steps = [(tmp_path / "src", tmp_path / "m.safetensors"), (tmp_path / "m.safetensors", tmp_path / "m.npz"),
             (tmp_path / "m.npz", tmp_path / "back")]
    for src, dst in steps:
        out = subprocess.run([sys.executable, "-c", MEASURE, str(ckpt_cli.path), "convert", str(src), str(dst)],
                             capture_output=True, timeout=300)
        r = json.loads(out.stdout)
        assert r["rc"] == 0, r["err"]
        assert r["maxrss_kb"] < 64 * 1024, (src, dst, r["maxrss_kb"])  # one tensor is 16 MB
    assert ckpt_cli.run("diff", tmp_path / "src", tmp_path / "back").returncode == 0


# =============================================================================== graph


TF_GRAPH = """
import json, sys
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2
r = tf.train.load_checkpoint(sys.argv[1])
g = trackable_object_graph_pb2.TrackableObjectGraph()
g.ParseFromString(r.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
shapes = r.get_variable_to_shape_map()
dtypes = r.get_variable_to_dtype_map()
nodes = []
for n in g.nodes:
    nodes.append({
        "children": [{"name": c.local_name, "node_id": c.node_id} for c in n.children],
        "attributes": [{"name": a.name, "checkpoint_key": a.checkpoint_key, "full_name": a.full_name,
                        "dtype": dtypes[a.checkpoint_key].name if a.checkpoint_key in dtypes else None,
                        "shape": shapes.get(a.checkpoint_key)} for a in n.attributes],
        "slot_variables": [{"slot_name": s.slot_name, "original_variable_node_id": s.original_variable_node_id,
                            "slot_variable_node_id": s.slot_variable_node_id} for s in n.slot_variables],
    })
print(json.dumps(nodes))
"""

TF_SAVE_OBJECT = """
import json, sys
import tensorflow as tf
class Dense(tf.Module):
    def __init__(self):
        self.kernel = tf.Variable(tf.ones([3, 2]))
        self.bias = tf.Variable(tf.zeros([2], dtype=tf.float64))
class Model(tf.Module):
    def __init__(self):
        self.dense = Dense()
        self.layers = [self.dense, tf.Variable(7, dtype=tf.int64)]
m = Model()
ckpt = tf.train.Checkpoint(model=m, step=tf.Variable(3))
print(json.dumps({"path": ckpt.write(sys.argv[1])}))
"""


def graph_json_matches_tf(ckpt_cli, path):
    mine = ckpt_cli.json("graph", path, "--json")
    theirs = tf_run(TF_GRAPH, path)
    assert len(mine["nodes"]) == len(theirs)
    for i, (m, t) in enumerate(zip(mine["nodes"], theirs)):
        assert m["id"] == i
        assert m["children"] == t["children"], i
        assert m["slot_variables"] == t["slot_variables"], i
        assert m["attributes"] == t["attributes"], i
    return mine


def test_graph_of_real_keras_checkpoint_matches_tensorflow(ckpt_cli):
    testdata(KERAS_CASE.relative_to(TESTDATA).as_posix())
    mine = graph_json_matches_tf(ckpt_cli, KERAS_CASE / "checkpoint")
    paths = [n["path"] for n in mine["nodes"]]
    assert paths[0] == "(root)" and paths[9] == "(root).layer_with_weights-0.kernel"
    assert paths[18] == "(root).optimizer's state 'm' for (root).layer_with_weights-0.kernel"
    assert len(mine["nodes"][8]["slot_variables"]) == 8

    text = ckpt_cli.ok("graph", KERAS_CASE).stdout.decode()  # a directory resolves to its latest checkpoint
    lines = text.splitlines()
    assert lines[0] == "(root)  #0"
    assert "  layer_with_weights-0  #6" in lines
    assert "    kernel  #9" in lines
    assert "      .VARIABLE_VALUE: float32 [4,8]  <- layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE" in lines
    assert "  layer-5  #6 = (root).layer_with_weights-0" in lines  # a second edge to the same object
    assert "    slot 'm' for (root).layer_with_weights-0.kernel  #18" in lines
    i = lines.index("    slot 'v' for (root).layer_with_weights-1.bias  #25")
    assert lines[i + 1] == ("      .VARIABLE_VALUE: float32 [3]  <- "
                            "layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE")
    assert sum(1 for ln in lines if "#" in ln) == 26 + 2  # every node once, plus the two repeated edges


def test_graph_of_fresh_tensorflow_checkpoint(ckpt_cli, tmp_path):
    path = tf_run(TF_SAVE_OBJECT, tmp_path / "obj")["path"]
    mine = graph_json_matches_tf(ckpt_cli, path)
    paths = {n["path"] for n in mine["nodes"]}
    assert {"(root).model.dense.kernel", "(root).model.dense.bias", "(root).step"} <= paths
    text = ckpt_cli.ok("graph", path).stdout.decode()
    assert ".VARIABLE_VALUE: float64 [2]  <- model/dense/bias/.ATTRIBUTES/VARIABLE_VALUE" in text


def test_graph_of_name_based_checkpoint_is_exit_1(ckpt_cli, src_bundle):
    prefix, _ = src_bundle
    proc = ckpt_cli.run("graph", prefix)
    assert proc.returncode == 1
    assert "name-based checkpoint" in stderr(proc) and proc.stdout == b""
    proc = ckpt_cli.run("graph")
    assert proc.returncode == 2 and "usage: ckpt graph" in stderr(proc)


def test_help_lists_new_commands(ckpt_cli):
    out = ckpt_cli.ok("--help").stdout.decode()
    for name in ("diff", "convert", "graph"):
        assert f"\n  {name} " in out
        assert ckpt_cli.ok(name, "--help").stdout.decode().startswith(f"usage: ckpt {name}")
