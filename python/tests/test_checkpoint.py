"""ckpt.Checkpoint, ckpt.Module and load statuses (behaviour IDs CK-xx)."""

import os
import pathlib
import threading
import time

import numpy as np
import pytest

import ckpt
from ckpt import errors


class Dense(ckpt.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.kernel = ckpt.Variable(np.arange(n_in * n_out, dtype=np.float32).reshape(n_in, n_out))
        self.bias = ckpt.Variable(np.zeros(n_out, np.float32))


def keys(path):
    return sorted(k for k, _ in ckpt.list_variables(path))


def test_save_numbers_and_state_file_ck09_ck14(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(np.float32(1.0)))
    paths = [c.save(tmp_path / "ckpt") for _ in range(3)]
    assert paths == [str(tmp_path / f"ckpt-{i}") for i in (1, 2, 3)]
    assert all(isinstance(p, str) for p in paths)  # CK-20
    assert int(c.save_counter) == 3
    state = ckpt.get_checkpoint_state(tmp_path)
    assert state.model_checkpoint_path == str(tmp_path / "ckpt-3")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "ckpt-3")]
    assert (tmp_path / "checkpoint").read_text() == 'model_checkpoint_path: "ckpt-3"\nall_model_checkpoint_paths: "ckpt-3"\n'
    assert ckpt.latest_checkpoint(tmp_path) == str(tmp_path / "ckpt-3")
    assert (tmp_path / "ckpt-1.index").exists()  # CK-15: nothing deleted


def test_write_exact_prefix_no_counter_ck10_ck08(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable([1.0, 2.0]))
    assert c.write(tmp_path / "w-0") == str(tmp_path / "w-0")
    assert not (tmp_path / "checkpoint").exists()
    assert keys(tmp_path / "w-0") == ["_CHECKPOINTABLE_OBJECT_GRAPH", "v/.ATTRIBUTES/VARIABLE_VALUE"]
    assert int(c.save_counter) == 0  # CK-07: starts at 0, created on access
    c.save(tmp_path / "s")
    assert "save_counter/.ATTRIBUTES/VARIABLE_VALUE" in keys(tmp_path / "s-1")


def test_missing_parent_dirs_created_ck16(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(1.0))
    p = c.write(pathlib.Path(tmp_path) / "a" / "b" / "w")
    assert os.path.exists(p + ".index")


def test_restore_by_dependency_name_and_counter_ck11_ck24_ck25(tmp_path):
    m = Dense(2, 3)
    c = ckpt.Checkpoint(model=m)
    c.save_counter.assign(11)
    path = c.save(tmp_path / "ckpt")
    assert path.endswith("ckpt-12")
    m2 = Dense(2, 3)
    m2.kernel.assign(np.full((2, 3), 7, np.float32))
    kernel_array = m2.kernel.value()
    c2 = ckpt.Checkpoint(model=m2)
    status = c2.restore(path)
    status.assert_consumed()
    np.testing.assert_array_equal(m2.kernel.numpy(), np.arange(6, dtype=np.float32).reshape(2, 3))
    assert m2.kernel.value() is kernel_array  # restored in place
    assert int(c2.save_counter) == 12
    assert c2.save(tmp_path / "ckpt").endswith("ckpt-13")


def test_restore_matches_names_not_variable_names_ck25(tmp_path):
    a = ckpt.Variable(np.float32(5), name="blah")
    ckpt.Checkpoint(var2=a).write(tmp_path / "p")
    b = ckpt.Variable(np.float32(0), name="other")
    ckpt.Checkpoint(var2=b).read(tmp_path / "p").assert_consumed()
    assert b.numpy() == 5


def test_status_methods_chain_ck44(tmp_path):
    v = ckpt.Variable(1.0)
    c = ckpt.Checkpoint(v=v)
    p = c.save(tmp_path / "c")
    s = ckpt.Checkpoint(v=ckpt.Variable(0.0)).restore(p)
    assert s.assert_consumed() is s
    assert s.assert_existing_objects_matched() is s
    assert s.assert_nontrivial_match() is s
    assert s.expect_partial() is s


def test_restore_none_is_initialization_only_ck26():
    c = ckpt.Checkpoint(v=ckpt.Variable(1.0))
    s = c.restore(None)
    assert s.is_initialization_only
    for m in (s.assert_consumed, s.assert_existing_objects_matched, s.assert_nontrivial_match):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\); nothing is being restored\."):
            m()
    with pytest.raises(AssertionError, match="No checkpoint specified, so no restore ops are available"):
        s.run_restore_ops()
    s.initialize_or_restore()


def test_restore_missing_path_ck27_read_missing_ck28(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(1.0))
    missing = str(tmp_path / "nope-1")
    with pytest.raises(errors.NotFoundError) as ei:
        c.restore(missing)
    assert str(ei.value).startswith(f"Error when restoring from checkpoint or SavedModel at {missing}: ")
    assert "You may be missing the checkpoint suffix" in str(ei.value)
    with pytest.raises(errors.NotFoundError) as ei:
        c.read(missing)
    assert "Error when restoring" not in str(ei.value)


def test_shape_mismatch_is_value_error_ck30(tmp_path):
    ckpt.Checkpoint(v=ckpt.Variable(np.zeros(2, np.float32))).write(tmp_path / "p")
    v = ckpt.Variable(np.ones(1, np.float32), name="vv")
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(2,\) when attempting to restore "
                                         r"variable with shape \(1,\) and name vv"):
        ckpt.Checkpoint(v=v).read(tmp_path / "p")
    assert v.numpy().tolist() == [1.0]  # unchanged


def test_dtype_mismatch_is_invalid_argument_ck31(tmp_path):
    ckpt.Checkpoint(v=ckpt.Variable(np.zeros(2, np.float32))).write(tmp_path / "p")
    with pytest.raises(errors.InvalidArgumentError, match=r"tensor_name = v/.ATTRIBUTES/VARIABLE_VALUE; expected "
                                                          r"dtype int32 does not equal original dtype float"):
        ckpt.Checkpoint(v=ckpt.Variable(np.zeros(2, np.int32))).read(tmp_path / "p")


def test_corrupted_data_is_data_loss_ck32(tmp_path):
    p = ckpt.Checkpoint(v=ckpt.Variable(np.arange(100, dtype=np.float32))).write(tmp_path / "p")
    data = tmp_path / "p.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[10] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(errors.DataLossError):
        ckpt.Checkpoint(v=ckpt.Variable(np.zeros(100, np.float32))).read(p)


def test_deferred_restore_on_attribute_assignment_ck36(tmp_path):
    src = ckpt.Module()
    src.deferred_variable = ckpt.Variable(np.float32(5))
    p = ckpt.Checkpoint(model=src).write(tmp_path / "p")
    dst = ckpt.Module()
    status = ckpt.Checkpoint(model=dst).read(p)
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()  # CK-49: value with no Python object yet
    status.assert_existing_objects_matched()
    dst.deferred_variable = ckpt.Variable(np.float32(1))
    assert dst.deferred_variable.numpy() == 5  # applied at attach time
    status.assert_consumed()


def test_restore_twice_overwrites_ck43(tmp_path):
    v = ckpt.Variable(np.float32(3))
    c = ckpt.Checkpoint(v=v)
    p = c.write(tmp_path / "p")
    v.assign(np.float32(9))
    c.read(p)
    assert v.numpy() == 3
    v.assign(np.float32(10))
    c.read(p)
    assert v.numpy() == 3


def test_unmatched_python_variable_ck45_ck49(tmp_path):
    p = ckpt.Checkpoint(a=ckpt.Variable(1.0)).write(tmp_path / "p")
    status = ckpt.Checkpoint(a=ckpt.Variable(0.0), b=ckpt.Variable(0.0)).read(p)
    with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound to checkpointed values"):
        status.assert_existing_objects_matched()
    with pytest.raises(AssertionError):
        status.assert_consumed()
    status.assert_nontrivial_match()


def test_nothing_matched_ck48(tmp_path):
    p = ckpt.Checkpoint(a=ckpt.Variable(1.0)).write(tmp_path / "p")
    status = ckpt.Checkpoint(z=ckpt.Variable(0.0)).read(p)
    with pytest.raises(AssertionError, match="Nothing except the root object matched a checkpointed value"):
        status.assert_nontrivial_match()


def test_empty_containers_ignored_ck49(tmp_path):
    p = ckpt.Checkpoint(v=ckpt.Variable(1.0), l=[], d={}).write(tmp_path / "p")
    ckpt.Checkpoint(v=ckpt.Variable(0.0), l=[], d={}).read(p).assert_consumed()
    ckpt.Checkpoint(v=ckpt.Variable(0.0)).read(p).assert_consumed()


def test_non_trackable_keyword_ck01():
    with pytest.raises(ValueError, match="`Checkpoint` was expecting x to be a trackable object"):
        ckpt.Checkpoint(x="a string")
    with pytest.raises(ValueError, match="was expecting x to be a trackable object"):
        ckpt.Checkpoint(x=3)


def test_root_and_clashing_keyword_ck02_ck03(tmp_path):
    root = ckpt.Module()
    root.v = ckpt.Variable(1.0)
    with pytest.raises(ValueError, match="Cannot create a Checkpoint with keyword argument v if root.v already exists."):
        ckpt.Checkpoint(root, v=ckpt.Variable(2.0))
    sep = ckpt.Variable(3.0)
    p = ckpt.Checkpoint(root, separate_variable=sep).save(tmp_path / "c")
    assert "v/.ATTRIBUTES/VARIABLE_VALUE" in keys(p)  # root's deps at top level
    v, s = ckpt.Variable(0.0), ckpt.Variable(0.0)
    c = ckpt.Checkpoint(v=v, separate_variable=s)
    c.restore(p).assert_consumed()
    assert (v.numpy(), s.numpy(), int(c.save_counter)) == (1.0, 3.0, 1)


def test_graph_at_call_time_ck21(tmp_path):
    m = ckpt.Module()
    c = ckpt.Checkpoint(m=m)
    for i in range(3):
        setattr(m, f"var_{i}", ckpt.Variable(np.float32(i + 1)))
        c.save(tmp_path / "c")
    m2 = ckpt.Module()
    for i in range(3):
        setattr(m2, f"var_{i}", ckpt.Variable(np.float32(-1)))
    ckpt.Checkpoint(m=m2).restore(str(tmp_path / "c-2")).expect_partial()
    assert [m2.var_0.numpy(), m2.var_1.numpy(), m2.var_2.numpy()] == [1, 2, -1]


def test_module_tracking_reassign_delete_and_containers(tmp_path):
    m = ckpt.Module()
    m.w = ckpt.Variable(1.0)
    m.layers = [ckpt.Variable(2.0), {"a": np.float32(3), "b": np.array([4.0], np.float32)}]
    m.pair = (np.int64(5), np.int64(6))
    m.hyper = 0.1  # plain number: not tracked
    p = ckpt.Checkpoint(m=m).write(tmp_path / "p")
    assert keys(p) == sorted([
        "_CHECKPOINTABLE_OBJECT_GRAPH",
        "m/w/.ATTRIBUTES/VARIABLE_VALUE",
        "m/layers/0/.ATTRIBUTES/VARIABLE_VALUE",
        "m/layers/1/a/.ATTRIBUTES/VARIABLE_VALUE",
        "m/layers/1/b/.ATTRIBUTES/VARIABLE_VALUE",
        "m/pair/0/.ATTRIBUTES/VARIABLE_VALUE",
        "m/pair/1/.ATTRIBUTES/VARIABLE_VALUE",
    ])
    del m.w
    m.layers[1]["c"] = np.zeros(2, np.float32)  # container mutation seen at the next save
    del m.layers[1]["a"]
    p = ckpt.Checkpoint(m=m).write(tmp_path / "q")
    ks = keys(p)
    assert "m/w/.ATTRIBUTES/VARIABLE_VALUE" not in ks
    assert "m/layers/1/c/.ATTRIBUTES/VARIABLE_VALUE" in ks
    assert "m/layers/1/a/.ATTRIBUTES/VARIABLE_VALUE" not in ks


def test_dict_keys_with_dots_and_slashes_escaped(tmp_path):
    d = {"fc.weight": np.ones(2, np.float32), "a/b": np.zeros(1, np.float32)}
    p = ckpt.Checkpoint(model=d).write(tmp_path / "p")
    d2 = {"fc.weight": np.zeros(2, np.float32), "a/b": np.ones(1, np.float32)}
    ckpt.Checkpoint(model=d2).read(p).assert_consumed()
    assert d2["fc.weight"].tolist() == [1, 1] and d2["a/b"].tolist() == [0]


def test_readonly_array_is_replaced_and_container_updated(tmp_path):
    src = {"w": np.arange(3, dtype=np.int32)}
    p = ckpt.Checkpoint(s=src).write(tmp_path / "p")
    ro = np.zeros(3, np.int32)
    ro.flags.writeable = False
    dst = {"w": ro}
    ckpt.Checkpoint(s=dst).read(p).assert_consumed()
    assert dst["w"] is not ro and ro.tolist() == [0, 0, 0]
    assert dst["w"].tolist() == [0, 1, 2]
    m = ckpt.Module()
    m.w = ro
    ckpt.Checkpoint(s=m).read(p)
    assert m.w.tolist() == [0, 1, 2]


def test_non_contiguous_writable_view_restored_in_place(tmp_path):
    base = np.zeros((4, 4), np.float32)
    view = base[:, 1]  # strided
    p = ckpt.Checkpoint(v=np.arange(4, dtype=np.float32)).write(tmp_path / "p")
    ckpt.Checkpoint(v=view).read(p).assert_consumed()
    assert base[:, 1].tolist() == [0, 1, 2, 3]
    base[:, 1] = 9  # later changes to the view are saved
    p2 = ckpt.Checkpoint(v=view).write(tmp_path / "q")
    assert ckpt.load_variable(p2, "v/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [9, 9, 9, 9]


def test_string_variables(tmp_path):
    v = ckpt.Variable(np.array([b"a", b"bc", b"\x00\xff"], dtype=object))
    u = ckpt.Variable(np.array(["h\u00e9", "x"]))
    s = ckpt.Variable(b"scalar")
    assert v.dtype == ckpt.dtypes.string and u.dtype == "string"
    p = ckpt.Checkpoint(v=v, u=u, s=s).write(tmp_path / "p")
    v2 = ckpt.Variable(np.array([b"", b"", b""], dtype=object))
    u2 = ckpt.Variable(np.array([b"", b""], dtype=object))
    s2 = ckpt.Variable(b"")
    ckpt.Checkpoint(v=v2, u=u2, s=s2).read(p).assert_consumed()
    assert v2.numpy().tolist() == [b"a", b"bc", b"\x00\xff"]
    assert u2.numpy().tolist() == ["h\u00e9".encode(), b"x"]
    assert s2.numpy() == b"scalar"
    v.value()[0] = b"changed"  # in-place edits of an object array are saved
    p = ckpt.Checkpoint(v=v).write(tmp_path / "q")
    assert ckpt.load_variable(p, "v/.ATTRIBUTES/VARIABLE_VALUE")[0] == b"changed"


def test_variable_surface():
    v = ckpt.Variable([[1.0, 2.0]], name="dense/kernel")
    assert v.dtype == ckpt.dtypes.float32 and v.dtype == np.float32 and v.dtype.name == "float32"
    assert v.shape == (1, 2) and v.name == "dense/kernel:0"
    assert ckpt.Variable(3).dtype == ckpt.dtypes.int32  # TF's default for Python ints
    assert ckpt.Variable(np.int64(3)).dtype == ckpt.dtypes.int64
    out = v.assign([[5, 6]])
    assert out is v and v.numpy().tolist() == [[5.0, 6.0]]
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])
    n = v.numpy()
    n[0, 0] = 100
    assert v.numpy()[0, 0] == 5  # numpy() is a copy, like TF
    assert float(ckpt.Variable(2.5)) == 2.5
    with pytest.raises(TypeError, match="cannot hold a value of type"):
        ckpt.Variable(object())


def test_pathlike_everywhere_ck20(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(1.0))
    p = c.save(tmp_path / "c")
    assert isinstance(p, str)
    c.restore(pathlib.Path(p)).assert_consumed()
    c.read(pathlib.Path(p))


def test_checkpoint_attribute_added_later_ck36(tmp_path):
    c = ckpt.Checkpoint(a=ckpt.Variable(1.0))
    c.b = ckpt.Variable(2.0)
    p = c.write(tmp_path / "p")
    c2 = ckpt.Checkpoint(a=ckpt.Variable(0.0))
    st = c2.read(p)
    c2.b = ckpt.Variable(0.0)
    assert c2.b.numpy() == 2.0
    st.assert_consumed()


def test_file_io_releases_the_gil(tmp_path):
    """A Python thread keeps running while a large checkpoint is written and read."""
    big = np.ones(64 * 1024 * 1024 // 4, np.float32)  # 64 MiB
    c = ckpt.Checkpoint(v=ckpt.Variable(big))
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        progress = []
        for call in (lambda: c.write(tmp_path / "big"), lambda: c.read(tmp_path / "big")):
            before = count[0]
            t0 = time.perf_counter()
            call()
            elapsed = time.perf_counter() - t0
            progress.append((count[0] - before, elapsed))
    finally:
        stop.set()
        t.join()
    for n, elapsed in progress:
        # With the GIL held for the whole call the other thread could run for
        # at most one switch interval (5 ms); it ran for most of the call.
        assert elapsed < 0.02 or n > 1000, progress


def test_prepare_async_then_async_writes_snapshot_the_values(tmp_path):
    """prepare_async writes nothing; the async write after it holds the values at its call."""
    base = np.zeros(3 * 1024 * 1024 + 16, np.uint8)
    arr = base[16:].view(np.float32)  # 16 bytes into the allocation: the bounce path
    arr[:] = np.arange(arr.size, dtype=np.float32)
    want = arr.copy()
    c = ckpt.Checkpoint(a=arr)
    opts = ckpt.CheckpointOptions(enable_async=True)
    c.prepare_async(opts)
    c.prepare_async()
    assert list(tmp_path.iterdir()) == []
    path = c.write(tmp_path / "w", options=opts)
    arr[:] = -1  # changed right after write returned
    c.sync()
    out = np.zeros_like(want)
    ckpt.Checkpoint(a=out).read(path).assert_consumed()
    np.testing.assert_array_equal(out, want)
