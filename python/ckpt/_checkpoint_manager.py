"""ckpt.CheckpointManager (tf.train.CheckpointManager)."""

from __future__ import annotations

import os
from typing import Any, Callable, List, Optional

from . import _ckpt
from . import _tracking
from ._checkpoint import Checkpoint, CheckpointOptions


class CheckpointManager:
    """A numbered series of checkpoints in one directory with retention (CM-xx).

    Same constructor as tf.train.CheckpointManager. Not in TF (keyword-only):
    ``clock`` (seconds since the epoch, for tests), ``lock_directory``
    (default True: one manager per directory), ``sync`` (fsync, default True),
    ``options`` (a CheckpointOptions for every save that passes none; with a
    ``communicator`` every rank of the job creates the manager with it, and
    only rank 0 locks, records and retains — docs/distributed.md).
    """

    def __init__(
        self,
        checkpoint: Checkpoint,
        directory: Any,
        max_to_keep: Optional[int],
        keep_checkpoint_every_n_hours: Optional[float] = None,
        checkpoint_name: str = "ckpt",
        step_counter: Any = None,
        checkpoint_interval: Optional[int] = None,
        init_fn: Optional[Callable[[], Any]] = None,
        last_checkpoint_step: Optional[int] = None,
        *,
        clock: Optional[Callable[[], float]] = None,
        lock_directory: bool = True,
        sync: bool = True,
        options: Optional[CheckpointOptions] = None,
    ) -> None:
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"checkpoint must be a ckpt.Checkpoint, got {type(checkpoint).__name__}")
        d = os.fspath(directory)
        self._checkpoint = checkpoint
        self._sync_files = sync
        self._step_counter = step_counter
        self._options = options  # keeps its communicator alive as long as the manager
        self._native = _ckpt._CheckpointManager(
            checkpoint._native,
            d.decode() if isinstance(d, bytes) else d,
            max_to_keep,
            keep_checkpoint_every_n_hours,
            checkpoint_name,
            step_counter,
            checkpoint_interval,
            last_checkpoint_step,
            init_fn,
            clock,
            lock_directory,
            options,
            sync,
        )

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    @property
    def directory(self) -> str:
        return self._native.directory

    @property
    def checkpoint_interval(self) -> Optional[int]:
        return self._native.checkpoint_interval

    @property
    def latest_checkpoint(self) -> Optional[str]:
        """The newest checkpoint (not checked for existence, CM-27)."""
        return self._native.latest_checkpoint

    @property
    def checkpoints(self) -> List[str]:
        """The managed checkpoints, oldest first (CM-05)."""
        return list(self._native.checkpoints)

    def save(self, checkpoint_number: Optional[int] = None, check_interval: bool = True,
             options: Optional[CheckpointOptions] = None) -> Optional[str]:
        """Saves `<directory>/<checkpoint_name>-<n>`; None when the interval rule skips it."""
        self._checkpoint._ckpt_refresh()
        number = None if checkpoint_number is None else int(checkpoint_number)
        return self._native.save(number, check_interval, options, self._sync_files)

    def restore_or_initialize(self) -> Optional[str]:
        """Restores the latest checkpoint and returns it, or runs init_fn and returns None."""
        if self.latest_checkpoint is not None:
            self._checkpoint._ckpt_prepare_restore()
        else:
            self._checkpoint._ckpt_refresh()
        restored = self._native.restore_or_initialize()
        _tracking.finish_pending_restores()
        return restored

    def sync(self) -> None:
        """Waits for async saves of the managed checkpoint."""
        self._native.sync()
