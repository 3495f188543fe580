"""The package namespace is its public API: dir(ckpt) shows exactly __all__
(no leaked imports such as `annotations` or `extend_path`, no implementation
modules), and every name in __all__ exists.
"""

import ckpt


def public_names(module):
    return {name for name in dir(module) if not name.startswith("_")}


def test_public_names_are_exactly_all():
    assert public_names(ckpt) == set(ckpt.__all__)


def test_all_lists_each_existing_name_once():
    assert len(ckpt.__all__) == len(set(ckpt.__all__))
    missing = [name for name in ckpt.__all__ if not hasattr(ckpt, name)]
    assert not missing


def test_star_import_gives_all():
    namespace = {}
    exec("from ckpt import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(ckpt.__all__)


def test_no_leaked_imports():
    for leaked in ("annotations", "extend_path", "pkgutil", "checkpoint", "reader", "saver"):
        assert leaked not in dir(ckpt)


def test_public_submodules_list_existing_names():
    for module in (ckpt.dtypes, ckpt.errors):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, module.__name__
