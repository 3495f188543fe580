"""One rank of the ckpt.distributed tests (test_distributed.py starts it).

    mpirun -np N python dist_side.py mpi4py CASE [ARGS]
    python dist_side.py torch CASE N [ARGS]    (spawns N ranks: torch.multiprocessing, gloo on lo)

`contract` checks a communicator against the Communicator contract, through
the C++ adapter (ckpt._ckpt._Communicator: the path a save takes, GIL
released and re-acquired) as well as directly: contributions of different
sizes, an empty one included; broadcasts from every root; a barrier; a
collective from a background thread; a bad root (not sticky); a collective
past its deadline (DeadlineExceededError naming it and the rank, then
sticky). Each rank prints "rank R/N: contract ok" at the end; any failure
raises (a non-zero exit).

`save-async DIR SEED`: the same saves with enable_async while the job runs collectives of its own;
`async-funneled` (mpi4py under MPI_THREAD_FUNNELED): an async save refuses on every rank.

`save DIR SEED` / `restore DIR SEED [DIR SEED ...]`: every rank saves the same variables
(one per dtype, values from SEED) and its own blocks of sharded tensors (ckpt.ShardedVariable:
[10, 4] split by rows or [3, 7] by columns, unevenly, np.array_split of this job's rank count; under
torch the numeric blocks are torch tensors) with Checkpoint.save(DIR/ckpt,
options=CheckpointOptions(communicator=comm)), all ranks must return the same
path; then twice through a CheckpointManager(DIR/managed, max_to_keep=1,
options=...) (same paths everywhere, one checkpoint kept); `restore` restores
on each rank (any rank count: each ShardedVariable holds that job's block) and compares bit for bit. Where this build's Checkpoint cannot yet save from several processes
(ckpt._ckpt._has_distributed_checkpoint() false), `save` on N > 1 ranks checks
that it says so (UnimplementedError) and prints "unimplemented" instead.
"""

from __future__ import annotations

import os
import sys
import threading

import ckpt
from ckpt import errors


def expect_raises(cls, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except cls as e:
        return e
    raise AssertionError(f"{fn} did not raise {cls.__name__}")


def contract(make_comm, side_bcast):
    """make_comm(): a new communicator (collective); side_bcast(value): rank 0's
    value on every rank over the job's own channel (not ckpt's communicator)."""
    comm = make_comm()
    native = comm._native_communicator()
    r, n = comm.rank, comm.size
    assert native.rank == r and native.size == n

    for gather in (comm.allgather, native.allgather):
        got = gather(bytes([r]) * (r * 100), 30)
        assert got == [bytes([q]) * (q * 100) for q in range(n)], got
    for root in range(n):
        payload = b"" if root == n - 1 else f"from {root}".encode() * 50
        for bcast in (comm.broadcast, native.broadcast):
            assert bcast(payload if r == root else b"ignored", root, 30) == payload
    native.barrier(30)
    comm.barrier(None)

    # An async save runs the collectives on its writer thread.
    out = []
    t = threading.Thread(target=lambda: out.append(native.allgather(str(r).encode(), 30)))
    t.start()
    t.join()
    assert out == [[str(q).encode() for q in range(n)]], out

    expect_raises(errors.InvalidArgumentError, native.broadcast, b"x", n, 30)
    assert comm.allgather(b"still usable", 30) == [b"still usable"] * n

    if n >= 2:
        # Rank 0 waits in a barrier the others join only after rank 0 has
        # told them it gave up: it must pass its deadline, then stay broken.
        late = make_comm()
        late_native = late._native_communicator()
        ok = 0
        if r == 0:
            e = expect_raises(errors.DeadlineExceededError, late_native.barrier, 0.2)
            assert "rank 0" in str(e) and "barrier" in str(e), str(e)
            again = expect_raises(errors.DeadlineExceededError, late_native.allgather, b"x", 30)
            assert str(again) == str(e)  # sticky: the same error
            expect_raises(errors.DeadlineExceededError, late.barrier, 30)
            ok = 1
        assert side_bcast(ok) == 1
        if r != 0:
            late.barrier(30)  # completes rank 0's abandoned barrier
    print(f"rank {r}/{n}: contract ok", flush=True)


def values(seed):
    """One variable per dtype (a few elements each), from `seed`."""
    import ml_dtypes
    import numpy as np

    rng = np.random.default_rng(seed)
    out = {}
    for name in ("float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "complex64", "complex128"):
        raw = rng.integers(0, 256, size=6 * np.dtype(name).itemsize, dtype=np.uint8)
        out[name] = raw.view(name).reshape(2, 3)  # any bit pattern (NaNs included): compared as bytes
    out["bfloat16"] = rng.integers(0, 256, size=12, dtype=np.uint8).view(ml_dtypes.bfloat16).reshape(2, 3)
    out["bool"] = rng.integers(0, 2, size=5).astype(bool)
    out["string"] = np.array([bytes(rng.integers(0, 256, size=k, dtype=np.uint8)) for k in (0, 3, 7)], dtype=object)
    return out


# name -> (full shape, split axis) of the sharded tensors; the dtype is values()'s of that name.
SHARDED = {"float32": ((10, 4), 0), "int64": ((3, 7), 1), "bfloat16": ((10, 4), 1), "float16": ((3, 7), 0),
           "uint32": ((10, 4), 0), "string": ((3, 7), 1), "bool": ((10, 4), 1), "complex64": ((3, 7), 0)}


def sharded_full(seed):
    """The full sharded tensors for `seed`: bytes drawn like values()'s, reshaped."""
    import numpy as np

    rng = np.random.default_rng(seed + 1000)
    dts = values(0)
    out = {}
    for name, (shape, _) in SHARDED.items():
        count = int(np.prod(shape))
        dt = dts[name].dtype
        if dt == object:
            out[name] = np.array([bytes(rng.integers(0, 256, size=k % 5, dtype=np.uint8)) for k in range(count)],
                                 dtype=object).reshape(shape)
        elif dt == bool:
            out[name] = rng.integers(0, 2, size=count).astype(bool).reshape(shape)
        else:
            out[name] = rng.integers(0, 256, size=count * dt.itemsize, dtype=np.uint8).view(dt).reshape(shape)
    return out


def block_of(name, rank, size):
    """(start, stop) of rank's share along the split axis (np.array_split; may be empty) and the offset."""
    shape, axis = SHARDED[name]
    base, extra = divmod(shape[axis], size)
    start = rank * base + min(rank, extra)
    stop = start + base + (1 if rank < extra else 0)
    offset = [0, 0]
    offset[axis] = start
    return start, stop, tuple(offset)


def take(full, name, rank, size):
    start, stop, offset = block_of(name, rank, size)
    axis = SHARDED[name][1]
    block = full[start:stop] if axis == 0 else full[:, start:stop]
    return block.copy(), offset


def as_torch_if_possible(block):
    """A torch tensor over the block for the dtypes torch has (the caller's buffer is restored in place)."""
    import numpy as np
    import torch

    if block.dtype in (np.float32, np.float16, np.int64, np.bool_, np.complex64):
        return torch.from_numpy(block)
    return block


def sharded_variables(seed, rank, size, use_torch=False):
    out = {}
    for name, full in sharded_full(seed).items():
        block, offset = take(full, name, rank, size)
        local = as_torch_if_possible(block) if use_torch else block
        out["sharded_" + name] = ckpt.ShardedVariable(local, full_shape=full.shape, offset=offset, name=name)
    return out


def same_bits(a, b):
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object or b.dtype == object:
        return a.shape == b.shape and [bytes(x) for x in a.ravel()] == [bytes(x) for x in b.ravel()]
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def save(comm, directory, seed, use_torch=False):
    variables = {k: ckpt.Variable(v) for k, v in values(seed).items()}
    variables.update(sharded_variables(seed, comm.rank, comm.size, use_torch))
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60)
    managed = os.path.join(directory, "managed")
    if comm.size > 1 and not ckpt._ckpt._has_distributed_checkpoint():
        e = expect_raises(errors.UnimplementedError, ckpt.Checkpoint(**variables).save,
                          os.path.join(directory, "ckpt"), options=options)
        assert "several processes" in str(e), str(e)
        expect_raises(errors.UnimplementedError, ckpt.CheckpointManager, ckpt.Checkpoint(**variables), managed,
                      max_to_keep=1, options=options)
        print(f"rank {comm.rank}/{comm.size}: unimplemented", flush=True)
        return
    path = ckpt.Checkpoint(**variables).save(os.path.join(directory, "ckpt"), options=options)
    assert comm.allgather(path.encode(), 60) == [path.encode()] * comm.size
    # The same through a CheckpointManager given the communicator: rank 0 records and retains.
    manager = ckpt.CheckpointManager(ckpt.Checkpoint(**variables), managed, max_to_keep=1, options=options)
    manager.save()
    last = manager.save()
    assert last is not None and last.endswith("ckpt-2"), last
    assert comm.allgather(last.encode(), 60) == [last.encode()] * comm.size
    assert manager.checkpoints == [last], manager.checkpoints
    comm.barrier(60)
    assert ckpt.latest_checkpoint(managed) == last and not os.path.exists(last[:-1] + "1.index")
    print(f"rank {comm.rank}/{comm.size}: saved {path}", flush=True)


def save_async(comm, directory, seed, side_sum, use_torch=False):
    """`save` with enable_async: each save returns its path once the values are
    staged; plan, write, vote and commit run on the writer thread (through the
    C++ adapter, which takes the GIL) while this thread runs collectives of the
    job's own (side_sum: over MPI.COMM_WORLD / the default torch group, never
    ckpt's communicator); sync() then reports the outcome."""
    variables = {k: ckpt.Variable(v) for k, v in values(seed).items()}
    variables.update(sharded_variables(seed, comm.rank, comm.size, use_torch))
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60, enable_async=True)
    r, n = comm.rank, comm.size

    def own_collectives():
        for i in range(10):
            assert side_sum(i + r) == n * i + n * (n - 1) // 2

    checkpoint = ckpt.Checkpoint(**variables)
    path = checkpoint.save(os.path.join(directory, "ckpt"), options=options)
    own_collectives()
    checkpoint.sync()
    managed = os.path.join(directory, "managed")
    manager = ckpt.CheckpointManager(ckpt.Checkpoint(**variables), managed, max_to_keep=1, options=options)
    manager.save()
    own_collectives()
    last = manager.save()
    own_collectives()
    manager.sync()
    assert last is not None and last.endswith("ckpt-2"), last
    assert comm.allgather(path.encode() + last.encode(), 60) == [path.encode() + last.encode()] * n
    assert manager.checkpoints == [last], manager.checkpoints
    comm.barrier(60)
    assert ckpt.latest_checkpoint(managed) == last and not os.path.exists(last[:-1] + "1.index")
    assert ckpt.latest_checkpoint(directory) == path
    print(f"rank {r}/{n}: saved {path}", flush=True)


def async_refused(comm):
    """Under a thread level below MPI_THREAD_MULTIPLE an async save refuses on
    every rank before any collective, creating nothing."""
    variables = {"v": ckpt.Variable(values(1)["float32"])}
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60, enable_async=True)
    directory = "/nonexistent-ckpt-async-refused"
    e = expect_raises(errors.FailedPreconditionError, ckpt.Checkpoint(**variables).save,
                      os.path.join(directory, "ckpt"), options=options)
    assert "MPI_THREAD_MULTIPLE" in str(e), str(e)
    assert not os.path.exists(directory)
    print(f"rank {comm.rank}/{comm.size}: async refused", flush=True)


def save_io(comm, directory, seed):
    """Point-to-point messages to the last rank, then a save with it as the io rank."""
    io = comm.size - 1
    if comm.rank != io:
        for i in range(3):  # the empty message included
            comm.send(bytes([comm.rank, i]) * (i * 1000), io, 60)
    else:
        for r in range(comm.size - 1):
            for i in range(3):
                got = comm.recv(r, 60)
                assert got == bytes([r, i]) * (i * 1000), (r, i, len(got))
    variables = {k: ckpt.Variable(v) for k, v in values(seed).items()}
    variables.update(sharded_variables(seed, comm.rank, comm.size))
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60,
                                     experimental_io_device=f"/job:worker/replica:0/task:{io}/device:CPU:0")
    path = ckpt.Checkpoint(**variables).save(os.path.join(directory, "ckpt"), options=options)
    assert comm.allgather(path.encode(), 60) == [path.encode()] * comm.size
    print(f"rank {comm.rank}/{comm.size}: saved {path}", flush=True)


def restore(rank, size, directory, seed, options=None):
    import numpy as np

    want = values(seed)
    zeros = {k: np.array([b""] * v.size, dtype=object).reshape(v.shape) if v.dtype == object else np.zeros_like(v)
             for k, v in want.items()}
    got = {k: ckpt.Variable(z) for k, z in zeros.items()}
    # This job's blocks of the sharded tensors, whatever rank count saved them.
    full = sharded_full(seed)
    blocks = {}
    for name, f in full.items():
        want_block, offset = take(f, name, rank, size)
        zero = np.array([b""] * want_block.size, dtype=object).reshape(want_block.shape) \
            if want_block.dtype == object else np.zeros_like(want_block)
        blocks[name] = (want_block, zero)
        got["sharded_" + name] = ckpt.ShardedVariable(zero, full_shape=f.shape, offset=offset, name=name)
    ckpt.Checkpoint(**got).restore(ckpt.latest_checkpoint(directory), options=options).assert_consumed()
    bad = [k for k in want if not same_bits(got[k].numpy(), want[k])]
    for name, (want_block, zero) in blocks.items():
        sv = got["sharded_" + name]
        # numeric blocks are restored into the caller's array; strings into the variable's value
        restored = sv.value() if want_block.dtype == object else zero
        if not same_bits(restored, want_block):
            bad.append("sharded_" + name)
    assert not bad, f"differ after restore: {bad}"
    print(f"rank {rank}/{size}: restored {len(want) + len(blocks)} variables bit-exact", flush=True)


def restore_io(comm, directory, seed):
    """restore(path, options=...) naming the last rank as io rank: it reads for everyone. A task
    that does not exist fails on every rank before anything is read (the options reach the restore)."""
    path = ckpt.latest_checkpoint(directory)
    bad = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60, experimental_io_device="/task:9")
    e = expect_raises(errors.InvalidArgumentError, ckpt.Checkpoint(v=ckpt.Variable(0.0)).restore, path, options=bad)
    assert "task:9" in str(e) or "task 9" in str(e), str(e)
    io = comm.size - 1
    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60,
                                     experimental_io_device=f"/job:worker/replica:0/task:{io}/device:CPU:0")
    restore(comm.rank, comm.size, directory, seed, options=options)


def saver(comm, directory):
    """ckpt.Saver.save(options=CheckpointOptions(communicator=...)): one V2 checkpoint from every rank."""
    import numpy as np

    options = ckpt.CheckpointOptions(communicator=comm, collective_timeout=60)
    own = np.arange(6, dtype=np.float32) + 10 * comm.rank  # this rank's variable
    shared = np.arange(4, dtype=np.int64)  # the same on every rank: written once
    s = ckpt.Saver({f"own_{comm.rank}": own, "shared": shared}, max_to_keep=1)
    prefix = os.path.join(directory, "model")
    s.save(None, prefix, global_step=1, options=options)
    path = s.save(None, prefix, global_step=2, options=options)
    assert path == prefix + "-2", path
    assert comm.allgather(path.encode(), 60) == [path.encode()] * comm.size
    assert s.last_checkpoints == [path], s.last_checkpoints  # rank 0's retention, adopted
    if comm.size > 1:  # ranks that disagree about global_step: refused everywhere, nothing written
        e = expect_raises(ValueError, s.save, None, prefix, global_step=3 + (comm.rank == 1),
                          options=options)
        assert "rank(s) 1 disagree with rank 0" in str(e), str(e)  # the Saver raises as TF: ValueError
    comm.barrier(60)
    reader = ckpt.load_checkpoint(path)
    for r in range(comm.size):
        assert reader.get_tensor(f"own_{r}").tolist() == (np.arange(6, dtype=np.float32) + 10 * r).tolist()
    assert reader.get_tensor("shared").tolist() == [0, 1, 2, 3]
    assert not os.path.exists(prefix + "-1.index") and not os.path.exists(prefix + "-3.index")
    own[:] = 0
    s.restore(None, path)
    assert own.tolist() == (np.arange(6, dtype=np.float32) + 10 * comm.rank).tolist()
    print(f"rank {comm.rank}/{comm.size}: saver ok", flush=True)


def run_case(case, comm_factory, rank, size, args, use_torch=False, side_sum=None):
    if case == "saver":
        saver(comm_factory(), args[0])
    elif case == "save":
        save(comm_factory(), args[0], int(args[1]), use_torch)
    elif case == "save-async":
        save_async(comm_factory(), args[0], int(args[1]), side_sum, use_torch)
    elif case == "save-io":
        save_io(comm_factory(), args[0], int(args[1]))
    elif case == "restore-io":
        restore_io(comm_factory(), args[0], int(args[1]))
    elif case == "restore":  # DIR SEED [DIR SEED ...]: one job restores several checkpoints
        for i in range(0, len(args), 2):
            restore(rank, size, args[i], int(args[i + 1]))
    else:
        raise SystemExit("unknown case " + case)


def run_mpi4py(case, args):
    if case == "async-funneled":
        import mpi4py

        mpi4py.rc.thread_level = "funneled"
    from mpi4py import MPI

    make = lambda: ckpt.distributed.from_mpi4py(MPI.COMM_WORLD)  # noqa: E731
    if case == "contract":
        contract(make, lambda v: MPI.COMM_WORLD.bcast(v, root=0))
    elif case == "async-funneled":
        assert MPI.Query_thread() < MPI.THREAD_MULTIPLE
        async_refused(make())
    else:
        run_case(case, make, MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size(), args,
                 side_sum=lambda v: MPI.COMM_WORLD.allreduce(v))


def _torch_sum(dist, v):
    import torch

    t = torch.tensor([v], dtype=torch.int64)
    dist.all_reduce(t)  # the default group: the job's own, not ckpt's
    return int(t.item())


def _torch_worker(rank, world, port, case, args):
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    dist.init_process_group("gloo", rank=rank, world_size=world)

    def side_bcast(v):
        box = [v]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    try:
        if case.startswith("contract"):
            contract(ckpt.distributed.from_torch, side_bcast)
        if case == "contract+save":  # one spawn for both: each torch rank costs seconds to start
            run_case("save", ckpt.distributed.from_torch, rank, world, args, use_torch=True)
        elif case != "contract":
            run_case(case, ckpt.distributed.from_torch, rank, world, args, use_torch=True,
                     side_sum=lambda v: _torch_sum(dist, v))
    finally:
        dist.destroy_process_group()


def run_torch(case, world, args):
    import socket

    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_torch_worker, args=(world, port, case, args), nprocs=world, join=True)


if __name__ == "__main__":
    transport, case = sys.argv[1], sys.argv[2]
    if transport == "mpi4py":
        run_mpi4py(case, sys.argv[3:])
    else:
        run_torch(case, int(sys.argv[3]), sys.argv[4:])
