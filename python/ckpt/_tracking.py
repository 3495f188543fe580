"""Object tracking: ckpt.Module and the wrapping of dicts, lists and tuples.

Each trackable Python object is itself a node of the C++ object graph (the
classes here subclass the native ones). A ``Module`` tracks its attributes
when they are assigned (so a pending restore reaches a new attribute at once,
CK-36). Plain containers are wrapped in nodes whose children follow the
container's current entries (dict: by key, list/tuple: "0", "1", ...); they
are re-read before every save and restore, so
``ckpt.Checkpoint(model=torch_model.state_dict())`` sees the dict as it is
then. Arrays inside containers (and assigned to modules) become Variables
over the array's memory.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set

from . import _arrays, _ckpt
from ._variables import Variable

_Trackable = _ckpt._Trackable


def _owner_setter_for_container(container: Any, key: Any) -> Optional[Callable[[Any], None]]:
    if isinstance(container, tuple):
        return None  # immutable: only the Variable sees the new value

    def set_item(value: Any) -> None:
        container[key] = value

    return set_item


def _owner_setter_for_attr(obj: Any, name: str) -> Callable[[Any], None]:
    ref = weakref.ref(obj)

    def set_attr(value: Any) -> None:
        o = ref()
        if o is not None:
            object.__setattr__(o, name, value)

    return set_attr


def as_trackable(value: Any, existing: Any = None, owner: Optional[Callable[[Any], None]] = None) -> Any:
    """The graph node for `value`, or None when `value` is not checkpointable.

    `existing` is the node used for the same slot before; it is reused while
    it still stands for the same object (so deferred restores and identity
    survive re-wrapping).
    """
    if isinstance(value, _Trackable):
        return value
    root_node = getattr(value, "_ckpt_root_node", None)  # a ckpt.Checkpoint
    if root_node is not None:
        return root_node()
    if isinstance(value, Mapping):
        if isinstance(existing, _DictNode) and existing._container is value:
            return existing
        return _DictNode(value)
    if isinstance(value, (list, tuple)):
        if isinstance(existing, _ListNode) and existing._container is value:
            return existing
        return _ListNode(value)
    if _arrays.is_array_like(value):
        if isinstance(existing, Variable) and existing._source is value:
            return existing
        var = Variable(value)
        var._ckpt_owner = owner
        return var
    return None


def refresh(node: Any, visited: Optional[Set[int]] = None) -> None:
    """Brings wrapped containers and copied values up to date before a save/restore."""
    if visited is None:
        visited = set()
    if id(node) in visited:
        return
    visited.add(id(node))
    if isinstance(node, (_DictNode, _ListNode)):
        node._ckpt_sync()
        children = list(node._children.values())
    elif isinstance(node, Variable):
        node._ckpt_refresh()
        return
    else:
        children = list(getattr(node, "__dict__", {}).get("_ckpt_nodes", {}).values())
    for child in children:
        refresh(child, visited)


class _ContainerNode(_ckpt._Map):
    """A dict, list or tuple in the object graph (TF's _DictWrapper/ListWrapper)."""

    def __init__(self, container: Any) -> None:
        super().__init__()
        self._container = container
        self._children: Dict[str, Any] = {}
        self._ckpt_sync()

    def _entries(self) -> Iterator:
        raise NotImplementedError

    def _ckpt_sync(self) -> None:
        seen = set()
        for name, key, value in self._entries():
            old = self._children.get(name)
            node = as_trackable(value, old, _owner_setter_for_container(self._container, key))
            if node is None:
                continue
            seen.add(name)
            if node is not old:
                self._children[name] = node
                self._set(name, node)
        for name in list(self._children):
            if name not in seen:
                del self._children[name]
                self._untrack(name)

    def __repr__(self) -> str:
        return f"<ckpt tracked {type(self._container).__name__} with {len(self._children)} entries>"


class _DictNode(_ContainerNode):
    def _entries(self) -> Iterator:
        for key, value in list(self._container.items()):
            if not isinstance(key, str):
                if as_trackable(value) is None:
                    continue
                raise ValueError(
                    f"Unable to save the object {self._container!r} (a dictionary wrapper constructed "
                    f"automatically on attribute assignment). The wrapped dictionary contains a non-string "
                    f"key which maps to a trackable object or mutable data structure.\n\nKey: {key!r}"
                )
            yield key, key, value


class _ListNode(_ContainerNode):
    def _entries(self) -> Iterator:
        for i, value in enumerate(list(self._container)):
            yield str(i), i, value


class Module(_ckpt._Module):
    """A container of variables and sub-modules, like ``tf.Module``.

    Attributes holding a Variable, a Module, a Checkpoint, an array, or a
    dict / list / tuple of those are tracked under the attribute's name when
    assigned; reassigning replaces the dependency, deleting or assigning a
    non-trackable value removes it.
    """

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__()
        object.__setattr__(self, "_ckpt_nodes", {})
        object.__setattr__(self, "_ckpt_module_name", name or type(self).__name__)
        # Attributes a subclass set before calling Module.__init__.
        for attr, value in list(vars(self).items()):
            if not attr.startswith("_ckpt"):
                self._ckpt_track_attr(attr, value)

    @property
    def name(self) -> str:
        return self.__dict__.get("_ckpt_module_name", type(self).__name__)

    def _ckpt_track_attr(self, attr: str, value: Any) -> None:
        nodes = self.__dict__.get("_ckpt_nodes")
        if nodes is None:  # before Module.__init__ ran: tracked there
            return
        old = nodes.get(attr)
        node = as_trackable(value, old, _owner_setter_for_attr(self, attr))
        if node is None:
            if old is not None:
                del nodes[attr]
                self._untrack(attr)
            return
        nodes[attr] = node
        if node is not old:
            self._track(attr, node)

    def __setattr__(self, attr: str, value: Any) -> None:
        object.__setattr__(self, attr, value)
        if not attr.startswith("_ckpt"):
            self._ckpt_track_attr(attr, value)

    def __delattr__(self, attr: str) -> None:
        object.__delattr__(self, attr)
        nodes = self.__dict__.get("_ckpt_nodes", {})
        if attr in nodes:
            del nodes[attr]
            self._untrack(attr)

    def _flatten_variables(self, predicate: Callable[[Variable], bool]) -> List[Variable]:
        out: List[Variable] = []
        seen: Set[int] = set()

        def walk(node: Any) -> None:
            if id(node) in seen:
                return
            seen.add(id(node))
            if isinstance(node, Variable):
                if predicate(node):
                    out.append(node)
                return
            if isinstance(node, _ContainerNode):
                node._ckpt_sync()
                children = node._children.values()
            else:
                children = getattr(node, "__dict__", {}).get("_ckpt_nodes", {}).values()
            for c in children:
                walk(c)

        walk(self)
        return out

    @property
    def variables(self) -> List[Variable]:
        """Every Variable reachable from this module (depth first, attribute order)."""
        return self._flatten_variables(lambda v: True)

    @property
    def trainable_variables(self) -> List[Variable]:
        return self._flatten_variables(lambda v: v.trainable)

    @property
    def submodules(self) -> List["Module"]:
        out: List[Module] = []
        for node in self.__dict__.get("_ckpt_nodes", {}).values():
            if isinstance(node, Module):
                out.append(node)
                out.extend(node.submodules)
        return out

    def __repr__(self) -> str:
        return f"<ckpt.Module {self.name}>"
