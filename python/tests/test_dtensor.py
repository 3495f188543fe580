"""torch DTensors (FSDP2, tensor parallel, distribute_tensor) saved as one TensorFlow checkpoint: each
rank writes its own shards through ckpt.distributed.from_torch (gloo), and the checkpoint restores on
another world size and mesh (each rank fills its local shards), into plain torch modules, and reads in
TensorFlow as full tensors. dtensor_side.py is the per-rank program (it describes the state saved)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from ckpt_test_util import import_or_skip, run_python
from test_distributed import run

SIDE = Path(__file__).with_name("dtensor_side.py")


def job(world: int, *steps: str) -> str:
    import_or_skip("torch")
    out = run([sys.executable, str(SIDE), "+".join(steps), str(world)],
              {"GLOO_SOCKET_IFNAME": "lo", "MASTER_ADDR": "127.0.0.1"})
    kinds = [step.split(":")[0] for step in steps]
    for what in set(kinds):
        assert len(re.findall(rf"rank \d+/{world}: {what} ok", out)) == world * kinds.count(what), out
    return out


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Checkpoints saved by 2 ranks (1-D meshes: FSDP2 Shard(0), TP Shard(0)/Shard(1)/Replicate) and by 4
    ranks ((2, 2) meshes: HSDP Replicate + Shard(0), Shard on both dimensions), the second job first
    restoring the first's checkpoint on its own meshes (into a state that trained a step: its optimizer
    state exists)."""
    base = tmp_path_factory.mktemp("dtensor")
    two, four = base / "saved_by_2", base / "saved_by_4"
    two.mkdir()
    four.mkdir()
    job(2, f"save:{two}")
    job(4, f"restore_stepped:{two}", f"save:{four}")  # (asserts each step ran on every rank)
    return two, four


def test_saved_on_2_restores_on_4_and_saved_on_4(saved):
    two, four = saved
    for d in saved:
        assert (d / "expected.npz").exists() and sorted(p.name for p in d.glob("ckpt-1.*"))


def test_restore_on_1_rank_and_into_plain_torch_modules(saved):
    two, four = saved
    job(1, f"restore:{two}", f"restore:{four}", f"plain:{two}", f"plain:{four}", "unsupported")


TF_READ = r"""
import sys
import numpy as np
import tensorflow as tf
for d in sys.argv[1:]:
    expected = np.load(d + "/expected.npz")
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(d))
    for k in expected.files:
        want, got = expected[k], reader.get_tensor(k)
        got = got.view(want.dtype) if got.dtype != want.dtype else got  # bfloat16: int16 bits in the npz
        assert got.shape == want.shape and got.tobytes() == want.tobytes(), (d, k)
    print("tf read", len(expected.files), "tensors")
"""


def test_tensorflow_reads_the_full_tensors(saved):
    import_or_skip("tensorflow")  # TF runs in the child process
    proc = run_python(TF_READ, *saved, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("tf read 24 tensors") == 2, proc.stdout
