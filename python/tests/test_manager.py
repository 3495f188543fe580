"""ckpt.CheckpointManager and async saving (CM-xx, CO-xx)."""

import threading
import time

import numpy as np
import pytest

import ckpt


def test_numbering_retention_and_state_cm07_cm14(tmp_path):
    v = ckpt.Variable(np.float32(1))
    c = ckpt.Checkpoint(v=v)
    m = ckpt.CheckpointManager(c, tmp_path, max_to_keep=2)
    paths = [m.save() for _ in range(3)]
    assert paths == [str(tmp_path / f"ckpt-{i}") for i in (1, 2, 3)]
    assert m.checkpoints == paths[1:] and m.latest_checkpoint == paths[2]
    assert not ckpt.checkpoint_exists(paths[0])
    assert m.save(checkpoint_number=10) == str(tmp_path / "ckpt-10")


def test_invalid_arguments_cm01_cm02(tmp_path):
    c = ckpt.Checkpoint(v=ckpt.Variable(1.0))
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`"):
        ckpt.CheckpointManager(c, tmp_path, max_to_keep=-1)
    with pytest.raises(ValueError, match="`step_counter` should be passed if `checkpoint_interval` is not None."):
        ckpt.CheckpointManager(c, tmp_path, max_to_keep=1, checkpoint_interval=5)


def test_restore_or_initialize_cm37_cm39(tmp_path):
    calls = []
    v = ckpt.Variable(np.float32(3))
    m = ckpt.CheckpointManager(ckpt.Checkpoint(v=v), tmp_path, 3, init_fn=lambda: calls.append(1))
    assert m.restore_or_initialize() is None and calls == [1]
    p = m.save()
    v.assign(np.float32(0))
    m2 = ckpt.CheckpointManager(ckpt.Checkpoint(v=v), tmp_path, 3, lock_directory=False)
    assert m2.restore_or_initialize() == p and v.numpy() == 3


def test_init_fn_exception_propagates(tmp_path):
    def boom():
        raise KeyError("from init_fn")

    m = ckpt.CheckpointManager(ckpt.Checkpoint(v=ckpt.Variable(1.0)), tmp_path, 1, init_fn=boom)
    with pytest.raises(KeyError, match="from init_fn"):
        m.restore_or_initialize()


def test_checkpoint_interval_cm31(tmp_path):
    step = ckpt.Variable(np.int64(0))
    m = ckpt.CheckpointManager(ckpt.Checkpoint(step=step), tmp_path, 5, step_counter=step, checkpoint_interval=10)
    assert m.save() is not None
    step.assign(5)
    assert m.save() is None
    step.assign(10)
    assert m.save() is not None


def test_options_fields_co01():
    o = ckpt.CheckpointOptions()
    assert (o.experimental_io_device, o.enable_async, o.experimental_enable_async_checkpoint,
            o.experimental_write_callbacks, o.experimental_skip_slot_variables) == (None, False, False, None, False)


def test_async_save_with_callbacks_co07_co15(tmp_path):
    v = ckpt.Variable(np.arange(1000, dtype=np.float32))
    c = ckpt.Checkpoint(v=v)
    seen = []
    opts = ckpt.CheckpointOptions(enable_async=True, experimental_write_callbacks=[seen.append])
    p = c.save(tmp_path / "a", options=opts)
    v.assign(np.zeros(1000, np.float32))  # after staging: does not affect the checkpoint
    c.sync()
    assert seen == [p]
    assert ckpt.load_variable(p, "v/.ATTRIBUTES/VARIABLE_VALUE")[999] == 999


def test_async_manager_keeps_python_loop_running(tmp_path):
    """The background writer holds no GIL: a CPU-bound Python loop keeps going during the write."""
    v = ckpt.Variable(np.ones(32 * 1024 * 1024 // 4, np.float32))
    c = ckpt.Checkpoint(v=v)
    m = ckpt.CheckpointManager(c, tmp_path, 2)
    opts = ckpt.CheckpointOptions(enable_async=True)
    t0 = time.perf_counter()
    m.save(options=opts)
    staged = time.perf_counter()
    n = 0
    done = threading.Event()

    def waiter():
        m.sync()
        done.set()

    t = threading.Thread(target=waiter)
    t.start()
    while not done.is_set():
        n += 1
    t.join()
    assert ckpt.checkpoint_exists(m.latest_checkpoint)
    write_time = time.perf_counter() - staged
    assert write_time < 0.02 or n > 10000, (n, write_time, staged - t0)
