"""Differential tests against real TensorFlow, bit for bit.

(a) TensorFlow writes bundles (tf.raw_ops.SaveV2 with every dtype it can save, scalars, empty
    tensors, a >= 64 MiB tensor, partitioned tensors via shape_and_slices, a sharded save merged
    with MergeV2Checkpoints, a TF1 Saver(sharded=True) over three CPU devices with partitioned
    variables, a TF2 tf.train.Checkpoint split by MaxShardSizePolicy); the C++ reader
    (bundle_tool read) must return every value bit-exactly.
(b) The C++ writer (bundle_tool write, incl. AddSlice, data_alignment 4096, and MergeBundles of
    three shards) writes the same variety; TensorFlow must read every value bit-exactly through
    tf.train.load_checkpoint(...).get_tensor and tf.raw_ops.RestoreV2, including slice restores.

TensorFlow runs in a separate process (tf_helper.py), twice per session (one launch per
direction), so a TensorFlow crash cannot take pytest down; its results come back as JSON.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

HELPER = Path(__file__).with_name("tf_helper.py")

# Every dtype TensorFlow 2.21 has a DataType number for and that a bundle can hold.
ALL_DTYPES = [
    "float16", "float32", "float64", "bfloat16",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bool", "complex64", "complex128", "string",
    "qint8", "quint8", "qint16", "quint16", "qint32",
    "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz",
    "int4", "uint4", "int2", "uint2", "float4_e2m1fn",
]
# dtypes TensorFlow can save but ckpt does not know (yet): reason.
CKPT_UNKNOWN: dict = {}
CKPT_DTYPES = [d for d in ALL_DTYPES if d not in CKPT_UNKNOWN]
SHAPES = [[], [7], [3, 4], [2, 3, 2], [0], [3, 0]]

# TensorFlow copies between differently-sliced partitions only for these dtypes
# (tensor_slice_util / save_restore_tensor); for others a slice restore must match a stored slice.
TF_SLICE_COPY_DTYPES = {"float32", "float64", "int32", "uint8", "int16", "int8", "complex64", "complex128",
                        "int64", "bool", "qint32", "quint8", "qint8", "bfloat16"}

# Partitioned tensors: (key, dtype, full shape, stored slices, slice requests for RestoreV2).
PARTITIONS = [
    ("part/emb", "float32", [10, 4], ["0,3:0,4", "3,7:0,4"], ["2,5:-", "0,10:1,2", "3,7:0,4"]),
    ("part/cols", "int64", [6, 5], ["-:0,2", "-:2,3"], ["1,4:1,3", "-:0,2"]),
    ("part/bf16", "bfloat16", [4, 3, 2], ["0,2:-:-", "2,2:-:-"], ["1,2:1,2:-"]),
    ("part/c128", "complex128", [5], ["0,1", "1,2", "3,2"], ["1,3"]),
    ("part/flags", "bool", [4, 4], ["0,2:0,2", "0,2:2,2", "2,2:-"], ["1,2:1,2"]),
    ("part/f64", "float64", [3, 3], ["0,1:-", "1,2:-"], ["0,3:2,1"]),
    ("part/i8", "int8", [8], ["0,4", "4,4"], ["2,4"]),
    ("part/u8", "uint8", [2, 6], ["-:0,3", "-:3,3"], ["0,1:2,2"]),
    ("part/i16", "int16", [6], ["0,5", "5,1"], ["4,2"]),
    ("part/i32", "int32", [4, 2], ["0,1:-", "1,1:-", "2,2:-"], ["1,3:1,1"]),
    ("part/c64", "complex64", [3, 2], ["0,2:-", "2,1:-"], ["1,2:-"]),
    ("part/q8", "qint8", [4], ["0,2", "2,2"], ["1,2"]),
    ("part/qu8", "quint8", [4], ["0,3", "3,1"], ["2,2"]),
    ("part/q32", "qint32", [4], ["0,2", "2,2"], ["1,2"]),
    # outside TF's slice-copy list: (a) our reader assembles them; (b) TF can restore stored slices only
    ("part/f16", "float16", [6], ["0,3", "3,3"], ["3,3"]),
    ("part/u64", "uint64", [4, 2], ["0,1:-", "1,3:-"], ["1,3:-"]),
    ("part/f8", "float8_e4m3fn", [6], ["0,2", "2,4"], ["0,2"]),
    # a "slice" that covers the whole tensor with explicit extents
    ("part/whole", "int32", [2, 3], ["0,2:0,3"], ["0,1:-"]),
]
LARGE_SHAPE = [4097, 4096]  # float32: 67,125,248 bytes (> 64 MiB)
WORDS = ["dense", "kernel", "bias", "layer_3", "emb", "Adam_1", ".ATTRIBUTES", "VARIABLE_VALUE", "a.b", "x y",
         "caf\u00e9", "\u65e5\u672c", "-", "_", "z", "0"]
SPECIAL_KEYS = ["a", "a/b", "a0", "A", "k" * 2000, "new\nline", "tab\tkey", "\u00ff\u0100", "~"]


# ----------------------------------------------------------------------------- data


def num_elements(shape) -> int:
    return math.prod(shape)


def random_array(rng, dtype: str, shape, np_dtype):
    n = num_elements(shape)
    if dtype == "bool":
        raw = rng.integers(0, 2, n, dtype=np.uint8)
    elif dtype in ("int4", "uint4", "float4_e2m1fn"):
        raw = rng.integers(0, 16, n, dtype=np.uint8)  # one element per byte, value in the low nibble
    elif dtype in ("int2", "uint2"):
        raw = rng.integers(0, 4, n, dtype=np.uint8)
    else:  # every bit pattern, NaN payloads and subnormals included
        raw = rng.integers(0, 256, n * np_dtype(dtype).itemsize, dtype=np.uint8)
    return raw.view(np_dtype(dtype)).reshape(shape)


def random_strings(rng, n: int) -> list[bytes]:
    pool = [b"", "caf\u00e9 \u65e5\u672c".encode(), b"\x00", b"\xff\xfe\x80 not utf-8", b"x" * 200, b"plain"]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append(pool[int(rng.integers(0, len(pool)))])
        else:
            out.append(rng.integers(0, 256, int(rng.integers(0, 40)), dtype=np.uint8).tobytes())
    return out


def shape_tag(shape) -> str:
    return "x".join(map(str, shape)) if shape else "scalar"


def parse_slice(spec: str, full_shape):
    """numpy index for a TF slice spec "0,5:-"."""
    if spec == "":
        return ()
    out = []
    for d, item in enumerate(spec.split(":")):
        if item == "-":
            out.append(slice(0, full_shape[d]))
        else:
            start, length = map(int, item.split(","))
            out.append(slice(start, start + length))
    return tuple(out)


class Expected:
    """What a bundle must contain: key bytes -> (dtype, shape, bytes | list of bytes)."""

    def __init__(self):
        self.tensors: dict[bytes, tuple[str, list[int], object]] = {}
        self.partitioned: dict[bytes, tuple] = {}  # key -> (dtype, full array, stored slices, requests)

    def keys_of(self, dtype: str) -> list[bytes]:
        return [k for k, (dt, _, _) in self.tensors.items() if dt == dtype]


def build_variety(rng, spec, expected: Expected, dtypes, np_dtype, tag: str, binary_keys: bool,
                  partitions=PARTITIONS, large: bool = False, special: bool = True):
    """Adds every dtype in every SHAPE (random keys, random write order), strings, partitions."""
    used: set = set()
    items = []
    for dtype in dtypes:
        for shape in SHAPES + ([[2]] if dtype == "string" else []):
            while True:
                parts = [WORDS[int(i)] for i in rng.integers(0, len(WORDS), int(rng.integers(1, 4)))]
                key = f"{tag}/" + "/".join(parts) + f"/{dtype}_{shape_tag(shape)}"
                if key not in used:
                    used.add(key)
                    break
            if dtype == "string":
                values = random_strings(rng, num_elements(shape))
                if shape == [2]:
                    values = [b"y" * 70000, b"\x80" * 300]  # 3- and 2-byte varint lengths
                items.append((key, dtype, shape, values))
            else:
                items.append((key, dtype, shape, random_array(rng, dtype, shape, np_dtype)))
    if binary_keys:
        for i, dtype in enumerate(["float32", "int64", "string"]):
            key = b"bin\xff\xfe\x00key/" + bytes([0x80 + i])
            value = random_strings(rng, 3) if dtype == "string" else random_array(rng, dtype, [3], np_dtype)
            items.append((key, dtype, [3], value))
    if special:
        for k in SPECIAL_KEYS:
            items.append((f"{tag}{k}" if k[0].isalpha() else tag + "/" + k, "float32", [],
                          random_array(rng, "float32", [], np_dtype)))
    if large:
        big = rng.integers(0, 2**32, num_elements(LARGE_SHAPE), dtype=np.uint32).view(np.float32)
        items.append((f"{tag}/large/float32", "float32", LARGE_SHAPE, big.reshape(LARGE_SHAPE)))
    order = rng.permutation(len(items))
    for i in order:
        key, dtype, shape, value = items[i]
        kb = key if isinstance(key, bytes) else key.encode()
        spec.add(key, dtype, np.array(value, dtype=object).reshape(shape) if dtype == "string" else value)
        if dtype == "string":
            expected.tensors[kb] = (dtype, shape, list(value))
        else:
            expected.tensors[kb] = (dtype, shape, np.asarray(value).tobytes())
    for key, dtype, full_shape, stored, requests in partitions:
        if dtype not in dtypes:
            continue
        key = f"{tag}/{key}"
        full = random_array(rng, dtype, full_shape, np_dtype)
        for s in stored:
            spec.add_slice(key, dtype, full_shape, s, full[parse_slice(s, full_shape)])
        expected.tensors[key.encode()] = (dtype, full_shape, full.tobytes())
        expected.partitioned[key.encode()] = (dtype, full, stored, requests)


# ----------------------------------------------------------------------------- running TensorFlow


def run_tf(workdir: Path, job: dict, timeout: float = 900) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    job_path, result_path = workdir / "job.json", workdir / "result.json"
    job_path.write_text(json.dumps(job))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    try:
        proc = subprocess.run([sys.executable, str(HELPER), str(job_path), str(result_path)],
                              capture_output=True, timeout=timeout, env=env)
        rc, err = proc.returncode, proc.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", (e.stderr or b"").decode(errors="replace")
    results = json.loads(result_path.read_text()) if result_path.exists() else {}
    results["_process"] = {"returncode": rc, "stderr_tail": err[-4000:]}
    return results


def tf_task(results: dict, name: str) -> dict:
    """The result of one helper task; fails the test with TF's own words if it failed or never ran."""
    if name not in results:
        p = results["_process"]
        pytest.fail(f"TensorFlow process ended (exit {p['returncode']}) before task {name!r}:\n{p['stderr_tail']}")
    r = results[name]
    if not r["ok"]:
        pytest.fail(f"TensorFlow task {name!r} failed: {r['error']}\n{r.get('traceback', '')}")
    return r


@pytest.fixture(scope="module")
def tensorflow_available():
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu); differential tests need it")


def key_name(k: bytes) -> str:
    return repr(k.decode("utf-8", "backslashreplace"))[:120]


def check_read(got: dict, key: bytes, want) -> None:
    """bundle_tool read output for `key` against the expected (dtype, shape, data)."""
    dtype, shape, data = want
    assert key in got, f"{key_name(key)} missing from the C++ reader's listing"
    t = got[key]
    assert t.error is None, f"{key_name(key)}: {t.error}"
    assert (t.dtype, t.shape) == (dtype, shape), key_name(key)
    if dtype == "string":
        assert t.strings == data, key_name(key)
    else:
        assert t.data == data, f"{key_name(key)}: bytes differ"


# ----------------------------------------------------------------------------- (a) TF writes, we read


@pytest.fixture(scope="module")
def tf_written(tensorflow_available, tmp_path_factory, bundles, BundleSpecClass, np_dtype):
    root = tmp_path_factory.mktemp("tf_writes")
    rng = np.random.default_rng(20240601)
    w = SimpleNamespace(root=root)  # what TF wrote, for the tests below

    # one mixed bundle of every dtype ckpt knows, one bundle per dtype ckpt does not know
    w.all = Expected()
    spec = BundleSpecClass()
    build_variety(rng, spec, w.all, CKPT_DTYPES, np_dtype, "tf", binary_keys=True, large=True)
    spec.write(root / "spec_all")
    w.unknown = {}
    for dtype in CKPT_UNKNOWN:
        exp, s = Expected(), BundleSpecClass()
        build_variety(rng, s, exp, [dtype], np_dtype, "tf", binary_keys=False, partitions=[], special=False)
        s.write(root / f"spec_{dtype}")
        w.unknown[dtype] = exp

    # the same kind of variety once more, to compare our files with TF's byte for byte
    w.bytes_spec = BundleSpecClass()
    build_variety(rng, w.bytes_spec, Expected(), CKPT_DTYPES, np_dtype, "b", binary_keys=True,
                  partitions=[p for p in PARTITIONS if p[0] != "part/whole"])
    w.bytes_spec.write(root / "spec_bytes")
    w.prefix_bytes = root / "out" / "bytes" / "model"

    # three shards, merged by MergeV2Checkpoints; partitioned tensors spread over the shards
    w.sharded = Expected()
    shard_specs = [BundleSpecClass() for _ in range(3)]
    for i, s in enumerate(shard_specs):
        build_variety(rng, s, w.sharded, ["float32", "int64", "string", "bfloat16"][i:i + 2], np_dtype,
                      f"shard{i}", binary_keys=False, partitions=[], special=False)
    emb = random_array(rng, "float32", [9, 2], np_dtype)
    c64 = random_array(rng, "complex64", [4], np_dtype)
    for i, sl in enumerate(["0,3:-", "3,3:-", "6,3:-"]):
        shard_specs[i].add_slice("sharded/emb", "float32", [9, 2], sl, emb[parse_slice(sl, [9, 2])])
    for i, sl in [(1, "0,2"), (2, "2,2")]:
        shard_specs[i].add_slice("sharded/c64", "complex64", [4], sl, c64[parse_slice(sl, [4])])
    w.sharded.tensors[b"sharded/emb"] = ("float32", [9, 2], emb.tobytes())
    w.sharded.tensors[b"sharded/c64"] = ("complex64", [4], c64.tobytes())
    for i, s in enumerate(shard_specs):
        s.write(root / f"spec_shard{i}")
    w.shard_specs = shard_specs

    w.prefix_all = root / "out" / "all" / "model"
    w.prefix_merged = root / "out" / "merged" / "model-3"
    shard_prefixes = [str(root / "out" / "merged" / "model-3_temp" / f"part-{i:05d}-of-00003") for i in range(3)]
    tasks = [{"name": "probe", "op": "probe", "dtypes": ALL_DTYPES, "scratch": str(root / "probe")},
             {"name": "save_all", "op": "save_v2", "spec_dir": str(root / "spec_all"),
              "prefix": str(w.prefix_all), "probe": "probe"}]
    for dtype in CKPT_UNKNOWN:
        tasks.append({"name": f"save_{dtype}", "op": "save_v2", "spec_dir": str(root / f"spec_{dtype}"),
                      "prefix": str(root / "out" / dtype / "model"), "probe": "probe"})
    tasks.append({"name": "save_bytes", "op": "save_v2", "spec_dir": str(root / "spec_bytes"),
                  "prefix": str(w.prefix_bytes), "probe": "probe"})
    for i in range(3):
        tasks.append({"name": f"save_shard{i}", "op": "save_v2", "spec_dir": str(root / f"spec_shard{i}"),
                      "prefix": shard_prefixes[i]})
    tasks += [
        {"name": "merge", "op": "merge_v2", "inputs": shard_prefixes, "output": str(w.prefix_merged)},
        {"name": "saver_sharded", "op": "saver_sharded", "dir": str(root / "out" / "tf1_saver"),
         "expected_dir": str(root / "expected_tf1_saver")},
        {"name": "checkpoint_policy", "op": "checkpoint_policy", "dir": str(root / "out" / "tf2_policy"),
         "expected_dir": str(root / "expected_tf2_policy"), "max_shard_size": 400},
    ]
    w.prefix_variant = root / "out" / "variant" / "model"
    tasks.append({"name": "save_variant", "op": "save_variant", "prefix": str(w.prefix_variant)})
    w.results = run_tf(root / "tf", {"logical_cpus": 3, "tasks": tasks})
    w.bundles = bundles

    cache = {}

    def read(prefix, allow_errors=False):
        prefix = str(prefix)
        if prefix not in cache:
            cache[prefix] = bundles.read(prefix, root / "read" / str(len(cache)), allow_errors=allow_errors)
        return cache[prefix]

    w.read = read
    return w


def probe_or_skip(w, dtype: str) -> None:
    probe = tf_task(w.results, "probe")["dtypes"][dtype]
    if not probe["ok"]:
        pytest.skip(f"n/a: TensorFlow {w.results['_meta']['tf_version']} cannot save {dtype}: {probe['error']}")


def test_tf_can_save_the_common_dtypes(tf_written):
    """Sanity check of the probe: TF saves at least the classic dtypes (others are probed)."""
    probe = tf_task(tf_written.results, "probe")["dtypes"]
    for d in ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16",
              "uint32", "uint64", "bool", "complex64", "complex128", "string", "qint8", "quint8", "qint32"]:
        assert probe[d]["ok"], (d, probe[d])
    # and its enum numbers are the ones ckpt uses
    expected_enum = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
                     "complex64": 8, "int64": 9, "bool": 10, "qint8": 11, "quint8": 12, "qint32": 13,
                     "bfloat16": 14, "qint16": 15, "quint16": 16, "uint16": 17, "complex128": 18, "float16": 19,
                     "uint32": 22, "uint64": 23, "float8_e5m2": 24, "float8_e4m3fn": 25, "float8_e4m3fnuz": 26,
                     "float8_e4m3b11fnuz": 27, "float8_e5m2fnuz": 28, "int4": 29, "uint4": 30, "int2": 31,
                     "uint2": 32}
    for d, enum in expected_enum.items():
        if probe[d]["ok"]:
            assert probe[d]["enum"] == enum, d


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tf_written_dtype_reads_bit_exact(tf_written, dtype):
    w = tf_written
    probe_or_skip(w, dtype)
    if dtype in CKPT_UNKNOWN:
        prefix = w.root / "out" / dtype / "model"
        tf_task(w.results, f"save_{dtype}")
        (w.root / "read_unknown").mkdir(exist_ok=True)
        proc = w.bundles.tool.run("read", prefix, w.root / "read_unknown")
        if proc.returncode != 0:
            pytest.xfail(f"{CKPT_UNKNOWN[dtype]}; reader says: {proc.stderr.decode(errors='replace').strip()}")
        got = w.read(prefix)
        exp = w.unknown[dtype]
    else:
        tf_task(w.results, "save_all")
        got = w.read(w.prefix_all)
        exp = w.all
    keys = exp.keys_of(dtype)
    assert len(keys) >= len(SHAPES)
    for key in keys:
        check_read(got, key, exp.tensors[key])


def test_tf_written_listing_is_exact(tf_written, ckpt_cli):
    """Every key TF wrote (binary, 2000-byte, newline... keys included) and nothing else, sorted."""
    w = tf_written
    saved = tf_task(w.results, "save_all")
    skipped = {base64.b64decode(k) for k in saved["skipped_b64"]}
    got = w.read(w.prefix_all)
    want = set(w.all.tensors) - skipped
    assert set(got) == want
    listing = ckpt_cli.json("ls", "--json", w.prefix_all)
    keys = [base64.b64decode(i["key_b64"]) if "key_b64" in i else i["key"].encode() for i in listing]
    assert keys == sorted(want)


def test_tf_written_large_tensor(tf_written):
    w = tf_written
    tf_task(w.results, "save_all")
    key = b"tf/large/float32"
    assert num_elements(LARGE_SHAPE) * 4 >= 64 << 20
    check_read(w.read(w.prefix_all), key, w.all.tensors[key])


@pytest.mark.parametrize("part", PARTITIONS, ids=[p[0] for p in PARTITIONS])
def test_tf_written_partitioned(tf_written, ckpt_cli, part, np_dtype):
    w = tf_written
    key_s, dtype, full_shape, stored, requests = part
    probe_or_skip(w, dtype)
    tf_task(w.results, "save_all")
    key = f"tf/{key_s}".encode()
    got = w.read(w.prefix_all)
    check_read(got, key, w.all.tensors[key])  # assembled from TF's slices
    listing = {i["key"]: i for i in ckpt_cli.json("ls", "--json", w.prefix_all) if "key" in i}
    item = listing[key.decode()]
    assert item["shape"] == full_shape and item["dtype"] == dtype
    if len(stored) > 1:
        assert sorted(item["slices"]) == sorted(stored)
    else:  # one slice covering the whole tensor (explicit extents): TF stores a plain entry
        assert "slices" not in item, item
    # our slice reads of TF's partitioned data
    _, full, _, _ = w.all.partitioned[key]
    for spec in requests + stored:
        raw = w.bundles.read_slice(w.prefix_all, key.decode(), spec, w.root / "slice.bin")
        assert raw == np.ascontiguousarray(full[parse_slice(spec, full_shape)]).tobytes(), spec


def test_tf_written_bundles_verify(tf_written, ckpt_cli):
    w = tf_written
    tf_task(w.results, "save_all")
    d = ckpt_cli.json("verify", "--json", w.prefix_all)
    assert d["ok"] and d["tensors"] == len(w.read(w.prefix_all)) and d["shards"] == 1


def test_tf_merged_sharded_bundle(tf_written, ckpt_cli):
    w = tf_written
    files = tf_task(w.results, "merge")["files"]
    assert files == ["model-3.data-00000-of-00003", "model-3.data-00001-of-00003", "model-3.data-00002-of-00003",
                     "model-3.index"], files  # the temp dir was removed (delete_old_dirs)
    got = w.read(w.prefix_merged)
    assert set(got) == set(w.sharded.tensors)
    for key, want in w.sharded.tensors.items():
        check_read(got, key, want)
    assert got[b"sharded/emb"].slices == ["0,3:-", "3,3:-", "6,3:-"]
    d = ckpt_cli.json("verify", "--json", w.prefix_merged)
    assert d["ok"] and d["shards"] == 3


def bundle_files(prefix: Path) -> dict[str, bytes]:
    return {p.name[len(prefix.name):]: p.read_bytes() for p in prefix.parent.glob(prefix.name + ".*")}


def test_our_writer_is_byte_identical_to_tf(tf_written):
    """Same tensors added in the same order: BundleWriter's .index and .data equal SaveV2's."""
    w = tf_written
    assert tf_task(w.results, "save_bytes")["skipped_b64"] == []
    ours = w.root / "ours_bytes" / "model"
    w.bundles.write(w.bytes_spec, w.root / "spec_bytes_ours", ours)
    tf_files, our_files = bundle_files(w.prefix_bytes), bundle_files(ours)
    assert sorted(tf_files) == sorted(our_files) == [".data-00000-of-00001", ".index"]
    assert our_files[".data-00000-of-00001"] == tf_files[".data-00000-of-00001"]
    assert our_files[".index"] == tf_files[".index"]


@pytest.fixture(scope="module")
def our_merged(tf_written):
    """The three shard specs written by BundleWriter and merged by MergeBundles."""
    w = tf_written
    tf_task(w.results, "merge")
    out = w.root / "ours_merged" / "model-3"
    inputs = []
    for i, spec in enumerate(w.shard_specs):
        p = w.root / "ours_merged" / "model-3_temp" / f"part-{i:05d}-of-00003"
        w.bundles.write(spec, w.root / f"spec_shard{i}_ours", p)
        inputs.append(p)
    w.bundles.merge(out, inputs)
    return bundle_files(w.prefix_merged), bundle_files(out)


def test_our_merge_data_files_are_tfs(our_merged):
    tf_files, our_files = our_merged
    assert sorted(tf_files) == sorted(our_files)
    for name in tf_files:
        if name != ".index":
            assert our_files[name] == tf_files[name], name


def test_our_merge_index_is_byte_identical_to_tf(our_merged):
    tf_files, our_files = our_merged
    assert our_files[".index"] == tf_files[".index"]


def test_tf_written_variant_is_listed_and_refused_cleanly(tf_written, ckpt_cli):
    """DT_VARIANT (here a TensorList) is a dtype TF checkpoints; ckpt lists it and refuses to decode it."""
    w = tf_written
    assert tf_task(w.results, "save_variant")["restored"] == [[1.0, 2.0], [3.0, 4.0]]
    listing = {i["key"]: i for i in ckpt_cli.json("ls", "--json", w.prefix_variant)}
    assert listing["list"]["dtype"] == "variant" and listing["list"]["shape"] == []
    assert ckpt_cli.json("dump", "--json", w.prefix_variant, "x")["values"] == [1.5]
    proc = ckpt_cli.run("dump", w.prefix_variant, "list")
    assert proc.returncode == 1 and "UNIMPLEMENTED" in proc.stderr.decode()


def test_verify_accepts_tf_variant_tensor(tf_written, ckpt_cli):
    w = tf_written
    tf_task(w.results, "save_variant")
    proc = ckpt_cli.run("verify", w.prefix_variant)
    assert proc.returncode == 0, proc.stderr.decode()


def _expected_from_dir(expected_dir: Path) -> dict:
    out = {}
    for e in json.loads((expected_dir / "manifest.json").read_text()):
        if "strings_file" in e:
            data = [base64.b64decode(s) for s in json.loads((expected_dir / e["strings_file"]).read_text())]
        else:
            data = (expected_dir / e["file"]).read_bytes()
        out[e["key"].encode()] = (e["dtype"], e["shape"], data)
    return out


def test_tf1_saver_sharded_partitioned(tf_written, ckpt_cli):
    """tf.compat.v1.train.Saver(sharded=True), variables on /cpu:0../cpu:2, fixed_size_partitioner."""
    w = tf_written
    r = tf_task(w.results, "saver_sharded")
    d = Path(r["path"]).parent
    assert r["files"] == ["checkpoint"] + [f"model.ckpt-42.data-0000{i}-of-00003" for i in range(3)] + [
        "model.ckpt-42.index"]
    expected = _expected_from_dir(w.root / "expected_tf1_saver")
    got = w.read(r["path"])
    assert set(got) == set(expected)
    for key, want in expected.items():
        check_read(got, key, want)
    assert got[b"dev1/emb"].slices == [s.split(" ", 2)[2] for s in r["slice_specs"]["dev1/emb"]]
    assert got[b"dev1/cols"].slices == [s.split(" ", 2)[2] for s in r["slice_specs"]["dev1/cols"]]
    # the state file TF1 wrote (absolute paths) resolves
    assert ckpt_cli.ok("latest", d).stdout.decode() == r["path"] + "\n"
    v = ckpt_cli.json("verify", "--json", d)
    assert v["ok"] and v["prefix"] == r["path"] and v["shards"] == 3


def test_tf2_checkpoint_max_shard_size_policy(tf_written, ckpt_cli):
    """tf.train.Checkpoint.save with MaxShardSizePolicy: variables split into slices across shards."""
    w = tf_written
    r = tf_task(w.results, "checkpoint_policy")
    d = Path(r["path"]).parent
    data_files = [f for f in r["files"] if ".data-" in f]
    assert len(data_files) > 2, r["files"]
    expected = _expected_from_dir(w.root / "expected_tf2_policy")
    got = w.read(r["path"])
    assert set(got) == set(expected) | {b"_CHECKPOINTABLE_OBJECT_GRAPH"}
    for key, want in expected.items():
        check_read(got, key, want)
    assert len(got[b"big/.ATTRIBUTES/VARIABLE_VALUE"].slices) > 1  # the policy really split it
    assert ckpt_cli.ok("latest", d).stdout.decode() == r["path"] + "\n"
    v = ckpt_cli.json("verify", "--json", d)
    assert v["ok"] and v["shards"] == len(data_files)


# ----------------------------------------------------------------------------- (b) we write, TF reads


@pytest.fixture(scope="module")
def we_wrote(tensorflow_available, tmp_path_factory, bundles, BundleSpecClass, np_dtype):
    root = tmp_path_factory.mktemp("we_write")
    rng = np.random.default_rng(7771)
    o = SimpleNamespace(root=root)  # what we wrote, for TF to read
    o.bundles = bundles
    o.expected = {}
    o.prefixes = {}

    exp, spec = Expected(), BundleSpecClass()
    build_variety(rng, spec, exp, CKPT_DTYPES, np_dtype, "we", binary_keys=False, large=True)
    o.prefixes["all"] = root / "out" / "all" / "model-1"
    bundles.write(spec, root / "spec_all", o.prefixes["all"])
    o.expected["all"] = exp

    exp, spec = Expected(), BundleSpecClass()
    build_variety(rng, spec, exp, CKPT_DTYPES, np_dtype, "al", binary_keys=False)
    o.prefixes["aligned"] = root / "out" / "aligned" / "model-1"
    bundles.write(spec, root / "spec_aligned", o.prefixes["aligned"], alignment=4096)
    o.expected["aligned"] = exp

    # three shards with partitioned tensors spread over them, merged by MergeBundles
    exp = Expected()
    shard_prefixes = []
    groups = [["float32", "string"], ["int64", "bfloat16", "complex128"], ["bool", "uint16", "qint8"]]
    parts = [("m/emb", "float32", [9, 2], ["0,3:-", "3,3:-", "6,3:-"], ["2,5:-"]),
             ("m/cols", "int64", [3, 4], ["-:0,1", "-:1,3", None], ["1,2:0,2"])]
    fulls = {k: random_array(rng, dt, shape, np_dtype) for k, dt, shape, _, _ in parts}
    for i, group in enumerate(groups):
        spec = BundleSpecClass()
        build_variety(rng, spec, exp, group, np_dtype, f"m{i}", binary_keys=False, partitions=[], special=False)
        for k, dt, shape, stored, requests in parts:
            if stored[i] is not None:
                spec.add_slice(k, dt, shape, stored[i], fulls[k][parse_slice(stored[i], shape)])
        p = root / "out" / "merged" / "model-9_temp" / f"part-{i:05d}-of-00003"
        bundles.write(spec, root / f"spec_m{i}", p)
        shard_prefixes.append(p)
    for k, dt, shape, stored, requests in parts:
        exp.tensors[k.encode()] = (dt, shape, fulls[k].tobytes())
        exp.partitioned[k.encode()] = (dt, fulls[k], [s for s in stored if s], requests)
    o.prefixes["merged"] = root / "out" / "merged" / "model-9"
    bundles.merge(o.prefixes["merged"], shard_prefixes)
    o.expected["merged"] = exp

    tasks = []
    for name, prefix in o.prefixes.items():
        keys = []
        for k, (dtype, shape, _) in o.expected[name].tensors.items():
            item = {"key": k.decode(), "dtype": dtype, "slices": []}
            if k in o.expected[name].partitioned:
                _, _, stored, requests = o.expected[name].partitioned[k]
                item["slices"] = [" ".join(map(str, shape)) + " " + s for s in requests + stored]
            elif len(shape) == 2 and num_elements(shape) > 0 and dtype in TF_SLICE_COPY_DTYPES:
                item["slices"] = [" ".join(map(str, shape)) + " 1,1:-"]  # slice of a plain tensor
            keys.append(item)
        tasks.append({"name": f"read_{name}", "op": "read", "prefix": str(prefix), "keys": keys})
    o.results = run_tf(root / "tf", {"tasks": tasks})
    return o


def check_tf_value(got: dict, want, what: str) -> None:
    """A value TF returned (tf_helper describe()) against expected bytes / strings."""
    assert "error" not in got, f"{what}: TensorFlow: {got['error']}"
    if isinstance(want, list):
        assert [base64.b64decode(s) for s in got["strings_b64"]] == want, what
        return
    assert got["nbytes"] == len(want), what
    assert got["sha256"] == hashlib.sha256(want).hexdigest(), (
        f"{what}: bytes differ" + (f"\n TF:   {got['hex'][:200]}\n ours: {want.hex()[:200]}" if "hex" in got else ""))


def check_tf_read(o, bundle: str, key: bytes) -> None:
    r = tf_task(o.results, f"read_{bundle}")
    dtype, shape, data = o.expected[bundle].tensors[key]
    k = key.decode()
    assert r["dtype_map"][k] == dtype, k
    assert r["shape_map"][k] == shape, k
    entry = r["keys"][k]
    check_tf_value(entry["get_tensor"], data, f"get_tensor({k!r})")
    assert entry["get_tensor"]["shape"] == shape
    check_tf_value(entry["restore"][""], data, f"RestoreV2({k!r})")
    assert entry["restore"][""]["shape"] == shape
    if key not in o.expected[bundle].partitioned:
        for spec, value in entry["restore"].items():
            if spec:
                sl = parse_slice(spec.split(" ")[-1], shape)
                arr = np.frombuffer(data, dtype=np.uint8).reshape(shape + [-1])[sl]
                check_tf_value(value, arr.tobytes(), f"RestoreV2({k!r}, {spec!r})")


@pytest.mark.parametrize("bundle", ["all", "aligned"])
@pytest.mark.parametrize("dtype", CKPT_DTYPES)
def test_tf_reads_our_dtype(we_wrote, dtype, bundle):
    keys = [k for k in we_wrote.expected[bundle].keys_of(dtype) if k not in we_wrote.expected[bundle].partitioned]
    assert len(keys) >= len(SHAPES)
    for key in keys:
        check_tf_read(we_wrote, bundle, key)


def test_tf_reads_our_listing(we_wrote):
    for bundle in ("all", "aligned", "merged"):
        r = tf_task(we_wrote.results, f"read_{bundle}")
        assert set(r["dtype_map"]) == {k.decode() for k in we_wrote.expected[bundle].tensors}


def test_tf_reads_our_large_tensor(we_wrote):
    check_tf_read(we_wrote, "all", b"we/large/float32")


def test_our_alignment_is_applied(we_wrote):
    got = we_wrote.bundles.read(we_wrote.prefixes["aligned"], we_wrote.root / "readback_aligned")
    offsets = [t.entry["offset"] for t in got.values() if "offset" in t.entry]
    assert offsets and all(off % 4096 == 0 for off in offsets)
    assert len(set(offsets)) > 10


@pytest.mark.parametrize("part", PARTITIONS, ids=[p[0] for p in PARTITIONS])
def test_tf_reads_our_partitioned(we_wrote, part):
    key_s, dtype, full_shape, stored, requests = part
    key = f"we/{key_s}".encode()
    r = tf_task(we_wrote.results, "read_all")
    k = key.decode()
    _, full, _, _ = we_wrote.expected["all"].partitioned[key]
    assert r["dtype_map"][k] == dtype and r["shape_map"][k] == full_shape
    entry = r["keys"][k]
    whole = np.ascontiguousarray(full).tobytes()
    full_spec = " ".join(map(str, full_shape)) + " "
    multi = len(stored) > 1
    if dtype in TF_SLICE_COPY_DTYPES or not multi:
        check_tf_value(entry["get_tensor"], whole, f"get_tensor({k!r})")
        check_tf_value(entry["restore"][""], whole, f"RestoreV2({k!r})")
        for spec in requests + stored:
            want = np.ascontiguousarray(full[parse_slice(spec, full_shape)]).tobytes()
            check_tf_value(entry["restore"][full_spec + spec], want, f"RestoreV2({k!r}, {spec!r})")
    else:
        # TF itself cannot assemble these dtypes from several slices (no slice copy for them);
        # a request equal to one stored slice works.
        assert "error" in entry["restore"][""], entry["restore"][""]
        for spec in stored:
            want = np.ascontiguousarray(full[parse_slice(spec, full_shape)]).tobytes()
            check_tf_value(entry["restore"][full_spec + spec], want, f"RestoreV2({k!r}, {spec!r})")


def test_our_explicit_full_slice_is_stored_plain_like_tf(we_wrote):
    got = we_wrote.bundles.read(we_wrote.prefixes["all"], we_wrote.root / "readback_all")
    t = got[b"we/part/whole"]
    assert t.slices == [] and "offset" in t.entry


def test_tf_reads_our_merged_bundle(we_wrote, ckpt_cli):
    o = we_wrote
    d = o.prefixes["merged"].parent
    assert sorted(p.name for p in d.iterdir()) == [
        "model-9.data-00000-of-00003", "model-9.data-00001-of-00003", "model-9.data-00002-of-00003",
        "model-9.index"]  # inputs' index files and their temp directory are gone
    for key in o.expected["merged"].tensors:
        check_tf_read(o, "merged", key)
    r = tf_task(o.results, "read_merged")
    for key, (dtype, full, stored, requests) in o.expected["merged"].partitioned.items():
        k = key.decode()
        spec_prefix = " ".join(map(str, full.shape)) + " "
        for spec in requests + stored:
            want = np.ascontiguousarray(full[parse_slice(spec, list(full.shape))]).tobytes()
            check_tf_value(r["keys"][k]["restore"][spec_prefix + spec], want, f"RestoreV2({k!r}, {spec!r})")
    v = ckpt_cli.json("verify", "--json", o.prefixes["merged"])
    assert v["ok"] and v["shards"] == 3
