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

import sys
import weakref
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

from . import _arrays, _ckpt
from ._sharded_variable import ShardedVariable
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
    if "torch.distributed.tensor" in sys.modules:
        from . import _dtensor

        if _dtensor.is_dtensor(value):  # FSDP2 / tensor-parallel shards: this rank's block
            return _dtensor.node_for(value, existing)
    node = _framework_node(value, existing)
    if node is not None:
        return node
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
            existing._ckpt_owner = owner
            return existing
        return Variable(value)._ckpt_mark_implicit(owner)
    return None


def _framework_node(value: Any, existing: Any) -> Any:
    """The node of a framework object (adapters in ckpt._torch, ...), or None.

    An adapter module is imported only when an object of its kind is passed;
    the frameworks themselves are looked up in sys.modules, never imported.
    """
    if "tensorflow" in sys.modules:
        from . import _tf

        if _tf.is_trackable(value):  # tf.Variable, tf.Module, Keras objects, TF's tracked containers
            return _tf.node_for(value, existing)
    if _arrays.is_array_like(value) or isinstance(value, (Mapping, list, tuple, str, bytes)):
        return None
    if callable(getattr(value, "state_dict", None)) and callable(getattr(value, "load_state_dict", None)):
        from . import _torch

        return _torch.node_for(value, existing)
    jax = sys.modules.get("jax")
    if jax is not None and value is not None and not jax.tree_util.all_leaves([value]):
        from . import _jax  # a registered pytree node: dataclass, flax struct, custom node

        return _jax.node_for(value, existing)
    return None


# (name, value the caller holds, graph node) of one tracked child.
Child = Tuple[str, Any, Any]


class CheckpointValueError(TypeError):
    """A value ckpt cannot represent; walk() prefixes the object's path once."""

    located = False


# Framework objects whose restored values arrived during a native restore and
# that finish their restore (attach value nodes, load_state_dict) right after
# it returns: never from inside the native call.
_PENDING: List[Any] = []


def schedule_finish(node: Any) -> None:
    if not any(n is node for n in _PENDING):
        _PENDING.append(node)


def finish_pending_restores() -> None:
    """Runs the scheduled finishers (each may deliver more deferred values)."""
    try:
        while _PENDING:
            _PENDING.pop(0)._ckpt_finish_restore()
    finally:
        _PENDING.clear()


def walk(named: Iterable[Child], visit: Callable[[str, Any, Any], None], visited: Optional[Set[int]] = None,
         prefix: str = "") -> None:
    """Calls visit(path, value, node) depth first over a graph of Python-side nodes.

    Objects and nodes with a ``_ckpt_children()`` method (containers, Modules,
    Checkpoints, adapters) are descended into; containers re-read their
    entries there. `path` joins the dependency names with "/".
    """
    if visited is None:
        visited = set()
    for name, value, node in named:
        if id(node) in visited:
            continue
        visited.add(id(node))
        path = f"{prefix}/{name}" if prefix and name else (name or prefix)
        try:
            visit(path, value, node)
            children = getattr(value, "_ckpt_children", None) or getattr(node, "_ckpt_children", None)
            named_children = children() if children is not None else []
        except CheckpointValueError as e:
            if not e.located:
                e.located = True
                e.args = (f"'{path}': {e.args[0]}",) + e.args[1:]
            raise
        walk(named_children, visit, visited, path)


def refresh(named: Iterable[Child]) -> None:
    """Brings wrapped containers and copied values up to date before a save/restore."""

    def visit(path: str, value: Any, node: Any) -> None:
        if isinstance(node, Variable):
            node._ckpt_refresh()
        sync = getattr(node, "_ckpt_sync_state", None)  # framework adapters
        if sync is not None:
            sync()

    walk(named, visit)


def check_restorable(named: Iterable[Child]) -> None:
    """Raises ValueError naming each value a restore could not deliver to the caller.

    Also tells framework adapters a restore is coming (``_ckpt_before_restore``).
    """
    problems: List[str] = []

    def visit(path: str, value: Any, node: Any) -> None:
        before = getattr(node, "_ckpt_before_restore", None)
        if before is not None:
            before()
        if isinstance(node, Variable):
            problem = node._ckpt_restore_problem()
            if problem is not None:
                problems.append(f"'{path}': {problem}")

    walk(named, visit)
    if problems:
        more = f"\n(and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ValueError("ckpt cannot restore these values where the caller would see them:\n" +
                         "\n".join(problems[:3]) + more)


class _ContainerNode(_ckpt._Map):
    """A dict, list or tuple in the object graph (TF's _DictWrapper/ListWrapper)."""

    def __init__(self, container: Any, sync: bool = True) -> None:
        super().__init__()
        self._container = container
        self._children: Dict[str, Any] = {}
        self._values: Dict[str, Any] = {}
        if sync:
            self._ckpt_sync()

    def _entries(self) -> Iterator:
        raise NotImplementedError

    def _owner_for(self, key: Any) -> Optional[Callable[[Any], None]]:
        return _owner_setter_for_container(self._container, key)

    def _ckpt_sync(self) -> None:
        seen = set()
        for name, key, value in self._entries():
            old = self._children.get(name)
            node = as_trackable(value, old, self._owner_for(key))
            if node is None:
                continue
            seen.add(name)
            self._values[name] = value
            if node is not old:
                self._children[name] = node
                self._set(name, node)
                finish_pending_restores()
        for name in list(self._children):
            if name not in seen:
                del self._children[name]
                self._values.pop(name, None)
                self._untrack(name)

    def _ckpt_children(self) -> List[Child]:
        self._ckpt_sync()
        return [(name, self._values[name], node) for name, node in self._children.items()]

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
        # Named tuples' children are named by field, as TF's tuple wrapper (and
        # jax's tree paths) name them; other sequences by index.
        fields = getattr(type(self._container), "_fields", None)
        for i, value in enumerate(list(self._container)):
            yield (str(fields[i]) if fields is not None else str(i)), i, value


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
            finish_pending_restores()

    def _ckpt_children(self) -> List[Child]:
        return [(attr, self.__dict__.get(attr), node) for attr, node in self.__dict__.get("_ckpt_nodes", {}).items()]

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
            if isinstance(node, ShardedVariable):
                # As tf.Module lists a ShardedVariable: its component variables (here: its blocks).
                out.extend(v for v in node.variables if predicate(v))
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
        """Every Variable reachable from this module (depth first, attribute order); a
        ShardedVariable contributes the Variables of its blocks, as in tf.Module."""
        return self._flatten_variables(lambda v: True)

    @property
    def trainable_variables(self) -> List[Variable]:
        return self._flatten_variables(lambda v: v.trainable)

    @property
    def non_trainable_variables(self) -> List[Variable]:
        return self._flatten_variables(lambda v: not v.trainable)

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
