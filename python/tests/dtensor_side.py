"""One job of the DTensor tests (test_dtensor.py starts it): N ranks spawned with torch.multiprocessing,
gloo on loopback, each building the same objects over its own mesh.

    python dtensor_side.py STEPS N [DIR ...]

STEPS is a '+'-joined list run in order by every rank of one job (each torch rank costs seconds to
start, so one job does several):

* `save:DIR`    build the state (below) from seed 1, train it one step, save it with
                Checkpoint(...).save(DIR/ckpt, options=CheckpointOptions(communicator=from_torch()));
                rank 0 writes DIR/expected.npz: every checkpoint key's full tensor (DTensor.full_tensor()).
* `restore:DIR` build the same state from seed 2 (other values; the optimizer never stepped: empty
                state) on this job's mesh, restore the latest checkpoint of DIR, check bit for bit that
                every rank's local shards equal its part of DIR/expected.npz (module parameters in place,
                the optimizer's state as DTensors placed like the parameters), then that a training
                step runs.
* `restore_stepped:DIR` the same after a training step of the seed-2 state (its optimizer state
                exists: the restored state is placed like it, not like the parameters).
* `plain:DIR`   the same state as ordinary torch modules, no DTensor: restore and compare the full
                tensors.
* `unsupported` a Partial and a _StridedShard DTensor: the save raises TypeError naming the path.

The state: `model`, a Sequential(Linear(4, 10), ReLU, Linear(10, 3)) under FSDP2 (`fully_shard`:
Shard(0) of every parameter; on 4 ranks a (2, 2) mesh: HSDP, Replicate + Shard(0)) with its Adam
`optimizer`; `tp`, a Sequential(Linear(5, 10), Linear(10, 7)) under tensor parallelism
(`parallelize_module`: ColwiseParallel, Shard(0), then RowwiseParallel, Shard(1) weight and
replicated bias); `raw`, `distribute_tensor` values: float64 [10, 3] by rows (uneven: 10 rows on 4
ranks are 3, 3, 3, 1) and bfloat16 [3, 10] by columns (on 4 ranks: a (2, 2) mesh sharding both
dimensions), an int32 [6] replicated and a float32 [3, 2] by rows, whose uneven split leaves a rank
an empty block on 4 ranks (1, 1, 1, 0 rows). Each rank prints "rank R/N: <step> ok".
"""

from __future__ import annotations

import os
import socket
import sys

import numpy as np

import ckpt


def key(*names):
    return "/".join(names) + "/.ATTRIBUTES/VARIABLE_VALUE"


def module_key(prefix, name):
    return key(prefix, name.replace(".", ".."))


def build(world, seed, distributed=True):
    """The state of one rank: {"model", "optimizer", "tp", "raw"} (and the meshes)."""
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))
    tp = torch.nn.Sequential(torch.nn.Linear(5, 10), torch.nn.Linear(10, 7))
    g = torch.Generator().manual_seed(seed)
    raw = {"rows": torch.randn(10, 3, generator=g, dtype=torch.float64),
           "cols": torch.randn(3, 10, generator=g).to(torch.bfloat16),
           "replicated": torch.randint(-1000, 1000, (6,), generator=g, dtype=torch.int32),
           "short": torch.randn(3, 2, generator=g)}
    if distributed:
        from torch.distributed.device_mesh import init_device_mesh
        from torch.distributed.fsdp import fully_shard
        from torch.distributed.tensor import Replicate, Shard, distribute_tensor
        from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

        flat = init_device_mesh("cpu", (world,))
        two_d = world == 4
        fully_shard(model, mesh=init_device_mesh("cpu", (2, 2), mesh_dim_names=("rep", "shard")) if two_d else flat)
        parallelize_module(tp, flat, {"0": ColwiseParallel(), "1": RowwiseParallel()})
        grid = init_device_mesh("cpu", (2, 2)) if two_d else flat
        raw = {"rows": distribute_tensor(raw["rows"], grid, [Shard(0), Replicate()] if two_d else [Shard(0)]),
               "cols": distribute_tensor(raw["cols"], grid, [Shard(1), Shard(0)] if two_d else [Shard(1)]),
               "replicated": distribute_tensor(raw["replicated"], flat, [Replicate()]),
               "short": distribute_tensor(raw["short"], flat, [Shard(0)])}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    return {"model": model, "optimizer": optimizer, "tp": tp, "raw": raw}


def train_step(state):
    import torch

    model, optimizer = state["model"], state["optimizer"]
    x = torch.linspace(-1, 1, 8 * 4).reshape(8, 4)
    model(x).square().sum().backward()
    optimizer.step()
    optimizer.zero_grad()


def full(t):
    import torch

    t = t.full_tensor() if hasattr(t, "full_tensor") else t
    t = t.detach()
    return t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()


def tensors_by_key(state):
    """{checkpoint key: tensor or DTensor} of everything the state saves."""
    out = {}
    for prefix in ("model", "tp"):
        for name, t in state[prefix].state_dict().items():
            out[module_key(prefix, name)] = t
    for i, st in state["optimizer"].state_dict()["state"].items():
        for name, t in st.items():
            out[key("optimizer", "tensors", "state", str(i), name)] = t
    for name, t in state["raw"].items():
        out[key("raw", name)] = t
    return out


def checkpoint(state):
    return ckpt.Checkpoint(**state)


def save(rank, world, directory):
    import torch.distributed as dist

    state = build(world, 1)
    train_step(state)
    comm = ckpt.distributed.from_torch()
    path = checkpoint(state).save(os.path.join(directory, "ckpt"),
                                  options=ckpt.CheckpointOptions(communicator=comm, collective_timeout=120))
    expected = {k: full(t) for k, t in tensors_by_key(state).items()}  # (full_tensor: a collective)
    if rank == 0:
        np.savez(os.path.join(directory, "expected.npz"), **expected)
    dist.barrier()
    assert comm.allgather(path.encode(), 60) == [path.encode()] * world
    # ckpt's own reader sees every full tensor as torch had it
    reader = ckpt.load_checkpoint(path)
    for k, want in expected.items():
        got = reader.get_tensor(k)
        got = got.view(np.int16) if want.dtype == np.int16 else got
        assert got.shape == want.shape and got.tobytes() == want.tobytes(), k


def local_part(t):
    """(local tensor as numpy, its slices of the global tensor) of a DTensor."""
    import torch
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    shape, offset = compute_local_shape_and_global_offset(t.shape, t.device_mesh, t.placements)
    local = t._local_tensor.detach()
    local = local.view(torch.int16).numpy() if local.dtype == torch.bfloat16 else local.numpy()
    assert local.shape == tuple(shape), (local.shape, shape)
    return local, tuple(slice(o, o + s) for o, s in zip(offset, shape))


def check_restored(state, directory, distributed):
    import torch

    expected = np.load(os.path.join(directory, "expected.npz"))
    got = tensors_by_key(state)
    assert sorted(got) == sorted(expected.files), (sorted(got), expected.files)
    params = {id(p): p for p in state["model"].parameters()}
    for k, t in got.items():
        want = expected[k]
        if distributed and hasattr(t, "placements"):
            local, where = local_part(t)
            assert local.tobytes() == np.ascontiguousarray(want[where]).tobytes(), k
        else:
            assert full(t).tobytes() == want.tobytes(), k
    # the optimizer's state is placed like its parameters, the module restored in place
    opt = state["optimizer"]
    for i, p in enumerate(opt.param_groups[0]["params"]):
        assert id(p) in params
        for name in ("exp_avg", "exp_avg_sq"):
            s = opt.state[p][name]
            assert getattr(s, "placements", None) == getattr(p, "placements", None), name
            assert s.shape == p.shape and s.dtype == p.dtype
    assert isinstance(opt.state[opt.param_groups[0]["params"][0]]["step"], torch.Tensor)
    train_step(state)  # the restored optimizer steps


def restore(rank, world, directory, stepped=False):
    state = build(world, 2)
    if stepped:
        train_step(state)  # the optimizer's state exists: restored placed like it
    checkpoint(state).restore(ckpt.latest_checkpoint(directory)).assert_consumed()
    check_restored(state, directory, True)


def plain(directory):
    state = build(1, 2, distributed=False)
    checkpoint(state).restore(ckpt.latest_checkpoint(directory)).assert_consumed()
    check_restored(state, directory, False)


def unsupported(rank, world):
    """Placements that are no block of the global tensor fail the save, naming the path and what to do."""
    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Partial
    from torch.distributed.tensor.placement_types import _StridedShard

    mesh = init_device_mesh("cpu", (world,))
    cases = {"partial": (Partial(), "Partial: call .redistribute"),
             "strided": (_StridedShard(0, split_factor=2), "_StridedShard")}
    for name, (placement, text) in cases.items():
        dt = DTensor.from_local(torch.ones(4, 2), mesh, [placement], run_check=False)
        module = torch.nn.Module()
        module.register_buffer("x", dt)
        for make, where in ((lambda: ckpt.Checkpoint(w={"x": dt}), None), (lambda: ckpt.Checkpoint(w=module), "'w'")):
            try:  # (a dict is wrapped when the Checkpoint is made, a module's tensors when it saves)
                make().write(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"never-{rank}"))
            except TypeError as e:
                assert text in str(e) and "DTensor of shape [4, 2]" in str(e), str(e)
                assert where is None or str(e).startswith(where), str(e)
            else:
                raise AssertionError(f"a {name} DTensor was saved")


def run_steps(rank, world, steps):
    for step in steps:
        what, directory = (step.split(":", 1) + [""])[:2]
        {"save": lambda: save(rank, world, directory), "restore": lambda: restore(rank, world, directory),
         "restore_stepped": lambda: restore(rank, world, directory, stepped=True),
         "plain": lambda: plain(directory), "unsupported": lambda: unsupported(rank, world)}[what]()
        print(f"rank {rank}/{world}: {what} ok", flush=True)


def _worker(rank, world, port, steps):
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        run_steps(rank, world, steps)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_worker, args=(int(sys.argv[2]), port, sys.argv[1].split("+")), nprocs=int(sys.argv[2]), join=True)
