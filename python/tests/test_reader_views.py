"""CheckpointReader.get_tensor(name, copy=False): read-only, zero-copy views over the mapped data file."""

import gc
import glob
import os

import numpy as np
import pytest

import ckpt
from ckpt import errors

KEY = "v/.ATTRIBUTES/VARIABLE_VALUE"


def _save(tmp_path, value, name="ckpt"):
    return ckpt.Checkpoint(v=ckpt.Variable(value)).write(str(tmp_path / name))


def _data_files(prefix):
    return glob.glob(glob.escape(prefix) + ".data-*")


DTYPES = [np.float32, np.float64, np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64, np.bool_,
          np.complex64, np.complex128, np.float16]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_view_is_read_only_zero_copy_and_equal(tmp_path, dtype):
    a = (np.arange(4 * 1000).reshape(4, 1000) % 7).astype(dtype)
    r = ckpt.load_checkpoint(_save(tmp_path, a))
    v = r.get_tensor(KEY, copy=False)
    assert v.dtype == a.dtype and v.shape == a.shape and np.array_equal(v, a)
    assert not v.flags.writeable
    with pytest.raises(ValueError):
        v[0, 0] = 1
    # Two views of one tensor share memory: both point into the one mapping.
    assert np.shares_memory(v, r.get_tensor(KEY, copy=False))
    # The default is TF's: a new, writable array, not a view.
    c = r.get_tensor(KEY)
    assert c.flags.writeable and np.array_equal(c, a) and not np.shares_memory(c, v)


def test_bfloat16_view(tmp_path):
    ml_dtypes = pytest.importorskip("ml_dtypes", reason="ml_dtypes not installed (the test extra installs it)")
    a = np.linspace(-2, 2, 4096).astype(ml_dtypes.bfloat16)
    r = ckpt.load_checkpoint(_save(tmp_path, a))
    v = r.get_tensor(KEY, copy=False)
    assert v.dtype == a.dtype and np.array_equal(v.astype(np.float32), a.astype(np.float32))
    assert not v.flags.writeable and np.shares_memory(v, r.get_tensor(KEY, copy=False))


def test_view_outlives_reader_and_files(tmp_path):
    a = np.arange(100_000, dtype=np.float32)
    prefix = _save(tmp_path, a)
    r = ckpt.load_checkpoint(prefix)
    v = r.get_tensor(KEY, copy=False)
    del r
    gc.collect()
    for f in glob.glob(glob.escape(prefix) + ".*"):
        os.remove(f)
    assert np.array_equal(v, a)
    w = v[10:20]  # a view of the view keeps the mapping too
    del v
    gc.collect()
    assert np.array_equal(w, a[10:20])


def test_corruption_is_detected_through_views(tmp_path):
    a = np.arange(50_000, dtype=np.float32)
    prefix = _save(tmp_path, a)
    (data,) = _data_files(prefix)
    blob = bytearray(open(data, "rb").read())
    at = blob.find(a.tobytes()) + 4 * 12345
    blob[at] ^= 0x10
    with open(data, "r+b") as f:
        f.seek(at)
        f.write(bytes([blob[at]]))
    r = ckpt.load_checkpoint(prefix)
    with pytest.raises(errors.DataLossError, match="checksum does not match"):
        r.get_tensor(KEY, copy=False)
    with pytest.raises(errors.DataLossError):
        r.get_tensor(KEY)


def test_unmappable_tensors_come_back_as_read_only_copies(tmp_path):
    r = ckpt.load_checkpoint(_save(tmp_path, np.array([b"x", b"yz"], dtype=object)))
    s = r.get_tensor(KEY, copy=False)
    assert list(s) == [b"x", b"yz"] and not s.flags.writeable
    r = ckpt.load_checkpoint(_save(tmp_path, np.zeros((0, 3), np.float32), "empty"))
    e = r.get_tensor(KEY, copy=False)
    assert e.shape == (0, 3) and not e.flags.writeable
    r = ckpt.load_checkpoint(_save(tmp_path, np.float64(2.5), "scalar"))
    assert r.get_tensor(KEY, copy=False) == 2.5
