"""The `ckpt` command-line tool: every subcommand, --json shapes, --help, exit codes 0/1/2,
and directory resolution through the `checkpoint` state file.

Checkpoints are written with the test-only bundle_tool (the C++ BundleWriter), so these tests
need both executables ($CKPT_BUILD_DIR/tools/ckpt and $CKPT_BUILD_DIR/tests/tools/bundle_tool).
"""

from __future__ import annotations

import json
import math
import shutil
import struct

import numpy as np
import pytest

F32_SPECIAL = np.array(
    [0.0, -0.0, 1.0, -1.5, 0.1, 1e-45, 3.4028235e38, -3.4028235e38, np.nan, np.inf, -np.inf, 1.17549435e-38],
    dtype=np.float32,
)
F64_SPECIAL = np.array([0.1, -1e300, 5e-324, np.nan, -np.inf, 2.0**53 + 1, -0.0], dtype=np.float64)
F8_TYPES = ["float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz"]
VOCAB = ["", "hello", "caf\u00e9", "tab\there", "quote\"back\\slash", "\u65e5\u672c", "nul\x00byte"]
BLOBS = [b"\xff\x00\x01", b"ok", b""]
EMB = np.arange(12, dtype=np.float32).reshape(6, 2) / 4
BAD_KEY = b"bad\xffkey"
UTF8_KEY = "\u00fcn\u00ef/c\u00f6d\u00e9"


def sample_spec(BundleSpec, step: int):
    s = BundleSpec()
    s.add("dense/kernel", "float32", F32_SPECIAL.reshape(3, 4))
    s.add("dense/bias", "float64", F64_SPECIAL)
    s.add("step", "int64", np.array(step, dtype=np.int64))
    s.add("int64_extremes", "int64", np.array([-(2**63), 2**63 - 1, 0], dtype=np.int64))
    s.add("uint64_extremes", "uint64", np.array([0, 2**64 - 1], dtype=np.uint64))
    s.add("ints/int8", "int8", np.array([-128, 127, 0], dtype=np.int8))
    s.add("ints/uint8", "uint8", np.array([0, 255], dtype=np.uint8))
    s.add("ints/int16", "int16", np.array([-32768, 32767], dtype=np.int16))
    s.add("ints/uint16", "uint16", np.array([65535], dtype=np.uint16))
    s.add("ints/int32", "int32", np.array([[-(2**31), 2**31 - 1]], dtype=np.int32))
    s.add("ints/uint32", "uint32", np.array([2**32 - 1], dtype=np.uint32))
    s.add("q/qint8", "qint8", np.array([-5, 5], dtype=np.int8))
    s.add("q/quint8", "quint8", np.array([250], dtype=np.uint8))
    s.add("q/qint16", "qint16", np.array([-300], dtype=np.int16))
    s.add("q/quint16", "quint16", np.array([60000], dtype=np.uint16))
    s.add("q/qint32", "qint32", np.array([-70000], dtype=np.int32))
    s.add("half", "float16", np.array([1.0, -2.5, 65504, np.nan, -np.inf, 6e-8], dtype=np.float16))
    # narrow types as raw bits (bundles store bytes; no ml_dtypes needed to write them)
    bf16_bits = (np.array([1.0, -3.140625, np.inf, 1e-40], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    s.add("bf16", "bfloat16", bf16_bits)
    all_bytes = np.arange(256, dtype=np.uint8)
    for name in F8_TYPES:
        s.add(f"f8/{name}", name, all_bytes)
    s.add("sub/int4", "int4", np.array([8, 15, 0, 7], dtype=np.uint8))  # -8, -1, 0, 7 in the low nibble
    s.add("sub/uint4", "uint4", np.array([0, 15], dtype=np.uint8))
    s.add("c64", "complex64", np.array([1 + 2j, complex(-0.5, -np.inf)], dtype=np.complex64))
    s.add("c128", "complex128", np.array(0.1 - 3e200j, dtype=np.complex128))
    s.add("flags", "bool", np.array([[True, False], [False, True]]))
    s.add("vocab", "string", [v.encode() for v in VOCAB])
    s.add("blob", "string", BLOBS)
    s.add("str_scalar", "string", b"just one")
    s.add("empty", "float32", np.zeros([0], dtype=np.float32))
    s.add("empty2", "int32", np.zeros([3, 0], dtype=np.int32))
    s.add("empty_str", "string", np.zeros([0], dtype=object))
    s.add_slice("emb", "float32", [6, 2], "0,3:-", EMB[0:3])
    s.add_slice("emb", "float32", [6, 2], "3,3:-", EMB[3:6])
    s.add("-dash", "float32", np.array(7.0, dtype=np.float32))
    s.add(UTF8_KEY, "int32", np.array([1, 2, 3], dtype=np.int32))
    s.add(BAD_KEY, "float32", np.array([1.0], dtype=np.float32))
    return s


@pytest.fixture(scope="module")
def ckdir(tmp_path_factory, bundles, BundleSpecClass):
    """A directory with two bundles (model-1, model-2) and a state file naming model-2."""
    root = tmp_path_factory.mktemp("cli")
    d = root / "ckpts"
    d.mkdir()
    for step in (1, 2):
        bundles.write(sample_spec(BundleSpecClass, step), root / f"spec{step}", d / f"model-{step}")
    (d / "checkpoint").write_text(
        'model_checkpoint_path: "model-2"\nall_model_checkpoint_paths: "model-1"\n'
        'all_model_checkpoint_paths: "model-2"\n'
    )
    return d


@pytest.fixture(scope="module")
def prefix(ckdir):
    return ckdir / "model-2"


@pytest.fixture
def copy_of(tmp_path, ckdir):
    """A private copy of model-2 that a test may corrupt."""

    def make():
        dst = tmp_path / "copy"
        dst.mkdir()
        for f in ckdir.glob("model-2.*"):
            shutil.copy(f, dst / f.name)
        return dst / "model-2"

    return make


def stderr(proc) -> str:
    return proc.stderr.decode(errors="replace")


def f32_bits(x) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def check_float(json_value, expected, bits_of) -> None:
    """A JSON float value against the expected value: same bits, NaN/Inf as strings."""
    e = float(expected)
    if math.isnan(e):
        assert json_value == "nan"
    elif math.isinf(e):
        assert json_value == ("inf" if e > 0 else "-inf")
    else:
        assert isinstance(json_value, float), json_value
        assert bits_of(json_value) == bits_of(e), (json_value, e)


def dump_json(ckpt_cli, path, key):
    return ckpt_cli.json("dump", path, "--json", "--", key)


# ----------------------------------------------------------------------------- help, usage


def test_top_level_help(ckpt_cli):
    for flag in ("--help", "-h"):
        proc = ckpt_cli.ok(flag)
        out = proc.stdout.decode()
        assert out.startswith("usage: ckpt")
        for cmd in ("ls", "dump", "verify", "latest"):
            assert f"\n  {cmd} " in out


def test_no_command_is_usage_error(ckpt_cli):
    proc = ckpt_cli.run()
    assert proc.returncode == 2
    assert "usage: ckpt" in stderr(proc)
    assert proc.stdout == b""


def test_unknown_command_is_usage_error(ckpt_cli):
    proc = ckpt_cli.run("frobnicate", "x")
    assert proc.returncode == 2
    assert 'unknown command "frobnicate"' in stderr(proc)


@pytest.mark.parametrize("cmd", ["ls", "dump", "verify", "latest"])
def test_subcommand_help(ckpt_cli, cmd):
    for flag in ("--help", "-h"):
        proc = ckpt_cli.ok(cmd, flag)
        assert proc.stdout.decode().startswith(f"usage: ckpt {cmd}")
        assert proc.stderr == b""
    # --help wins over missing or extra arguments
    assert ckpt_cli.ok(cmd, "a", "b", "c", "--help").stdout.decode().startswith(f"usage: ckpt {cmd}")
    assert ckpt_cli.ok("help", cmd).stdout.decode().startswith(f"usage: ckpt {cmd}")


@pytest.mark.parametrize(
    "args",
    [
        ["ls"],
        ["ls", "a", "b"],
        ["ls", "--bogus", "x"],
        ["ls", "--json=yes", "x"],
        ["dump"],
        ["dump", "x"],
        ["dump", "x", "k", "extra"],
        ["dump", "x", "k", "--jsn"],
        ["verify"],
        ["verify", "a", "b"],
        ["verify", "-x", "a"],
        ["latest"],
        ["latest", "a", "b"],
        ["latest", "d", "--latest-filename"],
        ["latest", "--json", "d"],
    ],
)
def test_usage_errors_exit_2(ckpt_cli, args):
    proc = ckpt_cli.run(*args)
    assert proc.returncode == 2, (args, proc.returncode, stderr(proc))
    err = stderr(proc)
    assert err.startswith(f"ckpt {args[0]}: ")
    assert f"usage: ckpt {args[0]}" in err
    assert proc.stdout == b""


# ----------------------------------------------------------------------------- ls


def test_ls_text(ckpt_cli, prefix):
    out = ckpt_cli.ok("ls", prefix).stdout.decode()
    rows = {line.split()[0]: line.split() for line in out.splitlines()}
    assert rows["dense/kernel"][1:4] == ["float32", "[3,4]", "48"]
    assert rows["dense/bias"][1:4] == ["float64", "[7]", "56"]
    assert rows["step"][1:4] == ["int64", "[]", "8"]
    assert rows["bf16"][1:4] == ["bfloat16", "[4]", "8"]
    assert rows["half"][1:4] == ["float16", "[6]", "12"]
    assert rows["empty2"][1:4] == ["int32", "[3,0]", "0"]
    assert rows["empty_str"][1:4] == ["string", "[0]", "4"]
    # string data: varint lengths + 4-byte length checksum + bytes
    assert rows["vocab"][1:4] == ["string", "[7]", str(7 + 4 + sum(len(v.encode()) for v in VOCAB))]
    assert rows["emb"][1:4] == ["float32", "[6,2]", "48"]
    assert "partitioned: 2 slices" in " ".join(rows["emb"])
    assert rows[UTF8_KEY][1] == "int32"
    assert rows["bad\\xffkey"][1] == "float32"  # non-UTF-8 key bytes escaped on a terminal


def test_ls_json(ckpt_cli, prefix, BundleSpecClass):
    listing = ckpt_cli.json("ls", prefix, "--json")
    assert isinstance(listing, list)
    by_key = {}
    for item in listing:
        base = {"key", "dtype", "shape", "bytes"}
        extra = set(item) - base
        assert base <= set(item)
        assert extra <= {"slices", "key_b64"}, item
        by_key[item["key"]] = item
    spec = sample_spec(BundleSpecClass, 2)
    assert len(listing) == len({e.get("key", e.get("key_b64")) for e in spec.entries})
    assert by_key["dense/kernel"] == {"key": "dense/kernel", "dtype": "float32", "shape": [3, 4], "bytes": 48}
    assert by_key["step"] == {"key": "step", "dtype": "int64", "shape": [], "bytes": 8}
    assert by_key["c128"] == {"key": "c128", "dtype": "complex128", "shape": [], "bytes": 16}
    assert by_key["flags"]["dtype"] == "bool" and by_key["flags"]["shape"] == [2, 2]
    assert by_key["emb"] == {"key": "emb", "dtype": "float32", "shape": [6, 2], "bytes": 48,
                             "slices": ["0,3:-", "3,3:-"]}
    assert by_key["empty"] == {"key": "empty", "dtype": "float32", "shape": [0], "bytes": 0}
    for name in F8_TYPES + ["int4", "uint4"]:
        item = by_key.get(f"f8/{name}") or by_key[f"sub/{name}"]
        assert item["dtype"] == name
    for q in ("qint8", "quint8", "qint16", "quint16", "qint32"):
        assert by_key[f"q/{q}"]["dtype"] == q
    # a key that is not UTF-8: readable "key", exact bytes in "key_b64"
    bad = [i for i in listing if "key_b64" in i]
    assert len(bad) == 1
    import base64

    assert base64.b64decode(bad[0]["key_b64"]) == BAD_KEY
    # sorted by key bytes, as in the index
    keys = [base64.b64decode(i["key_b64"]) if "key_b64" in i else i["key"].encode() for i in listing]
    assert keys == sorted(keys)


def test_ls_accepts_index_filename(ckpt_cli, prefix):
    a = ckpt_cli.ok("ls", prefix).stdout
    b = ckpt_cli.ok("ls", str(prefix) + ".index").stdout
    assert a == b


def test_ls_missing_checkpoint_exit_1(ckpt_cli, tmp_path):
    proc = ckpt_cli.run("ls", tmp_path / "nope")
    assert proc.returncode == 1
    assert "NOT_FOUND" in stderr(proc) and "nope" in stderr(proc)
    assert proc.stdout == b""


# ----------------------------------------------------------------------------- dump --json


def test_dump_json_float32_round_trips(ckpt_cli, prefix):
    d = dump_json(ckpt_cli, prefix, "dense/kernel")
    assert set(d) == {"key", "dtype", "shape", "values"}
    assert d["key"] == "dense/kernel" and d["dtype"] == "float32" and d["shape"] == [3, 4]
    assert len(d["values"]) == 12
    for got, want in zip(d["values"], F32_SPECIAL):
        check_float(got, want, f32_bits)
    assert math.copysign(1, d["values"][1]) == -1  # -0.0 keeps its sign


def test_dump_json_float64_round_trips(ckpt_cli, prefix):
    d = dump_json(ckpt_cli, prefix, "dense/bias")
    assert d["dtype"] == "float64" and d["shape"] == [7]
    for got, want in zip(d["values"], F64_SPECIAL):
        check_float(got, want, lambda x: struct.unpack("<Q", struct.pack("<d", x))[0])


@pytest.mark.parametrize("key,dtype", [("half", "float16"), ("bf16", "bfloat16")] + [(f"f8/{n}", n) for n in F8_TYPES])
def test_dump_json_narrow_floats_as_float_values(ckpt_cli, prefix, key, dtype, BundleSpecClass, np_dtype):
    pytest.importorskip("ml_dtypes", reason="ml_dtypes (installed with TensorFlow) is the reference decoder")
    d = dump_json(ckpt_cli, prefix, key)
    assert d["dtype"] == dtype
    spec = {e["key"]: e for e in sample_spec(BundleSpecClass, 2).entries if "key" in e}
    raw = (prefix.parent.parent / "spec2" / spec[key]["file"]).read_bytes()
    expected = np.frombuffer(raw, dtype=np_dtype(dtype)).astype(np.float32)
    assert len(d["values"]) == len(expected)
    for got, want in zip(d["values"], expected):
        check_float(got, want, f32_bits)


def test_dump_json_integers_exact(ckpt_cli, prefix):
    assert dump_json(ckpt_cli, prefix, "step")["values"] == [2]
    assert dump_json(ckpt_cli, prefix, "int64_extremes")["values"] == [-(2**63), 2**63 - 1, 0]
    assert dump_json(ckpt_cli, prefix, "uint64_extremes")["values"] == [0, 2**64 - 1]
    assert dump_json(ckpt_cli, prefix, "ints/int8")["values"] == [-128, 127, 0]
    assert dump_json(ckpt_cli, prefix, "ints/uint8")["values"] == [0, 255]
    assert dump_json(ckpt_cli, prefix, "ints/int16")["values"] == [-32768, 32767]
    assert dump_json(ckpt_cli, prefix, "ints/uint16")["values"] == [65535]
    d = dump_json(ckpt_cli, prefix, "ints/int32")
    assert d["shape"] == [1, 2] and d["values"] == [-(2**31), 2**31 - 1]
    assert dump_json(ckpt_cli, prefix, "ints/uint32")["values"] == [2**32 - 1]
    assert dump_json(ckpt_cli, prefix, "q/qint8")["values"] == [-5, 5]
    assert dump_json(ckpt_cli, prefix, "q/quint8")["values"] == [250]
    assert dump_json(ckpt_cli, prefix, "q/qint16")["values"] == [-300]
    assert dump_json(ckpt_cli, prefix, "q/quint16")["values"] == [60000]
    assert dump_json(ckpt_cli, prefix, "q/qint32")["values"] == [-70000]
    assert dump_json(ckpt_cli, prefix, "sub/int4")["values"] == [-8, -1, 0, 7]
    assert dump_json(ckpt_cli, prefix, "sub/uint4")["values"] == [0, 15]
    assert dump_json(ckpt_cli, prefix, UTF8_KEY)["values"] == [1, 2, 3]


def test_dump_json_complex_and_bool(ckpt_cli, prefix):
    d = dump_json(ckpt_cli, prefix, "c64")
    assert d["dtype"] == "complex64" and d["shape"] == [2]
    assert d["values"] == [[1.0, 2.0], [-0.5, "-inf"]]
    d = dump_json(ckpt_cli, prefix, "c128")
    assert d["shape"] == [] and d["values"] == [[0.1, -3e200]]
    d = dump_json(ckpt_cli, prefix, "flags")
    assert d["dtype"] == "bool" and d["values"] == [True, False, False, True]


def test_dump_json_strings(ckpt_cli, prefix):
    d = dump_json(ckpt_cli, prefix, "vocab")
    assert set(d) == {"key", "dtype", "shape", "values"}
    assert d["dtype"] == "string" and d["shape"] == [7]
    assert d["values"] == VOCAB
    d = dump_json(ckpt_cli, prefix, "str_scalar")
    assert d["shape"] == [] and d["values"] == ["just one"]
    d = dump_json(ckpt_cli, prefix, "empty_str")
    assert d["shape"] == [0] and d["values"] == []


def test_dump_json_binary_strings_as_base64(ckpt_cli, prefix):
    import base64

    d = dump_json(ckpt_cli, prefix, "blob")
    assert set(d) == {"key", "dtype", "shape", "values_b64"}
    assert [base64.b64decode(v) for v in d["values_b64"]] == BLOBS


def test_dump_json_partitioned_is_assembled(ckpt_cli, prefix):
    d = dump_json(ckpt_cli, prefix, "emb")
    assert d["dtype"] == "float32" and d["shape"] == [6, 2]
    assert d["values"] == EMB.reshape(-1).tolist()


def test_dump_json_empty_tensors(ckpt_cli, prefix):
    assert dump_json(ckpt_cli, prefix, "empty") == {"key": "empty", "dtype": "float32", "shape": [0], "values": []}
    assert dump_json(ckpt_cli, prefix, "empty2")["shape"] == [3, 0]


def test_dump_key_starting_with_dash(ckpt_cli, prefix):
    assert dump_json(ckpt_cli, prefix, "-dash")["values"] == [7.0]
    # without "--" it is an unknown option
    assert ckpt_cli.run("dump", prefix, "-dash").returncode == 2


def test_dump_non_utf8_key(ckpt_cli, prefix):
    import base64
    import os
    import subprocess

    proc = subprocess.run([os.fsencode(ckpt_cli.path), b"dump", os.fsencode(prefix), b"--json", BAD_KEY],
                          capture_output=True)
    assert proc.returncode == 0, stderr(proc)
    d = json.loads(proc.stdout)
    assert base64.b64decode(d["key_b64"]) == BAD_KEY
    assert d["values"] == [1.0]


def test_dump_missing_key_exit_1(ckpt_cli, prefix):
    proc = ckpt_cli.run("dump", prefix, "no/such/key")
    assert proc.returncode == 1
    assert "NOT_FOUND" in stderr(proc) and "no/such/key" in stderr(proc)
    assert proc.stdout == b""


# ----------------------------------------------------------------------------- dump text


def test_dump_text_matrix(ckpt_cli, prefix):
    out = ckpt_cli.ok("dump", prefix, "emb").stdout.decode()
    lines = out.splitlines()
    assert lines[0] == "emb: float32 [6,2]"
    assert lines[1] == "[[0.0, 0.25],"
    assert lines[-1] == " [2.5, 2.75]]"
    assert len(lines) == 7


def test_dump_text_scalar_and_specials(ckpt_cli, prefix):
    assert ckpt_cli.ok("dump", prefix, "step").stdout.decode() == "step: int64 []\n2\n"
    out = ckpt_cli.ok("dump", prefix, "dense/kernel").stdout.decode()
    assert "nan" in out and "-inf" in out and "-0.0" in out


def test_dump_text_strings_escaped(ckpt_cli, prefix):
    out = ckpt_cli.ok("dump", prefix, "vocab").stdout.decode()
    assert '"caf\u00e9"' in out  # printable UTF-8 kept as text
    assert '"tab\\there"' in out
    assert '"quote\\"back\\\\slash"' in out
    assert '"nul\\x00byte"' in out
    out = ckpt_cli.ok("dump", prefix, "blob").stdout.decode()
    assert '"\\xff\\x00\\x01"' in out


# ----------------------------------------------------------------------------- verify


def test_verify_ok(ckpt_cli, prefix):
    proc = ckpt_cli.ok("verify", prefix)
    out = proc.stdout.decode()
    assert out.count("\n") == 1 and out.startswith("OK ")
    assert str(prefix) in out
    n = len(ckpt_cli.json("ls", prefix, "--json"))
    assert f"{n} tensors" in out


def test_verify_json_ok(ckpt_cli, prefix):
    d = ckpt_cli.json("verify", prefix, "--json")
    n = len(ckpt_cli.json("ls", prefix, "--json"))
    assert d["ok"] is True and d["prefix"] == str(prefix) and d["tensors"] == n and d["shards"] == 1
    assert d["bytes"] > 0


def _entry_of(bundles, prefix, key, tmp_path):
    got = bundles.read(prefix, tmp_path / "readback")
    return got[key.encode()].entry


def test_verify_detects_flipped_data_byte(ckpt_cli, bundles, copy_of, tmp_path):
    p = copy_of()
    e = _entry_of(bundles, p, "dense/bias", tmp_path)
    data = p.parent / "model-2.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[e["offset"] + 3] ^= 0x01
    data.write_bytes(bytes(raw))
    proc = ckpt_cli.run("verify", p)
    assert proc.returncode == 1
    err = stderr(proc)
    assert "DATA_LOSS" in err and "dense/bias" in err and "model-2.data-00000-of-00001" in err
    assert proc.stdout == b""
    d = json.loads(ckpt_cli.run("verify", p, "--json").stdout)
    assert d["ok"] is False and "dense/bias" in d["error"]
    # the other tensors still read; the corrupt one fails the same way in dump
    assert ckpt_cli.run("dump", p, "step").returncode == 0
    assert ckpt_cli.run("dump", p, "dense/bias").returncode == 1


def test_verify_detects_corrupt_string(ckpt_cli, bundles, copy_of, tmp_path):
    p = copy_of()
    e = _entry_of(bundles, p, "vocab", tmp_path)
    data = p.parent / "model-2.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[e["offset"] + e["size"] - 1] ^= 0x20  # a byte of the last string
    data.write_bytes(bytes(raw))
    proc = ckpt_cli.run("verify", p)
    assert proc.returncode == 1 and "vocab" in stderr(proc)


def test_verify_detects_truncated_data_file(ckpt_cli, copy_of):
    p = copy_of()
    data = p.parent / "model-2.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:-10])
    proc = ckpt_cli.run("verify", p)
    assert proc.returncode == 1
    assert "DATA_LOSS" in stderr(proc) and "model-2.data-00000-of-00001" in stderr(proc)


def test_verify_detects_missing_data_file(ckpt_cli, copy_of):
    p = copy_of()
    (p.parent / "model-2.data-00000-of-00001").unlink()
    proc = ckpt_cli.run("verify", p)
    assert proc.returncode == 1
    assert "model-2.data-00000-of-00001" in stderr(proc)


def test_verify_detects_corrupt_index(ckpt_cli, copy_of):
    p = copy_of()
    index = p.parent / "model-2.index"
    raw = bytearray(index.read_bytes())
    raw[len(raw) // 3] ^= 0x40
    index.write_bytes(bytes(raw))
    for cmd in (["verify", p], ["ls", p], ["dump", p, "step"]):
        proc = ckpt_cli.run(*cmd)
        assert proc.returncode == 1, cmd
        assert "model-2.index" in stderr(proc)


def test_verify_garbage_index(ckpt_cli, tmp_path):
    (tmp_path / "junk.index").write_bytes(b"not a table")
    proc = ckpt_cli.run("verify", tmp_path / "junk")
    assert proc.returncode == 1 and "junk.index" in stderr(proc)


# ----------------------------------------------------------------------------- directories, latest


def test_latest(ckpt_cli, ckdir):
    assert ckpt_cli.ok("latest", ckdir).stdout.decode() == f"{ckdir}/model-2\n"


def test_directory_resolves_through_state_file(ckpt_cli, ckdir, prefix):
    assert ckpt_cli.ok("ls", ckdir).stdout == ckpt_cli.ok("ls", prefix).stdout
    assert dump_json(ckpt_cli, ckdir, "step")["values"] == [2]
    assert ckpt_cli.ok("verify", ckdir).stdout.decode().startswith(f"OK {ckdir}/model-2:")
    # an explicit prefix of an older checkpoint still works
    assert dump_json(ckpt_cli, ckdir / "model-1", "step")["values"] == [1]


def test_state_file_with_absolute_path_and_other_name(ckpt_cli, ckdir, tmp_path):
    d = tmp_path / "elsewhere"
    d.mkdir()
    (d / "my_state").write_text(f'model_checkpoint_path: "{ckdir}/model-1"\n')
    assert ckpt_cli.ok("latest", d, "--latest-filename", "my_state").stdout.decode() == f"{ckdir}/model-1\n"
    assert ckpt_cli.ok("latest", d, "--latest-filename=my_state").stdout.decode() == f"{ckdir}/model-1\n"
    # ls only reads the default state file name
    assert ckpt_cli.run("ls", d).returncode == 1
    (d / "checkpoint").write_text(f'model_checkpoint_path: "{ckdir}/model-1"\n')
    assert dump_json(ckpt_cli, d, "step")["values"] == [1]


def test_directory_without_state_file(ckpt_cli, tmp_path):
    proc = ckpt_cli.run("latest", tmp_path)
    assert proc.returncode == 1 and "no checkpoint" in stderr(proc)
    proc = ckpt_cli.run("ls", tmp_path)
    assert proc.returncode == 1 and "no checkpoint" in stderr(proc)


def test_state_file_naming_missing_checkpoint(ckpt_cli, tmp_path):
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone-7"\n')
    for cmd in ("latest", "ls", "verify"):
        proc = ckpt_cli.run(cmd, tmp_path)
        assert proc.returncode == 1, cmd
        assert "no checkpoint" in stderr(proc)


def test_unparsable_state_file(ckpt_cli, tmp_path):
    (tmp_path / "checkpoint").write_text("this is { not text format\n")
    proc = ckpt_cli.run("latest", tmp_path)
    assert proc.returncode == 1
    assert "checkpoint" in stderr(proc)


def test_latest_on_missing_directory(ckpt_cli, tmp_path):
    proc = ckpt_cli.run("latest", tmp_path / "missing")
    assert proc.returncode == 1
