"""scripts/bench.sh --peers cannot rot: its smoke mode (8 MiB, 1 round) runs every peer for real.

Checks what the bench claims, not speed: every system saved, restored cold and warm, and both
restores equal the saved values; the cold restore really found its files evicted and the warm one
found them cached (mincore); the table names every system; the chart is a PNG; the async stall
measurement ran. The data directory is under the build tree (a real disk: O_DIRECT and
posix_fadvise need one; /tmp may be tmpfs).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PEERS = REPO_ROOT / "bench" / "peers" / "peers.py"
sys.path.insert(0, str(PEERS.parent))
from systems import SYSTEMS  # noqa: E402


def test_peers_smoke_runs_every_peer_and_verifies_restores():
    build = Path(os.environ.get("CKPT_BUILD_DIR", str(REPO_ROOT / "build")))
    if not (build / "python" / "ckpt").is_dir():
        pytest.skip(f"no Python extension in {build} (configure it with -DCKPT_BUILD_PYTHON=ON)")
    with tempfile.TemporaryDirectory(prefix="peers-smoke.", dir=build) as tmp:
        png, out = os.path.join(tmp, "peers.png"), os.path.join(tmp, "peers.json")
        proc = subprocess.run(
            [sys.executable, str(PEERS), "--smoke", "--dir", tmp, "--png", png, "--json", out,
             "--build-dir", str(build)],
            capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"peers.py --smoke failed:\n{proc.stdout}\n{proc.stderr[-5000:]}"
        res = json.load(open(out))
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        leftovers = [n for n in os.listdir(tmp) if n not in ("peers.png", "peers.json")]
        assert leftovers == [], f"bench data left behind: {leftovers}"

    assert sorted(res["samples"]) == sorted(SYSTEMS)
    for system, samples in res["samples"].items():
        (s,) = samples
        assert s["verified"], system
        assert s["bytes"] == 8 << 20 and s["disk_bytes"] > 0, (system, s)
        assert s["cold_resident"] < 0.01, f"{system}: {s['cold_resident']:.0%} of its files cached before the cold restore"
        assert s["warm_resident"] > 0.99, f"{system}: {s['warm_resident']:.0%} of its files cached before the warm restore"
        assert SYSTEMS[system].label in proc.stdout
    (stall,) = res["async_stall"]
    assert stall["saves"] == 4 and len(stall["stalls_s"]) == 4
    assert stall["prepare_s"] is None  # options to save() only: nothing prepared
    (prepared,) = res["async_stall_prepared"]
    assert prepared["saves"] == 4 and len(prepared["stalls_s"]) == 4
    assert prepared["prepare_s"] is not None and prepared["prepare_s"] >= 0
