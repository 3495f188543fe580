"""Reading any checkpoint: tf.train.load_checkpoint, list_variables, load_variable."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

import numpy as np

from . import _arrays, _ckpt
from . import dtypes as _dtypes


def _s(path: Any) -> str:
    p = os.fspath(path)
    return p.decode() if isinstance(p, bytes) else p


class CheckpointReader:
    """A V2 bundle or V1 checkpoint opened for reading (TF's CheckpointReader)."""

    def __init__(self, native: Any) -> None:
        self._native = native

    def get_tensor(self, tensor_str: str, *, copy: bool = True) -> Any:
        """The whole tensor as a numpy array (strings as an object array of bytes).

        By default (TensorFlow's behaviour) a new, writable array the caller
        owns. With ``copy=False`` a read-only array: zero-copy where the
        bundle allows it -- a numpy view straight into a memory mapping of the
        data file, for a whole fixed-size tensor whose offset is aligned for
        its dtype -- and a read-only copy otherwise (V1 checkpoints,
        partitioned or string tensors, unaligned offsets). The view keeps the
        mapping alive by itself: it stays valid after this reader is deleted
        and even after the checkpoint's files are deleted. Its checksum is
        verified when the view is created (every page is read once, then
        stays in the page cache); a mismatch raises DataLossError as a copy
        would. Bytes changed in the file later show through the view (the
        mapping is shared), so don't overwrite a checkpoint that is mapped.
        """
        if not copy:
            mapped = self._native.map_tensor(tensor_str)
            if mapped is not None:
                arr = _arrays.from_native(mapped)
                arr.flags.writeable = False
                return arr
        arr = _arrays.from_native(self._native.get_tensor(tensor_str))
        if not copy:
            arr.flags.writeable = False
        return arr[()] if arr.ndim == 0 and arr.dtype == object else arr

    def has_tensor(self, tensor_str: str) -> bool:
        return bool(self._native.has_tensor(tensor_str))

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        return {key: list(shape) for key, _, shape in self._native.list()}

    def get_variable_to_dtype_map(self) -> Dict[str, _dtypes.DType]:
        return {key: _dtypes.DType(dtype) for key, dtype, _ in self._native.list()}

    def debug_string(self) -> bytes:
        lines = [f"{key} ({_ckpt.dtype_name(dt)}) {list(shape)}" for key, dt, shape in self._native.list()]
        return ("\n".join(lines) + "\n").encode() if lines else b""

    @property
    def path(self) -> str:
        return self._native.path


def load_checkpoint(ckpt_dir_or_file: Any) -> CheckpointReader:
    """Opens a checkpoint prefix, V1 file/pattern, or a directory's latest checkpoint (RD-01, RD-02)."""
    return CheckpointReader(_ckpt.load_checkpoint(_s(ckpt_dir_or_file)))


def list_variables(ckpt_dir_or_file: Any) -> List[Tuple[str, List[int]]]:
    """(key, shape) pairs sorted by key (RD-04)."""
    return [(k, list(s)) for k, s in _ckpt.list_variables(_s(ckpt_dir_or_file))]


def load_variable(ckpt_dir_or_file: Any, name: str) -> Any:
    """One tensor as a numpy array; a trailing ':0' is stripped (RD-05)."""
    arr = _arrays.from_native(_ckpt.load_variable(_s(ckpt_dir_or_file), name))
    return arr[()] if arr.ndim == 0 and arr.dtype == object else arr


NewCheckpointReader = load_checkpoint
__all__ = ["CheckpointReader", "load_checkpoint", "list_variables", "load_variable", "NewCheckpointReader"]
