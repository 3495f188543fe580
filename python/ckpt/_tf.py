"""TensorFlow / Keras trackables as graph nodes, through TF's own trackable protocol.

Imported by ckpt._tracking only when a TF trackable (tf.Variable, tf.Module,
Keras model / layer / optimizer / variable, tf.train.Checkpoint, TF's tracked
containers) is passed; TensorFlow is taken from sys.modules.

Each TF trackable gets one mirror node in ckpt's object graph. Before every
save and restore the mirror of an object passed to ckpt is rebuilt from
``save_util.serialize_graph_view(graph_view.ObjectGraphView(obj))``: the same
nodes, children names and order, attributes and full names as TF's object
graph, so ckpt writes TF's keys and object graph; shared objects (a Keras
optimizer reachable from the model and as a keyword) map to one node. Values
are read from TF's serialized tensors at save time and restored with
``obj._restore_from_tensors({attribute: value})`` (in place for variables).

Out of scope, and a CheckpointValueError naming the object: registered savers
(DTensor / TPU embeddings), slot variables (TF1-style optimizers), attributes
other than VARIABLE_VALUE, uninitialized variables. A Keras optimizer or layer
that is not built yet has no variables a restore could reach: the restore
fails first and says to build it (TF would defer the values; ckpt does not).
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, Dict, List, Tuple

import numpy as np

from . import _arrays, _ckpt
from ._tracking import Child, CheckpointValueError
from ._variables import Variable

VARIABLE_VALUE = "VARIABLE_VALUE"

# id(TF object) -> its mirror node (weak: a mirror lives as long as a parent holds it).
_MIRRORS: Dict[int, "weakref.ref[Any]"] = {}


def is_trackable(value: Any) -> bool:
    base = sys.modules.get("tensorflow.python.trackable.base")
    return base is not None and isinstance(value, base.Trackable)


def _describe(obj: Any) -> str:
    name = getattr(obj, "name", None)
    label = f"{type(obj).__module__}.{type(obj).__qualname__}"
    return f"{label} {name!r}" if isinstance(name, str) else label


def _is_variable(obj: Any) -> bool:
    """TF's own test for objects that save a VARIABLE_VALUE (tf.Variable, Keras variables)."""
    from tensorflow.python.ops import resource_variable_ops

    tf = sys.modules["tensorflow"]
    return isinstance(obj, tf.Variable) or bool(resource_variable_ops.is_resource_variable(obj))


def mirror(obj: Any, variable: bool) -> Any:
    """The mirror node of `obj` (created once; a variable node when it saves a value)."""
    ref = _MIRRORS.get(id(obj))
    node = ref() if ref is not None else None
    if node is not None and node._obj is obj and isinstance(node, VariableMirror) == variable:
        return node
    node = VariableMirror(obj) if variable else ObjectMirror(obj)
    key = id(obj)

    def forget(dead: Any) -> None:  # drop the entry with its mirror (unless replaced since)
        if _MIRRORS.get(key) is dead:
            del _MIRRORS[key]

    _MIRRORS[key] = weakref.ref(node, forget)
    return node


def node_for(value: Any, existing: Any) -> Any:
    """The node of a TF trackable passed to ckpt: rebuilt from TF's graph before each save/restore."""
    node = mirror(value, _is_variable(value))
    node._ckpt_external = True
    return node


class _MirrorChildren:
    """Children of a mirror node, in TF's order."""

    _obj: Any
    _children: Dict[str, Any]

    def _set_children(self, children: List[Tuple[str, Any]]) -> None:
        current = list(self._children.items())
        if [(n, id(c)) for n, c in current] == [(n, id(c)) for n, c in children]:
            return
        # Re-track all: the order of first tracking decides TF's node numbering.
        for name, _ in current:
            self._untrack(name)  # type: ignore[attr-defined]
        self._children = {}
        for name, child in children:
            self._children[name] = child
            self._track(name, child)  # type: ignore[attr-defined]

    def _ckpt_children(self) -> List[Child]:
        return [(name, node._obj, node) for name, node in self._children.items()]

    def _ckpt_sync_state(self) -> None:
        if getattr(self, "_ckpt_external", False):
            _sync_graph(self)

    def _ckpt_before_restore(self) -> None:
        keras = sys.modules.get("keras")
        if keras is None:
            return
        obj = self._obj
        unbuilt = getattr(obj, "built", True) is False
        if unbuilt and isinstance(obj, keras.optimizers.Optimizer):
            raise ValueError(
                f"cannot restore into {_describe(obj)}: the Keras optimizer is not built, so its variables do not "
                "exist yet. Call optimizer.build(model.trainable_variables) before restoring (TensorFlow would "
                "defer the values; ckpt does not).")
        if unbuilt and isinstance(obj, keras.layers.Layer):
            raise ValueError(
                f"cannot restore into {_describe(obj)}: the Keras layer is not built, so its weights do not exist "
                "yet. Build it first (model.build(input_shape), or call it on data once).")


class ObjectMirror(_MirrorChildren, _ckpt._Map):
    """A TF trackable without values of its own (tf.Module, Keras layer, tracked container, ...)."""

    def __init__(self, obj: Any) -> None:
        _ckpt._Map.__init__(self)
        self._obj = obj  # a strong reference: TF's graph view holds only a weak one
        self._children = {}

    def __repr__(self) -> str:
        return f"<ckpt mirror of {_describe(self._obj)}>"


class VariableMirror(_MirrorChildren, Variable):
    """A TF variable: its VARIABLE_VALUE read at each save, restored with _restore_from_tensors."""

    def __init__(self, obj: Any) -> None:
        value = _read_value(obj, f"{_describe(obj)}")
        Variable.__init__(self, _read_only(value))
        self._obj = obj
        self._children = {}

    def _ckpt_set_value(self, value: np.ndarray, full_name: str) -> None:
        self._bind(_read_only(value))
        self._name = full_name

    def _ckpt_refresh(self) -> None:
        pass  # values are read from TF's serialized tensors by _sync_graph

    def _ckpt_restore_problem(self, text_fits: bool = True) -> None:
        return None  # restored in place through TF

    def _replace_from_native(self, native: Tuple[int, tuple, Any]) -> None:
        tf = sys.modules["tensorflow"]
        arr = _arrays.from_native(native)
        self._obj._restore_from_tensors({VARIABLE_VALUE: tf.constant(arr, dtype=self._obj.dtype)})
        self._bind(_read_only(arr))

    def __repr__(self) -> str:
        return f"<ckpt mirror of {_describe(self._obj)}>"


def _read_only(value: np.ndarray) -> np.ndarray:
    """A copy the restore cannot write into (so the native side hands the value back)."""
    out = np.array(value, copy=True)
    if out.dtype != object:
        out.flags.writeable = False
    return out


def _read_value(obj: Any, where: str) -> np.ndarray:
    tensors = obj._serialize_to_tensors()
    value = tensors.get(VARIABLE_VALUE) if isinstance(tensors, dict) else None
    return _tensor_numpy(value, where)


def _tensor_numpy(value: Any, where: str) -> np.ndarray:
    if value is not None and hasattr(value, "tensor") and not hasattr(value, "numpy"):
        value = value.tensor  # a resource variable's read callable
    if value is None:
        raise CheckpointValueError(f"cannot checkpoint {where}: the variable is not initialized")
    if callable(value) and not hasattr(value, "numpy"):
        value = value()
    return np.asarray(value.numpy())


def _sync_graph(root_node: Any) -> None:
    """Rebuilds the mirrors under a root's from TF's own object graph and serialized tensors."""
    from tensorflow.python.checkpoint import graph_view, save_util

    root = root_node._obj
    view = graph_view.ObjectGraphView(root)  # holds `root` weakly; the mirror holds it strongly
    objects, _ = view.breadth_first_traversal()
    tensors, _, registered, proto = save_util.serialize_graph_view(view)
    if registered:
        names = ", ".join(sorted(registered))
        raise CheckpointValueError(
            f"cannot checkpoint {_describe(root)}: it uses TF's registered savers ({names}: DTensor / TPU), "
            "which ckpt does not support")
    values: Dict[str, Any] = {}
    for per_object in tensors.values():
        values.update(per_object)
    mirrors = []
    for obj, node_proto in zip(objects, proto.nodes):
        attributes = list(node_proto.attributes)
        if node_proto.slot_variables:
            raise CheckpointValueError(
                f"cannot checkpoint {_describe(obj)}: it has slot variables (a TF1-style optimizer), which ckpt's "
                "TF adapter does not support")
        if any(a.name != VARIABLE_VALUE for a in attributes) or len(attributes) > 1:
            names = ", ".join(a.name for a in attributes)
            raise CheckpointValueError(
                f"cannot checkpoint {_describe(obj)}: it saves the attributes {names}; ckpt's TF adapter holds "
                "only VARIABLE_VALUE")
        node = root_node if obj is root else mirror(obj, bool(attributes))
        if isinstance(node, VariableMirror) != bool(attributes):
            raise CheckpointValueError(f"cannot checkpoint {_describe(obj)}: it saves no VARIABLE_VALUE")
        if attributes:
            attr = attributes[0]
            node._ckpt_set_value(_tensor_numpy(values.get(attr.checkpoint_key), _describe(obj)), attr.full_name)
        mirrors.append(node)
    for node, node_proto in zip(mirrors, proto.nodes):
        node._set_children([(c.local_name, mirrors[c.node_id]) for c in node_proto.children])
