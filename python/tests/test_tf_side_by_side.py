"""The same scenarios through tf.train.* (in a subprocess, tf_side.py) and ckpt.*:
files on disk, state files, restored values, and reads of real TF checkpoints.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import ckpt
from ckpt_test_util import TESTDATA, run_python, testdata
from side_by_side_model import model_arrays
from tensor_digest import digest

pytestmark = pytest.mark.tf

HERE = Path(__file__).resolve().parent


def object_checkpoint(zero=False):
    a = model_arrays(zero)
    m = ckpt.Module()
    m.dense = ckpt.Module()
    m.dense.kernel = ckpt.Variable(a["kernel"])
    m.dense.bias = ckpt.Variable(a["bias"])
    step = ckpt.Variable(a["step"])
    table = ckpt.Variable(a["table"])
    d = {"fc.weight": a["w"], "fc.bias": a["b"]}  # plain numpy arrays, restored in place
    layers = [ckpt.Variable(a["l0"]), ckpt.Variable(a["l1"])]
    c = ckpt.Checkpoint(model=m, step=step, table=table, d=d, layers=layers)
    named = dict(kernel=m.dense.kernel, bias=m.dense.bias, step=step, table=table,
                 w=d["fc.weight"], b=d["fc.bias"], l0=layers[0], l1=layers[1])
    return c, named


def values(**named):
    out = {}
    for k, v in named.items():
        a = np.asarray(v.numpy() if isinstance(v, ckpt.Variable) else v)
        out[k] = [bytes(x).hex() for x in a.reshape(-1)] if a.dtype == object else a.tolist()
    return out


def ckpt_side(d: Path):
    res = {}
    c, _ = object_checkpoint()
    res["object_save"] = [c.save(d / "ckpt" / "obj" / "ckpt") for _ in range(2)]
    sdir = d / "ckpt" / "state"
    sdir.mkdir(parents=True)
    ckpt.update_checkpoint_state(sdir, "model-3", ["model-1", "model-2", "model-3"],
                                 all_model_checkpoint_timestamps=[1.5, 2.25, 3.0], last_preserved_timestamp=0.5)
    w = ckpt.Variable(np.array([1.0, 2.0, 3.0], np.float32), name="w")
    b = ckpt.Variable(np.array([4, 5], np.int32), name="b")
    saver = ckpt.Saver({"w": w, "b": b}, max_to_keep=2, save_relative_paths=True)
    res["saver_save"] = [saver.save(None, d / "ckpt" / "saver" / "model.ckpt", global_step=s, write_meta_graph=False)
                         for s in (1, 2, 3)]
    mgr = ckpt.CheckpointManager(ckpt.Checkpoint(v=ckpt.Variable(np.float32(1))), d / "ckpt" / "manager", max_to_keep=2)
    res["manager_save"] = [mgr.save() for _ in range(3)]
    res["manager_checkpoints"] = mgr.checkpoints
    return res


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    d = tmp_path_factory.mktemp("side_by_side")
    ours = ckpt_side(d)
    proc = run_python(HERE / "tf_side.py", d, testdata())
    if proc.returncode != 0 and "No module named 'tensorflow'" in proc.stderr:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu)")
    assert proc.returncode == 0, proc.stderr[-4000:]
    theirs = json.loads((d / "tf.json").read_text())
    return d, ours, theirs


def files(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_object_checkpoint_files_identical(sides):
    """CK-09, CK-14: same file names, same state file, byte-identical bundles."""
    d, ours, theirs = sides
    assert [Path(p).name for p in ours["object_save"]] == [Path(p).name for p in theirs["object_save"]]
    a, b = d / "ckpt" / "obj", d / "tf" / "obj"
    assert files(a) == files(b)
    for name in files(a):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_tf_restores_ckpt_object_checkpoint(sides):
    d, _, theirs = sides
    c, named = object_checkpoint()
    r = theirs["object_restore"]
    assert r["consumed"] == "ok"
    assert r["values"] == values(**named)
    assert r["save_counter"] == 2


def test_ckpt_restores_tf_object_checkpoint(sides):
    d, _, _ = sides
    expected = values(**object_checkpoint()[1])
    c, named = object_checkpoint(zero=True)
    c.restore(d / "tf" / "obj" / "ckpt-2").assert_consumed()
    assert values(**named) == expected
    assert int(c.save_counter) == 2


def test_state_file_identical_and_cross_read(sides):
    """ST-01, ST-12: byte-identical state files; each side reads the other's."""
    d, _, theirs = sides
    assert (d / "ckpt" / "state" / "checkpoint").read_bytes() == (d / "tf" / "state" / "checkpoint").read_bytes()
    st = ckpt.get_checkpoint_state(d / "tf" / "state")
    sdir = str(d / "tf" / "state")
    assert st.model_checkpoint_path == os.path.join(sdir, "model-3")
    assert st.all_model_checkpoint_paths == [os.path.join(sdir, f"model-{i}") for i in (1, 2, 3)]
    assert st.all_model_checkpoint_timestamps == [1.5, 2.25, 3.0]
    assert st.last_preserved_timestamp == 0.5
    t = theirs["state_read"]
    cdir = str(d / "ckpt" / "state")
    assert t["model_checkpoint_path"] == os.path.join(cdir, "model-3")
    assert t["all"] == [os.path.join(cdir, f"model-{i}") for i in (1, 2, 3)]
    assert t["timestamps"] == [1.5, 2.25, 3.0] and t["last_preserved"] == 0.5


def _state_without_timestamps(path: Path):
    return [line for line in path.read_text().splitlines() if "timestamp" not in line]


def test_saver_files_state_and_restore(sides):
    """SV-10, SV-28, SV-36: same kept files and state; cross restores."""
    d, ours, theirs = sides
    assert [Path(p).name for p in ours["saver_save"]] == [Path(p).name for p in theirs["saver_save"]]
    a, b = d / "ckpt" / "saver", d / "tf" / "saver"
    assert files(a) == files(b)
    assert _state_without_timestamps(a / "checkpoint") == _state_without_timestamps(b / "checkpoint")
    for name in files(a):
        if name != "checkpoint":
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert theirs["saver_restore"] == {"w": [1.0, 2.0, 3.0], "b": [4, 5]}
    w = ckpt.Variable(np.zeros(3, np.float32), name="w")
    bb = ckpt.Variable(np.zeros(2, np.int32), name="b")
    ckpt.Saver({"w": w, "b": bb}).restore(None, b / "model.ckpt-3")
    assert w.numpy().tolist() == [1.0, 2.0, 3.0] and bb.numpy().tolist() == [4, 5]


def test_manager_files_and_state(sides):
    """CM-07, CM-14: same numbering, same retained files, same paths in the state file."""
    d, ours, theirs = sides
    assert [Path(p).name for p in ours["manager_save"]] == [Path(p).name for p in theirs["manager_save"]]
    assert [Path(p).name for p in ours["manager_checkpoints"]] == [Path(p).name for p in theirs["manager_checkpoints"]]
    a, b = d / "ckpt" / "manager", d / "tf" / "manager"
    assert [f for f in files(a) if not f.startswith(".")] == files(b)
    assert _state_without_timestamps(a / "checkpoint") == _state_without_timestamps(b / "checkpoint")


def test_reader_agrees_with_tf_on_real_checkpoints(sides):
    """RD-04, RD-07: shape/dtype maps, list_variables and every tensor of every shared TF checkpoint."""
    _, _, theirs = sides
    reads = theirs["reads"]
    assert len(reads) >= 20
    for rel, t in reads.items():
        prefix = str(TESTDATA / rel)
        r = ckpt.load_checkpoint(prefix)
        assert r.get_variable_to_shape_map() == t["shapes"], rel
        assert {k: v.name for k, v in r.get_variable_to_dtype_map().items()} == t["dtypes"], rel
        assert [[k, s] for k, s in ckpt.list_variables(prefix)] == t["list"], rel
        for key, want in t["tensors"].items():
            try:
                got = digest(r.get_tensor(key))
            except ckpt.errors.OpError as e:
                got = "error:" + type(e).__name__
            if want == "error:OpError":
                # TF's reader raises a bare OpError (code UNKNOWN) for a missing
                # data file; ckpt raises DataLossError naming the file.
                assert got == "error:DataLossError", (rel, key)
            else:
                assert got == want, (rel, key)
