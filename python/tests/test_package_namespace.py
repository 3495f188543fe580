"""The package namespace is its public API: dir(ckpt) shows exactly __all__
(no leaked imports such as `annotations` or `extend_path`, no aliases such as
`_Any`) besides the package's own private implementation modules, and every
name in __all__ exists. `ckpt.dtypes`, `ckpt.errors` and `ckpt.distributed` are public submodules
(as tf.dtypes and tf.errors; docs/python.md) and are part of __all__.
"""

import json
import subprocess
import sys
import types

import pytest

import ckpt
from ckpt_test_util import python_env

PUBLIC_SUBMODULES = {"distributed", "dtypes", "errors", "experimental"}


def public_names(module):
    return {name for name in dir(module) if not name.startswith("_")}


def fresh_dir_of_ckpt():
    """dir(ckpt) right after `import ckpt` in a new interpreter, with each name's kind.

    A fresh process: in this one, other tests' lazy imports (ckpt._jax, ...)
    have already added submodules to the package.
    """
    code = (
        "import json, types, ckpt\n"
        "print(json.dumps({n: [isinstance(getattr(ckpt, n), types.ModuleType),"
        " getattr(getattr(ckpt, n), '__name__', None)] for n in dir(ckpt)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=python_env(), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_public_names_are_exactly_all():
    assert {n for n in fresh_dir_of_ckpt() if not n.startswith("_")} == set(ckpt.__all__)


def test_dir_is_all_plus_private_implementation_modules():
    names = fresh_dir_of_ckpt()
    non_dunder = {n for n in names if not (n.startswith("__") and n.endswith("__"))}
    private = non_dunder - set(ckpt.__all__)
    # Every other name is one of the package's own private modules (ckpt._x).
    stray = {n for n in private if not (n.startswith("_") and names[n] == [True, "ckpt." + n])}
    assert not stray
    assert non_dunder == set(ckpt.__all__) | private


def test_public_submodules_are_modules_in_all():
    for name in PUBLIC_SUBMODULES:
        assert name in ckpt.__all__
        assert isinstance(getattr(ckpt, name), types.ModuleType)
    modules = {n for n in ckpt.__all__ if isinstance(getattr(ckpt, n), types.ModuleType)}
    assert modules == PUBLIC_SUBMODULES


def test_all_lists_each_existing_name_once():
    assert len(ckpt.__all__) == len(set(ckpt.__all__))
    missing = [name for name in ckpt.__all__ if not hasattr(ckpt, name)]
    assert not missing


def test_star_import_gives_all():
    namespace = {}
    exec("from ckpt import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(ckpt.__all__)


def test_no_leaked_imports():
    for leaked in ("annotations", "extend_path", "pkgutil", "checkpoint", "reader", "saver", "_Any", "_pkgutil"):
        assert leaked not in dir(ckpt)


def test_public_submodules_list_existing_names():
    for module in (ckpt.dtypes, ckpt.errors):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, module.__name__


@pytest.mark.parametrize("module", ["errors", "dtypes"])
def test_public_submodule_namespace_is_its_all(module):
    # ckpt.errors and ckpt.dtypes are imported by users (`from ckpt import
    # errors`, like tf.errors / tf.dtypes): no numpy, typing names, future
    # features or helper functions of the package in them.
    mod = getattr(ckpt, module)
    assert public_names(mod) == set(mod.__all__)
