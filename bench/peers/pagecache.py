"""Durability and page-cache state of one peer's files: fsync, evict, load, and measure residency.

Cold means: every file of the peer was fsynced, then posix_fadvise(POSIX_FADV_DONTNEED) dropped its
cached pages (only these files: the rest of the machine's cache stays, unlike drop_caches), and
mincore() over a mapping confirms what is still resident. Warm means: every file was read
through the page cache just before (untimed), and mincore() confirms it is resident.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
from typing import Iterable, List

import numpy as np

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
_MAP_FAILED = ctypes.c_void_p(-1).value


def files(root: str) -> List[str]:
    out = []
    for d, _, names in os.walk(root):
        out.extend(os.path.join(d, n) for n in names)
    return sorted(out)


def disk_bytes(root: str) -> int:
    return sum(os.path.getsize(p) for p in files(root))


def fsync_tree(root: str) -> None:
    """fsync every file under root, then every directory bottom-up, then root's parent."""
    dirs = []
    for d, _, names in os.walk(root):
        dirs.append(d)
        for n in names:
            fd = os.open(os.path.join(d, n), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for d in reversed(dirs + [os.path.dirname(os.path.abspath(root))]):
        fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def evict(root: str) -> None:
    """Drops the (clean: call after fsync_tree) cached pages of every file under root."""
    evict_files(files(root))


def evict_files(paths: Iterable[str]) -> None:
    """fdatasync each file, then drops its cached pages (they are clean then, so all of them go)."""
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def load(root: str, chunk: int = 64 << 20) -> None:
    """Reads every file under root through the page cache, so it is resident."""
    buf = bytearray(chunk)
    for p in files(root):
        with open(p, "rb", buffering=0) as f:
            while f.readinto(buf) == chunk:
                pass


def resident_fraction(root: str) -> float:
    """Fraction of the pages of the files under root that are in the page cache (mincore)."""
    page = mmap.PAGESIZE
    total = resident = 0
    for p in files(root):
        size = os.path.getsize(p)
        if size == 0:
            continue
        pages = (size + page - 1) // page
        fd = os.open(p, os.O_RDONLY)
        try:
            addr = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if addr in (None, _MAP_FAILED):
                raise OSError(ctypes.get_errno(), f"mmap {p}")
            try:
                vec = ctypes.create_string_buffer(pages)
                if _libc.mincore(addr, size, vec) != 0:
                    raise OSError(ctypes.get_errno(), f"mincore {p}")
                resident += int(np.count_nonzero(np.frombuffer(vec.raw, np.uint8) & 1))
            finally:
                _libc.munmap(addr, size)
        finally:
            os.close(fd)
        total += pages
    return resident / total if total else 1.0
