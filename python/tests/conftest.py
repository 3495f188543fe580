"""Fixtures for the Python package tests (python/tests).

`import ckpt` must work: either the package is installed (pip install .), or
the tests run against a CMake build dir configured with -DCKPT_BUILD_PYTHON=ON:

    CKPT_BUILD_DIR=<build> python -m pytest python/tests

puts <build>/python and <repo>/python on sys.path (what scripts/test.sh does).
Tests marked `venv` (a fresh virtualenv + pip install, minutes) run only when
selected with `-m venv`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(REPO_ROOT / "tests"))
from pytest_support import pytest_runtest_makereport  # noqa: E402,F401 (a hook: skips fail under CKPT_STRICT)


def _setup_path() -> None:
    build = os.environ.get("CKPT_BUILD_DIR")
    if build:
        ext_dir = Path(build) / "python"
        if not (ext_dir / "ckpt").is_dir():
            return  # not a Python-enabled build: rely on an installed ckpt
        for p in (str(REPO_ROOT / "python"), str(ext_dir)):
            if p not in sys.path:
                sys.path.insert(0, p)


_setup_path()


def pytest_collection_modifyitems(config, items):
    markexpr = config.getoption("-m") or ""
    if "venv" in markexpr:
        return
    # Deselected, not skipped: the test command runs them in a stage of their own (`-m venv`).
    deselected = [item for item in items if "venv" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "venv" not in item.keywords]


def pytest_configure(config):
    config.addinivalue_line("markers", "venv: fresh virtualenv install test (minutes); run with -m venv")
    config.addinivalue_line("markers", "tf: runs TensorFlow in a subprocess")
