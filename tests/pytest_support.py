"""What both pytest trees (tests/ and python/tests/) share: where the TensorFlow-written test data
lives, and the rule that a skip must never hide missing coverage.

Test data: tests/data/tf inside this repository (see its README.md and MANIFEST.md). A missing file
is a test failure, never a skip: a clone that lost a file must not pass quietly.

Skips: under the README's test command (CKPT_STRICT=1, set by scripts/test.sh) a skipped test is
turned into a failure unless its reason starts with NOT_APPLICABLE ("n/a: "): those are cases that
cannot exist on any machine (a dtype torch does not have, a dtype TensorFlow cannot save), not a
missing peer, tool or file. Outside the test command a developer may still run a subset without TF.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTDATA = REPO_ROOT / "tests" / "data" / "tf"
NOT_APPLICABLE = "n/a: "


def testdata(rel: str = "") -> Path:
    """tests/data/tf[/rel]; fails the calling test when it is not there."""
    path = TESTDATA / rel if rel else TESTDATA
    if not path.exists():
        pytest.fail(f"test data missing: {path} (tests/data/tf is part of the repository: restore it with git)",
                    pytrace=False)
    return path


def strict() -> bool:
    return os.environ.get("CKPT_STRICT") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not strict() or not report.skipped:
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(NOT_APPLICABLE):
        return
    report.outcome = "failed"
    report.longrepr = (f"skipped under the test command (CKPT_STRICT=1), which must run every test: {reason}\n"
                       f"install what is missing (scripts/setup.sh) or, if the case cannot exist anywhere, "
                       f"start the reason with {NOT_APPLICABLE!r}")
