"""ckpt.distributed: communicators over mpi4py (under mpirun) and torch.distributed (gloo, spawned with
torch.multiprocessing), checked against the Communicator contract through the C++ adapter a save uses,
and a checkpoint saved on N ranks restored on M (dist_side.py is the per-rank program).

Every job runs with a timeout and is killed with its process group when it overruns: a test never
hangs. Open MPI gets the settings a root-run, 2-core, loopback-only machine needs (as tests/mpi does).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ckpt
from ckpt_test_util import import_or_skip, python_env

SIDE = Path(__file__).with_name("dist_side.py")
JOB_TIMEOUT = 300
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
}


def run(cmd, extra_env=None) -> str:
    env = python_env()
    env.update(extra_env or {})
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=JOB_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"job did not end within {JOB_TIMEOUT}s: {cmd}\n{out}")
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{out}"
    return out


def mpirun(np_: int, *args) -> str:
    import_or_skip("mpi4py")
    mpiexec = shutil.which("mpirun")
    if mpiexec is None:
        pytest.fail("mpirun not found: scripts/setup.sh installs openmpi-bin")
    cmd = [mpiexec, "-np", str(np_), "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader",
           "--mca", "oob_tcp_if_include", "lo", "--timeout", str(JOB_TIMEOUT - 20),
           sys.executable, str(SIDE), "mpi4py", *map(str, args)]
    return run(cmd, MPI_ENV)


def torchrun(world: int, *args) -> str:
    import_or_skip("torch")
    return run([sys.executable, str(SIDE), "torch", args[0], str(world), *map(str, args[1:])],
               {"GLOO_SOCKET_IFNAME": "lo", "MASTER_ADDR": "127.0.0.1"})


def count(out: str, pattern: str) -> int:
    return len(re.findall(pattern, out))


def test_names_are_the_contract():
    assert ckpt.distributed.__all__ == ["Communicator", "from_mpi4py", "from_torch"]
    assert callable(ckpt.distributed.from_mpi4py) and callable(ckpt.distributed.from_torch)
    with pytest.raises(TypeError, match="ckpt.distributed"):
        ckpt.CheckpointOptions(communicator=object())


@pytest.mark.parametrize("n", [1, 3])
def test_mpi4py_communicator_contract(n):
    assert count(mpirun(n, "contract"), r"rank \d+/\d+: contract ok") == n


def check_saved(out: str, n: int) -> bool:
    """True when the save on n ranks published a checkpoint (False: this build says it cannot yet)."""
    if n > 1 and not ckpt._ckpt._has_distributed_checkpoint():
        assert count(out, r"rank \d+/\d+: unimplemented") == n, out
        return False
    # (ranks' lines can run together in mpirun's output: the path ends at its number)
    paths = set(re.findall(r"rank \d+/\d+: saved (\S+?/ckpt-\d+)", out))
    assert count(out, r"rank \d+/\d+: saved ") == n and len(paths) == 1, out
    return True


@pytest.mark.parametrize("n", [1, 3])
def test_mpi4py_saver_with_a_communicator(tmp_path, n):
    assert count(mpirun(n, "saver", tmp_path), r"rank \d+/\d+: saver ok") == n


def test_mpi4py_save_on_n_restore_on_m(tmp_path):
    saved = {}
    for n in range(1, 5):
        d = tmp_path / f"np{n}"
        if check_saved(mpirun(n, "save", d, 10 + n), n):
            saved[n] = d
    assert 1 in saved
    pairs = [x for n, d in saved.items() for x in (d, 10 + n, d / "managed", 10 + n)]
    for m in range(1, 5):
        out = mpirun(m, "restore", *pairs)
        assert count(out, r"restored \d+ variables bit-exact") == m * len(pairs) // 2, out


def test_mpi4py_save_with_io_rank(tmp_path):
    # experimental_io_device names the last rank: it writes everything, the others stream to it.
    if check_saved(mpirun(3, "save-io", tmp_path, 21), 3):
        out = mpirun(2, "restore", tmp_path, 21)
        assert count(out, r"restored \d+ variables bit-exact") == 2, out


def test_mpi4py_restore_with_io_rank(tmp_path):
    # restore(path, options=CheckpointOptions(communicator=..., experimental_io_device=...)): the last
    # rank reads the files for every rank (the C++ tests check that the others make no file call).
    if check_saved(mpirun(3, "save", tmp_path, 25), 3):
        out = mpirun(2, "restore-io", tmp_path, 25)
        assert count(out, r"restored \d+ variables bit-exact") == 2, out


def test_torch_save_with_io_rank(tmp_path):
    # The same over torch.distributed (gloo isend/irecv on ckpt's own group); restored under mpirun.
    if check_saved(torchrun(2, "save-io", tmp_path, 23), 2):
        out = mpirun(3, "restore", tmp_path, 23)
        assert count(out, r"restored \d+ variables bit-exact") == 3, out


def test_torch_communicator_contract_and_save(tmp_path):
    out = torchrun(2, "contract+save", tmp_path, 7)
    assert count(out, r"rank \d+/\d+: contract ok") == 2, out
    if check_saved(out, 2):
        out = mpirun(3, "restore", tmp_path, 7, tmp_path / "managed", 7)
        assert count(out, r"restored \d+ variables bit-exact") == 6, out


def test_mpi4py_async_save_on_n_restore_on_m(tmp_path):
    """Async saves on N = 2..4 ranks (plan, write, vote, commit on each rank's writer thread, through
    the GIL-taking C++ adapter, while the main thread runs MPI.COMM_WORLD collectives), restored on M."""
    if not ckpt._ckpt._has_distributed_checkpoint():
        pytest.fail("this build cannot save from several processes")
    pairs = []
    for n in range(2, 5):
        d = tmp_path / f"np{n}"
        out = mpirun(n, "save-async", d, 40 + n)
        assert check_saved(out, n), out
        pairs += [d, 40 + n, d / "managed", 40 + n]
    for m in (1, 3):
        out = mpirun(m, "restore", *pairs)
        assert count(out, r"restored \d+ variables bit-exact") == m * len(pairs) // 2, out


def test_mpi4py_async_save_refused_below_thread_multiple():
    assert count(mpirun(2, "async-funneled"), r"rank \d+/\d+: async refused") == 2


def test_torch_gloo_async_save(tmp_path):
    """The async save through torch.distributed: ckpt's own gloo group on the writer thread, the
    default group's all_reduce on the main thread."""
    out = torchrun(2, "save-async", tmp_path, 9)
    assert check_saved(out, 2), out
    out = mpirun(3, "restore", tmp_path, 9, tmp_path / "managed", 9)
    assert count(out, r"restored \d+ variables bit-exact") == 6, out
