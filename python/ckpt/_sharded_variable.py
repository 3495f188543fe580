"""ckpt.ShardedVariable: this process's block of a global tensor."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from . import _ckpt
from . import dtypes as _dtypes
from ._variables import Variable


class ShardedVariable(_ckpt._ShardedVariable):
    """The block ``local_array`` of a tensor of shape ``full_shape``, starting at ``offset``.

    ``local_array`` is anything ``ckpt.Variable`` takes (numpy, torch CPU,
    jax, TF arrays, ...) or a ``ckpt.Variable``; the variable is over the
    caller's array as ``ckpt.Variable`` is: saving reads its memory, restoring
    writes into it when it is writable (numpy, torch), otherwise ``value()``
    returns the restored array. The block may lie on any axis or several; it
    may be empty (a rank's empty share of an uneven split).

    Saved as TensorFlow saves a partitioned / sharded variable: one
    object-graph node whose value is the full tensor, stored as this block
    (a slice). In one process the blocks of a key must cover the tensor (a
    single ShardedVariable covering it whole, or several under different
    names do not: one key, one variable); in a distributed save
    (``CheckpointOptions(communicator=...)``) each rank holds its blocks and
    all ranks' blocks together must cover it exactly. Restoring fills exactly
    this block from whatever blocks were saved (any rank count, any split,
    or a whole tensor), reading only the overlapping bytes.

    ``name`` is the TF1-style name recorded as the value's full name.
    """

    def __init__(self, local_array: Any, full_shape: Sequence[int], offset: Sequence[int],
                 name: Optional[str] = None) -> None:
        super().__init__()
        self._name = "Variable" if name is None else str(name).split(":")[0]
        self._blocks: List[Tuple[Variable, Tuple[int, ...]]] = []
        self._init([int(d) for d in full_shape], self._name)
        self.add_shard(local_array, offset)

    def add_shard(self, local_array: Any, offset: Sequence[int]) -> None:
        """Adds another block this process holds (same dtype; no overlap with the others).

        For one process holding several blocks of a tensor; a save needs the
        blocks of all processes together to cover the tensor exactly.
        """
        var = local_array if isinstance(local_array, Variable) else Variable(local_array, name=self._name)
        off = tuple(int(o) for o in offset)
        self._add_shard(var, list(off))
        self._blocks.append((var, off))

    @property
    def dtype(self) -> _dtypes.DType:
        return self._blocks[0][0].dtype

    @property
    def shape(self) -> Tuple[int, ...]:
        """The full tensor's shape (as TF's ShardedVariable.shape)."""
        return tuple(self._full_shape)

    @property
    def full_shape(self) -> Tuple[int, ...]:
        return self.shape

    @property
    def offset(self) -> Tuple[int, ...]:
        """Where the (first) block starts in the full tensor, one entry per dimension."""
        return self._blocks[0][1]

    @property
    def local_shape(self) -> Tuple[int, ...]:
        """The (first) block's shape."""
        return self._blocks[0][0].shape

    @property
    def offsets(self) -> List[Tuple[int, ...]]:
        """Every block's offset, in the order added."""
        return [o for _, o in self._blocks]

    @property
    def name(self) -> str:
        return self._name + ":0"

    @property
    def variables(self) -> List[Variable]:
        """The ckpt.Variables holding the blocks, in the order added."""
        return [v for v, _ in self._blocks]

    def value(self) -> Any:
        """The (first) block's array: the one given, or its replacement after a restore."""
        return self._blocks[0][0].value()

    def numpy(self) -> np.ndarray:
        """A copy of the (first) block as a numpy array."""
        return self._blocks[0][0].numpy()

    def _ckpt_sync_state(self) -> None:
        """Before a save/restore (ckpt._tracking.refresh): re-reads copied values."""
        for v, _ in self._blocks:
            v._ckpt_refresh()

    def __repr__(self) -> str:
        return (f"<ckpt.ShardedVariable '{self.name}' shape={self.shape} blocks={' '.join(self._slice_specs)} "
                f"dtype={self.dtype.name}>")
