"""One digest of a tensor's shape and bytes, computed the same way in the test process and in the
TensorFlow subprocess (tf_side.py) so their reads can be compared without shipping the values."""

import hashlib

import numpy as np


def digest(value) -> str:
    a = np.asarray(value)
    h = hashlib.sha256()
    h.update(str(a.shape).encode())
    if a.dtype == object or a.dtype.kind == "S":
        for s in a.reshape(-1):
            h.update(len(s).to_bytes(8, "little") + bytes(s))
    else:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()
