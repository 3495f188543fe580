"""Zero-copy views of foreign arrays, and native tensors back to arrays.

Every array a ckpt.Variable holds is seen through a numpy array that shares
its memory: numpy itself, torch CPU tensors (``Tensor.numpy()``, with the
dtypes numpy lacks reinterpreted through ml_dtypes), jax arrays and
TensorFlow eager tensors (read-only views), anything with ``__dlpack__``
(``np.from_dlpack``) or the buffer protocol (``memoryview``).
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple, Tuple

import numpy as np

from . import dtypes as _dtypes


class ArrayView(NamedTuple):
    array: np.ndarray  # shares memory with the source where possible
    # "numpy", "torch", "jax", "tf" (eager tensor), "tfvar" (tf.Variable:
    # `array` is a copy, restores assign), "dlpack", "buffer", "scalar" (numpy
    # scalar: immutable), "python" (numbers/strings/lists: `array` is owned)
    kind: str
    writable: bool  # restores may write into `array` and the source sees it


def _module_of(value: Any) -> str:
    return type(value).__module__.split(".", 1)[0]


def _torch_view(t: Any) -> np.ndarray:
    import torch

    if t.device.type != "cpu":
        raise ValueError(f"ckpt.Variable needs a CPU tensor, got one on {t.device} (move it with .cpu() first)")
    t = t.detach()
    raw = {
        torch.bfloat16: (torch.int16, "bfloat16"),
        getattr(torch, "float8_e4m3fn", None): (torch.uint8, "float8_e4m3fn"),
        getattr(torch, "float8_e5m2", None): (torch.uint8, "float8_e5m2"),
        getattr(torch, "float8_e4m3fnuz", None): (torch.uint8, "float8_e4m3fnuz"),
        getattr(torch, "float8_e5m2fnuz", None): (torch.uint8, "float8_e5m2fnuz"),
    }.get(t.dtype)
    if raw is None:
        return t.numpy()
    as_int, name = raw
    return t.view(as_int).numpy().view(_dtypes.as_dtype(name).as_numpy_dtype)


def _python_value(value: Any) -> np.ndarray:
    """Python scalars and nested lists get TF's default dtypes (float32, int32)."""
    arr = np.asarray(value)
    if arr.dtype == np.float64 and not isinstance(value, np.floating):
        arr = arr.astype(np.float32)
    elif arr.dtype == np.int64 and not isinstance(value, np.integer):
        arr = arr.astype(np.int32)
    elif arr.dtype.kind == "U":
        arr = _to_bytes_array(arr)
    return arr


def _to_bytes_array(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    for idx, s in np.ndenumerate(arr):
        out[idx] = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return out


def as_array(value: Any) -> ArrayView:
    """A numpy view of `value` sharing its memory where the source allows."""
    mod = _module_of(value)
    if isinstance(value, np.ndarray):
        return ArrayView(value, "numpy", bool(value.flags.writeable))
    if isinstance(value, np.generic):  # immutable: a copy, replaced on restore
        return ArrayView(np.array(value), "scalar", False)
    if mod == "torch" and type(value).__name__ in ("Tensor", "Parameter") or _is_torch_tensor(value):
        return ArrayView(_torch_view(value), "torch", True)
    if mod in ("jax", "jaxlib"):
        return ArrayView(np.asarray(value), "jax", False)
    if mod == "tensorflow" and hasattr(value, "numpy"):
        # TF copies on .numpy(): a tf.Variable is re-read before each save and
        # assigned on restore; an eager tensor is immutable and replaced.
        arr = np.array(value.numpy())
        return ArrayView(arr, "tfvar" if is_tf_variable(value) else "tf", False)
    if isinstance(value, (bool, int, float, complex, str, bytes, list, tuple)):
        arr = _python_value(value)
        return ArrayView(arr, "python", True)
    if hasattr(value, "__dlpack__"):
        arr = np.from_dlpack(value)
        return ArrayView(arr, "dlpack", bool(arr.flags.writeable))
    try:
        mv = memoryview(value)
    except TypeError:
        raise TypeError(
            f"ckpt cannot hold a value of type {type(value).__module__}.{type(value).__qualname__}: "
            "expected an array (numpy, torch, jax, TensorFlow, DLPack or buffer protocol), a Python number, "
            "string or list"
        ) from None
    arr = np.asarray(mv)
    return ArrayView(arr, "buffer", not mv.readonly)


def is_tf_variable(value: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(value, tf.Variable)


def _is_torch_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def is_array_like(value: Any) -> bool:
    """True for values a container wraps as a Variable (not plain Python scalars)."""
    if isinstance(value, (np.ndarray, np.generic)) or _is_torch_tensor(value):
        return True
    mod = _module_of(value)
    if mod in ("jax", "jaxlib") and hasattr(value, "shape"):
        return True
    if mod == "tensorflow" and hasattr(value, "numpy") and hasattr(value, "dtype"):
        return True
    if hasattr(value, "__dlpack__"):
        return True
    if isinstance(value, (str, bytes, bytearray)):
        return False  # strings, not arrays
    try:
        memoryview(value)
    except TypeError:
        return False
    return True


def from_native(native: Tuple[int, tuple, Any]) -> np.ndarray:
    """A numpy array from the (dtype enum, shape, payload) tuple of the C++ side.

    Fixed-size payloads are uint8 arrays owning the tensor (no copy); string
    payloads are lists of bytes (an object array results).
    """
    dtype_enum, shape, payload = native
    np_dtype = _dtypes._enum_to_numpy(dtype_enum)
    if np_dtype == np.dtype(object):
        out = np.empty(len(payload), dtype=object)
        out[:] = payload
        return out.reshape(shape)
    if len(payload) == 0:
        return np.zeros(shape, dtype=np_dtype)
    return np.frombuffer(payload, dtype=np.uint8).view(np_dtype).reshape(shape)


def to_kind(arr: np.ndarray, kind: str, like: Any = None) -> Any:
    """Converts a restored numpy array to the array type a variable was made from."""
    if kind == "jax":
        import jax.numpy as jnp

        return jnp.asarray(arr)
    if kind == "tf":
        import tensorflow as tf  # already imported: the value was a TF tensor

        return tf.constant(arr)
    if kind == "torch":
        import torch

        return torch.from_numpy(np.ascontiguousarray(arr))
    if kind == "scalar":
        item = arr[()]
        if isinstance(like, np.str_) and isinstance(item, bytes):
            return np.str_(item.decode("utf-8"))
        return np.bytes_(item) if isinstance(item, bytes) else item
    return arr


def string_elements(arr: np.ndarray) -> list:
    """The elements of a string array as bytes, row-major."""
    out = []
    for s in arr.reshape(-1):
        if isinstance(s, bytes):
            out.append(s)
        elif isinstance(s, str):
            out.append(s.encode("utf-8"))
        elif isinstance(s, np.bytes_):
            out.append(bytes(s))
        else:
            raise TypeError(f"string variables hold bytes or str elements, got {type(s).__name__}")
    return out
