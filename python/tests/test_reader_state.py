"""load_checkpoint / list_variables / load_variable (RD-xx) and the state file functions (ST-xx)."""

import os

import numpy as np
import pytest

import ckpt
from ckpt import errors


@pytest.fixture
def saved(tmp_path):
    c = ckpt.Checkpoint(b=ckpt.Variable(np.arange(6, dtype=np.int64).reshape(2, 3), name="b"),
                        a=ckpt.Variable(np.float32(1.5), name="a"))
    return tmp_path, c.save(tmp_path / "ckpt")


def test_load_checkpoint_dir_and_prefix_rd01(saved):
    d, p = saved
    for target in (d, p):
        r = ckpt.load_checkpoint(target)
        assert r.has_tensor("b/.ATTRIBUTES/VARIABLE_VALUE")
        assert not r.has_tensor("nope")


def test_load_checkpoint_errors_rd01_rd02(tmp_path):
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints in given directory"):
        ckpt.load_checkpoint(tmp_path)
    with pytest.raises(errors.NotFoundError, match="Unsuccessful TensorSliceReader constructor: Failed to find any "
                                                   "matching files for"):
        ckpt.load_checkpoint(tmp_path / "missing-1")


def test_maps_and_get_tensor_rd07(saved):
    _, p = saved
    r = ckpt.load_checkpoint(p)
    shapes = r.get_variable_to_shape_map()
    assert shapes["b/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 3] and shapes["a/.ATTRIBUTES/VARIABLE_VALUE"] == []
    dtypes = r.get_variable_to_dtype_map()
    assert dtypes["b/.ATTRIBUTES/VARIABLE_VALUE"] == ckpt.dtypes.int64
    assert dtypes["_CHECKPOINTABLE_OBJECT_GRAPH"] == ckpt.dtypes.string
    t = r.get_tensor("b/.ATTRIBUTES/VARIABLE_VALUE")
    assert t.dtype == np.int64 and t.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert isinstance(r.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"), bytes)
    with pytest.raises(errors.NotFoundError, match="Key nope not found in checkpoint"):  # RD-06
        r.get_tensor("nope")


def test_list_variables_sorted_rd04(saved):
    _, p = saved
    names = [k for k, _ in ckpt.list_variables(p)]
    assert names == sorted(names, key=lambda s: s.encode())
    assert dict(ckpt.list_variables(p))["b/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 3]


def test_load_variable_strips_colon_zero_rd05(saved):
    d, _ = saved
    assert ckpt.load_variable(d, "a/.ATTRIBUTES/VARIABLE_VALUE:0") == np.float32(1.5)


def test_checksum_mismatch_is_data_loss_rd09(saved):
    _, p = saved
    data = p + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[0] ^= 1
    open(data, "wb").write(bytes(raw))
    with pytest.raises(errors.DataLossError, match="(?i)checksum does not match"):
        ckpt.load_checkpoint(p).get_tensor("a/.ATTRIBUTES/VARIABLE_VALUE")


def test_update_and_get_checkpoint_state_st01_st03_st12(tmp_path):
    ckpt.update_checkpoint_state(tmp_path, "m-2", ["m-1"])
    assert (tmp_path / "checkpoint").read_text() == (
        'model_checkpoint_path: "m-2"\nall_model_checkpoint_paths: "m-1"\nall_model_checkpoint_paths: "m-2"\n')
    st = ckpt.get_checkpoint_state(tmp_path)
    assert st.model_checkpoint_path == os.path.join(str(tmp_path), "m-2")
    assert st.all_model_checkpoint_paths == [os.path.join(str(tmp_path), "m-1"), os.path.join(str(tmp_path), "m-2")]
    assert str(ckpt.CheckpointState("m-2", ["m-1", "m-2"])) == (tmp_path / "checkpoint").read_text()


def test_timestamps_must_match_st05(tmp_path):
    with pytest.raises(ValueError, match="Checkpoint timestamps, if provided, must match checkpoint paths"):
        ckpt.update_checkpoint_state(tmp_path, "m-2", ["m-1", "m-2"], all_model_checkpoint_timestamps=[1.0])


def test_state_path_conflict_st08(tmp_path):
    with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
        ckpt.update_checkpoint_state(tmp_path, str(tmp_path / "checkpoint"))


def test_no_state_file_st09_st14(tmp_path):
    assert ckpt.get_checkpoint_state(tmp_path) is None
    assert ckpt.latest_checkpoint(tmp_path) is None


def test_empty_state_file_st10(tmp_path):
    (tmp_path / "checkpoint").write_text("")
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        ckpt.get_checkpoint_state(tmp_path)


def test_unparsable_state_file_is_data_loss_st11(tmp_path):
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: {")
    with pytest.raises(errors.DataLossError, match="cannot parse checkpoint state"):
        ckpt.get_checkpoint_state(tmp_path)


def test_latest_checkpoint_needs_files_st13_st17(saved):
    d, p = saved
    assert ckpt.latest_checkpoint(d) == p
    ckpt.update_checkpoint_state(d, "gone-5", latest_filename="other")
    assert ckpt.latest_checkpoint(d, latest_filename="other") is None


def test_checkpoint_exists_mtimes_remove_st18_st20_st21(saved):
    d, p = saved
    assert ckpt.checkpoint_exists(p) and not ckpt.checkpoint_exists(str(d / "nope"))
    mt = ckpt.get_checkpoint_mtimes([p, str(d / "nope")])
    assert len(mt) == 1 and abs(mt[0] - os.path.getmtime(p + ".index")) < 1
    ckpt.remove_checkpoint(p)
    assert not ckpt.checkpoint_exists(p)


def test_meta_graph_filename_st22():
    assert ckpt.meta_graph_filename("model.ckpt-123456-?????-of-00005") == "model.ckpt-123456.meta"
    assert ckpt.meta_graph_filename("s1") == "s1.meta"
