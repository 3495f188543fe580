"""The `checkpoint` state file: tf.train.latest_checkpoint, get_checkpoint_state, ..."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence

from . import _ckpt


class CheckpointState:
    """The content of a state file (TF's CheckpointState proto)."""

    def __init__(
        self,
        model_checkpoint_path: str = "",
        all_model_checkpoint_paths: Optional[Sequence[str]] = None,
        all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
        last_preserved_timestamp: float = 0.0,
    ) -> None:
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths: List[str] = list(all_model_checkpoint_paths or [])
        self.all_model_checkpoint_timestamps: List[float] = list(all_model_checkpoint_timestamps or [])
        self.last_preserved_timestamp = float(last_preserved_timestamp)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckpointState):
            return NotImplemented
        return vars(self) == vars(other)

    def __str__(self) -> str:
        """Protobuf text format, byte-identical to what TF writes to the state file."""
        return _ckpt.checkpoint_state_to_text(
            self.model_checkpoint_path,
            self.all_model_checkpoint_paths,
            self.all_model_checkpoint_timestamps,
            self.last_preserved_timestamp,
        )

    def __repr__(self) -> str:
        return f"CheckpointState({vars(self)!r})"


def _s(path: Any) -> str:
    p = os.fspath(path)
    return p.decode() if isinstance(p, bytes) else p


def get_checkpoint_state(checkpoint_dir: Any, latest_filename: Optional[str] = None) -> Optional[CheckpointState]:
    """Reads `<checkpoint_dir>/checkpoint`; None when there is none (ST-09).

    Relative paths come back joined onto checkpoint_dir (ST-12). A state file
    that cannot be parsed raises DataLossError (TF returns None, ST-11).
    """
    d = _ckpt.get_checkpoint_state(_s(checkpoint_dir), latest_filename or "checkpoint")
    return None if d is None else CheckpointState(**d)


def generate_checkpoint_state_proto(
    save_dir: Any,
    model_checkpoint_path: Any,
    all_model_checkpoint_paths: Optional[Sequence[Any]] = None,
    all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
    last_preserved_timestamp: Optional[float] = None,
) -> CheckpointState:
    d = _ckpt.generate_checkpoint_state(
        _s(save_dir),
        _s(model_checkpoint_path),
        [_s(p) for p in all_model_checkpoint_paths or []],
        list(all_model_checkpoint_timestamps or []),
        float(last_preserved_timestamp or 0.0),
        False,
    )
    return CheckpointState(**d)


def update_checkpoint_state(
    save_dir: Any,
    model_checkpoint_path: Any,
    all_model_checkpoint_paths: Optional[Sequence[Any]] = None,
    latest_filename: Optional[str] = None,
    all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
    last_preserved_timestamp: Optional[float] = None,
    save_relative_paths: bool = False,
) -> None:
    """Writes `<save_dir>/<latest_filename or 'checkpoint'>` atomically (ST-01..ST-08)."""
    _ckpt.update_checkpoint_state(
        _s(save_dir),
        _s(model_checkpoint_path),
        [_s(p) for p in all_model_checkpoint_paths or []],
        latest_filename or "checkpoint",
        list(all_model_checkpoint_timestamps or []),
        float(last_preserved_timestamp or 0.0),
        bool(save_relative_paths),
    )


def latest_checkpoint(checkpoint_dir: Any, latest_filename: Optional[str] = None) -> Optional[str]:
    """The newest checkpoint prefix named by the state file, if its files exist (ST-13..ST-17)."""
    return _ckpt.latest_checkpoint(_s(checkpoint_dir), latest_filename or "checkpoint")


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """True if `<prefix>.index` or `<prefix>` matches a file (ST-18, ST-19)."""
    return _ckpt.checkpoint_exists(_s(checkpoint_prefix))


def get_checkpoint_mtimes(checkpoint_prefixes: Sequence[Any]) -> List[float]:
    """Modification times of existing checkpoints; missing ones are skipped (ST-20)."""
    return _ckpt.get_checkpoint_mtimes([_s(p) for p in checkpoint_prefixes])


def remove_checkpoint(checkpoint_prefix: Any, checkpoint_format_version: int = 2, meta_graph_suffix: str = "meta") -> None:
    """Deletes a checkpoint's files (ST-21)."""
    _ckpt.remove_checkpoint(_s(checkpoint_prefix), int(checkpoint_format_version), meta_graph_suffix)


def meta_graph_filename(checkpoint_filename: Any, meta_graph_suffix: str = "meta") -> str:
    """`model.ckpt-123-?????-of-00002` -> `model.ckpt-123.meta` (ST-22)."""
    return _ckpt.meta_graph_filename(_s(checkpoint_filename), meta_graph_suffix)
