"""ckpt.Saver: TF1 name-based Saver semantics (SV-xx)."""

import os

import numpy as np
import pytest

import ckpt
from ckpt import errors


def make_vars():
    return (ckpt.Variable(np.array([1.0, 2.0], np.float32), name="dense/kernel"),
            ckpt.Variable(np.int64(7), name="global_step"))


def test_list_keys_by_name_and_global_step_sv01_sv10(tmp_path):
    k, s = make_vars()
    saver = ckpt.Saver([k, s])
    assert saver.keys() == ["dense/kernel", "global_step"]
    p = saver.save(None, tmp_path / "model.ckpt", global_step=1000)
    assert p == str(tmp_path / "model.ckpt-1000")
    assert os.path.exists(p + ".meta") and os.path.exists(p + ".index")
    assert ckpt.latest_checkpoint(tmp_path) == p
    assert sorted(dict(ckpt.list_variables(p))) == ["dense/kernel", "global_step"]
    k.assign([0, 0])
    saver.restore(None, p)
    assert k.numpy().tolist() == [1.0, 2.0]


def test_dict_var_list_and_arrays_sv01(tmp_path):
    w = np.arange(3, dtype=np.float32)
    saver = ckpt.Saver({"w": w})
    p = saver.save(None, tmp_path / "m")
    w[:] = 0
    saver.restore(None, p)
    assert w.tolist() == [0, 1, 2]  # the array itself was restored


def test_max_to_keep_deletes_oldest_sv28(tmp_path):
    saver = ckpt.Saver([make_vars()[0]], max_to_keep=2)
    paths = [saver.save(None, tmp_path / "m", global_step=i, write_meta_graph=False) for i in range(4)]
    assert saver.last_checkpoints == paths[-2:]
    assert not ckpt.checkpoint_exists(paths[0]) and ckpt.checkpoint_exists(paths[3])


def test_v1_format_round_trip(tmp_path):
    k, _ = make_vars()
    saver = ckpt.Saver([k], write_version=ckpt.SaverDef.V1)
    p = saver.save(None, tmp_path / "v1.ckpt", write_meta_graph=False)
    assert os.path.exists(p) and not os.path.exists(p + ".index")
    assert ckpt.load_checkpoint(p).get_tensor("dense/kernel").tolist() == [1.0, 2.0]
    k.assign([5, 5])
    saver.restore(None, p)
    assert k.numpy().tolist() == [1.0, 2.0]


def test_errors_sv03_sv05_sv43(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        ckpt.Saver([])
    assert ckpt.Saver([], allow_empty=True).save(None, tmp_path / "x") is None  # SV-06
    with pytest.raises(ValueError, match="If `var_list` is provided then build cannot be deferred"):
        ckpt.Saver([make_vars()[0]], defer_build=True)
    saver = ckpt.Saver([make_vars()[0]])
    with pytest.raises(ValueError, match="Can't load save_path when it is None."):
        saver.restore(None, None)
    with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint"):
        saver.restore(None, str(tmp_path / "missing"))


def test_restore_dtype_mismatch_is_op_error(tmp_path):
    p = ckpt.Saver({"v": np.zeros(2, np.float32)}).save(None, tmp_path / "m")
    with pytest.raises(errors.InvalidArgumentError, match="Restoring from checkpoint failed.(.|\n)*tensor_name = v; "
                                                          "expected dtype int32 does not equal original dtype float"):
        ckpt.Saver({"v": np.zeros(2, np.int32)}).restore(None, p)


def test_saver_def_round_trip_sv57_sv60(tmp_path):
    k, s = make_vars()
    saver = ckpt.Saver([k, s], max_to_keep=3)
    d = saver.as_saver_def()
    assert d.max_to_keep == 3 and d.version == 2
    assert ckpt.SaverDef.FromString(d.SerializeToString()) == d
    again = ckpt.Saver.from_proto(d, var_list=[k, s])
    assert again.as_saver_def().max_to_keep == 3
