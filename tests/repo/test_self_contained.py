"""The repository stands alone: a clone with nothing beside it has every file its tests and docs cite."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ID = re.compile(r"\b(?:FL|ST|RD|CK|CO|CM|SV)-\d\d\b")
ROW = re.compile(r"^\|\s*((?:FL|ST|RD|CK|CO|CM|SV)-\d\d)\s*\|", re.M)


def tracked_text_files():
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in out.decode().split("\0"):
        if not rel or rel.startswith("tests/data/") or rel.startswith("tests/fuzz/corpus/"):
            continue
        path = REPO / rel
        if path.is_file():
            try:
                yield rel, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_every_cited_behaviour_id_has_a_row_in_docs():
    rows = set()
    for page in (REPO / "docs" / "behaviours").glob("*.md"):
        rows |= set(ROW.findall(page.read_text(encoding="utf-8")))
    assert len(rows) > 200
    missing = {}
    for rel, text in tracked_text_files():
        for cited in set(ID.findall(text)) - rows:
            missing.setdefault(cited, rel)
    assert not missing, f"behaviour IDs cited without a row in docs/behaviours/: {missing}"


def test_nothing_reaches_outside_the_repository():
    pattern = re.compile(r"\.\./shared|/work/|\bshared/(?:spec|testdata)\b|behavior-catalog")
    hits = [f"{rel}: {m.group(0)}" for rel, text in tracked_text_files()
            if rel != "tests/repo/test_self_contained.py" for m in [pattern.search(text)] if m]
    assert not hits, f"files that name paths outside the repository: {hits}"
