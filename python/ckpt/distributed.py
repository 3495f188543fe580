"""Communicators for saving one checkpoint from many processes (``ckpt.distributed``).

A distributed save exchanges only metadata between the processes (the list of
values each holds, each one's vote, the published path); tensor bytes go from
each process straight to storage. A communicator carries that metadata over a
transport the job already has — ckpt brings none of its own and the wheel
links no MPI:

* ``from_mpi4py(comm)``: over an mpi4py communicator (e.g. ``MPI.COMM_WORLD``).
  Collective: every rank calls it. Works on its own ``comm.Dup()``.
* ``from_torch(group=None)``: over a ``torch.distributed`` process group (the
  default group when None). Collective over the default group: every rank
  calls it (it creates its own gloo group with ``new_group``).

Both have ``rank``, ``size`` and the collectives ``allgather(data, timeout)``,
``broadcast(data, root, timeout)``, ``barrier(timeout)`` (bytes in and out,
``timeout`` in seconds or None) and ``abort(reason)``, with the contract of
the C++ Communicator (docs/distributed.md):

* every rank calls the same collectives in the same order;
* a collective the other ranks do not all join within ``timeout`` raises
  ``ckpt.errors.DeadlineExceededError`` naming the collective and the rank;
  it is polled (non-blocking collective + short sleeps), never blocked on;
* after a failed collective the communicator is broken: every later call
  raises the same error;
* ``abort(reason)`` ends the job, as MPI_Abort does — neither MPI nor gloo can
  wake a peer blocked in a collective: with mpi4py it calls ``Abort`` on the
  duplicate, with torch the process exits (status 70) and its peers' gloo
  calls fail;
* point-to-point ``send(data, dest, timeout)`` / ``recv(src, timeout)``: used
  only by saves with an io rank (``CheckpointOptions(experimental_io_device=
  "/task:R")``), where the other ranks stream their tensor bytes to rank R in
  chunks of 4 MiB; messages between two ranks arrive whole and in order;
  ``send`` returns once the transport completed it; both poll against the
  timeout like the collectives (mpi4py: ``Isend``/``Irecv`` of a length, then
  the bytes, on the duplicate; torch: ``isend``/``irecv`` on ckpt's gloo group);
* threads: one collective at a time per rank, from any thread (an async save
  runs them on its writer thread) — with mpi4py that needs
  ``MPI_THREAD_MULTIPLE`` (mpi4py's default); under a lower level a collective
  off the main thread raises FailedPreconditionError, and an async save
  (``CheckpointOptions(communicator=comm, enable_async=True)``) raises it on
  every rank before any collective. Do not call the communicator yourself while
  an async save may be in flight (``Checkpoint.sync()`` first): its collectives
  are the save's; use your own (``MPI.COMM_WORLD``, the default torch group).

Pass the communicator as ``ckpt.CheckpointOptions(communicator=comm)``.
"""

from __future__ import annotations

import os as _os
import sys as _sys
import time as _time
from typing import Any as _Any
from typing import List as _List
from typing import Optional as _Optional

from . import errors as _errors

# Largest contribution of one rank to one collective (the C++ kMaxCollectiveBytes).
_MAX_BYTES = 256 << 20
# Largest point-to-point message (the C++ kMaxMessageBytes).
_MAX_MESSAGE = 1 << 30


class Communicator:
    """Base of the communicators: the contract above. Subclasses provide
    ``_allgather(data, deadline)``, ``_broadcast(data, root, deadline)``,
    ``_barrier(deadline)`` and ``_abort(reason)`` (deadline: time.monotonic()
    value or None) and may raise ckpt.errors exceptions."""

    def __init__(self, rank: int, size: int) -> None:
        self._rank = int(rank)
        self._size = int(size)
        self._calls = 0
        self._broken: _Optional[BaseException] = None
        self._aborted = False
        self._native: _Any = None
        # Requests given up at a deadline: MPI/gloo may still complete them (and
        # write into their buffers), so they live as long as the communicator.
        self._abandoned: list = []

    @property
    def rank(self) -> int:
        return self._rank

    @property
    def size(self) -> int:
        return self._size

    def allgather(self, data: bytes, timeout: _Optional[float] = None) -> _List[bytes]:
        """Every rank's ``data``, by rank."""
        data = bytes(data)
        self._check("allgather", len(data))
        return self._run(lambda d: self._allgather(data, d), timeout)

    def broadcast(self, data: bytes, root: int, timeout: _Optional[float] = None) -> bytes:
        """Rank ``root``'s ``data`` (ignored elsewhere) on every rank."""
        data = bytes(data)
        if not 0 <= root < self._size:
            raise _errors.InvalidArgumentError(None, None, f"broadcast: root {root} outside [0, {self._size})")
        self._check("broadcast", len(data) if root == self._rank else 0)
        return self._run(lambda d: self._broadcast(data, root, d), timeout)

    def barrier(self, timeout: _Optional[float] = None) -> None:
        """Returns once every rank has entered the barrier."""
        self._check("barrier", 0)
        self._run(self._barrier, timeout)

    def send(self, data: bytes, dest: int, timeout: _Optional[float] = None) -> None:
        """Sends ``data`` to rank ``dest`` (another rank)."""
        data = bytes(data)
        self._check_peer("send", dest)
        self._check("send", 0)
        if len(data) > _MAX_MESSAGE:
            raise _errors.InvalidArgumentError(None, None, f"send: {len(data)} bytes exceed {_MAX_MESSAGE}")
        self._run(lambda d: self._send(data, dest, d), timeout)

    def recv(self, src: int, timeout: _Optional[float] = None) -> bytes:
        """The next message from rank ``src`` (another rank)."""
        self._check_peer("recv", src)
        self._check("recv", 0)
        return self._run(lambda d: self._recv(src, d), timeout)

    def _check_peer(self, op: str, peer: int) -> None:
        if not 0 <= peer < self._size or peer == self._rank:
            raise _errors.InvalidArgumentError(None, None,
                                               f"{op}: peer {peer} is not another rank of [0, {self._size})")

    def abort(self, reason: str) -> None:
        """Gives up on the group: ends the job (see the module docstring)."""
        if self._broken is None:
            self._broken = _errors.AbortedError(None, None, f"rank {self._rank} aborted the group: {reason}")
        if self._aborted:
            return
        self._aborted = True
        print(f"ckpt: rank {self._rank} aborts the job: {reason}", file=_sys.stderr, flush=True)
        self._abort(reason)

    # ---- shared machinery ----

    def _check(self, op: str, nbytes: int) -> None:
        if self._broken is not None:
            raise self._broken
        if nbytes > _MAX_BYTES:
            raise _errors.InvalidArgumentError(None, None, f"{op}: {nbytes} bytes exceed {_MAX_BYTES}")

    def _run(self, fn: _Any, timeout: _Optional[float]) -> _Any:
        self._calls += 1
        deadline = None if timeout is None else _time.monotonic() + max(0.0, float(timeout))
        try:
            return fn(deadline)
        except _errors.OpError as e:
            if e.error_code != _errors.INVALID_ARGUMENT:  # a bad argument, seen alike by every rank: not sticky
                self._broken = e
            raise
        except Exception as e:  # the transport's own errors (a dead peer, ...)
            err = _errors.UnavailableError(None, None, f"rank {self._rank}: {type(e).__name__}: {e}")
            self._broken = err
            raise err from e

    def _poll(self, done: _Any, op: str, phase: str, deadline: _Optional[float], keep: _Any,
              max_nap: float = 1e-3) -> None:
        """Waits for done() with sleeps from 20 µs doubling to 1 ms (a waiting
        rank costs no core); past the deadline keeps `keep` (what the transport
        may still write into) and raises DeadlineExceededError."""
        nap = 20e-6
        while not done():
            if self._aborted and self._broken is not None:
                self._abandoned.append(keep)
                raise self._broken
            now = _time.monotonic()
            if deadline is not None and now >= deadline:
                self._abandoned.append(keep)
                raise _errors.DeadlineExceededError(
                    None, None,
                    f"rank {self._rank}, collective #{self._calls - 1} ({op}, {phase}): deadline passed before "
                    f"every rank of {self._size} arrived" if not op.startswith(("send", "recv")) else
                    f"rank {self._rank}, call #{self._calls - 1} ({op}, {phase}): deadline passed waiting for the peer")
            _time.sleep(nap if deadline is None else min(nap, deadline - now + 1e-6))
            nap = min(nap * 2, max_nap)

    def _check_background_collectives(self) -> None:
        """Raises FailedPreconditionError when collectives cannot run on another
        thread than the caller's while the caller keeps using the transport (what
        an async save does). The C++ adapter asks before an async save."""

    def _native_communicator(self) -> _Any:
        """The C++ Communicator over this object (ckpt._ckpt._Communicator),
        what CheckpointOptions hands to a save. Made once."""
        if self._native is None:
            from . import _ckpt

            self._native = _ckpt._Communicator(self)
        return self._native

    def __repr__(self) -> str:
        return f"<{type(self).__name__} rank {self._rank} of {self._size}>"

    # Subclass hooks.
    def _allgather(self, data: bytes, deadline: _Optional[float]) -> _List[bytes]:
        raise NotImplementedError

    def _broadcast(self, data: bytes, root: int, deadline: _Optional[float]) -> bytes:
        raise NotImplementedError

    def _barrier(self, deadline: _Optional[float]) -> None:
        raise NotImplementedError

    def _abort(self, reason: str) -> None:
        raise NotImplementedError

    def _send(self, data: bytes, dest: int, deadline: _Optional[float]) -> None:
        raise _errors.UnimplementedError(None, None, f"{type(self).__name__} has no point-to-point send")

    def _recv(self, src: int, deadline: _Optional[float]) -> bytes:
        raise _errors.UnimplementedError(None, None, f"{type(self).__name__} has no point-to-point recv")


class _Mpi4pyCommunicator(Communicator):
    def __init__(self, comm: _Any) -> None:
        from mpi4py import MPI
        import numpy as np

        self._MPI = MPI
        self._np = np
        self._comm = comm.Dup()  # our own: never matches the caller's messages
        super().__init__(self._comm.Get_rank(), self._comm.Get_size())
        self._thread_level = MPI.Query_thread()

    def _ready(self, op: str) -> None:
        if self._thread_level < self._MPI.THREAD_MULTIPLE and not self._MPI.Is_thread_main():
            raise _errors.FailedPreconditionError(
                None, None,
                f"{op} on rank {self._rank} was called off the thread that initialised MPI, but MPI provides "
                f"thread level {self._thread_level}; initialise MPI with MPI_THREAD_MULTIPLE (mpi4py's default) "
                "to run collectives on other threads")

    def _check_background_collectives(self) -> None:
        if self._thread_level < self._MPI.THREAD_MULTIPLE:
            raise _errors.FailedPreconditionError(
                None, None,
                f"an asynchronous distributed save runs its collectives on a background thread, but MPI provides "
                f"thread level {self._thread_level} on rank {self._rank}; initialise MPI with MPI_THREAD_MULTIPLE "
                "(mpi4py's default), or save synchronously")

    def _wait(self, req: _Any, op: str, phase: str, deadline: _Optional[float], keep: _Any) -> None:
        # MPI_Test progresses a large point-to-point message fragment by fragment: short naps for those.
        p2p = op.startswith(("send", "recv"))
        self._poll(req.Test, op, phase, deadline, (req, keep), 50e-6 if p2p else 1e-3)

    def _allgather(self, data: bytes, deadline: _Optional[float]) -> _List[bytes]:
        self._ready("allgather")
        np, MPI = self._np, self._MPI
        mine = np.array([len(data)], dtype=np.uint64)
        lens = np.zeros(self._size, dtype=np.uint64)
        req = self._comm.Iallgather([mine, MPI.UINT64_T], [lens, MPI.UINT64_T])
        self._wait(req, "allgather", "lengths", deadline, (mine, lens))
        counts = [int(n) for n in lens]
        if sum(counts) > 0x7FFFFFFF:
            raise _errors.InvalidArgumentError(None, None, f"allgather: {sum(counts)} bytes exceed one MPI collective")
        displs = [sum(counts[:r]) for r in range(self._size)]
        send = np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, dtype=np.uint8)
        recv = np.zeros(sum(counts), dtype=np.uint8)
        req = self._comm.Iallgatherv([send, MPI.BYTE], [recv, (counts, displs), MPI.BYTE])
        self._wait(req, "allgather", "bytes", deadline, (send, recv))
        raw = recv.tobytes()
        return [raw[d:d + c] for d, c in zip(displs, counts)]

    def _broadcast(self, data: bytes, root: int, deadline: _Optional[float]) -> bytes:
        self._ready("broadcast")
        np, MPI = self._np, self._MPI
        length = np.array([len(data) if self._rank == root else 0], dtype=np.uint64)
        req = self._comm.Ibcast([length, MPI.UINT64_T], root=root)
        self._wait(req, "broadcast", "length", deadline, length)
        n = int(length[0])
        if n == 0:
            return b""
        buf = np.frombuffer(bytearray(data), dtype=np.uint8) if self._rank == root else np.zeros(n, dtype=np.uint8)
        req = self._comm.Ibcast([buf, MPI.BYTE], root=root)
        self._wait(req, "broadcast", "bytes", deadline, buf)
        return buf.tobytes()

    def _barrier(self, deadline: _Optional[float]) -> None:
        self._ready("barrier")
        req = self._comm.Ibarrier()
        self._wait(req, "barrier", "enter", deadline, None)

    def _abort(self, reason: str) -> None:
        self._comm.Abort(70)

    _TAG = 1

    def _send(self, data: bytes, dest: int, deadline: _Optional[float]) -> None:
        self._ready("send")
        np, MPI = self._np, self._MPI
        length = np.array([len(data)], dtype=np.uint64)
        req = self._comm.Isend([length, MPI.UINT64_T], dest=dest, tag=self._TAG)
        self._wait(req, f"send to rank {dest}", "length", deadline, length)
        if data:
            buf = np.frombuffer(data, dtype=np.uint8)
            req = self._comm.Isend([buf, MPI.BYTE], dest=dest, tag=self._TAG)
            self._wait(req, f"send to rank {dest}", "bytes", deadline, buf)

    def _recv(self, src: int, deadline: _Optional[float]) -> bytes:
        self._ready("recv")
        np, MPI = self._np, self._MPI
        length = np.zeros(1, dtype=np.uint64)
        req = self._comm.Irecv([length, MPI.UINT64_T], source=src, tag=self._TAG)
        self._wait(req, f"recv from rank {src}", "length", deadline, length)
        n = int(length[0])
        if n > _MAX_MESSAGE:
            raise _errors.DataLossError(None, None, f"recv: rank {src} announced {n} bytes, over the limit")
        if n == 0:
            return b""
        buf = np.empty(n, dtype=np.uint8)
        req = self._comm.Irecv([buf, MPI.BYTE], source=src, tag=self._TAG)
        self._wait(req, f"recv from rank {src}", "bytes", deadline, buf)
        return buf.tobytes()


class _TorchCommunicator(Communicator):
    def __init__(self, group: _Any = None) -> None:
        import torch
        import torch.distributed as dist

        self._torch = torch
        self._dist = dist
        ranks = None if group is None else dist.get_process_group_ranks(group)
        # Our own gloo group (every rank of the default group must call new_group):
        # ckpt's collectives never interleave with the caller's, on any backend.
        self._group = dist.new_group(ranks=ranks, backend="gloo")
        super().__init__(dist.get_rank(self._group), dist.get_world_size(self._group))

    def _wait(self, work: _Any, op: str, phase: str, deadline: _Optional[float], keep: _Any) -> None:
        if op.startswith(("send", "recv")):
            return self._wait_p2p(work, op, phase, deadline, keep)
        self._poll(work.is_completed, op, phase, deadline, (work, keep))
        work.wait()  # raises the transport's error, if any

    def _allgather(self, data: bytes, deadline: _Optional[float]) -> _List[bytes]:
        torch, dist = self._torch, self._dist
        mine = torch.tensor([len(data)], dtype=torch.int64)
        lens = [torch.zeros(1, dtype=torch.int64) for _ in range(self._size)]
        work = dist.all_gather(lens, mine, group=self._group, async_op=True)
        self._wait(work, "allgather", "lengths", deadline, (mine, lens))
        counts = [int(t.item()) for t in lens]
        longest = max(counts)
        if longest == 0:
            return [b""] * self._size
        # gloo gathers equal sizes: pad to the longest contribution.
        send = torch.zeros(longest, dtype=torch.uint8)
        if data:
            send[: len(data)] = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        recv = [torch.zeros(longest, dtype=torch.uint8) for _ in range(self._size)]
        work = dist.all_gather(recv, send, group=self._group, async_op=True)
        self._wait(work, "allgather", "bytes", deadline, (send, recv))
        return [bytes(t[:c].numpy().tobytes()) for t, c in zip(recv, counts)]

    def _broadcast(self, data: bytes, root: int, deadline: _Optional[float]) -> bytes:
        torch, dist = self._torch, self._dist
        src = dist.get_global_rank(self._group, root)
        length = torch.tensor([len(data) if self._rank == root else 0], dtype=torch.int64)
        work = dist.broadcast(length, src=src, group=self._group, async_op=True)
        self._wait(work, "broadcast", "length", deadline, length)
        n = int(length.item())
        if n == 0:
            return b""
        if self._rank == root:
            buf = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        else:
            buf = torch.zeros(n, dtype=torch.uint8)
        work = dist.broadcast(buf, src=src, group=self._group, async_op=True)
        self._wait(work, "broadcast", "bytes", deadline, buf)
        return buf.numpy().tobytes()

    def _barrier(self, deadline: _Optional[float]) -> None:
        work = self._dist.barrier(group=self._group, async_op=True)
        self._wait(work, "barrier", "enter", deadline, None)

    def _wait_p2p(self, work: _Any, op: str, phase: str, deadline: _Optional[float], keep: _Any) -> None:
        # gloo's isend/irecv work reports completion only through wait(): wait with the time left
        # (gloo's own timeout on the transfer) instead of polling is_completed().
        import datetime

        if deadline is None:
            work.wait()
            return
        left = max(1e-3, deadline - _time.monotonic())
        try:
            work.wait(timeout=datetime.timedelta(seconds=left))
        except RuntimeError as e:
            if "time" not in str(e).lower():
                raise
            self._abandoned.append((work, keep))
            raise _errors.DeadlineExceededError(
                None, None, f"rank {self._rank}, call #{self._calls - 1} ({op}, {phase}): deadline passed "
                f"waiting for the peer ({e})") from e

    def _send(self, data: bytes, dest: int, deadline: _Optional[float]) -> None:
        torch, dist = self._torch, self._dist
        dst = dist.get_global_rank(self._group, dest)
        length = torch.tensor([len(data)], dtype=torch.int64)
        work = dist.isend(length, dst=dst, group=self._group)
        self._wait(work, f"send to rank {dest}", "length", deadline, length)
        if data:
            buf = torch.frombuffer(bytearray(data), dtype=torch.uint8)
            work = dist.isend(buf, dst=dst, group=self._group)
            self._wait(work, f"send to rank {dest}", "bytes", deadline, buf)

    def _recv(self, src: int, deadline: _Optional[float]) -> bytes:
        torch, dist = self._torch, self._dist
        peer = dist.get_global_rank(self._group, src)
        length = torch.zeros(1, dtype=torch.int64)
        work = dist.irecv(length, src=peer, group=self._group)
        self._wait(work, f"recv from rank {src}", "length", deadline, length)
        n = int(length.item())
        if n > _MAX_MESSAGE or n < 0:
            raise _errors.DataLossError(None, None, f"recv: rank {src} announced {n} bytes, over the limit")
        if n == 0:
            return b""
        buf = torch.empty(n, dtype=torch.uint8)
        work = dist.irecv(buf, src=peer, group=self._group)
        self._wait(work, f"recv from rank {src}", "bytes", deadline, buf)
        return buf.numpy().tobytes()

    def _abort(self, reason: str) -> None:
        _sys.stdout.flush()
        _os._exit(70)  # gloo cannot wake blocked peers; ending this process fails their calls


def from_mpi4py(comm: _Any) -> Communicator:
    """A communicator over an mpi4py communicator (collective: every rank calls it)."""
    return _Mpi4pyCommunicator(comm)


def from_torch(group: _Any = None) -> Communicator:
    """A communicator over a torch.distributed process group, the default one when None
    (collective over the default group: every rank calls it)."""
    return _TorchCommunicator(group)


del annotations
__all__ = ["Communicator", "from_mpi4py", "from_torch"]
