"""PyTorch objects (and anything with state_dict()/load_state_dict()) as graph nodes.

Imported by ckpt._tracking only when such an object is passed; torch itself is
looked up in sys.modules (it is loaded whenever a torch object exists).

* ``torch.nn.Module``: its ``state_dict(keep_vars=True)`` entries (parameters
  and persistent buffers) are children named by their state_dict names
  (``model/fc1..weight/.ATTRIBUTES/VARIABLE_VALUE``, TF escaping "." as "..").
  Restores write into the tensors' memory, so the module is restored in place.
* Any other object with ``state_dict()``/``load_state_dict()`` (optimizers,
  LR schedulers, GradScaler, user objects): two children,
  ``structure`` (a string scalar: JSON describing the state dict's containers,
  keys, Nones and the kind of each leaf) and ``tensors`` (one variable per
  leaf, nested by the state dict's keys: ``optimizer/tensors/state/0/exp_avg``,
  ``optimizer/tensors/param_groups/0/lr``). Tensors keep their dtype; Python
  ints are int64, floats float64, bools bool, str/bytes strings, so every value
  round-trips exactly and TensorFlow reads each one. A restore reads the
  structure, then the leaves into fresh buffers, rebuilds the state dict and
  hands it to the object's own ``load_state_dict`` (so an optimizer resumes
  exactly as after ``optimizer.load_state_dict(saved)``).

What a state dict holds that cannot be represented (callables, arbitrary
objects, sparse / quantized / subclassed / non-CPU tensors, keys other than str
and int) raises CheckpointValueError naming the path inside the state dict.
"""

from __future__ import annotations

import collections
import json
import sys
import weakref
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import _ckpt
from . import dtypes as _dtypes
from ._tracking import Child, CheckpointValueError, _ContainerNode, schedule_finish
from ._variables import Variable

FORMAT = "ckpt.state_dict/1"  # the "format" field of the structure JSON

Names = Tuple[str, ...]


def node_for(value: Any, existing: Any) -> Any:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.nn.Module):
        if isinstance(existing, ModuleNode) and existing._container is value:
            return existing
        return ModuleNode(value)
    if isinstance(existing, StateDictNode) and existing._obj is value:
        return existing
    return StateDictNode(value)


def _describe(value: Any) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def check_tensor(t: Any, where: str) -> None:
    """Raises CheckpointValueError unless `t` is a dense CPU tensor ckpt can hold."""
    torch = sys.modules["torch"]
    why = None
    if "torch.distributed.tensor" in sys.modules:
        from . import _dtensor

        if _dtensor.is_dtensor(t):  # its placements and local tensor are checked by _dtensor.node_for
            return
    if isinstance(t, torch.nn.parameter.UninitializedTensorMixin):
        why = "an uninitialized (lazy) parameter or buffer: run a forward pass first"
    elif type(t) not in (torch.Tensor, torch.nn.Parameter):
        why = f"a tensor subclass ({_describe(t)}); convert it to a plain torch.Tensor"
    elif t.layout != torch.strided:
        why = f"a {t.layout} tensor; only dense (strided) tensors are supported (use .to_dense())"
    elif t.is_quantized:
        why = "a quantized tensor; dequantize it first"
    elif t.device.type != "cpu":
        why = f"a tensor on {t.device}; ckpt reads CPU memory (move it with .cpu())"
    if why is not None:
        raise CheckpointValueError(f"cannot checkpoint {where}: {why}")


class ModuleNode(_ContainerNode):
    """A torch.nn.Module: its state_dict entries, restored in place."""

    def __init__(self, module: Any) -> None:
        super().__init__(module, sync=False)  # synced (and checked) before each save/restore

    def _entries(self) -> Iterator:
        torch = sys.modules["torch"]
        for name, value in self._container.state_dict(keep_vars=True).items():
            where = f"{type(self._container).__name__}.state_dict()[{name!r}]"
            if not isinstance(value, torch.Tensor):
                raise CheckpointValueError(
                    f"cannot checkpoint {where}: {_describe(value)} is not a tensor (a module's extra state, "
                    "get_extra_state(), can hold only tensors here)")
            check_tensor(value, where)
            yield name, name, value

    def _owner_for(self, key: Any) -> None:
        return None  # tensors are written in place

    def __repr__(self) -> str:
        return f"<ckpt tracked torch module {type(self._container).__name__}>"


class _TreeNode(_ckpt._Map):
    """A node whose children are given whole (the nested 'tensors' of a state dict)."""

    def __init__(self) -> None:
        super().__init__()
        self._children: Dict[str, Any] = {}

    def _replace_children(self, children: Dict[str, Any]) -> None:
        for name in list(self._children):
            if name not in children:
                del self._children[name]
                self._untrack(name)
        for name, node in children.items():
            if self._children.get(name) is not node:
                self._children[name] = node
                self._set(name, node)

    def _ckpt_children(self) -> List[Child]:
        return [(name, None, node) for name, node in self._children.items()]


class _StructureVariable(Variable):
    """The JSON structure: a restore of it schedules the owner's finish."""

    def __init__(self, owner: "StateDictNode") -> None:
        super().__init__(np.array(b"", dtype=object))
        self._ckpt_owner_node = weakref.ref(owner)

    def _replace_from_native(self, native: Tuple[int, tuple, Any]) -> None:
        super()._replace_from_native(native)
        owner = self._ckpt_owner_node()
        if owner is not None:
            owner._restored_structure = bytes(self._np[()])
            schedule_finish(owner)


class _PythonLeaf(Variable):
    """A Python number or string of a state dict, in a 0-d array this node owns."""


# Leaf kinds: Python values have a fixed dtype; tensors and numpy arrays record theirs.
_PYTHON_DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_}


class StateDictNode(_ckpt._Map):
    """An object with state_dict()/load_state_dict(): structure + tensors."""

    def __init__(self, obj: Any) -> None:
        super().__init__()
        self._obj = obj
        self._structure = _StructureVariable(self)
        self._tensors = _TreeNode()
        self._leaves: Dict[Names, Any] = {}  # current leaf variables (or DTensor blocks) by path
        self._restored_structure: Optional[bytes] = None
        self._leaves_before_restore: Dict[Names, Any] = {}  # DTensors the state dict held
        self._set("structure", self._structure)
        self._set("tensors", self._tensors)

    # ---- saving: the object's state dict as structure + leaves ----

    def _ckpt_children(self) -> List[Child]:
        return [("structure", None, self._structure), ("tensors", None, self._tensors)]

    def _ckpt_sync_state(self) -> None:
        """Before a save (and a restore): the object's state dict as it is now."""
        state = self._obj.state_dict()
        leaves: Dict[Names, Tuple[Any, Dict[str, Any], str]] = {}
        tree = _encode(state, (), "state_dict()", leaves)
        new_leaves: Dict[Names, Any] = {}
        for names, (value, spec, where) in leaves.items():
            try:
                var = self._leaf_variable(names, value)
            except (TypeError, ValueError) as e:
                raise CheckpointValueError(f"cannot checkpoint {where}: {e}") from None
            spec["dtype"] = var.dtype.name
            new_leaves[names] = var
        spec = {"format": FORMAT, "type": _describe(self._obj), "state": tree}
        self._structure._np[()] = json.dumps(spec, sort_keys=True).encode("utf-8")
        self._install(new_leaves)

    def _leaf_variable(self, names: Names, value: Any) -> Any:
        old = self._leaves.get(names)
        if _is_python_leaf(value):
            arr = _python_leaf_array(value)
            if isinstance(old, _PythonLeaf) and old._np.dtype == arr.dtype:
                old._np[()] = arr[()]  # the buffer this node owns
                return old
            return _PythonLeaf(arr)
        if "torch.distributed.tensor" in sys.modules:
            from . import _dtensor

            if _dtensor.is_dtensor(value):
                return _dtensor.node_for(value, old)
        if old is not None and getattr(old, "_source", None) is value:
            return old
        return Variable(value)

    def _install(self, leaves: Dict[Names, Any]) -> None:
        """Makes the 'tensors' subtree hold exactly `leaves` (nodes reused where possible)."""
        self._leaves = leaves
        _fill_tree(self._tensors, {names: var for names, var in leaves.items()})

    # ---- restoring: structure first, then the leaves into fresh buffers ----

    def _ckpt_before_restore(self) -> None:
        # The leaves are restored into fresh buffers described by the saved
        # structure, never into the object's live tensors (whose DTensor
        # placements the fresh buffers copy).
        held = {names: getattr(v, "_ckpt_dtensor", None) for names, v in self._leaves.items()}
        self._leaves_before_restore = {names: dt for names, dt in held.items() if dt is not None}
        self._install({})
        self._restored_structure = None

    def _ckpt_finish_restore(self) -> None:
        raw = self._restored_structure
        self._restored_structure = None
        if raw is None:
            return
        spec = json.loads(raw.decode("utf-8"))
        if spec.get("format") != FORMAT:
            raise ValueError(f"the structure of {_describe(self._obj)} in this checkpoint has format "
                             f"{spec.get('format')!r}, expected {FORMAT!r}")
        buffers: Dict[Names, Any] = {}
        _collect_buffers(spec["state"], (), buffers)
        if "torch.distributed.tensor" in sys.modules:
            _place_like_current(self._obj, self._leaves_before_restore, spec["state"], (), buffers)
        # Attaching the leaves delivers their values (a deferred restore).
        self._install({names: _leaf_node(buf) for names, buf in buffers.items()})
        state = _decode(spec["state"], (), buffers)
        self._obj.load_state_dict(state)

    def __repr__(self) -> str:
        return f"<ckpt tracked state_dict of {_describe(self._obj)}>"


def _fill_tree(node: _TreeNode, leaves: Dict[Names, Any]) -> None:
    groups: Dict[str, Dict[Names, Any]] = {}
    children: Dict[str, Any] = {}
    for names, var in leaves.items():
        if len(names) == 1:
            children[names[0]] = var
        else:
            groups.setdefault(names[0], {})[names[1:]] = var
    for name, sub in groups.items():
        child = node._children.get(name)
        if not isinstance(child, _TreeNode):
            child = _TreeNode()
        _fill_tree(child, sub)
        children[name] = child
    node._replace_children(children)


# ---- the structure: JSON of containers and leaf kinds ----

def _is_python_leaf(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str, bytes))


def _python_leaf_array(value: Any) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        out = np.empty((), dtype=object)
        out[()] = value.encode("utf-8") if isinstance(value, str) else value
        return out
    kind = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "float"
    return np.array(value, dtype=_PYTHON_DTYPES[kind])


def _key_name(key: Any, where: str) -> str:
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise CheckpointValueError(f"cannot checkpoint {where}: key {key!r} ({_describe(key)}) is neither str nor int")
    return str(key)


def _encode(value: Any, names: Names, where: str, leaves: Dict[Names, Any]) -> Any:
    """The JSON node for `value`; its tensors and Python scalars go into `leaves`."""
    torch = sys.modules.get("torch")
    if value is None:
        return None
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int):
        if not -(2 ** 63) <= value < 2 ** 63:
            raise CheckpointValueError(f"cannot checkpoint {where}: {value} does not fit in int64")
        kind = "int"
    elif isinstance(value, float):
        kind = "float"
    elif isinstance(value, str):
        kind = "str"
    elif isinstance(value, bytes):
        kind = "bytes"
    elif torch is not None and isinstance(value, torch.Tensor):
        check_tensor(value, where)
        spec = {"leaf": "torch", "shape": list(value.shape), "requires_grad": bool(value.requires_grad)}
        leaves[names] = (value, spec, where)
        return spec
    elif isinstance(value, np.ndarray):
        spec = {"leaf": "numpy", "shape": list(value.shape)}
        leaves[names] = (value, spec, where)
        return spec
    elif isinstance(value, dict) and type(value) in (dict, collections.OrderedDict):
        items = []
        seen: Dict[str, Any] = {}
        for k, v in value.items():
            name = _key_name(k, where)
            if name in seen:
                raise CheckpointValueError(
                    f"cannot checkpoint {where}: keys {seen[name]!r} and {k!r} have the same name {name!r}")
            seen[name] = k
            items.append([k, _encode(v, names + (name,), f"{where}[{k!r}]", leaves)])
        return {"dict": items, "ordered": type(value) is collections.OrderedDict}
    elif type(value) in (list, tuple):
        kind_name = "list" if type(value) is list else "tuple"
        return {kind_name: [_encode(v, names + (str(i),), f"{where}[{i}]", leaves) for i, v in enumerate(value)]}
    else:
        what = "a callable" if callable(value) else _describe(value)
        raise CheckpointValueError(
            f"cannot checkpoint {where}: {what} is not a tensor, array, number, string, None, dict, list or "
            "tuple")
    spec = {"leaf": kind}
    leaves[names] = (value, spec, where)
    return spec


def _leaf_node(buf: Any) -> Any:
    if isinstance(buf, np.ndarray):
        return Variable(buf)
    from . import _dtensor

    return _dtensor.node_for(buf)


def _place_like_current(obj: Any, before: Dict[Names, Any], node: Any, names: Names, buffers: Dict[Names, Any]) -> None:
    """Turns the buffers of torch leaves into fresh DTensors where the object holds DTensors there
    (ckpt._dtensor.templates): a rank restores only its block, placed as its own state is."""
    from . import _dtensor

    found = _dtensor.templates(obj, before)
    if not found:
        return
    for leaf_names, buf in list(buffers.items()):
        spec = _spec_at(node, leaf_names)
        if spec.get("leaf") != "torch":
            continue
        template = _dtensor.template_for(found, leaf_names, buf.shape)
        if template is not None:
            dtype = spec["dtype"]
            buffers[leaf_names] = _dtensor.new_like(
                template, buf.shape,
                lambda shape, d=dtype, b=buf: _numpy_to_torch(np.zeros(shape, dtype=b.dtype), d))


def _spec_at(node: Any, names: Names) -> Dict[str, Any]:
    for name in names:
        if "dict" in node:
            node = next(v for k, v in node["dict"] if str(k) == name)
        else:
            node = node.get("list", node.get("tuple"))[int(name)]
    return node


def _collect_buffers(node: Any, names: Names, out: Dict[Names, np.ndarray]) -> None:
    """Fresh buffers of the saved dtype and shape for every leaf of a structure."""
    if node is None:
        return
    if "leaf" in node:
        kind = node["leaf"]
        if kind in ("str", "bytes"):
            buf = np.empty((), dtype=object)
            buf[()] = b""
        else:
            np_dtype = _dtypes.as_dtype(node["dtype"]).as_numpy_dtype
            buf = np.zeros(node.get("shape", []), dtype=np_dtype)
        out[names] = buf
    elif "dict" in node:
        for k, v in node["dict"]:
            _collect_buffers(v, names + (str(k),), out)
    else:
        for i, v in enumerate(node.get("list", node.get("tuple"))):
            _collect_buffers(v, names + (str(i),), out)


def _decode(node: Any, names: Names, buffers: Dict[Names, np.ndarray]) -> Any:
    if node is None:
        return None
    if "leaf" in node:
        buf = buffers[names]
        kind = node["leaf"]
        if kind == "torch":
            t = buf if not isinstance(buf, np.ndarray) else _numpy_to_torch(buf, node["dtype"])  # or a DTensor
            return t.requires_grad_(True) if node.get("requires_grad") else t
        if kind == "numpy":
            return buf
        item: Any = buf[()]
        if kind == "str":
            return item.decode("utf-8")
        if kind == "bytes":
            return bytes(item)
        return {"int": int, "float": float, "bool": bool}[kind](item)
    if "dict" in node:
        cls = collections.OrderedDict if node.get("ordered") else dict
        return cls((k, _decode(v, names + (str(k),), buffers)) for k, v in node["dict"])
    if "list" in node:
        return [_decode(v, names + (str(i),), buffers) for i, v in enumerate(node["list"])]
    return tuple(_decode(v, names + (str(i),), buffers) for i, v in enumerate(node["tuple"]))


# torch dtypes numpy has only through ml_dtypes: the integer type of the same width.
_VIEWS = {"bfloat16": np.int16, "float8_e4m3fn": np.uint8, "float8_e5m2": np.uint8, "float8_e4m3fnuz": np.uint8,
          "float8_e5m2fnuz": np.uint8}


def _numpy_to_torch(arr: np.ndarray, dtype_name: str) -> Any:
    torch = sys.modules["torch"]
    if not arr.flags.c_contiguous:
        arr = arr.copy()  # (np.ascontiguousarray would turn a 0-d array into 1-d)
    if dtype_name in _VIEWS:
        return torch.from_numpy(arr.view(_VIEWS[dtype_name])).view(getattr(torch, dtype_name))
    return torch.from_numpy(arr)
