"""ckpt.CheckpointOptions: the Python-only behaviours of tf.train.CheckpointOptions (CO-01..CO-09)."""

import copy
import logging

import numpy as np
import pytest

import ckpt


def test_defaults_co01():
    o = ckpt.CheckpointOptions()
    assert o.experimental_io_device is None
    assert o.enable_async is False and o.experimental_enable_async_checkpoint is False
    assert o.experimental_write_callbacks is None
    assert o.experimental_skip_slot_variables is False


def test_deprecated_async_flag_is_an_alias_co02(caplog):
    with caplog.at_level(logging.WARNING, logger="ckpt"):
        o = ckpt.CheckpointOptions(experimental_enable_async_checkpoint=True)
    assert o.enable_async is True and o.experimental_enable_async_checkpoint is True
    assert "Use enable_async instead" in caplog.text
    o = ckpt.CheckpointOptions(enable_async=True)
    assert o.experimental_enable_async_checkpoint is True


def test_slots_reject_unknown_attributes_co03():
    with pytest.raises(AttributeError):
        ckpt.CheckpointOptions().no_such_option = 1


def test_copy_gets_its_own_callback_list_co06():
    o = ckpt.CheckpointOptions(experimental_write_callbacks=[lambda: None])
    c = copy.copy(o)
    c.experimental_write_callbacks.append(lambda p: None)
    assert len(o.experimental_write_callbacks) == 1


def test_callbacks_with_two_parameters_are_rejected_co07():
    with pytest.raises(AssertionError):
        ckpt.CheckpointOptions(experimental_write_callbacks=[lambda a, b: None])


def test_mutated_list_fails_at_save_with_tf_text_co08(tmp_path):
    o = ckpt.CheckpointOptions(experimental_write_callbacks=[])
    o.experimental_write_callbacks.append(lambda a, b: None)
    c = ckpt.Checkpoint(v=ckpt.Variable(np.float32(1)))
    with pytest.raises(AssertionError, match="required to have 0 or 1parameters, but this has 2 parameters"):
        c.save(str(tmp_path / "ck"), options=o)


@pytest.mark.parametrize("use_async", [False, True])
def test_zero_and_one_parameter_callbacks_co09(tmp_path, use_async):
    calls = []

    class Recorder:
        def method(self, path):  # bound method: self does not count
            calls.append(("method", path))

    o = ckpt.CheckpointOptions(
        enable_async=use_async,
        experimental_write_callbacks=[lambda: calls.append(("none",)), lambda p: calls.append(("one", p)),
                                      Recorder().method, lambda *args: calls.append(("star", args))],
    )
    c = ckpt.Checkpoint(v=ckpt.Variable(np.float32(1)))
    path = c.save(str(tmp_path / "ck"), options=o)
    c.sync()
    assert calls == [("none",), ("one", path), ("method", path), ("star", (path,))]
