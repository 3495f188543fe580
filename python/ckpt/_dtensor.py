"""torch DTensors (FSDP2, tensor parallel, ``distribute_tensor``) as blocks of one TF tensor.

Imported by ckpt._tracking / ckpt._torch only when ``torch.distributed.tensor``
is loaded. A DTensor is a global tensor of which this rank holds one block
(its local tensor) placed by the mesh and placements; that is exactly what a
``ckpt.ShardedVariable`` saves, so a DTensor becomes one:

* placements of ``Shard(dim)`` and ``Replicate()`` on a mesh of any number of
  dimensions: the block's shape and offset are torch's own
  ``compute_local_shape_and_global_offset`` (the helper DCP uses), so uneven
  splits (torch.chunk's: the last ranks get fewer rows, or none) and several
  mesh dimensions sharding one or several tensor dimensions come out as torch
  lays them out. Ranks holding the same block (Shard + Replicate on a 2-D
  mesh) all list it; the save planner writes it once.
* only ``Replicate()``: every rank holds the whole tensor; it becomes a plain
  ``ckpt.Variable`` over the local tensor (a replicated value, written once),
  the same entry a non-distributed module saves.
* ``Partial()`` (a pending reduction) and ``_StridedShard`` (FSDP2 over tensor
  parallelism on the same dimension: a rank's rows are not contiguous) are not
  blocks of the global tensor: CheckpointValueError saying what to do.

The variable is over the DTensor's local tensor, so saving reads that memory
and restoring writes into it (the DTensor, the module's parameter, sees it).
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Optional, Sequence, Tuple

from ._sharded_variable import ShardedVariable
from ._tracking import CheckpointValueError
from ._variables import Variable


def _module() -> Any:
    return sys.modules.get("torch.distributed.tensor")


def is_dtensor(value: Any) -> bool:
    mod = _module()
    return mod is not None and isinstance(value, mod.DTensor)


def _describe(p: Any) -> str:
    return f"{type(p).__name__}({p})" if type(p).__name__ not in str(p) else str(p)


def layout(dt: Any, where: str) -> Tuple[Optional[Tuple[int, ...]], Tuple[int, ...]]:
    """(offset, local shape) of this rank's block of `dt`; offset None when it holds the whole tensor
    on every rank (only Replicate placements). Raises CheckpointValueError for other placements."""
    mod = _module()
    sharded = False
    for p in dt.placements:
        if type(p) is mod.Shard:
            sharded = True
        elif not p.is_replicate():
            raise CheckpointValueError(
                f"cannot checkpoint {where}: a DTensor placed {_describe(p)} on mesh dimension "
                f"{list(dt.placements).index(p)} is not a block of the global tensor "
                "(Partial: call .redistribute(placements=[Replicate()...]) or .full_tensor() first; "
                "_StridedShard, FSDP2 over tensor parallelism on the same tensor dimension: not supported)")
    full = tuple(int(d) for d in dt.shape)
    if not sharded:
        return None, full
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    local_shape, offset = compute_local_shape_and_global_offset(dt.shape, dt.device_mesh, dt.placements)
    if not offset:  # this rank is not in the DTensor's mesh: it holds no element
        if not full:
            raise CheckpointValueError(f"cannot checkpoint {where}: a 0-d DTensor outside this rank's mesh")
        return (full[0],) + (0,) * (len(full) - 1), (0,) + full[1:]
    return tuple(int(o) for o in offset), tuple(int(d) for d in local_shape)


def _local(dt: Any, where: str) -> Any:
    from ._torch import check_tensor

    local = dt._local_tensor  # the memory the DTensor holds (to_local() may return an autograd view)
    check_tensor(local, f"{where} (its local tensor)")
    return local


class DTensorVariable(ShardedVariable):
    """A DTensor's block: a ShardedVariable over its local tensor."""

    _ckpt_dtensor: Any = None
    _ckpt_local: Any = None

    def __repr__(self) -> str:
        return "<ckpt DTensor block " + super().__repr__()[1:]


class ReplicatedDTensorVariable(Variable):
    """A DTensor replicated on every rank: a plain variable over its local tensor."""

    _ckpt_dtensor: Any = None
    _ckpt_local: Any = None


def node_for(value: Any, existing: Any = None, where: Optional[str] = None) -> Any:
    """The graph node of a DTensor (reused while it stands for the same DTensor and local tensor)."""
    if where is None:
        where = f"a DTensor of shape {list(value.shape)}"
    local = held = _local(value, where)
    if getattr(existing, "_ckpt_dtensor", None) is value and existing._ckpt_local is held:
        return existing
    offset, local_shape = layout(value, where)
    if offset is None:
        node: Any = ReplicatedDTensorVariable(local)
    else:
        if tuple(local.shape) != local_shape:
            import torch

            local = torch.empty(local_shape, dtype=local.dtype)  # a rank outside the mesh: an empty block
        node = DTensorVariable(local, full_shape=tuple(int(d) for d in value.shape), offset=offset)
    node._ckpt_dtensor = value
    node._ckpt_local = held
    return node


def new_like(template: Any, shape: Sequence[int], make_local: Any) -> Any:
    """A fresh DTensor of global `shape` placed as `template`; make_local(local_shape) gives its local tensor."""
    mod = _module()
    offset, local_shape = layout(template, "a DTensor")
    local = make_local(local_shape if offset is not None else tuple(shape))
    strides = []
    step = 1
    for d in reversed(list(shape)):
        strides.append(step)
        step *= int(d)
    return mod.DTensor.from_local(local, template.device_mesh, template.placements, run_check=False,
                                  shape=tuple(int(d) for d in shape), stride=tuple(reversed(strides)))


def templates(obj: Any, current_leaves: Dict[Tuple[str, ...], Any]) -> Dict[Tuple[str, ...], Any]:
    """The DTensors a restore of `obj`'s state dict places its tensors like, by state-dict path.

    A tensor saved at a path is restored as a DTensor placed like the DTensor
    at the same path of the object's current state dict; for an optimizer
    whose state is still empty (never stepped), like the parameter it belongs
    to (``state/<index>/...``), when the shapes agree. Elsewhere: a plain
    tensor (the whole value).
    """
    out = {names: v for names, v in current_leaves.items() if is_dtensor(v)}
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.optim.Optimizer):
        params = [p for group in obj.param_groups for p in group["params"]]
        for i, p in enumerate(params):
            if is_dtensor(p):
                out.setdefault(("state", str(i)), p)  # a prefix: matched by shape in template_for
    return out


def template_for(found: Dict[Tuple[str, ...], Any], names: Tuple[str, ...], shape: Sequence[int]) -> Any:
    shape = tuple(int(d) for d in shape)
    for key in (names, names[:2]):
        t = found.get(key)
        if t is not None and tuple(int(d) for d in t.shape) == shape:
            return t
    return None
