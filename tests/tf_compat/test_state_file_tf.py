"""Differential tests of the `checkpoint` state file against real TensorFlow.

Our side is driven through the test-only CLI `state_tool` (tests/tools/state_tool.cc),
TensorFlow runs in this process (imported once per session; ~10 s).

Both directions are checked:
  * files TensorFlow writes (update_checkpoint_state, the internal variant with
    save_relative_paths, Checkpoint.save, CheckpointManager) read back identically
    through our GetCheckpointState / LatestCheckpoint;
  * files we write are byte-identical to TensorFlow's for the same inputs, and
    TensorFlow's get_checkpoint_state / latest_checkpoint read them back.
Behaviour items are cited as ST-xx (docs/behaviours/st.md).

Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/state_tool.
"""

import json
import math
import os
import random
import struct
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
STATE_TOOL = os.path.join(BUILD_DIR, "tests", "tools", "state_tool")

pytestmark = pytest.mark.skipif(
    not os.access(STATE_TOOL, os.X_OK),
    reason=f"state_tool not built: {STATE_TOOL} missing (build target `state_tool`, set CKPT_BUILD_DIR)",
)


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="session")
def tf():
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


@pytest.fixture(scope="session")
def cm(tf):
    from tensorflow.python.checkpoint import checkpoint_management

    return checkpoint_management


@pytest.fixture(scope="session")
def pb(tf):
    from google.protobuf import text_format
    from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState

    return CheckpointState, text_format


class ToolError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def run_tool(*args, cwd=None, raw=False):
    """Runs state_tool; returns parsed JSON stdout (or raw bytes); raises ToolError on failure."""
    r = subprocess.run([STATE_TOOL, *map(str, args)], capture_output=True, cwd=cwd, timeout=60)
    if r.returncode == 2:
        raise AssertionError(f"state_tool usage error: {r.stderr.decode()}")
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip()
        code, _, msg = err.partition(": ")
        raise ToolError(code, msg)
    if raw:
        return r.stdout
    return json.loads(r.stdout) if r.stdout.strip() else None


def list_args(flag, values, fmt=str):
    return [flag, *[fmt(v) for v in values]] if values else []


def tool_write_args(save_dir, model, all_paths=None, timestamps=None, last_preserved=None, relative=False,
                    latest_filename=None):
    args = [save_dir, model]
    args += list_args("--all", all_paths)
    args += list_args("--timestamps", timestamps, repr)
    if last_preserved is not None:
        args += ["--last-preserved", repr(last_preserved)]
    if relative:
        args.append("--relative")
    if latest_filename is not None:
        args += ["--latest-filename", latest_filename]
    return args


def norm_float(x):
    # NaN != NaN; compare spellings instead (sign of zero kept).
    return "nan" if math.isnan(x) else repr(float(x))


def tf_state_dict(proto):
    if proto is None:
        return None
    return {
        "model_checkpoint_path": proto.model_checkpoint_path,
        "all_model_checkpoint_paths": list(proto.all_model_checkpoint_paths),
        "all_model_checkpoint_timestamps": [norm_float(t) for t in proto.all_model_checkpoint_timestamps],
        "last_preserved_timestamp": norm_float(proto.last_preserved_timestamp),
    }


def our_state_dict(d):
    if d is None:
        return None
    d = dict(d)
    d["all_model_checkpoint_timestamps"] = [norm_float(t) for t in d["all_model_checkpoint_timestamps"]]
    d["last_preserved_timestamp"] = norm_float(d["last_preserved_timestamp"])
    return d


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def tf_write(cm, save_dir, model, all_paths=None, timestamps=None, last_preserved=None, relative=False,
             latest_filename=None):
    # TF's internal variant iterates all_model_checkpoint_paths when
    # save_relative_paths is set, so it needs a list there.
    cm.update_checkpoint_state_internal(
        save_dir=save_dir,
        model_checkpoint_path=model,
        all_model_checkpoint_paths=list(all_paths) if all_paths is not None else ([] if relative else None),
        latest_filename=latest_filename,
        save_relative_paths=relative,
        all_model_checkpoint_timestamps=list(timestamps) if timestamps is not None else None,
        last_preserved_timestamp=last_preserved,
    )


# --------------------------------------------------------------------------- printer


def test_st01_printer_byte_identical_for_many_doubles(pb):
    """Python repr(float) spelling of timestamps: shortest digits, '.0', exponent forms."""
    CheckpointState, text_format = pb
    rng = random.Random(1234)
    values = [1712345678.0, 1.5e-05, 1e16, 1e15, 1e-4, 1e-5, 0.1, 2 / 3, 5e-324, 1.7976931348623157e308,
              123456789012345678.0, 1e22, 1e21, 9007199254740993.0, -0.0, 0.0, -2.5, float("inf"),
              float("-inf"), float("nan"), 1712345600.5104358, 1712345660.7891233]
    values += [rng.uniform(1.6e9, 1.8e9) for _ in range(150)]
    values += [10.0 ** rng.randint(-20, 25) * rng.random() for _ in range(150)]
    # Arbitrary finite bit patterns.
    while len(values) < 500:
        v = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(v):
            values.append(v)
    for last in (1712345599.1234567, -0.0, float("nan"), 1e-300, 0.0):
        expected = text_format.MessageToString(
            CheckpointState(model_checkpoint_path="m", all_model_checkpoint_paths=["a", "m"],
                            all_model_checkpoint_timestamps=values, last_preserved_timestamp=last)).encode()
        ours = run_tool("text", "m", "--all", "a", "m", "--timestamps", *map(repr, values),
                        "--last-preserved", repr(last), raw=True)
        assert ours == expected


def test_st01_printer_byte_identical_string_escaping(pb):
    CheckpointState, text_format = pb
    weird = ["plain", "with space", "tab\there", "nl\nx", "cr\rx", 'dq"x', "sq'x", "bs\\x", "\x01\x1f\x7f",
             "caf\u00e9", "\u20ac uro", "\U0001F600", "c1\x85\x9f", "ls\u2028ps\u2029", "nb\u00a0sp", "~!@#$%^&*()_+{}|:<>?`-=[];,./", ""]
    expected = text_format.MessageToString(
        CheckpointState(model_checkpoint_path=weird[0], all_model_checkpoint_paths=weird)).encode()
    ours = run_tool("text", weird[0], "--all", *weird, raw=True)
    assert ours == expected


# --------------------------------------------------------------------------- writing: ours == TF bytes

WRITE_SCENARIOS = [
    # id, kwargs (ABS is replaced by the absolute temp directory), cwd-relative?
    ("abs_single", dict(save_dir="ABS", model="ABS/model-1")),
    ("st03_append", dict(save_dir="ABS", model="ABS/model-3", all_paths=["ABS/model-2"])),
    ("st03_no_append", dict(save_dir="ABS", model="ABS/model-3", all_paths=["ABS/model-1", "ABS/model-3"])),
    ("st03_empty_list", dict(save_dir="ABS", model="ABS/model-3", all_paths=[])),
    ("st04_rel_dir", dict(save_dir="train", model="train/model-0")),
    ("st06_mixed", dict(save_dir="train", model="train/model-2", all_paths=["ABS/model-0", "train/model-2"])),
    ("st04_abs_dir_keeps_relative", dict(save_dir="ABS", model="other/rel", all_paths=["./x", "../y"])),
    ("st04_dotdot", dict(save_dir="a/b", model="a/c/m", all_paths=["a/b/../b/x", "./a//b/y"])),
    ("st04_dot_dir", dict(save_dir=".", model="./a/../b")),
    ("st04_trailing_slash", dict(save_dir="train/", model="train//m")),
    ("st04_outside_cwd", dict(save_dir="train", model="../up/m")),
    ("st07_relative", dict(save_dir="ABS", model="ABS/ckpt-2", all_paths=["ABS/ckpt-1", "ABS/ckpt-2"],
                           relative=True)),
    ("st07_relative_outside", dict(save_dir="ABS", model="/elsewhere/deep/m", all_paths=["rel/kept"],
                                   relative=True)),
    ("st07_relative_with_rel_dir", dict(save_dir="train", model="ABS/train/model-2", all_paths=["ABS/train/model-0"],
                                        relative=True)),
    ("manager_like", dict(save_dir="ABS", model="ABS/ckpt-5", all_paths=["ABS/ckpt-4", "ABS/ckpt-5"],
                          timestamps=[1712345678.0, 1712345679.1234567], last_preserved=1712340000.5,
                          relative=True)),
    ("odd_timestamps", dict(save_dir="ABS", model="ABS/m", all_paths=["ABS/a", "ABS/m"],
                            timestamps=[1e16, 1.5e-05], last_preserved=1e-300)),
    ("inf_nan_timestamps", dict(save_dir="ABS", model="ABS/m", all_paths=["ABS/a", "ABS/b", "ABS/m"],
                                timestamps=[float("inf"), float("-inf"), float("nan")], last_preserved=-0.0)),
    ("st17_latest_filename", dict(save_dir="ABS", model="ABS/m-1", latest_filename="my_state")),
    ("escaping", dict(save_dir="ABS", model="ABS/caf\u00e9 \"q\" 'q' \\ \t-1", relative=True, all_paths=[])),
]


@pytest.mark.parametrize("name,kw", WRITE_SCENARIOS, ids=[s[0] for s in WRITE_SCENARIOS])
def test_st01_st07_written_file_byte_identical_and_read_back_by_tf(name, kw, tf, cm, tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "train").mkdir(parents=True)
    (root / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(root)
    abs_dir = str(root)

    def sub(x):
        if isinstance(x, str):
            return x.replace("ABS", abs_dir)
        if isinstance(x, list):
            return [sub(v) for v in x]
        return x

    kw = {k: sub(v) for k, v in kw.items()}
    save_dir, model = kw.pop("save_dir"), kw.pop("model")
    state_path = os.path.join(save_dir, kw.get("latest_filename") or "checkpoint")

    tf_write(cm, save_dir, model, **kw)
    tf_bytes = read_bytes(state_path)
    os.remove(state_path)

    run_tool("write", *tool_write_args(save_dir, model, **kw), cwd=root)
    our_bytes = read_bytes(state_path)
    assert our_bytes == tf_bytes
    # No temporary file left behind.
    leftovers = [n for n in os.listdir(os.path.dirname(os.path.abspath(state_path))) if ".tmp" in n]
    assert leftovers == []

    # TF reads our file; our reader agrees with TF's on it.
    latest_filename = kw.get("latest_filename")
    tf_state = tf.train.get_checkpoint_state(save_dir, latest_filename=latest_filename)
    assert tf_state is not None
    read_args = ["read", save_dir] + (["--latest-filename", latest_filename] if latest_filename else [])
    assert our_state_dict(run_tool(*read_args, cwd=root)) == tf_state_dict(tf_state)


def test_st05_timestamp_mismatch_same_message(cm, tmp_path):
    d = str(tmp_path)
    with pytest.raises(ValueError) as e:
        tf_write(cm, d, "c", ["a", "b"], timestamps=[1.0, 2.5])
    with pytest.raises(ToolError) as ours:
        run_tool("write", *tool_write_args(d, "c", ["a", "b"], timestamps=[1.0, 2.5]))
    assert ours.value.code == "INVALID_ARGUMENT"
    assert ours.value.message == str(e.value)
    assert os.listdir(d) == []
    # An empty timestamp list skips the check (both sides write the same file).
    tf_write(cm, d, "c", ["a", "b"], timestamps=[])
    tf_bytes = read_bytes(os.path.join(d, "checkpoint"))
    run_tool("write", d, "c", "--all", "a", "b", "--timestamps")
    assert read_bytes(os.path.join(d, "checkpoint")) == tf_bytes


def test_st08_conflict_same_message(cm, tmp_path):
    d = str(tmp_path)
    model = os.path.join(d, "checkpoint")
    with pytest.raises(RuntimeError) as e:
        tf_write(cm, d, model)
    with pytest.raises(ToolError) as ours:
        run_tool("write", d, model)
    assert ours.value.code == "FAILED_PRECONDITION"
    assert ours.value.message == str(e.value)
    assert "state.  Please use" in ours.value.message
    assert os.listdir(d) == []


def test_relpath_of_empty_path_fails_like_python(cm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as e:
        tf_write(cm, "train", "")
    with pytest.raises(ToolError) as ours:
        run_tool("generate", "train", "", cwd=tmp_path)
    assert ours.value.code == "INVALID_ARGUMENT" and ours.value.message == str(e.value)


def test_generate_matches_tf_generate_checkpoint_state_proto(tf, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gen = tf.compat.v1.train.generate_checkpoint_state_proto
    cases = [
        ("train", "train/model-0", None, None, None),
        ("train", "train/model-2", ["/abs/model-0", "train/model-2"], None, None),
        ("/abs", "/abs/m-3", ["/abs/m-2"], [1.0, 2.0], 3.0),
        ("x/y", "../z", ["x/y/../q"], None, None),
    ]
    for save_dir, model, paths, ts, lp in cases:
        want = tf_state_dict(gen(save_dir, model, all_model_checkpoint_paths=list(paths) if paths else None,
                                 all_model_checkpoint_timestamps=ts, last_preserved_timestamp=lp))
        got = our_state_dict(run_tool("generate", *tool_write_args(save_dir, model, paths, ts, lp), cwd=tmp_path))
        assert got == want, (save_dir, model)


# --------------------------------------------------------------------------- reading TF's files


def test_st07_checkpoint_save_and_manager_files_read_identically(tf, tmp_path):
    """Files written by tf.train.Checkpoint.save and CheckpointManager (timestamps, relative paths)."""
    v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(v=v)

    ckpt_dir = tmp_path / "plain"
    ckpt.save(str(ckpt_dir / "unusual_prefix"))
    ckpt.save(str(ckpt_dir / "unusual_prefix"))

    mgr_dir = tmp_path / "managed"
    manager = tf.train.CheckpointManager(ckpt, str(mgr_dir), max_to_keep=2)
    for _ in range(3):
        manager.save()

    for d in (ckpt_dir, mgr_dir):
        d = str(d)
        tf_state = tf.train.get_checkpoint_state(d)
        assert our_state_dict(run_tool("read", d)) == tf_state_dict(tf_state)
        assert run_tool("latest", d) == tf.train.latest_checkpoint(d)

    # The manager's file carries timestamps and last_preserved_timestamp, relative paths.
    text = read_bytes(mgr_dir / "checkpoint").decode()
    assert 'model_checkpoint_path: "ckpt-' in text
    assert "all_model_checkpoint_timestamps: " in text and "last_preserved_timestamp: " in text

    # Rewriting the manager's state with our writer gives the same bytes.
    CheckpointState = type(tf.train.get_checkpoint_state(str(mgr_dir)))
    from google.protobuf import text_format

    raw = CheckpointState()
    text_format.Merge(text, raw)
    before = read_bytes(mgr_dir / "checkpoint")
    run_tool("write", str(mgr_dir), str(mgr_dir / raw.model_checkpoint_path),
             "--all", *[str(mgr_dir / p) for p in raw.all_model_checkpoint_paths],
             "--timestamps", *map(repr, raw.all_model_checkpoint_timestamps),
             "--last-preserved", repr(raw.last_preserved_timestamp), "--relative")
    assert read_bytes(mgr_dir / "checkpoint") == before


def test_st06_tf1_update_checkpoint_state_read_identically(tf, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train").mkdir()
    abs0 = str(tmp_path / "model-0")
    tf.compat.v1.train.update_checkpoint_state("train", "train/model-2",
                                               all_model_checkpoint_paths=[abs0, "train/model-2"])
    tf_state = tf.train.get_checkpoint_state("train")
    assert tf_state.model_checkpoint_path == "train/model-2"
    assert our_state_dict(run_tool("read", "train", cwd=tmp_path)) == tf_state_dict(tf_state)


GENERAL_TEXT_ACCEPTED = [
    b'# leading comment\nmodel_checkpoint_path: "m"  # trailing\n',
    b'all_model_checkpoint_paths: "a"\nlast_preserved_timestamp: 1e5\nmodel_checkpoint_path: "m"\n',
    b"model_checkpoint_path: 'single' \"concat\" 'enated'\n",
    b'model_checkpoint_path: "m" all_model_checkpoint_paths: ["a", \'b\'] all_model_checkpoint_timestamps: [1, 2.5e3]',
    b'model_checkpoint_path: "first"\nmodel_checkpoint_path: "second"\n',
    b'model_checkpoint_path: "m"; all_model_checkpoint_paths: "x",\n',
    b'model_checkpoint_path:"m"all_model_checkpoint_timestamps:-3 last_preserved_timestamp:2\n',
    b'model_checkpoint_path: "m"\r\n\tall_model_checkpoint_paths:   "a"\r\n',
    b'model_checkpoint_path: "m" all_model_checkpoint_timestamps: [inf, -inf, nan, -Infinity, 1.5f, 1E-3]',
    b'model_checkpoint_path: "m" last_preserved_timestamp: 1e400 all_model_checkpoint_timestamps: -0',
    b'model_checkpoint_path: "esc\\101\\x42\\n\\t\\"\\\'\\\\"',
    b'model_checkpoint_path: "caf\xc3\xa9 \\303\\251"',
    b'model_checkpoint_path: "/abs/m" all_model_checkpoint_paths: "./rel" all_model_checkpoint_paths: "../up"',
    b'model_checkpoint_path: "m" all_model_checkpoint_paths: []',
]

GENERAL_TEXT_INVALID = [  # parses, but no model path: ValueError in TF, InvalidArgument here (ST-10)
    b"",
    b"# only a comment\n",
    b'all_model_checkpoint_paths: "a"\n',
    b'model_checkpoint_path: ""\n',
]

GENERAL_TEXT_REJECTED = [  # TF: None (ParseError) or an exception; ours: DataLoss (ST-11)
    b'model_checkpoint_path: "m"\nbogus_field: 1\n',
    b'model_checkpoint_path "m"\n',
    b'model_checkpoint_path: "unterminated\n',
    b'model_checkpoint_path: m\n',
    b'model_checkpoint_path { }\n',
    b'model_checkpoint_path: "m" last_preserved_timestamp: 0x10',
    b'model_checkpoint_path: "m" last_preserved_timestamp: 010',
    b'model_checkpoint_path: "m" all_model_checkpoint_paths: ["a",]',
    b'model_checkpoint_path: "\\351"',
    b'\xef\xbb\xbfmodel_checkpoint_path: "m"',
    b'model_checkpoint_path: "m" // c++ comment',
    b'this is not a text proto at all',
    b'\x00\x01\x02binary',
    b'model_checkpoint_path: "\xe9"',  # not UTF-8
    b'model_checkpoint_path:"m"all_model_checkpoint_timestamps:-3last_preserved_timestamp:2\n',
]


@pytest.mark.parametrize("content", GENERAL_TEXT_ACCEPTED)
def test_general_text_format_read_identically(content, tf, tmp_path):
    d = str(tmp_path)
    (tmp_path / "checkpoint").write_bytes(content)
    tf_state = tf.train.get_checkpoint_state(d)
    assert tf_state is not None
    assert our_state_dict(run_tool("read", d)) == tf_state_dict(tf_state)


@pytest.mark.parametrize("content", GENERAL_TEXT_INVALID)
def test_st10_missing_model_path_same_error(content, tf, tmp_path):
    d = str(tmp_path)
    (tmp_path / "checkpoint").write_bytes(content)
    with pytest.raises(ValueError) as e:
        tf.train.get_checkpoint_state(d)
    with pytest.raises(ToolError) as ours:
        run_tool("read", d)
    assert ours.value.code == "INVALID_ARGUMENT"
    assert ours.value.message == str(e.value) == f"Invalid checkpoint state loaded from {d}"


@pytest.mark.parametrize("content", GENERAL_TEXT_REJECTED)
def test_st11_unparsable_file_is_data_loss_where_tf_ignores_it(content, tf, tmp_path):
    d = str(tmp_path)
    (tmp_path / "checkpoint").write_bytes(content)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        # TF decodes the file before parsing and does not catch this error.
        with pytest.raises(UnicodeDecodeError):
            tf.train.get_checkpoint_state(d)
    else:
        assert tf.train.get_checkpoint_state(d) is None  # ParseError: logged, then ignored
    with pytest.raises(ToolError) as ours:
        run_tool("read", d)
    assert ours.value.code == "DATA_LOSS"
    assert os.path.join(d, "checkpoint") in ours.value.message
    with pytest.raises(ToolError):
        run_tool("latest", d)


def test_st09_no_state_file(tf, tmp_path):
    d = str(tmp_path)
    assert tf.train.get_checkpoint_state(d) is None
    assert run_tool("read", d) is None
    assert tf.train.latest_checkpoint(d) is None
    assert run_tool("latest", d) is None
    assert run_tool("read", str(tmp_path / "missing_dir")) is None


def test_st12_relative_paths_joined_without_normalisation(tf, tmp_path, monkeypatch):
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "./model.ckpt-687529"\n'
        'all_model_checkpoint_paths: "./model.ckpt-687500"\n'
        'all_model_checkpoint_paths: "./model.ckpt-687529"\n')
    for d in (str(tmp_path), str(tmp_path) + "/"):
        tf_state = tf.train.get_checkpoint_state(d)
        assert tf_state.model_checkpoint_path == os.path.join(d, "./model.ckpt-687529")
        assert our_state_dict(run_tool("read", d)) == tf_state_dict(tf_state)
    # A relative directory argument is joined as given too.
    monkeypatch.chdir(tmp_path.parent)
    rel = tmp_path.name
    assert our_state_dict(run_tool("read", rel, cwd=tmp_path.parent)) == tf_state_dict(
        tf.train.get_checkpoint_state(rel))


# --------------------------------------------------------------------------- latest_checkpoint


def test_st14_st15_st17_latest_checkpoint(tf, cm, tmp_path):
    d = str(tmp_path)

    def both(latest_filename=None):
        args = ["latest", d] + (["--latest-filename", latest_filename] if latest_filename else [])
        return run_tool(*args), tf.train.latest_checkpoint(d, latest_filename=latest_filename)

    # State file pointing at files that do not exist.
    tf_write(cm, d, os.path.join(d, "m-1"))
    assert both() == (None, None)
    # V2 index present.
    (tmp_path / "m-1.index").write_bytes(b"x")
    assert both() == (os.path.join(d, "m-1"),) * 2
    # Model path, not the last list element (hand-written file).
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone"\nall_model_checkpoint_paths: "m-1"\n')
    assert both() == (None, None)
    # V1: the prefix itself, and a sharded V1 pattern returned verbatim (ST-15).
    (tmp_path / "v1file").write_bytes(b"x")
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "v1file"\n')
    assert both() == (os.path.join(d, "v1file"),) * 2
    (tmp_path / "sharded_basics-00000-of-00002").write_bytes(b"x")
    (tmp_path / "checkpoint").write_text(f'model_checkpoint_path: "{d}/sharded_basics-?????-of-00002"\n')
    assert both() == (f"{d}/sharded_basics-?????-of-00002",) * 2
    # ST-17: another state file name.
    (tmp_path / "m-2.index").write_bytes(b"x")
    tf_write(cm, d, os.path.join(d, "m-2"), latest_filename="other")
    assert both("other") == (os.path.join(d, "m-2"),) * 2


# --------------------------------------------------------------------------- exists / mtimes / remove


def test_st18_st19_checkpoint_exists(tf, tmp_path):
    exists = tf.compat.v1.train.checkpoint_exists
    (tmp_path / "v2.index").write_bytes(b"x")
    (tmp_path / "v1-00000-of-00002").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    probes = ["v2", "v2.index", "v1-?????-of-00002", "v1", "missing", "sub", "v*", "[v]2", "sub/"]
    for p in probes:
        path = str(tmp_path / p) if not p.endswith("/") else str(tmp_path / p[:-1]) + "/"
        assert run_tool("exists", path) == exists(path), p


def test_st20_checkpoint_mtimes(tf, tmp_path):
    (tmp_path / "a.index").write_bytes(b"x")
    (tmp_path / "a").write_bytes(b"x")  # V2 is preferred over V1
    (tmp_path / "b").write_bytes(b"x")
    os.utime(tmp_path / "a.index", ns=(0, 1_700_000_000_250_000_000))
    os.utime(tmp_path / "a", ns=(0, 1_600_000_000_000_000_000))
    os.utime(tmp_path / "b", ns=(0, 1_700_000_100_750_000_000))
    prefixes = [str(tmp_path / p) for p in ("a", "missing", "b")]
    tf_m = tf.compat.v1.train.get_checkpoint_mtimes(prefixes)
    ours = run_tool("mtimes", *prefixes)
    assert len(ours) == len(tf_m) == 2
    # TF's POSIX file system reports whole seconds; we keep the fraction.
    assert [math.floor(x) for x in ours] == tf_m
    assert ours == [1_700_000_000.25, 1_700_000_100.75]


def _tree(d):
    return sorted(os.listdir(d))


@pytest.mark.parametrize("prefix,v1,suffix", [
    ("m-1", False, "meta"),
    ("m-1", False, "mg"),
    ("s-?????-of-00002", True, "meta"),
    ("m-*", False, "meta"),  # ST-23: glob characters widen the match
    ("m-[12]", False, "meta"),
    ("absent", False, "meta"),
])
def test_st21_st23_remove_checkpoint_deletes_same_files(prefix, v1, suffix, tf, tmp_path):
    names = ["m-1.meta", "m-1.mg", "m-1.index", "m-1.data-00000-of-00002", "m-1.data-00001-of-00002",
             "m-10.index", "m-2.index", "m-2.data-00000-of-00001", "m-1.data-0-of-2", "m-1.extra",
             "s-00000-of-00002", "s-00001-of-00002", "s.meta", "checkpoint"]
    results = []
    for side in ("tf", "ours"):
        d = tmp_path / side
        d.mkdir()
        for n in names:
            (d / n).write_bytes(b"x")
        p = str(d / prefix)
        if side == "tf":
            tf.compat.v1.train.remove_checkpoint(
                p, checkpoint_format_version=1 if v1 else 2, meta_graph_suffix=suffix)
        else:
            run_tool("remove", p, "--meta-suffix", suffix, *(["--v1"] if v1 else []), raw=True)
        results.append(_tree(d))
    assert results[0] == results[1]


def test_st22_meta_graph_filename(cm):
    names = ["model.ckpt-123456-?????-of-00005", "model.ckpt-123456-00001-of-00002", "m-00001-of-00002", "s1",
             "/d/ckpt-7", "a-1-of-2-of-3", "model-1-2-of-3", "m-1-of-", "m--of-2", "m-1-of-2x", "a-1-of-2\n",
             "x-??-of-1", "-1-of-2", ""]
    for n in names:
        for suffix in ("meta", "mg"):
            assert run_tool("meta-filename", n, suffix) == cm.meta_graph_filename(n, suffix), (n, suffix)
