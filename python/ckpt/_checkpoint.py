"""ckpt.Checkpoint and ckpt.CheckpointOptions (tf.train.Checkpoint, tf.train.CheckpointOptions)."""

from __future__ import annotations

import inspect
import logging
import os
from typing import Any, Callable, List, Optional, Sequence, Union

import numpy as np

from . import _ckpt
from . import _tracking

PathLike = Union[str, "os.PathLike[str]"]


def _callback_arity(callback: Callable[..., Any]) -> int:
    """Parameters as TF counts them (inspect.signature; *args counts as one)."""
    try:
        return len(inspect.signature(callback).parameters)
    except (TypeError, ValueError):  # builtins without a signature: pass the path
        return 1


def _adapt_callback(callback: Callable[..., Any]) -> Callable[[str], Any]:
    """The one-argument form the native layer calls (CO-08, CO-09)."""
    n = _callback_arity(callback)
    if n == 0:
        return lambda path: callback()
    if n == 1:
        return callback
    raise AssertionError(
        "Callback functions for checkpoint are required to have 0 or 1"
        f"parameters, but this has {n} parameters: {callback}"
    )


class CheckpointOptions:
    """Options for Checkpoint.save/write/restore/read and CheckpointManager.save.

    Same arguments as tf.train.CheckpointOptions. ``enable_async`` (or the
    older ``experimental_enable_async_checkpoint``) makes ``save()``/``write()``
    return once the values are copied into staging buffers; the files are
    written on a background thread that holds no GIL. ``experimental_write_callbacks``
    are called with the path once a checkpoint's files are complete (on the
    writer thread for async saves). ``experimental_io_device``: in a save with a
    ``communicator`` of several ranks, a TF device string naming a task
    (``"/job:worker/replica:0/task:1/device:CPU:0"`` or ``"/task:1"``; task index
    = rank) makes that rank do all file I/O, the others streaming their values to
    it (docs/distributed.md); without a task, or in one process, it has no effect.
    ``experimental_sharding_callback``
    takes ``ckpt.experimental.ShardByTaskPolicy()`` / ``MaxShardSizePolicy(n)`` or
    the same ``tf.train.experimental`` policy objects (docs/sharding.md); custom
    callbacks raise NotImplementedError, any other object TF's ValueError.

    Not in TF: ``communicator`` (a ``ckpt.distributed`` communicator, from
    ``from_mpi4py`` or ``from_torch``) makes every rank of a job save ONE
    checkpoint together (docs/distributed.md); ``collective_timeout`` (seconds,
    None: wait forever) bounds each of its collectives, so a stalled rank makes
    the others fail with DeadlineExceededError instead of hanging.
    """

    __slots__ = (
        "experimental_io_device",
        "experimental_enable_async_checkpoint",
        "experimental_write_callbacks",
        "enable_async",
        "experimental_sharding_callback",
        "experimental_skip_slot_variables",
        "communicator",
        "collective_timeout",
    )

    def __init__(
        self,
        experimental_io_device: Optional[str] = None,
        experimental_enable_async_checkpoint: bool = False,
        experimental_write_callbacks: Optional[Sequence[Callable[..., Any]]] = None,
        enable_async: bool = False,
        experimental_sharding_callback: Any = None,
        experimental_skip_slot_variables: bool = False,
        communicator: Any = None,
        collective_timeout: Optional[float] = None,
    ) -> None:
        if experimental_sharding_callback is not None:
            # ckpt.experimental's or TF's policies; anything else raises here (CO-05).
            from .experimental import _native_spec

            _native_spec(experimental_sharding_callback)
        if experimental_enable_async_checkpoint:
            logging.getLogger("ckpt").warning(
                "experimental_enable_async_checkpoint is deprecated. Use enable_async instead."  # CO-02
            )
        self.experimental_io_device = experimental_io_device
        # Either flag enables async; both then read the same value (CO-02).
        use_async = bool(enable_async or experimental_enable_async_checkpoint)
        self.experimental_enable_async_checkpoint = use_async
        self.enable_async = use_async
        if experimental_write_callbacks:
            for callback in experimental_write_callbacks:
                assert _callback_arity(callback) <= 1  # CO-07: TF's bare AssertionError
        self.experimental_write_callbacks = (
            list(experimental_write_callbacks) if experimental_write_callbacks is not None else None
        )
        self.experimental_sharding_callback = experimental_sharding_callback
        self.experimental_skip_slot_variables = bool(experimental_skip_slot_variables)
        if communicator is not None and not hasattr(communicator, "_native_communicator"):
            raise TypeError(
                "communicator must come from ckpt.distributed (from_mpi4py or from_torch), "
                f"not {type(communicator).__name__}")
        self.communicator = communicator
        self.collective_timeout = None if collective_timeout is None else float(collective_timeout)

    def __copy__(self) -> "CheckpointOptions":
        return CheckpointOptions(
            self.experimental_io_device,
            self.experimental_enable_async_checkpoint,
            self.experimental_write_callbacks,
            self.enable_async,
            self.experimental_sharding_callback,
            self.experimental_skip_slot_variables,
            self.communicator,
            self.collective_timeout,
        )

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"CheckpointOptions({fields})"


class CheckpointLoadStatus:
    """What a restore did (TF's CheckpointLoadStatus / InitializationOnlyStatus).

    The assertion methods raise AssertionError with TF's texts and return the
    status, so they chain: ``ckpt.restore(p).assert_consumed().expect_partial()``.
    Deferred restorations (values for objects attached later) are delivered
    while this object is alive.
    """

    def __init__(self, native: Any, checkpoint: Any = None) -> None:
        self._native = native
        # The objects the assertions talk about stay alive with the status
        # (`Checkpoint(v=v).restore(p).assert_consumed()` in one expression).
        self._checkpoint = checkpoint

    def assert_consumed(self) -> "CheckpointLoadStatus":
        self._native.assert_consumed()
        return self

    def assert_existing_objects_matched(self) -> "CheckpointLoadStatus":
        self._native.assert_existing_objects_matched()
        return self

    def assert_nontrivial_match(self) -> "CheckpointLoadStatus":
        self._native.assert_nontrivial_match()
        return self

    def expect_partial(self) -> "CheckpointLoadStatus":
        self._native.expect_partial()
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        self._native.run_restore_ops()

    def initialize_or_restore(self, session: Any = None) -> None:
        self._native.initialize_or_restore()

    @property
    def is_initialization_only(self) -> bool:
        return bool(self._native.is_initialization_only)

    @property
    def is_name_based(self) -> bool:
        return bool(self._native.is_name_based)


class _SaveCounter:
    """The Checkpoint's int64 save counter (a variable owned by the native Checkpoint)."""

    def __init__(self, checkpoint: "Checkpoint") -> None:
        self._checkpoint = checkpoint
        self._native = checkpoint._native.save_counter()

    def numpy(self) -> np.int64:
        return np.int64(self._native._get_int())

    def assign(self, value: Any) -> "_SaveCounter":
        self._native._set_int(int(value))
        return self

    def assign_add(self, delta: Any) -> "_SaveCounter":
        return self.assign(self._native._get_int() + int(delta))

    @property
    def dtype(self) -> Any:
        from . import dtypes

        return dtypes.int64

    @property
    def shape(self) -> tuple:
        return ()

    @property
    def name(self) -> str:
        return "save_counter:0"

    def __int__(self) -> int:
        return int(self._native._get_int())

    __index__ = __int__

    def __eq__(self, other: object) -> bool:
        try:
            return int(self) == int(other)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return NotImplemented

    def __hash__(self) -> int:
        return hash(int(self))

    def __repr__(self) -> str:
        return f"<ckpt save_counter numpy={int(self)}>"


def _fspath(path: Any) -> str:
    p = os.fspath(path)
    return p.decode() if isinstance(p, bytes) else p


class Checkpoint:
    """Saves and restores a graph of objects, like tf.train.Checkpoint.

    ``ckpt.Checkpoint(model=module, optimizer_state={...}, step=np.zeros(()))``:
    each keyword names a trackable (Module, Variable, Checkpoint) or a dict /
    list / tuple / array, which is wrapped. ``root=obj`` makes obj the root so
    its own attributes appear at top level (CK-03). Files are TensorFlow's:
    a tf.train.Checkpoint with the same structure restores them and the other
    way round.
    """

    def __init__(self, root: Any = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_ckpt_kwargs", {})
        named = []
        for name in sorted(kwargs):
            value = kwargs[name]
            node = _tracking.as_trackable(value, None, None)
            if node is None:
                raise ValueError(
                    f"`Checkpoint` was expecting {name} to be a trackable object (an object derived from "
                    f"`Trackable`), got {value}. If you believe this object should be trackable (i.e. it is "
                    "part of the TensorFlow Python API and manages state), please open an issue."
                )
            self._ckpt_kwargs[name] = (value, node)
            named.append((name, node))
        root_node = None
        if root is not None:
            root_node = _tracking.as_trackable(root, None, None)
            if root_node is None:
                raise ValueError(
                    f"`Checkpoint` was expecting root to be a trackable object (an object derived from "
                    f"`Trackable`), got {root}. If you believe this object should be trackable (i.e. it is "
                    "part of the TensorFlow Python API and manages state), please open an issue."
                )
        object.__setattr__(self, "_ckpt_root", (root, root_node))
        object.__setattr__(self, "_native", _ckpt._Checkpoint(named, root_node, None))
        self._native.status()  # CK-02: raises ValueError for a clashing keyword

    # ---- attributes added after construction (TF: `ckpt.x = obj`) ----

    def __getattr__(self, name: str) -> Any:
        kwargs = self.__dict__.get("_ckpt_kwargs", {})
        if name in kwargs:
            return kwargs[name][0]
        root = self.__dict__.get("_ckpt_root", (None, None))[0]
        if root is not None and not name.startswith("_") and hasattr(root, name):
            return getattr(root, name)
        raise AttributeError(f"'Checkpoint' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        old = self._ckpt_kwargs.get(name, (None, None))[1]
        node = _tracking.as_trackable(value, old, None)
        if node is None:
            raise ValueError(
                f"`Checkpoint` was expecting {name} to be a trackable object (an object derived from "
                f"`Trackable`), got {value}."
            )
        self._ckpt_kwargs[name] = (value, node)
        self._native.root()._track(name, node)
        _tracking.finish_pending_restores()

    def _ckpt_root_node(self) -> Any:
        return self._native.root()

    def _ckpt_children(self) -> List[Any]:
        """(name, value, node) of the keywords, the root first (its children sit at top level)."""
        out = []
        root, root_node = self._ckpt_root
        if root_node is not None:
            out.append(("", root, root_node))
        out.extend((name, value, node) for name, (value, node) in self._ckpt_kwargs.items())
        return out

    def _ckpt_refresh(self) -> None:
        _tracking.refresh(self._ckpt_children())

    def _ckpt_prepare_restore(self) -> None:
        """Refreshes, then fails before reading anything if a value could not be delivered."""
        self._ckpt_refresh()
        _tracking.check_restorable(self._ckpt_children())

    # ---- tf.train.Checkpoint's API ----

    @property
    def save_counter(self) -> _SaveCounter:
        """The number of save() calls so far (int64; created on first use, CK-07, CK-08)."""
        return _SaveCounter(self)

    def save(self, file_prefix: PathLike, options: Optional[CheckpointOptions] = None) -> str:
        """Increments save_counter, writes `<file_prefix>-<n>`, updates the state file, returns the path."""
        self._ckpt_refresh()
        return self._native.save(_fspath(file_prefix), options)

    def write(self, file_prefix: PathLike, options: Optional[CheckpointOptions] = None) -> str:
        """Writes exactly `file_prefix` (no counter, no state file) and returns it."""
        self._ckpt_refresh()
        return self._native.write(_fspath(file_prefix), options)

    def restore(self, save_path: Optional[PathLike], options: Optional[CheckpointOptions] = None) -> CheckpointLoadStatus:
        """Restores `save_path` (None: an initialization-only status, CK-26)."""
        if save_path is None:
            self._ckpt_refresh()
        else:
            self._ckpt_prepare_restore()
        path = None if save_path is None else _fspath(save_path)
        status = CheckpointLoadStatus(self._native.restore(path, options), self)
        _tracking.finish_pending_restores()
        return status

    def read(self, save_path: PathLike, options: Optional[CheckpointOptions] = None) -> CheckpointLoadStatus:
        """Like restore() but never creates save_counter (CK-12, CK-13, CK-28)."""
        self._ckpt_prepare_restore()
        status = CheckpointLoadStatus(self._native.read(_fspath(save_path), options), self)
        _tracking.finish_pending_restores()
        return status

    def prepare_async(self, options: Optional[CheckpointOptions] = None) -> None:
        """Readies async saving before the first async save (not in TensorFlow).

        Maps and pre-faults, on the background writer thread, the staging memory an
        async save of the current values needs, so the first ``save``/``write`` with
        ``enable_async`` stalls only for its copy. Returns at once and writes nothing.
        A ``CheckpointManager`` whose options enable async does this itself.
        """
        self._ckpt_refresh()
        self._native.prepare_async(options)

    def sync(self) -> None:
        """Waits for async writes issued so far; raises a background error not yet reported."""
        self._native.sync()

    def __repr__(self) -> str:
        return f"<ckpt.Checkpoint {sorted(self._ckpt_kwargs)}>"


__all__: List[str] = ["Checkpoint", "CheckpointOptions", "CheckpointLoadStatus"]
