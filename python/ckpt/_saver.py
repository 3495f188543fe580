"""ckpt.Saver: TensorFlow 1's name-based tf.compat.v1.train.Saver, without a graph.

Variables are ckpt.Variable objects (or arrays, wrapped); their ``name``
(list form) or the dict key is the checkpoint key. The ``sess`` arguments of
TF's API are accepted and ignored.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _ckpt
from ._variables import Variable

V1 = 1
V2 = 2


class SaverDef:
    """TF's SaverDef message (the fields of saver_pb2.SaverDef)."""

    LEGACY = 0
    V1 = 1
    V2 = 2

    def __init__(self, filename_tensor_name: str = "", save_tensor_name: str = "", restore_op_name: str = "",
                 max_to_keep: int = 0, sharded: bool = False, keep_checkpoint_every_n_hours: float = 0.0,
                 version: int = 0) -> None:
        self.filename_tensor_name = filename_tensor_name
        self.save_tensor_name = save_tensor_name
        self.restore_op_name = restore_op_name
        self.max_to_keep = max_to_keep
        self.sharded = sharded
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.version = version

    def SerializeToString(self) -> bytes:
        return _ckpt.saver_def_serialize(self)

    @classmethod
    def FromString(cls, data: bytes) -> "SaverDef":
        return cls(**_ckpt.saver_def_parse(bytes(data)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaverDef) and vars(self) == vars(other)

    def __str__(self) -> str:
        return _ckpt.saver_def_text(self)

    def __repr__(self) -> str:
        return f"SaverDef({vars(self)!r})"


def _as_var(value: Any, name: Optional[str], var_list: Optional[Dict[str, Any]] = None) -> Variable:
    if isinstance(value, Variable):
        return value

    def set_entry(new_value: Any) -> None:  # a replaced read-only array goes back into the dict
        if var_list is not None and name is not None:
            var_list[name] = new_value

    return Variable(value, name=name)._ckpt_mark_implicit(set_entry)


def _entries(var_list: Any) -> Tuple[List[Tuple[Optional[str], Variable]], bool, bool]:
    """(entries, is_none, is_map) for the native Saver."""
    if var_list is None:
        return [], True, False
    if isinstance(var_list, dict):
        out: List[Tuple[Optional[str], Variable]] = []
        for key, value in var_list.items():
            if not isinstance(key, str):
                raise TypeError(f"var_list keys must be strings, got {key!r}")
            out.append((key, _as_var(value, key, var_list)))
        return out, False, True
    if isinstance(var_list, (list, tuple, set)):
        items = list(var_list)
        for v in items:
            if not isinstance(v, Variable):
                raise TypeError(f"Variable to save is not a Variable: {v!r}")
        return [(None, v) for v in items], False, False
    raise TypeError(f"var_list must be a list, a dict or None, got {type(var_list).__name__}")


def _s(path: Any) -> str:
    p = os.fspath(path)
    return p.decode() if isinstance(p, bytes) else p


class Saver:
    """Saves and restores variables by name (tf.compat.v1.train.Saver semantics, SV-xx)."""

    def __init__(
        self,
        var_list: Union[None, Sequence[Variable], Dict[str, Any]] = None,
        reshape: bool = False,
        sharded: bool = False,
        max_to_keep: Optional[int] = 5,
        keep_checkpoint_every_n_hours: float = 10000.0,
        name: Optional[str] = None,
        restore_sequentially: bool = False,
        saver_def: Optional[SaverDef] = None,
        builder: Any = None,
        defer_build: bool = False,
        allow_empty: bool = False,
        write_version: int = V2,
        pad_step_number: bool = False,
        save_relative_paths: bool = False,
        filename: Optional[str] = None,
        *,
        sync: bool = True,
        prune_beyond_max_to_keep: bool = False,
        clock: Any = None,
        _import_scope: Optional[str] = None,
    ) -> None:
        if builder is not None:
            raise NotImplementedError("ckpt.Saver has no graph builders; pass builder=None")
        entries, is_none, is_map = _entries(var_list)
        self._var_list = entries  # keeps wrapped arrays alive
        options = {
            "reshape": reshape,
            "sharded": sharded,
            "max_to_keep": int(max_to_keep or 0),
            "keep_checkpoint_every_n_hours": float(keep_checkpoint_every_n_hours),
            "name": name or "",
            "restore_sequentially": restore_sequentially,
            "saver_def": saver_def if _import_scope is None else None,
            "defer_build": defer_build,
            "allow_empty": allow_empty,
            "write_version": int(write_version),
            "pad_step_number": pad_step_number,
            "save_relative_paths": save_relative_paths,
            "filename": filename or "",
            "prune_beyond_max_to_keep": prune_beyond_max_to_keep,
            "sync": sync,
            "clock": clock,
        }
        if _import_scope is not None:
            self._native = _ckpt._Saver.from_proto(saver_def, _import_scope, entries, is_none, is_map, options)
        else:
            self._native = _ckpt._Saver.create(entries, is_none, is_map, options)

    @classmethod
    def from_proto(cls, saver_def: SaverDef, import_scope: Optional[str] = None,
                   var_list: Any = None, **kwargs: Any) -> "Saver":
        """Saver.from_proto (SV-60): re-creates a Saver from a SaverDef."""
        return cls(var_list, saver_def=saver_def, _import_scope=import_scope or "", **kwargs)

    def build(self) -> None:
        self._native.build()

    def save(
        self,
        sess: Any,
        save_path: Any,
        global_step: Any = None,
        latest_filename: Optional[str] = None,
        meta_graph_suffix: str = "meta",
        write_meta_graph: bool = True,
        write_state: bool = True,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
        options: Any = None,
    ) -> Optional[str]:
        """Writes a checkpoint and returns its path (`<save_path>-<global_step>` with a step).

        Not in TF: ``options``, a ``ckpt.CheckpointOptions`` whose ``communicator`` (and
        ``collective_timeout``) make every rank of the group save one V2 checkpoint together:
        each rank passes the same save_path and global_step and its own var_list (variables
        with one name on several ranks are written once); rank 0 keeps the state file and
        retention, the others adopt its ``last_checkpoints``. Its other fields are ignored.
        """
        step = None if global_step is None else int(global_step)
        for _, var in self._var_list:
            var._ckpt_refresh()  # copies (non-contiguous views, tf.Variables) are re-read
        communicator = getattr(options, "communicator", None) if options is not None else None
        timeout = getattr(options, "collective_timeout", None) if options is not None else None
        return self._native.save(_s(save_path), step, latest_filename or "checkpoint", meta_graph_suffix,
                                 write_meta_graph, write_state, communicator, timeout)

    def restore(self, sess: Any, save_path: Any) -> None:
        """Restores every variable from a V1 or V2 checkpoint (SV-42..SV-53)."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        for _, var in self._var_list:
            var._ckpt_refresh()
        self._native.restore(_s(save_path))

    @property
    def last_checkpoints(self) -> List[str]:
        return list(self._native.last_checkpoints())

    def set_last_checkpoints(self, last_checkpoints: List[str]) -> None:
        if not isinstance(last_checkpoints, list):
            raise AssertionError(f"last_checkpoints must be a list, got {type(last_checkpoints).__name__}")
        self._native.set_last_checkpoints(last_checkpoints)

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: List[Tuple[str, float]]) -> None:
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError("last_checkpoints_with_time must be a list")
        self._native.set_last_checkpoints_with_time([(p, float(t)) for p, t in last_checkpoints_with_time])

    def recover_last_checkpoints(self, checkpoint_paths: List[str]) -> None:
        self._native.recover_last_checkpoints([_s(p) for p in checkpoint_paths])

    @property
    def saver_def(self) -> SaverDef:
        return self.as_saver_def()

    def as_saver_def(self) -> SaverDef:
        return SaverDef(**self._native.as_saver_def())

    def to_proto(self, export_scope: Optional[str] = None) -> Optional[SaverDef]:
        d = self._native.to_proto(export_scope or "")
        return None if d is None else SaverDef(**d)

    def export_meta_graph(self, filename: Any = None, **kwargs: Any) -> None:
        """Writes a MetaGraphDef holding the SaverDef and variable collections."""
        if filename is None:
            raise ValueError("ckpt.Saver.export_meta_graph needs a filename")
        self._native.export_meta_graph(_s(filename))

    def keys(self) -> List[str]:
        """The checkpoint keys, sorted (not in TF)."""
        return list(self._native.keys())


__all__ = ["Saver", "SaverDef", "V1", "V2"]
