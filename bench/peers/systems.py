"""The peers: one class per system, each saving and restoring the state its own usual way.

Every class has
  prepare(arrays)   untimed: build the system's objects over the arrays (Variables, tensors, trees);
                    a system that copies them may pop them out of the dict, so at 8 GiB the
                    process never holds three copies
  save(dir)         timed: write the checkpoint into the (existing, empty) directory `dir`; the
                    harness then fsyncs every file and directory under it, inside the timed save
  drop_source()     untimed, after the last save: release the saved arrays (restores need only
                    shapes), so a restore that allocates its result has the memory the source had
  clobber()         untimed: overwrite restore destinations that persist (so a restore that did
                    nothing cannot pass verification)
  restore(dir)      timed: read it back; returns {name: array-like} for verification (untimed)
  close()           untimed: release what the system holds

Restores use each system's normal API: ckpt and TensorFlow restore into the objects the caller
already holds (pre-faulted memory); torch.load, safetensors, np.load and Orbax return new arrays
(their allocation and page faults are part of their restore).
Frameworks are imported only in the process of the system that uses them.
"""
from __future__ import annotations

import mmap
import os
from typing import Dict, Mapping

import numpy as np

from arrays import PAGE

CHUNK = 4 << 20  # raw O_DIRECT transfer size, as bench/bundle_bench.cc
WARM_CHUNK = 64 << 20  # raw buffered reads from the page cache


class NewArraysOnRestore:
    """Base of the systems whose restore returns new arrays (torch, safetensors, Orbax, numpy): no
    restore destination persists, so clobber() has nothing to overwrite; close() releases nothing
    unless the system overrides it."""

    def clobber(self) -> None:
        pass

    def close(self) -> None:
        pass


def huge_page_map(size: int) -> mmap.mmap:
    """Anonymous memory advised MADV_HUGEPAGE before it is touched. On virtio disks an O_DIRECT
    request carries at most max_segments (254) memory segments, so transfers from or into 4 KiB
    pages go out as ~1 MiB device requests and reach about half the disk's speed; from 2 MiB pages
    they go out whole. The raw baseline uses this memory so that it is the disk's limit."""
    # Private: Python's default anonymous mapping is MAP_SHARED (shmem), which THP ignores.
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        m.madvise(mmap.MADV_HUGEPAGE)
    return m


class Raw:
    """The same bytes with no format: one file, each tensor at a 4 KiB-aligned offset, written with
    O_DIRECT in 4 MiB chunks from huge-page memory (huge_page_map) + fdatasync; read cold with
    O_DIRECT into huge-page memory, warm with plain buffered preadv from the page cache in 64 MiB
    chunks, into pre-faulted memory."""

    label = "raw O_DIRECT"

    def prepare(self, arrays: Dict[str, np.ndarray]) -> None:
        self.entries = []  # (name, shape, offset, nbytes)
        off = 0
        for name, a in arrays.items():
            self.entries.append((name, a.shape, off, a.nbytes))
            off += (a.nbytes + PAGE - 1) // PAGE * PAGE
        self.size = max(off, PAGE)
        self.src = huge_page_map(self.size)
        for name, shape, o, n in self.entries:
            np.frombuffer(self.src, np.uint8, n, o)[:] = arrays.pop(name).reshape(-1).view(np.uint8)
        self.dst = huge_page_map(self.size)
        np.frombuffer(self.dst, np.uint8)[:] = 1  # touched: no page faults in the timed reads
        self.src_view = memoryview(self.src)
        self.dst_view = memoryview(self.dst)

    def save(self, d: str) -> None:
        fd = os.open(os.path.join(d, "raw.bin"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT, 0o644)
        try:
            for off in range(0, self.size, CHUNK):
                view = self.src_view[off:min(off + CHUNK, self.size)]
                if os.pwrite(fd, view, off) != len(view):
                    raise OSError("short O_DIRECT write")
            os.fdatasync(fd)
        finally:
            os.close(fd)

    def drop_source(self) -> None:
        self.src_view.release()
        self.src.close()

    def clobber(self) -> None:
        np.frombuffer(self.dst, np.uint8)[:] = 0

    def _read(self, d: str, flags: int, chunk: int) -> Dict[str, np.ndarray]:
        fd = os.open(os.path.join(d, "raw.bin"), os.O_RDONLY | flags)
        try:
            for off in range(0, self.size, chunk):
                view = self.dst_view[off:min(off + chunk, self.size)]
                if os.preadv(fd, [view], off) != len(view):
                    raise OSError("short read")
        finally:
            os.close(fd)
        return {name: np.frombuffer(self.dst, np.float32, n // 4, o).reshape(shape)
                for name, shape, o, n in self.entries}

    def restore(self, d: str, warm: bool = False) -> Dict[str, np.ndarray]:
        return self._read(d, 0, WARM_CHUNK) if warm else self._read(d, os.O_DIRECT, CHUNK)

    def close(self) -> None:
        self.dst_view.release()
        self.dst.close()


class Ckpt:
    """ckpt (this project's Python package): Checkpoint(**arrays).write(prefix); a second Checkpoint
    over pre-faulted numpy arrays of the same shapes, .read(prefix) in place."""

    label = "ckpt"

    def prepare(self, arrays: Mapping[str, np.ndarray]) -> None:
        import ckpt

        self.ckpt = ckpt
        self.saver = ckpt.Checkpoint(**arrays)
        self.shapes = {k: a.shape for k, a in arrays.items()}

    def save(self, d: str) -> None:
        self.saver.write(os.path.join(d, "ckpt"))

    def drop_source(self) -> None:
        del self.saver
        self.dest = {k: np.ones(shape, np.float32) for k, shape in self.shapes.items()}  # written: pre-faulted
        self.loader = self.ckpt.Checkpoint(**self.dest)

    def clobber(self) -> None:
        for a in self.dest.values():
            a.fill(0)

    def restore(self, d: str, warm: bool = False) -> Mapping[str, np.ndarray]:
        self.loader.read(os.path.join(d, "ckpt")).assert_consumed()
        return self.dest

    def close(self) -> None:
        del self.loader


class TensorFlow:
    """tf.train.Checkpoint of tf.Variables (made from the arrays): write(prefix) (no fsync of its
    own), read(prefix) into the same Variables (assign in place)."""

    label = "TensorFlow"

    def prepare(self, arrays: Dict[str, np.ndarray]) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        self.tf = tf
        with tf.device("/cpu:0"):
            self.vars = {k: tf.Variable(arrays.pop(k)) for k in list(arrays)}
        self.ckpt = tf.train.Checkpoint(**self.vars)

    def save(self, d: str) -> None:
        self.ckpt.write(os.path.join(d, "tf"))

    def drop_source(self) -> None:
        pass  # the Variables are the restore's destination too

    def clobber(self) -> None:
        for v in self.vars.values():
            v.assign(self.tf.zeros_like(v))

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        self.ckpt.read(os.path.join(d, "tf")).assert_consumed()
        return self.vars

    def close(self) -> None:
        del self.ckpt, self.vars


class Torch(NewArraysOnRestore):
    """torch.save of a dict of CPU tensors sharing the arrays' memory (torch.from_numpy), one file
    (no fsync of its own); torch.load(weights_only=True) returns new tensors."""

    label = "torch.save/load"

    def prepare(self, arrays: Mapping[str, np.ndarray]) -> None:
        import torch

        self.torch = torch
        self.state = {k: torch.from_numpy(a) for k, a in arrays.items()}

    def save(self, d: str) -> None:
        self.torch.save(self.state, os.path.join(d, "model.pt"))

    def drop_source(self) -> None:
        del self.state

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        return self.torch.load(os.path.join(d, "model.pt"), weights_only=True)


class SafetensorsLoadFile(NewArraysOnRestore):
    """safetensors.numpy.save_file (no fsync of its own) / load_file: new numpy arrays."""

    label = "safetensors load_file"

    def prepare(self, arrays: Mapping[str, np.ndarray]) -> None:
        import safetensors.numpy

        self.st = safetensors.numpy
        self.arrays = arrays

    def save(self, d: str) -> None:
        self.st.save_file(self.arrays, os.path.join(d, "model.safetensors"))

    def drop_source(self) -> None:
        del self.arrays

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        return self.st.load_file(os.path.join(d, "model.safetensors"))


class SafetensorsSafeOpen(SafetensorsLoadFile):
    """The same file, restored tensor by tensor: safe_open(framework="np").get_tensor(key)."""

    label = "safetensors safe_open"

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        from safetensors import safe_open

        with safe_open(os.path.join(d, "model.safetensors"), framework="np") as f:
            return {k: f.get_tensor(k) for k in f.keys()}


class Orbax(NewArraysOnRestore):
    """orbax-checkpoint's StandardCheckpointer over the dict of arrays as the PyTree (its defaults:
    OCDBT + zarr3 through TensorStore); save() + wait_until_finished(); restore(path, target) with
    a tree of numpy arrays of the same shapes as the target returns new numpy arrays."""

    label = "Orbax"

    def prepare(self, arrays: Mapping[str, np.ndarray]) -> None:
        import logging

        import orbax.checkpoint as ocp

        logging.getLogger("absl").setLevel(logging.ERROR)
        self.tree = dict(arrays)
        self.ckptr = ocp.StandardCheckpointer()

    def save(self, d: str) -> None:
        self.ckptr.save(os.path.join(os.path.abspath(d), "orbax"), self.tree)
        self.ckptr.wait_until_finished()

    def drop_source(self) -> None:
        # np.empty: never written, so never faulted in: the target costs no memory
        self.tree = {k: np.empty(a.shape, a.dtype) for k, a in self.tree.items()}

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        return self.ckptr.restore(os.path.join(os.path.abspath(d), "orbax"), self.tree)

    def close(self) -> None:
        self.ckptr.close()
        del self.tree


class Numpy(NewArraysOnRestore):
    """np.savez (an uncompressed zip, no fsync of its own) / np.load: new arrays per key."""

    label = "np.savez/load"

    def prepare(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays = arrays

    def save(self, d: str) -> None:
        np.savez(os.path.join(d, "model.npz"), **self.arrays)

    def drop_source(self) -> None:
        del self.arrays

    def restore(self, d: str, warm: bool = False) -> Mapping[str, object]:
        with np.load(os.path.join(d, "model.npz")) as f:
            return {k: f[k] for k in f.files}


# Order of the table and the chart: the two references first, then the peers.
SYSTEMS = {
    "raw": Raw,
    "ckpt": Ckpt,
    "tf": TensorFlow,
    "torch": Torch,
    "safetensors": SafetensorsLoadFile,
    "safetensors-open": SafetensorsSafeOpen,
    "orbax": Orbax,
    "numpy": Numpy,
}
