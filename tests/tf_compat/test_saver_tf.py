"""Differential tests of the name-based Saver against TensorFlow's TF1 Saver (graph mode).

TensorFlow runs in a separate process (tf_saver_helper.py), launched twice per session: once to
write every scenario's checkpoints, once to restore ours. Our side is driven through the
test-only program `saver_tool` (tests/tools/saver_tool.cc).

For each scenario (V2/V1, sharded or not, global_step, pad_step_number, relative paths,
max_to_keep deletion, latest_filename, write_meta_graph=False):
  * the same scripted save sequence leaves the same file names, returned paths and
    byte-identical state files (after replacing the directory) in both (SV-09..SV-37);
  * TF's final checkpoint restores bit-exactly through our Saver (SV-52);
  * our final checkpoint restores bit-exactly through TF's Saver.
Plus reshape=True across a compatible shape change and TF's error for an incompatible one
(SV-47, SV-48).

Partitioned variables (SV-51): in the part_* scenarios TF saves a
tf.compat.v1.get_variable(..., partitioner=fixed_size_partitioner(3)) and we save the same
parts as slices (saver_tool `part=`); each side restores the other's checkpoint, ours into the
whole variable (assembled from the slices) and into a different partitioning, TF's into its
partitioned variable (and, for V2, into an unpartitioned one).

`file://` save paths (SV-21): the uri scenario saves to "file:///..." in both.

The .meta graph: for every scenario that wrote one, TF's
tf.compat.v1.train.import_meta_graph(our .meta) re-creates the variables and a Saver that
restores our checkpoint bit-exactly, whose filename tensor defaults to Saver(filename=...)
(SV-08), and whose save op writes a checkpoint we restore bit-exactly.

Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/saver_tool.
"""

import json
import os
import re
import subprocess
from pathlib import Path
import sys

import numpy as np
import pytest

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
SAVER_TOOL = os.path.join(BUILD_DIR, "tests", "tools", "saver_tool")
HELPER = os.path.join(os.path.dirname(__file__), "tf_saver_helper.py")

pytestmark = pytest.mark.skipif(
    not os.access(SAVER_TOOL, os.X_OK),
    reason=f"saver_tool not built: {SAVER_TOOL} missing (build target `saver_tool`, set CKPT_BUILD_DIR)",
)


def part_extents(n, k):
    """fixed_size_partitioner(k) along axis 0 of length n: (offset, size) per part."""
    base, extra = divmod(n, k)
    out, offset = [], 0
    for i in range(k):
        size = base + (1 if i < extra else 0)
        out.append((offset, size))
        offset += size
    return out


def partitioned_variables():
    rng = np.random.default_rng(99)
    arrays = [
        ("w", rng.standard_normal((5, 2)).astype(np.float32)),
        ("emb/p", rng.integers(-(2**40), 2**40, size=7).astype(np.int64)),
    ]
    return [{"name": n, "dtype": a.dtype.name, "shape": list(a.shape), "hex": a.tobytes().hex(), "partitions": 3}
            for n, a in arrays]


def spec_array(s):
    return np.frombuffer(bytes.fromhex(s["hex"]), dtype=np.dtype(s["dtype"])).reshape(s["shape"])


def variables(sharded_devices, partitioned=False):
    rng = np.random.default_rng(1234)
    arrays = [
        ("a", rng.standard_normal((2, 3)).astype(np.float32), "/cpu:0"),
        ("b", rng.integers(-(2**40), 2**40, size=4).astype(np.int64), "/cpu:1"),
        ("c", np.array(rng.standard_normal(), dtype=np.float64), "/cpu:0"),
        ("d", np.array([True, False, True]), "/cpu:1"),
        ("scope/e", rng.standard_normal(2).astype(np.float16), "/cpu:2"),
    ]
    return [
        {
            "name": n,
            "dtype": a.dtype.name,
            "shape": list(a.shape),
            "hex": a.tobytes().hex(),
            **({"device": dev} if sharded_devices else {}),
        }
        for n, a, dev in arrays
    ] + (partitioned_variables() if partitioned else [])


# name -> (saver options, saves); paths are relative to the scenario directory.
SCENARIOS = {
    "v2_steps": ({"max_to_keep": 2}, [{"path": "model", "step": s} for s in (1, 2, 3)]),
    "v2_pad": ({"pad": 1}, [{"path": "ckpt_with_global_step", "step": 5}]),
    "v2_plain_resave": ({}, [{"path": "m"}, {"path": "m"}]),
    "v2_sharded": ({"sharded": 1}, [{"path": "s"}, {"path": "s", "step": 2}]),
    "v1_plain": ({"v1": 1}, [{"path": "m"}]),
    "v1_steps": ({"v1": 1, "max_to_keep": 1}, [{"path": "m", "step": 1}, {"path": "m", "step": 2}]),
    "v1_sharded": ({"v1": 1, "sharded": 1}, [{"path": "p", "step": 7}]),
    "relative": ({"relative": 1}, [{"path": "r", "step": 1}, {"path": "r", "step": 2}]),
    "latest_nometa": ({}, [{"path": "x", "latest": "other", "meta": False}]),
    "no_state": ({"max_to_keep": 1}, [{"path": "y", "step": 1}, {"path": "y", "step": 2, "state": False}]),
    "filename": ({"filename": "somerandomfilename"}, [{"path": "f"}]),
    "uri": ({"max_to_keep": 1}, [{"path": "u", "step": 1, "uri": True}, {"path": "u", "step": 2, "uri": True}]),
    "part_v2": ({}, [{"path": "pv", "step": 1}]),
    "part_v1": ({"v1": 1}, [{"path": "pv", "step": 1}]),
    "part_v2_sharded": ({"sharded": 1}, [{"path": "ps"}]),
}
PARTITIONED = {"part_v2", "part_v1", "part_v2_sharded"}


def save_path(d, s):
    p = os.path.join(str(d), s["path"])
    return "file://" + p if s.get("uri") else p


def tool(lines):
    r = subprocess.run([SAVER_TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in r.stdout.splitlines()]


def part_lines(s, k, zero=False):
    """saver_tool lines for the k parts (fixed_size_partitioner(k)) of spec s."""
    arr = spec_array(s)
    full = ",".join(map(str, s["shape"]))
    out = []
    for i, (offset, size) in enumerate(part_extents(s["shape"][0], k)):
        part = arr[offset : offset + size]
        hexv = "00" * part.nbytes if zero else np.ascontiguousarray(part).tobytes().hex()
        slice_spec = ":".join([f"{offset},{size}"] + ["-"] * (arr.ndim - 1))
        dims = ",".join(map(str, part.shape))
        out.append(f"var {s['name']}/part_{i} {s['dtype']} {dims} {hexv} part={s['name']};{full};{slice_spec}")
    return out


def var_lines(specs, zero=False, parts=True):
    """Variables for saver_tool; a partitioned spec becomes its parts (parts=True) or one
    whole variable."""
    out = []
    for s in specs:
        if s.get("partitions") and parts:
            out += part_lines(s, s["partitions"], zero)
            continue
        hexv = s["hex"]
        if zero:
            hexv = "00" * (len(hexv) // 2)
        dims = ",".join(map(str, s["shape"])) or "-"
        line = f"var {s['name']} {s['dtype']} {dims} {hexv}"
        if s.get("device"):
            line += f" device={s['device']}"
        out.append(line)
    return out


def saver_line(opts):
    return "saver " + " ".join(f"{k}={v}" for k, v in opts.items())


def save_line(d, s):
    line = f"save {save_path(d, s)}"
    if "step" in s:
        line += f" step={s['step']}"
    if "latest" in s:
        line += f" latest={s['latest']}"
    if "meta" in s:
        line += f" meta={int(s['meta'])}"
    if "state" in s:
        line += f" state={int(s['state'])}"
    return line


def run_tf(tasks, tmp_path, tag):
    job = tmp_path / f"job_{tag}.json"
    result = tmp_path / f"result_{tag}.json"
    job.write_text(json.dumps({"tasks": tasks}))
    r = subprocess.run([sys.executable, HELPER, str(job), str(result)], capture_output=True, text=True, timeout=600)
    if not result.exists():
        pytest.fail(f"TensorFlow helper failed: {r.stderr[-2000:]}")
    return json.loads(result.read_text())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    pytest.importorskip("tensorflow")
    tmp = tmp_path_factory.mktemp("saver")
    tasks = []
    ours = {}
    for name, (opts, saves) in SCENARIOS.items():
        specs = variables(bool(opts.get("sharded")), partitioned=name in PARTITIONED)
        tf_dir = tmp / "tf" / name
        our_dir = tmp / "ours" / name
        tf_dir.mkdir(parents=True)
        our_dir.mkdir(parents=True)
        tasks.append(
            {
                "name": name,
                "op": "write",
                "dir": str(tf_dir),
                "vars": specs,
                "saver": opts,
                "saves": [dict(s, path=save_path(tf_dir, s)) for s in saves],
            }
        )
        out = tool(var_lines(specs) + [saver_line(opts)] + [save_line(str(our_dir), s) for s in saves] + ["last"])
        assert all(o["ok"] for o in out), out
        ours[name] = {
            "opts": opts,
            "meta": saves[-1].get("meta", True),
            "dir": str(our_dir),
            "paths": [o["path"] for o in out if "path" in o],
            "last": out[-1]["last"],
            "files": sorted(os.listdir(our_dir)),
            "states": {n: (our_dir / n).read_text() for n in ("checkpoint", "other") if (our_dir / n).exists()},
            "specs": specs,
        }
    tf_written = run_tf(tasks, tmp, "write")
    # TF restores our final checkpoint of every scenario.
    read_tasks = [
        {"name": name, "op": "read", "path": o["paths"][-1], "vars": o["specs"], "saver": {}}
        for name, o in ours.items()
    ]
    # TF restores our partitioned V2 checkpoint into unpartitioned variables too (TF's V1
    # reader cannot assemble slices).
    read_tasks.append(
        {
            "name": "full_from_part_v2",
            "op": "read",
            "path": ours["part_v2"]["paths"][-1],
            "vars": [{k: v for k, v in s.items() if k != "partitions"} for s in ours["part_v2"]["specs"]],
            "saver": {},
        }
    )
    # TF imports our .meta, restores our checkpoint through it and saves through it.
    for name, o in ours.items():
        if not o["meta"]:
            continue
        resave_dir = tmp / "resave" / name
        resave_dir.mkdir(parents=True)
        read_tasks.append(
            {
                "name": "import_" + name,
                "op": "import",
                "meta": meta_file(o["paths"][-1]),
                "path": o["paths"][-1],
                "resave": str(resave_dir / "r"),
            }
        )
    tf_read = run_tf(read_tasks, tmp, "read")
    return {"tmp": tmp, "tf": tf_written, "tf_read": tf_read, "ours": ours}


def meta_file(checkpoint_path):
    """Saver's meta graph file name: a V1 shard pattern suffix dropped, ".meta" appended."""
    return re.sub(r"-[\d?]+-of-\d+$", "", checkpoint_path) + ".meta"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_files_paths_and_state(world, name):
    tf_res = world["tf"][name]
    assert tf_res["ok"], tf_res.get("trace")
    ours = world["ours"][name]
    tf_dir = str(world["tmp"] / "tf" / name)
    norm = lambda s: s.replace(tf_dir, "<D>").replace(ours["dir"], "<D>")  # noqa: E731
    assert [norm(p) for p in tf_res["paths"]] == [norm(p) for p in ours["paths"]]
    assert [norm(p) for p in tf_res["last"]] == [norm(p) for p in ours["last"]]
    assert tf_res["files"] == ours["files"]
    assert {k: norm(v) for k, v in tf_res["states"].items()} == {k: norm(v) for k, v in ours["states"].items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_tf_checkpoint_restores_through_ours(world, name):
    tf_res = world["tf"][name]
    assert tf_res["ok"], tf_res.get("trace")
    specs = world["ours"][name]["specs"]
    out = tool(
        var_lines(specs, zero=True, parts=False)
        + ["saver", f"restore {tf_res['paths'][-1]}"]
        + [f"get {s['name']}" for s in specs]
    )
    assert out[len(specs) + 1]["ok"], out[len(specs) + 1]
    for s, got in zip(specs, out[len(specs) + 2 :]):
        assert got["hex"] == s["hex"], s["name"]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_our_checkpoint_restores_through_tf(world, name):
    res = world["tf_read"][name]
    assert res["ok"], res.get("trace")
    for s in world["ours"][name]["specs"]:
        assert res["values"][s["name"]] == s["hex"], s["name"]


def test_reshape_across_shapes(world):
    """SV-48 / SV-47 on a TF-written checkpoint: [2,3] into [3,2] works with reshape=True, and
    an incompatible element count fails with InvalidArgument naming both shapes."""
    path = world["tf"]["v2_pad"]["paths"][-1]
    a = next(s for s in variables(False) if s["name"] == "a")
    zero = "00" * 24
    out = tool([f"var a float32 3,2 {zero}", "saver reshape=1", f"restore {path}", "get a"])
    assert out[2]["ok"], out[2]
    assert out[3]["shape"] == [3, 2] and out[3]["hex"] == a["hex"]
    out = tool([f"var a float32 3,2 {zero}", "saver", f"restore {path}"])
    assert out[2]["code"] == "INVALID_ARGUMENT"
    assert "[3,2]" in out[2]["message"] and "[2,3]" in out[2]["message"]
    out = tool([f"var a float32 2,2 {'00' * 16}", "saver reshape=1", f"restore {path}"])
    assert out[2]["code"] == "INVALID_ARGUMENT"
    assert "[2,2]" in out[2]["message"] and "[2,3]" in out[2]["message"]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_checkpoint_files_byte_identical(world, name):
    """Every checkpoint file (V1 tables, V2 index and data shards, merged or not) holds the same
    bytes as TensorFlow's for the same values; .meta and state files are compared elsewhere."""
    tf_dir = world["tmp"] / "tf" / name
    our_dir = world["tmp"] / "ours" / name
    compared = 0
    for f in world["ours"][name]["files"]:
        if f.endswith(".meta") or f in ("checkpoint", "other"):
            continue
        assert (tf_dir / f).read_bytes() == (our_dir / f).read_bytes(), f
        compared += 1
    assert compared > 0


def part_hex(s, offset, size):
    return np.ascontiguousarray(spec_array(s)[offset : offset + size]).tobytes().hex()


@pytest.mark.parametrize("name", sorted(PARTITIONED))
def test_tf_partitioned_checkpoint_into_other_partitioning(world, name):
    """SV-51: TF's 3-way partitioned save restores into our variable split 2 ways."""
    tf_res = world["tf"][name]
    assert tf_res["ok"], tf_res.get("trace")
    specs = [s for s in world["ours"][name]["specs"] if s.get("partitions")]
    lines = []
    for s in specs:
        lines += part_lines(s, 2, zero=True)
    gets = [f"get {s['name']}/part_{i}" for s in specs for i in range(2)]
    out = tool(lines + ["saver", f"restore {tf_res['paths'][-1]}"] + gets)
    assert out[len(lines) + 1]["ok"], out[len(lines) + 1]
    got = iter(out[len(lines) + 2 :])
    for s in specs:
        for offset, size in part_extents(s["shape"][0], 2):
            assert next(got)["hex"] == part_hex(s, offset, size), s["name"]


def test_our_partitioned_v2_checkpoint_into_unpartitioned_tf_variables(world):
    """SV-51: TF restores the slices we saved into whole variables (V2 assembles slices)."""
    res = world["tf_read"]["full_from_part_v2"]
    assert res["ok"], res.get("trace")
    for s in world["ours"]["part_v2"]["specs"]:
        assert res["values"][s["name"]] == s["hex"], s["name"]


META_SCENARIOS = [n for n, (_, saves) in SCENARIOS.items() if saves[-1].get("meta", True)]


@pytest.mark.parametrize("name", META_SCENARIOS)
def test_tf_import_meta_graph_restores_ours(world, name):
    """tf.compat.v1.train.import_meta_graph(our .meta) + saver.restore(sess, our path) gives
    every variable its saved bits; the initializers give zeros; the filename tensor defaults to
    Saver(filename=...) (SV-08, "model" when not given)."""
    res = world["tf_read"]["import_" + name]
    assert res["ok"], res.get("trace")
    specs = world["ours"][name]["specs"]
    expected = {}
    for s in specs:
        if s.get("partitions"):
            for i, (offset, size) in enumerate(part_extents(s["shape"][0], s["partitions"])):
                expected[f"{s['name']}/part_{i}"] = part_hex(s, offset, size)
        else:
            expected[s["name"]] = s["hex"]
    assert res["values"] == expected
    assert res["initial"] == {k: "00" * (len(v) // 2) for k, v in expected.items()}
    assert res["filename"] == world["ours"][name]["opts"].get("filename", "model")


@pytest.mark.parametrize("name", META_SCENARIOS)
def test_tf_save_through_our_meta_graph_restores_through_ours(world, name):
    """The save subgraph of our .meta (SaveV2 / SaveSlices, sharded: ShardedFilename +
    MergeV2Checkpoints / ShardedFilespec), run by TF, writes a checkpoint we restore
    bit-exactly."""
    res = world["tf_read"]["import_" + name]
    assert res["ok"], res.get("trace")
    specs = world["ours"][name]["specs"]
    out = tool(var_lines(specs, zero=True, parts=False) + ["saver", f"restore {res['resaved']}"]
               + [f"get {s['name']}" for s in specs])
    n = len(specs) + 1
    assert out[n]["ok"], out[n]
    for s, got in zip(specs, out[n + 1 :]):
        assert got["hex"] == s["hex"], s["name"]
