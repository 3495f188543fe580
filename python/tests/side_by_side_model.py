"""The values of the object-checkpoint scenario of test_tf_side_by_side.py, one source for both
sides (ckpt in the test process, TensorFlow in tf_side.py): the files are compared byte for byte,
so the two sides must build the same values."""

import numpy as np


def model_arrays(zero=False):
    """The value of each variable by its short name; with zero=True zeros of the same dtypes and
    shapes (the targets a restore fills). New arrays on every call."""
    k = np.arange(6, dtype=np.float32).reshape(2, 3)
    return {
        "kernel": np.zeros_like(k) if zero else k,
        "bias": np.zeros(3, np.float32) if zero else np.array([0.5, -1, 2], np.float32),
        "step": np.int64(0 if zero else 7),
        "table": np.array([b"", b""] if zero else [b"a", b"bc"], dtype=object),
        "w": np.zeros((2, 2), np.float32) if zero else np.eye(2, dtype=np.float32),
        "b": np.zeros(2, np.float64) if zero else np.array([1.5, 2.5]),
        "l0": np.int32(0 if zero else 3),
        "l1": np.zeros(2, np.int8) if zero else np.array([1, -2], np.int8),
    }
