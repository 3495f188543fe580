"""ckpt: TensorFlow's checkpoint API without TensorFlow.

``import ckpt as train`` reads like ``tf.train``: Checkpoint, CheckpointManager,
CheckpointOptions, Saver (TF1), latest_checkpoint, get_checkpoint_state,
update_checkpoint_state, checkpoint_exists, load_checkpoint, list_variables,
load_variable. Files are TensorFlow's; values are numpy / torch / jax /
TensorFlow arrays (see docs/python.md).
"""

# In a CMake build tree the extension module sits in <build>/python/ckpt while
# the .py files stay in <repo>/python/ckpt: with both on sys.path this finds
# the extension too (installed wheels have both in one directory).
# (Imported under a private name: the package namespace holds only __all__.)
import pkgutil as _pkgutil

__path__ = _pkgutil.extend_path(__path__, __name__)


def _load_native() -> None:
    """Imports the extension with RTLD_DEEPBIND (where the platform has it).

    TensorFlow exports the symbols of its own protobuf build globally; bound
    deep, the extension and the system libprotobuf it links resolve against
    each other, so `import tensorflow` and `import ckpt` can share a process.
    """
    import os
    import sys

    deepbind = getattr(os, "RTLD_DEEPBIND", 0)
    if not deepbind or not hasattr(sys, "getdlopenflags"):
        return
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | deepbind)
    try:
        import importlib

        importlib.import_module(__name__ + "._ckpt")
    finally:
        sys.setdlopenflags(flags)


_load_native()
del _load_native, _pkgutil
from . import _ckpt  # noqa: E402  (already loaded by _load_native)
from . import distributed, dtypes, errors, experimental  # noqa: E402
from ._checkpoint import Checkpoint, CheckpointLoadStatus, CheckpointOptions  # noqa: E402
from ._checkpoint_manager import CheckpointManager  # noqa: E402
from ._checkpoint_management import (  # noqa: E402
    CheckpointState,
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    meta_graph_filename,
    remove_checkpoint,
    update_checkpoint_state,
)
from .dtypes import DType, as_dtype  # noqa: E402
from ._reader import CheckpointReader, NewCheckpointReader, list_variables, load_checkpoint, load_variable  # noqa: E402
from ._saver import Saver, SaverDef  # noqa: E402
from ._sharded_variable import ShardedVariable  # noqa: E402
from ._tracking import Module  # noqa: E402
from ._variables import Variable  # noqa: E402

__version__ = "0.1.0"

# Exactly the public names (python/tests/test_package_namespace.py checks that
# dir(ckpt) shows nothing else but the private implementation modules
# _checkpoint, _reader, ...). dtypes and errors are public submodules, as
# tf.dtypes and tf.errors: users catch ckpt.errors.NotFoundError and compare
# with ckpt.dtypes.float32 (docs/python.md).
__all__ = [
    "Checkpoint",
    "CheckpointLoadStatus",
    "CheckpointManager",
    "CheckpointOptions",
    "CheckpointReader",
    "CheckpointState",
    "DType",
    "Module",
    "NewCheckpointReader",
    "Saver",
    "SaverDef",
    "ShardedVariable",
    "Variable",
    "as_dtype",
    "checkpoint_exists",
    "distributed",
    "dtypes",
    "errors",
    "experimental",
    "generate_checkpoint_state_proto",
    "get_checkpoint_mtimes",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "meta_graph_filename",
    "remove_checkpoint",
    "update_checkpoint_state",
]


# ---- framework objects (issue 12): adapters load only when used ----

from typing import Any as _Any  # noqa: E402


def save_pytree(save_path: _Any, tree: _Any, options: _Any = None) -> str:
    """Writes a pytree (dict, list, tuple, named tuple, dataclass, any registered node) to `save_path`.

    Keys are the tree paths (``params/dense/w``, ``opt_state/0/mu/w``); same as
    ``Checkpoint(**tree).write(save_path)`` for a dict. Returns the path.
    """
    from . import _jax

    return _jax.save_pytree(save_path, tree, options)


def restore_pytree(save_path: _Any, target: _Any, options: _Any = None) -> _Any:
    """Returns a new pytree of `target`'s structure holding the values saved at `save_path`.

    The functional restore for immutable (jax) arrays, as Orbax's
    ``restore(path, target)``: every array leaf of `target` must be in the
    checkpoint with its dtype and shape; jax arrays come back with the target
    leaf's sharding, numpy arrays as new arrays; other leaves are returned as given.
    Reads checkpoints written by ``save_pytree`` and by ``Checkpoint(**tree)``.
    """
    from . import _jax

    return _jax.restore_pytree(save_path, target, options)


__all__ += ["restore_pytree", "save_pytree"]
del _Any  # the annotations above are evaluated; the alias must not stay in the namespace
