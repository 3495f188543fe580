"""Peak extra memory of a distributed save with and without an io rank (experimental_io_device).

Run under mpirun (mpi4py), e.g.:
  mpirun -np 3 python3 bench/io_rank_rss.py [--mib-per-rank 256]
Each rank holds a float32 block of rows of one tensor (plus a replicated string vector) and saves it
twice into a fresh directory: every rank writing its own part, then the last rank as io rank. For each
save it prints, per rank, the peak resident memory above the resident memory before the save
(VmHWM after minus VmRSS before; the peak is reset through /proc/self/clear_refs), and the save's
wall time. Not part of pass/fail.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
from mpi4py import MPI

import ckpt


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib-per-rank", type=int, default=256)
    a = ap.parse_args()
    world = MPI.COMM_WORLD
    rank, size = world.Get_rank(), world.Get_size()
    comm = ckpt.distributed.from_mpi4py(world)
    cols = 1024
    rows = a.mib_per_rank * (1 << 20) // (4 * cols)
    block = np.random.default_rng(rank).random((rows, cols), dtype=np.float32)
    w = ckpt.ShardedVariable(block, full_shape=(rows * size, cols), offset=(rows * rank, 0), name="w")
    words = ckpt.Variable(np.array([b"x" * 100] * 10000, dtype=object))
    root = world.bcast(tempfile.mkdtemp(prefix="io_rank_rss_") if rank == 0 else None, root=0)
    results = []
    for label, device in (("each rank writes", ""), (f"io rank {size - 1}", f"/task:{size - 1}")):
        options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=600, experimental_io_device=device)
        world.Barrier()
        reset_peak()
        before = status_kib("VmRSS")
        t = time.perf_counter()
        ckpt.Checkpoint(w=w, words=words).write(os.path.join(root, label.replace(" ", "_")), options=options)
        elapsed = time.perf_counter() - t
        extra = (status_kib("VmHWM") - before) / 1024
        results.append((label, extra, elapsed))
    rows_out = world.gather(results, root=0)
    if rank == 0:
        print(f"{size} ranks, {a.mib_per_rank} MiB per rank")
        for i, (label, _, _) in enumerate(rows_out[0]):
            extras = ", ".join(f"r{r}: {rows_out[r][i][1]:.1f} MiB" for r in range(size))
            slowest = max(rows_out[r][i][2] for r in range(size))
            print(f"  {label:>18}: peak RSS above pre-save  {extras};  {slowest:.2f} s")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
