"""JAX pytrees: registered node types as graph nodes, and the functional restore.

Imported by ckpt only when a pytree node type that ckpt's own containers do
not cover is passed (a dataclass, flax struct or custom registered node), or
when ckpt.save_pytree / ckpt.restore_pytree is called.

Keys are jax's tree paths: dict keys, sequence indices, named-tuple and
dataclass field names (``opt_state/0/mu/w``) — for dicts, lists, tuples and
named tuples those are also the names TensorFlow's containers use, so a whole
pytree is keyed the same way whichever node handles it.

jax arrays are immutable: ``restore_pytree(path, target)`` returns a new pytree
of target's structure (Orbax's ``restore(path, target)`` shape), with each jax
array placed like the target's (its sharding).
"""

from __future__ import annotations

import sys
from typing import Any, Iterator

import numpy as np

from ._tracking import _ContainerNode


def node_for(value: Any, existing: Any) -> Any:
    if isinstance(existing, PyTreeNode) and existing._container is value:
        return existing
    return PyTreeNode(value)


def _key_name(key: Any) -> str:
    tu = sys.modules["jax"].tree_util
    if isinstance(key, tu.DictKey):
        return str(key.key)
    if isinstance(key, tu.SequenceKey):
        return str(key.idx)
    if isinstance(key, tu.GetAttrKey):
        return str(key.name)
    if isinstance(key, tu.FlattenedIndexKey):
        return str(key.key)
    return str(key)


class PyTreeNode(_ContainerNode):
    """A registered pytree node: its children by jax's key names (immutable: no owner)."""

    def _entries(self) -> Iterator:
        tu = sys.modules["jax"].tree_util
        node = self._container
        children, _ = tu.tree_flatten_with_path(node, is_leaf=lambda x: x is not node)
        for path, child in children:
            yield _key_name(path[0]), None, child

    def _owner_for(self, key: Any) -> None:
        return None  # an immutable node: a replaced leaf cannot be put back (restore_pytree can)

    def __repr__(self) -> str:
        return f"<ckpt tracked pytree node {type(self._container).__name__}>"


def _writable_copy(leaf: Any) -> Any:
    """The buffer a target leaf is restored into: a writable numpy array, or the leaf itself."""
    jax = sys.modules["jax"]
    if isinstance(leaf, (jax.Array, np.ndarray, np.generic)):
        return np.array(leaf, copy=True)
    return leaf  # Python numbers and other leaves are not tracked (TF's rule for containers)


def _restored_leaf(buf: Any, leaf: Any) -> Any:
    jax = sys.modules["jax"]
    if isinstance(leaf, jax.Array):
        return jax.device_put(buf, leaf.sharding)
    if isinstance(leaf, np.generic):
        return buf[()]
    return buf


def save_pytree(save_path: Any, tree: Any, options: Any = None) -> str:
    from ._checkpoint import Checkpoint

    return Checkpoint(root=tree).write(save_path, options)


def restore_pytree(save_path: Any, target: Any, options: Any = None) -> Any:
    import jax

    from ._checkpoint import Checkpoint

    leaves, treedef = jax.tree_util.tree_flatten(target)
    buffers = [_writable_copy(leaf) for leaf in leaves]
    mirror = jax.tree_util.tree_unflatten(treedef, buffers)
    status = Checkpoint(root=mirror).read(save_path, options)
    status.assert_existing_objects_matched()
    return jax.tree_util.tree_unflatten(treedef, [_restored_leaf(b, x) for b, x in zip(buffers, leaves)])
