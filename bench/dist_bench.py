"""N-rank save and restore: ckpt (ShardedVariable + Checkpoint with a torch.distributed communicator)
next to torch.distributed.checkpoint (DCP), the same arrays, gloo on loopback.

    CKPT_BUILD_DIR=build PYTHONPATH=build/python:python python3 bench/dist_bench.py [--mib 256] [--ranks 1,2,4]

For each N the total bytes are the same: one float32 tensor of `mib` MiB, [rows, 1024], split by rows
over the N ranks (torch.multiprocessing spawns them; gloo, MASTER_ADDR=127.0.0.1, GLOO_SOCKET_IFNAME=lo).
Each rank holds its block as a torch tensor:
  * ckpt: `ckpt.ShardedVariable(block, full_shape, offset)` in a `ckpt.Checkpoint`, written with
    `CheckpointOptions(communicator=ckpt.distributed.from_torch())` (fsync; one TF checkpoint), restored
    with `Checkpoint.read` into zeroed blocks (each rank reads only its bytes);
  * DCP: the block as a `DTensor` (`DTensor.from_local`, `Shard(0)` on a CPU mesh), `dcp.save` with its
    best settings here — `DefaultSavePlanner(enable_plan_caching=True)` (the measured save is the second,
    after the plan was cached), `FileSystemWriter(single_file_per_rank=True, sync_files=True,
    thread_count=1)` (the default; a 2-core machine) — and `dcp.load` into zeroed DTensors.
Each save goes to a fresh directory; the page cache is left as is (both sides alike: restores read what
the save just wrote). One timed run per (N, side) after a warm-up save; times are the slowest rank's,
between barriers. Prints a table with ckpt/DCP ratios (< 1: ckpt faster).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time


def _timed(dist, fn):
    dist.barrier()
    t0 = time.perf_counter()
    fn()
    dist.barrier()
    return time.perf_counter() - t0


def _worker(rank, world, port, mib, work, results):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    import torch
    import torch.distributed as dist
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint import DefaultSavePlanner, FileSystemReader, FileSystemWriter
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Shard

    import ckpt

    dist.init_process_group("gloo", rank=rank, world_size=world)
    cols = 1024
    rows = mib * (1 << 20) // (4 * cols)
    per = rows // world
    full_shape = (rows, cols)
    gen = torch.Generator().manual_seed(rank)
    block = torch.rand(per, cols, generator=gen)
    out = {}

    # ---- ckpt ----
    comm = ckpt.distributed.from_torch()
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=600)
    sv = ckpt.ShardedVariable(block, full_shape=full_shape, offset=(rank * per, 0), name="w")
    c = ckpt.Checkpoint(w=sv)
    c.write(os.path.join(work, "ckpt-warm", "ck"), options=options)
    out["ckpt_save"] = _timed(dist, lambda: c.write(os.path.join(work, "ckpt", "ck"), options=options))
    target = torch.zeros(per, cols)
    r = ckpt.Checkpoint(w=ckpt.ShardedVariable(target, full_shape=full_shape, offset=(rank * per, 0), name="w"))
    out["ckpt_restore"] = _timed(dist, lambda: r.read(os.path.join(work, "ckpt", "ck")).expect_partial())
    assert torch.equal(target, block), "ckpt restore differs"

    # ---- DCP ----
    mesh = init_device_mesh("cpu", (world,))
    state = {"w": DTensor.from_local(block, mesh, [Shard(0)], run_check=False)}
    planner = DefaultSavePlanner(enable_plan_caching=True)

    def dcp_save(d):
        dcp.save(state, storage_writer=FileSystemWriter(d, single_file_per_rank=True, sync_files=True),
                 planner=planner)

    dcp_save(os.path.join(work, "dcp-warm"))
    out["dcp_save"] = _timed(dist, lambda: dcp_save(os.path.join(work, "dcp")))
    loaded = {"w": DTensor.from_local(torch.zeros(per, cols), mesh, [Shard(0)], run_check=False)}
    out["dcp_restore"] = _timed(dist, lambda: dcp.load(loaded, storage_reader=FileSystemReader(os.path.join(work, "dcp"))))
    assert torch.equal(loaded["w"].to_local(), block), "DCP restore differs"

    gathered = [None] * world
    dist.all_gather_object(gathered, out)
    if rank == 0:
        results.update({k: max(g[k] for g in gathered) for k in out})
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--ranks", default="1,2,4")
    ap.add_argument("--dir", default=None, help="where to write (default: a temporary directory)")
    a = ap.parse_args()
    import torch.multiprocessing as mp

    rows = []
    for n in [int(x) for x in a.ranks.split(",")]:
        work = tempfile.mkdtemp(prefix=f"dist_bench_np{n}_", dir=a.dir)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with mp.Manager() as m:
            results = m.dict()
            mp.spawn(_worker, args=(n, port, a.mib, work, results), nprocs=n, join=True)
            res = dict(results)
        shutil.rmtree(work, ignore_errors=True)
        rows.append((n, res))
        print(f"N={n}: " + " ".join(f"{k}={v:.3f}s" for k, v in res.items()), flush=True)
    print(f"\n{a.mib} MiB float32 in total, split by rows over N ranks (gloo, loopback); slowest rank, one run")
    print("| N | ckpt save | DCP save | ratio | ckpt restore | DCP restore | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n, r in rows:
        print(f"| {n} | {r['ckpt_save']:.3f} s | {r['dcp_save']:.3f} s | {r['ckpt_save'] / r['dcp_save']:.2f} | "
              f"{r['ckpt_restore']:.3f} s | {r['dcp_restore']:.3f} s | {r['ckpt_restore'] / r['dcp_restore']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
