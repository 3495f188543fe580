#!/usr/bin/env python3
"""Python save of numpy arrays vs a raw O_DIRECT write of the same bytes.

Usage: py_save_bench.py --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=5]

T float32 numpy arrays (N MiB in all) are views into one page-aligned
mapping, each starting `off` bytes past a page (off = 0, 16, 64: numpy's
own allocations land 16 bytes past a page). Per rep, in an order rotated
from rep to rep: a raw O_DIRECT pwrite of N MiB in 8 MiB chunks + fdatasync
from the mapping (the disk's figure), and ckpt.Checkpoint(...).write(prefix)
for each offset (sync on: the files are fsync'ed). The ratio to raw, measured
in the same run, is what bench/save_bench.cc prints for the C++ save of the
same layout: the two ratios side by side show the Python overhead. The
Checkpoint object is built once per offset (outside the timing, as a
training script would). Prints medians; the last line is "JSON {...}".
"""
import argparse
import json
import mmap
import os
import statistics
import time

import numpy as np

import ckpt

PAGE = 4096
CHUNK = 8 << 20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--total-mib", type=int, default=1024)
    ap.add_argument("--tensors", type=int, default=128)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    total = a.total_mib << 20
    per = total // a.tensors // 4 * 4
    stride = (per + 2 * PAGE - 1) // PAGE * PAGE
    region = mmap.mmap(-1, stride * a.tensors)
    base = np.frombuffer(region, dtype=np.uint8)
    base[:] = np.random.default_rng(1).integers(0, 255, size=base.size, dtype=np.uint8)
    raw_src = mmap.mmap(-1, total)
    np.frombuffer(raw_src, dtype=np.uint8)[:] = 7

    offsets = [0, 16, 64]
    cks = {}
    for off in offsets:
        arrays = {f"t{i:04d}": base[i * stride + off: i * stride + off + per].view(np.float32) for i in range(a.tensors)}
        cks[off] = ckpt.Checkpoint(**arrays)
    cases = ["raw"] + [f"ckpt+{o}" for o in offsets]
    secs = {c: [] for c in cases}
    raw_path = os.path.join(a.dir, "raw.bin")
    for rep in range(a.reps):
        for k in range(len(cases)):
            c = cases[(k + rep) % len(cases)]
            if c == "raw":
                t0 = time.perf_counter()
                fd = os.open(raw_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT, 0o644)
                mv = memoryview(raw_src)
                for o in range(0, total, CHUNK):
                    os.pwrite(fd, mv[o: o + CHUNK], o)
                os.fdatasync(fd)
                os.close(fd)
                secs[c].append(time.perf_counter() - t0)
                mv.release()
                os.unlink(raw_path)
                continue
            prefix = os.path.join(a.dir, "py_save")
            t0 = time.perf_counter()
            cks[int(c[5:])].write(prefix)
            secs[c].append(time.perf_counter() - t0)
            for f in os.listdir(a.dir):
                if f.startswith("py_save"):
                    os.unlink(os.path.join(a.dir, f))
    raw_gbps = total / 1e9 / statistics.median(secs["raw"])
    out = {"bench": "py_save", "total_mib": a.total_mib, "tensors": a.tensors, "reps": a.reps,
           "load_average": open("/proc/loadavg").read().split()[:3]}
    print(f"py_save_bench: {a.total_mib} MiB in {a.tensors} float32 numpy arrays, {a.reps} reps, medians; "
          f"load average {' '.join(out['load_average'])}")
    print(f"{'case':12s} {'median s':>9s} {'GB/s':>8s} {'vs raw':>8s}")
    for c in cases:
        med = statistics.median(secs[c])
        gbps = total / 1e9 / med
        print(f"{c:12s} {med:9.4f} {gbps:8.3f} {gbps / raw_gbps:8.3f}")
        out[f"{c}_gbps"] = round(gbps, 4)
        out[f"{c}_vs_raw"] = round(gbps / raw_gbps, 4)
    print("JSON " + json.dumps(out))


if __name__ == "__main__":
    main()
