"""ckpt.Variable: a checkpointable value over any array, like tf.Variable."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import numpy as np

from . import _arrays, _ckpt
from . import dtypes as _dtypes


class Variable(_ckpt._Variable):
    """A variable over an array of any TensorFlow dtype.

    ``initial_value`` may be a numpy array, a torch CPU tensor, a jax array, a
    TensorFlow eager tensor, anything with ``__dlpack__`` or the buffer
    protocol, or a Python number / string / (nested) list (float32 / int32 by
    default, as TF). Saving reads the array's own memory (no copy). Restoring
    writes into that memory when it is writable (numpy, torch), so every view
    of it (a torch model's parameters) sees the restored value; a read-only
    array (jax, TF) is replaced by a new array of the same kind.

    ``name`` is the TF1-style name (used by ``ckpt.Saver`` and recorded in
    object-based checkpoints as the value's full name); default "Variable".
    """

    def __init__(
        self,
        initial_value: Any = None,
        trainable: Optional[bool] = None,
        name: Optional[str] = None,
        dtype: Any = None,
        shape: Any = None,
    ) -> None:
        super().__init__()
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Variable):
            initial_value = initial_value.numpy()
        self._trainable = True if trainable is None else bool(trainable)
        self._name = "Variable" if name is None else str(name).split(":")[0]
        # Where a replaced value must also be stored (a dict entry, a module
        # attribute): set by the container that wrapped the array.
        self._ckpt_owner: Optional[Callable[[Any], None]] = None
        # True when a container or Checkpoint wrapped the caller's array (the
        # caller holds the array, not this Variable): restores must reach it.
        self._ckpt_implicit = False
        if dtype is not None:
            target = _dtypes.as_dtype(dtype)
            view = _arrays.as_array(initial_value)
            if _dtypes._numpy_to_enum(view.array.dtype) != target.as_datatype_enum:
                initial_value = np.asarray(view.array).astype(_dtypes._enum_to_numpy(target.as_datatype_enum))
        self._bind(initial_value)
        if shape is not None and tuple(shape) != self.shape:
            raise ValueError(f"Shape mismatch: initial value has shape {self.shape}, but shape={tuple(shape)} was given")

    # ---- binding the native side to the array's memory ----

    def _bind(self, value: Any) -> None:
        view = _arrays.as_array(value)
        arr = view.array
        dtype_enum = _dtypes._numpy_to_enum(arr.dtype)
        if dtype_enum is None:
            raise TypeError(f"ckpt.Variable: unsupported dtype {arr.dtype}")
        self._source = value
        self._kind = view.kind
        self._np = arr  # the numpy view of the source
        self._writeback = False
        # A numpy 'U'/'S' array the caller holds: re-read at saves, written
        # into on restore when the restored strings fit its width.
        self._text: Optional[np.ndarray] = None
        if dtype_enum == _dtypes._STRING:
            if view.kind == "numpy" and arr.dtype.kind in "US":
                self._text = arr
                if arr.dtype.kind == "U":
                    self._np = arr = _arrays._to_bytes_array(arr)
            self._bind_strings(_arrays.string_elements(arr), list(arr.shape))
            return
        if not arr.flags.c_contiguous:
            # Saved from a contiguous copy (refreshed at every save); a restore
            # replaces the copy and is written back into the source.
            self._writeback = view.writable
            buf = np.ascontiguousarray(arr)
            self._bind_buffer(buf, buf.ctypes.data, dtype_enum, list(buf.shape), False)
            self._contiguous = buf
            return
        self._contiguous = arr
        self._bind_buffer(arr, arr.ctypes.data if arr.size else 0, dtype_enum, list(arr.shape), view.writable)

    def _ckpt_refresh(self) -> None:
        """Called before a save: re-reads values that are held as copies."""
        if self._kind == "tfvar":
            current = np.asarray(self._source.numpy())
            if current.shape == self._np.shape and current.dtype == self._np.dtype:
                np.copyto(self._np, current)
            else:
                self._bind(self._source)
        elif self._dtype_enum == _dtypes._STRING:
            if self._text is not None and self._text.dtype.kind == "U":
                self._np = _arrays._to_bytes_array(self._text)
            self._bind_strings(_arrays.string_elements(self._np), list(self._np.shape))
        elif self._contiguous is not self._np:
            np.copyto(self._contiguous, self._np)

    def _ckpt_restore_problem(self, text_fits: bool = True) -> Optional[str]:
        """Why a restore would not reach what the caller holds, or None.

        Only arrays a container wrapped implicitly can have a problem: a
        Variable the caller made is itself what the caller holds. A numpy
        str/bytes array is written in place when the strings fit its width
        (`text_fits`, known only once restored).
        """
        if not self._ckpt_implicit:
            return None
        if self._writable or self._writeback or self._kind == "tfvar" or (self._text is not None and text_fits):
            return None
        if self._kind == "numpy" and self._np is self._source and self._np.dtype == object and \
                self._np.flags.writeable:
            return None  # object arrays of strings are updated in place
        what = {
            "numpy": "a read-only numpy array",
            "scalar": "a numpy scalar (immutable)",
            "jax": "a jax array (immutable)",
            "tf": "a TensorFlow tensor (immutable)",
            "torch": "a torch tensor",
            "python": "a Python value",
        }.get(self._kind, f"a read-only {type(self._source).__module__}.{type(self._source).__qualname__}")
        if self._text is not None and self._text.flags.writeable:
            what = f"a numpy {self._text.dtype} array too narrow for the restored strings"
        if self._kind in ("dlpack", "buffer"):
            return (f"it holds {what}, which ckpt can neither write into nor replace by an object of the same "
                    "type; pass a writable buffer or a numpy array")
        if self._ckpt_owner is not None:
            return None  # replaced in the dict / list / module attribute that holds it
        hint = ""
        if self._kind == "jax":
            hint = " For jax pytrees use ckpt.restore_pytree(path, target), which returns the restored pytree."
        return (f"it holds {what}, which cannot be written in place, and it sits where ckpt cannot put a new "
                "value (a Checkpoint keyword, a tuple or another immutable pytree node). Pass a writable array, "
                "put the value in a dict, list or ckpt.Module attribute (the entry is replaced), or wrap it in "
                f"ckpt.Variable(...) and read .value() after the restore.{hint}")

    def _replace_from_native(self, native: Tuple[int, tuple, Any]) -> None:
        """Called by the native restore when it cannot write in place."""
        arr = _arrays.from_native(native)
        if self._writeback:
            np.copyto(self._np, arr)
            np.copyto(self._contiguous, arr)
            return
        if self._kind == "tfvar":
            self._source.assign(arr)  # a tf.Variable is restored in place
            np.copyto(self._np, arr)
            return
        if self._dtype_enum == _dtypes._STRING:
            if self._text is not None and _write_text(self._text, arr):
                self._np = self._text if self._text.dtype.kind == "S" else _arrays._to_bytes_array(self._text)
                self._bind_strings(_arrays.string_elements(self._np), list(self._np.shape))
                return
            if self._kind == "numpy" and self._np is self._source and self._np.dtype == object and \
                    self._np.flags.writeable:
                self._np[...] = arr  # object arrays are updated in place
                self._bind_strings(_arrays.string_elements(self._np), list(self._np.shape))
                return
        problem = self._ckpt_restore_problem(text_fits=False)
        if problem is not None:
            raise ValueError(f"ckpt cannot restore a {self.dtype.name}{list(self.shape)} value: {problem}")
        new_value = _arrays.to_kind(arr, self._kind, like=self._source)
        self._source = new_value
        self._np = arr
        self._contiguous = arr
        self._text = None
        if self._dtype_enum == _dtypes._STRING:
            self._bind_strings(_arrays.string_elements(arr), list(arr.shape))
        else:
            self._bind_buffer(arr, arr.ctypes.data if arr.size else 0, self._dtype_enum, list(arr.shape), False)
        if self._ckpt_owner is not None:
            self._ckpt_owner(new_value)

    # ---- tf.Variable's surface ----

    @property
    def dtype(self) -> _dtypes.DType:
        return _dtypes.DType(self._dtype_enum)

    @property
    def shape(self) -> Tuple[int, ...]:
        return tuple(self._shape)

    @property
    def name(self) -> str:
        return self._name + ":0"

    @property
    def trainable(self) -> bool:
        return self._trainable

    def get_shape(self) -> Tuple[int, ...]:
        return self.shape

    def value(self) -> Any:
        """The array this variable holds (the object given, or its replacement).

        For Python numbers, strings and lists: the numpy array the variable owns.
        """
        return self._np if self._kind == "python" else self._source

    def read_value(self) -> Any:
        return self.value()

    def numpy(self) -> np.ndarray:
        """A copy of the value as a numpy array (scalars as 0-d arrays' items)."""
        out = np.array(self._np, copy=True)
        return out[()] if out.ndim == 0 else out

    def assign(self, value: Any, use_locking: Optional[bool] = None, name: Optional[str] = None,
               read_value: bool = True) -> "Variable":
        """Copies `value` in (same shape; cast to this dtype). In place when writable."""
        src = value.numpy() if isinstance(value, Variable) else _arrays.as_array(value).array
        target_dtype = self._np.dtype
        if self._dtype_enum == _dtypes._STRING:
            src = np.asarray(src)
            if src.dtype.kind == "U":
                src = _arrays._to_bytes_array(src)
        elif src.dtype != target_dtype:
            src = np.asarray(src).astype(target_dtype)
        if src.shape != self._np.shape:
            raise ValueError(
                f"Cannot assign value to variable ' {self.name}': Shape mismatch."
                f"The variable shape {self.shape}, and the assigned value shape {src.shape} are incompatible."
            )
        if self._kind == "tfvar":
            self._source.assign(src)
            np.copyto(self._np, src)
        elif self._writable or (self._writeback and self._np.flags.writeable):
            np.copyto(self._np, src)
            if self._contiguous is not self._np:
                np.copyto(self._contiguous, src)
        elif self._dtype_enum == _dtypes._STRING and self._np.dtype == object and self._np.flags.writeable:
            self._np[...] = src
            self._ckpt_refresh()
        else:
            arr = np.array(src, copy=True, order="C")
            self._bind(_arrays.to_kind(arr, self._kind, like=self._source))
            if self._ckpt_owner is not None:
                self._ckpt_owner(self._source)
        return self

    def _ckpt_mark_implicit(self, owner: Optional[Callable[[Any], None]]) -> "Variable":
        """Marks a Variable a container made over the caller's array; `owner` stores a replacement."""
        self._ckpt_owner = owner
        self._ckpt_implicit = True
        return self

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.numpy() if dtype is None else np.asarray(self.numpy(), dtype=dtype)

    def __int__(self) -> int:
        return int(self._np)

    def __index__(self) -> int:
        return int(self._np)

    def __float__(self) -> float:
        return float(self._np)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d variable")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<ckpt.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, numpy={self.numpy()!r}>"


def _write_text(target: np.ndarray, restored: np.ndarray) -> bool:
    """Writes restored strings into a writable numpy 'U'/'S' array if each fits exactly."""
    if not target.flags.writeable or target.shape != restored.shape:
        return False
    items = list(restored.reshape(-1))
    if target.dtype.kind == "U":
        try:
            items = [b.decode("utf-8") for b in items]
        except UnicodeDecodeError:
            return False
        width, nul = target.dtype.itemsize // 4, "\x00"
    else:
        width, nul = target.dtype.itemsize, b"\x00"  # type: ignore[assignment]
    if any(len(x) > width or x.endswith(nul) for x in items):
        return False  # would be truncated or lose trailing NULs: replace instead
    target[...] = np.array(items, dtype=target.dtype).reshape(target.shape)
    return True
