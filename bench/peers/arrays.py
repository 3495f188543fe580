"""The benchmark's arrays: the same bytes for every peer, and their check after a restore.

`count` float32 tensors totalling `total` bytes (shape [n/1024, 1024] when n divides, else [n]),
filled from a seeded generator per tensor, so each peer's process makes the same values and a
restore can be verified by making them again one tensor at a time (no second copy of the state).
The arrays are allocated by numpy as a user's would be: large ones start 16 bytes past a page.
"""
from __future__ import annotations

import re
from typing import Dict, List, Mapping, Tuple

import numpy as np

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
PAGE = 4096


def parse_size(text: str) -> int:
    """'8M', '1G', '1.5GiB', '4096' -> bytes (K/M/G/T are binary units)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 8M, 1G, 8G)")
    scale = {"": 1, "K": KIB, "M": MIB, "G": GIB, "T": 1 << 40}[m.group(2).upper()]
    return int(float(m.group(1)) * scale)


def shape_for(n: int) -> Tuple[int, ...]:
    return (n // 1024, 1024) if n >= 1024 and n % 1024 == 0 else (n,)


def layout(total_bytes: int, count: int) -> List[Tuple[str, Tuple[int, ...]]]:
    """[(name, shape)] of `count` float32 tensors whose sizes add up to total_bytes (rounded down to 4)."""
    if count < 1 or total_bytes < 4 * count:
        raise ValueError(f"{total_bytes} bytes cannot hold {count} non-empty float32 tensors")
    floats = total_bytes // 4
    sizes = [floats // count + (1 if i < floats % count else 0) for i in range(count)]
    return [(f"t{i:05d}", shape_for(n)) for i, n in enumerate(sizes)]


def total_bytes(lay: List[Tuple[str, Tuple[int, ...]]]) -> int:
    return sum(4 * int(np.prod(shape)) for _, shape in lay)


def fill(out: np.ndarray, index: int) -> np.ndarray:
    """Writes tensor `index`'s values into `out` (float32, C-contiguous); values in [-0.5, 0.5)."""
    flat = out.reshape(-1)
    np.random.default_rng(index + 1).random(out=flat, dtype=np.float32)
    flat -= np.float32(0.5)
    return out


def make_arrays(lay: List[Tuple[str, Tuple[int, ...]]]) -> Dict[str, np.ndarray]:
    return {name: fill(np.empty(shape, np.float32), i) for i, (name, shape) in enumerate(lay)}


def page_aligned(arrays: Mapping[str, np.ndarray]) -> int:
    return sum(1 for a in arrays.values() if a.ctypes.data % PAGE == 0)


def verify(restored: Mapping[str, object], lay: List[Tuple[str, Tuple[int, ...]]], what: str) -> None:
    """Raises AssertionError unless `restored` holds exactly the arrays of `lay` (any array-like values)."""
    if sorted(restored) != [name for name, _ in lay]:
        missing = sorted(set(n for n, _ in lay) - set(restored))
        extra = sorted(set(restored) - set(n for n, _ in lay))
        raise AssertionError(f"{what}: restored keys differ: missing {missing[:5]}, extra {extra[:5]}")
    scratch = None
    for i, (name, shape) in enumerate(lay):
        got = np.asarray(restored[name])
        if got.dtype != np.float32 or tuple(got.shape) != tuple(shape):
            raise AssertionError(f"{what}: {name} is {got.dtype}{list(got.shape)}, saved float32{list(shape)}")
        n = int(np.prod(shape))
        if scratch is None or scratch.size < n:
            scratch = np.empty(n, np.float32)
        want = fill(scratch[:n], i).reshape(shape)
        if not np.array_equal(got.view(np.uint32), want.view(np.uint32)):
            raise AssertionError(f"{what}: {name} differs from the saved values")
