"""TensorFlow's data types (``tf.dtypes``), mapped to numpy dtypes.

Types numpy lacks (bfloat16, the float8 family, int4/uint4/int2/uint2,
float4_e2m1fn) come from ``ml_dtypes`` when it is installed, imported on
first need only (importing it takes longer than the rest of ``import ckpt``
together, and most checkpoints hold none of these types); the quantized
types (qint8, ...) are numpy structured dtypes with one field named after the
type, as TensorFlow's own ``.numpy()`` returns them.
"""

# Imports under private names: this module's namespace is its __all__
# (the dtype names), as ckpt.errors'.
from __future__ import annotations as _annotations

import builtins as _builtins
from typing import Any as _Any, Dict as _Dict, Optional as _Optional

import numpy as _np

from . import _ckpt

_STRING = 7

# DataType number -> numpy dtype.
_TO_NUMPY: _Dict[int, _Any] = {
    1: _np.dtype(_np.float32),
    2: _np.dtype(_np.float64),
    3: _np.dtype(_np.int32),
    4: _np.dtype(_np.uint8),
    5: _np.dtype(_np.int16),
    6: _np.dtype(_np.int8),
    _STRING: _np.dtype(object),
    8: _np.dtype(_np.complex64),
    9: _np.dtype(_np.int64),
    10: _np.dtype(_np.bool_),
    11: _np.dtype([("qint8", _np.int8)]),
    12: _np.dtype([("quint8", _np.uint8)]),
    13: _np.dtype([("qint32", _np.int32)]),
    15: _np.dtype([("qint16", _np.int16)]),
    16: _np.dtype([("quint16", _np.uint16)]),
    17: _np.dtype(_np.uint16),
    18: _np.dtype(_np.complex128),
    19: _np.dtype(_np.float16),
    22: _np.dtype(_np.uint32),
    23: _np.dtype(_np.uint64),
}
_ML_NAMES = {
    14: "bfloat16",
    24: "float8_e5m2",
    25: "float8_e4m3fn",
    26: "float8_e4m3fnuz",
    27: "float8_e4m3b11fnuz",
    28: "float8_e5m2fnuz",
    29: "int4",
    30: "uint4",
    31: "int2",
    32: "uint2",
    33: "float4_e2m1fn",
}

# numpy dtype -> DataType number (bytes/str/object arrays are strings).
_FROM_NUMPY: _Dict[_np.dtype, int] = {dt: num for num, dt in _TO_NUMPY.items() if num != _STRING}

_ml_loaded = False


def _load_ml_dtypes() -> None:
    """Adds ml_dtypes' types to both maps (once; nothing if it is not installed)."""
    global _ml_loaded
    if _ml_loaded:
        return
    _ml_loaded = True
    try:  # optional: bfloat16, float8_*, int4, ...
        import ml_dtypes as ml
    except ImportError:  # pragma: no cover - exercised only without ml_dtypes
        return
    for num, name in _ML_NAMES.items():
        if hasattr(ml, name):
            dt = _np.dtype(getattr(ml, name))
            _TO_NUMPY[num] = dt
            _FROM_NUMPY[dt] = num


def _to_numpy(type_enum: int) -> _Optional[_np.dtype]:
    dt = _TO_NUMPY.get(type_enum)
    if dt is None and type_enum in _ML_NAMES:
        _load_ml_dtypes()
        dt = _TO_NUMPY.get(type_enum)
    return dt


class DType:
    """A TensorFlow data type: ``ckpt.dtypes.float32``, ``ckpt.dtypes.bfloat16``, ..."""

    __slots__ = ("_enum",)

    def __init__(self, type_enum: int) -> None:
        if not _ckpt.is_storable_dtype(int(type_enum)) and int(type_enum) not in (20, 21):
            raise TypeError(f"Invalid DataType value {type_enum!r}")
        self._enum = int(type_enum)

    @property
    def name(self) -> str:
        return _ckpt.dtype_name(self._enum)

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self) -> _Any:
        dt = _to_numpy(self._enum)
        if dt is None:
            raise TypeError(f"{self.name} has no numpy dtype (install ml_dtypes for {self.name})")
        return dt.type if dt.fields is None and dt != _np.dtype(object) else dt

    @property
    def size(self) -> int:
        return _ckpt.dtype_size(self._enum)

    @property
    def is_floating(self) -> _builtins.bool:
        return self.name.startswith(("float", "bfloat", "half"))

    def __eq__(self, other: object) -> _builtins.bool:
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False

    def __ne__(self, other: object) -> _builtins.bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._enum)

    def __repr__(self) -> str:
        return f"ckpt.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: {self.name!r}>"

    def __reduce__(self):
        return DType, (self._enum,)


def as_dtype(type_value: _Any) -> DType:
    """A DType from a DType, a name ('float32', 'DT_FLOAT'), a number, or a numpy dtype."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, int) and not isinstance(type_value, _builtins.bool):
        return DType(type_value)
    if isinstance(type_value, str):
        num = _ckpt.dtype_from_name(type_value)
        if num is not None:
            return DType(num)
    dt_name = getattr(type_value, "name", None)  # tf.DType, torch.dtype have names
    if isinstance(dt_name, str) and not isinstance(type_value, (_np.dtype, type)):
        num = _ckpt.dtype_from_name(dt_name)
        if num is not None:
            return DType(num)
    num = _numpy_to_enum(type_value)
    if num is None:
        raise TypeError(f"Cannot convert {type_value!r} to a ckpt DType.")
    return DType(num)


def _numpy_to_enum(np_dtype: _Any) -> _Optional[int]:
    """The DataType number of a numpy dtype, or None."""
    try:
        dt = _np.dtype(np_dtype)
    except TypeError:
        return None
    if dt.kind in ("O", "S", "U"):
        return _STRING
    num = _FROM_NUMPY.get(dt)
    if num is None and str(getattr(dt.type, "__module__", "")).startswith("ml_dtypes"):
        _load_ml_dtypes()  # the caller already imported ml_dtypes to make this dtype
        num = _FROM_NUMPY.get(dt)
    return num


def _enum_to_numpy(type_enum: int) -> _np.dtype:
    dt = _to_numpy(type_enum)
    if dt is None:
        name = _ckpt.dtype_name(type_enum)
        hint = " (install ml_dtypes)" if type_enum in _ML_NAMES else ""
        raise TypeError(f"dtype {name} has no numpy equivalent{hint}")
    return dt


float32 = DType(1)
float64 = DType(2)
int32 = DType(3)
uint8 = DType(4)
int16 = DType(5)
int8 = DType(6)
string = DType(7)
complex64 = DType(8)
int64 = DType(9)
bool = DType(10)
qint8 = DType(11)
quint8 = DType(12)
qint32 = DType(13)
bfloat16 = DType(14)
qint16 = DType(15)
quint16 = DType(16)
uint16 = DType(17)
complex128 = DType(18)
float16 = DType(19)
uint32 = DType(22)
uint64 = DType(23)
float8_e5m2 = DType(24)
float8_e4m3fn = DType(25)
float8_e4m3fnuz = DType(26)
float8_e4m3b11fnuz = DType(27)
float8_e5m2fnuz = DType(28)
int4 = DType(29)
uint4 = DType(30)
int2 = DType(31)
uint2 = DType(32)
float4_e2m1fn = DType(33)
half = float16
double = float64

__all__ = ["DType", "as_dtype"] + ['bfloat16', 'bool', 'complex128', 'complex64', 'double', 'float16', 'float32', 'float4_e2m1fn', 'float64', 'float8_e4m3b11fnuz', 'float8_e4m3fn', 'float8_e4m3fnuz', 'float8_e5m2', 'float8_e5m2fnuz', 'half', 'int16', 'int2', 'int32', 'int4', 'int64', 'int8', 'qint16', 'qint32', 'qint8', 'quint16', 'quint8', 'string', 'uint16', 'uint2', 'uint32', 'uint4', 'uint64', 'uint8']
