#!/usr/bin/env python3
"""Python restore of numpy arrays vs raw reads of the same file, and vs the C++ restore.

Usage: py_restore_bench.py --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=5]
                           [--offset 16] [--cxx build/bench/restore_bench]

T float32 numpy arrays (N MiB in all), each `--offset` bytes past a page (numpy's own
large allocations start 16 bytes past a page), are saved once with
ckpt.Checkpoint(**arrays).write(prefix). Per rep, in an order rotated from rep to rep:
  raw_direct  O_DIRECT preadv of the data file in 4 MiB chunks into page-aligned memory
              (files evicted first: fdatasync + posix_fadvise(DONTNEED))
  raw_direct_huge  the same into memory advised MADV_HUGEPAGE: the disk's limit on virtio,
              where a request into 4 KiB pages is cut at 254 pages
  ckpt_cold   ckpt.Checkpoint(**dest).read(prefix) into pre-faulted arrays of the same
              placement (in place), files evicted first; compared with raw_direct_huge
  raw_warm    buffered preadv in 64 MiB chunks from the page cache (file read just before)
  ckpt_warm   the same read with the files cached
Prints medians, the per-rep ratio to the matching raw case and CPU seconds per GB
(getrusage, all threads). With --cxx it first runs bench/restore_bench (the C++
BundleReader restore of the same sizes) and prints its ratios beside these: the
difference is the Python package's overhead. The last line is "JSON {...}".
"""
import argparse
import json
import mmap
import os
import resource
import statistics
import subprocess
import time

import numpy as np

import ckpt

PAGE = 4096


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def evict(paths) -> None:
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def read_file(path: str, buf: mmap.mmap, chunk: int, direct: bool) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECT if direct else 0))
    try:
        size = os.fstat(fd).st_size
        mv = memoryview(buf)
        off = 0
        while off < size:
            n = min(chunk, size - off)
            if direct:
                n = (n + PAGE - 1) // PAGE * PAGE
            got = os.preadv(fd, [mv[off: off + n]], off)
            if got <= 0:
                raise OSError(f"short read of {path} at {off}")
            off += got
        mv.release()
    finally:
        os.close(fd)


def run_cxx(binary: str, a) -> dict:
    """Runs the C++ restore_bench with the same sizes; returns {case label: (GB/s, ratio, cpu)}."""
    out = subprocess.run([binary, "--dir", a.dir, "--total-mib", str(a.total_mib), "--tensors", str(a.tensors),
                          "--reps", str(a.reps)], check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.rsplit(None, 5)
        if len(parts) == 6 and parts[0].startswith(("raw", "ckpt")):
            rows[parts[0].strip()] = (float(parts[1]), parts[4], float(parts[5]))
    print("C++ restore_bench (same sizes, run just before):")
    print(out)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--total-mib", type=int, default=1024)
    ap.add_argument("--tensors", type=int, default=128)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--offset", type=int, default=16)
    ap.add_argument("--cxx", default="")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    load_before = open("/proc/loadavg").read().split()[:3]
    cxx = run_cxx(a.cxx, a) if a.cxx else {}

    total = a.total_mib << 20
    per = total // a.tensors // 4 * 4
    stride = (per + 2 * PAGE - 1) // PAGE * PAGE
    src_region = mmap.mmap(-1, stride * a.tensors)
    dst_region = mmap.mmap(-1, stride * a.tensors)
    src = np.frombuffer(src_region, dtype=np.uint8)
    src[:] = np.random.default_rng(1).integers(0, 255, size=src.size, dtype=np.uint8)
    dst = np.frombuffer(dst_region, dtype=np.uint8)
    dst[:] = 0  # pre-faulted

    def arrays(base):
        return {f"t{i:04d}": base[i * stride + a.offset: i * stride + a.offset + per].view(np.float32)
                for i in range(a.tensors)}

    prefix = os.path.join(a.dir, "py_restore")
    ckpt.Checkpoint(**arrays(src)).write(prefix)  # sync: fsync'ed
    files = [os.path.join(a.dir, f) for f in os.listdir(a.dir) if f.startswith("py_restore")]
    data = prefix + ".data-00000-of-00001"
    fsize = os.path.getsize(data)
    raw = mmap.mmap(-1, (fsize + 2 * PAGE) // PAGE * PAGE)
    np.frombuffer(raw, dtype=np.uint8)[:] = 0
    # Private: Python's default anonymous mapping is MAP_SHARED (shmem), which THP ignores.
    raw_huge = mmap.mmap(-1, (fsize + 2 * PAGE) // PAGE * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        raw_huge.madvise(mmap.MADV_HUGEPAGE)
    np.frombuffer(raw_huge, dtype=np.uint8)[:] = 0
    src_arrays, dst_arrays = arrays(src), arrays(dst)
    dest = ckpt.Checkpoint(**dst_arrays)

    # Correctness, untimed: both paths restore the saved bytes in place.
    for warm in (False, True):
        if warm:
            read_file(data, raw, 64 << 20, False)
        else:
            evict(files)
        dst[:] = 0
        dest.read(prefix)
        if not all(np.array_equal(x.view(np.uint8), y.view(np.uint8)) for x, y in zip(src_arrays.values(), dst_arrays.values())):  # bytes: random bits include NaNs
            raise SystemExit("py_restore_bench: restored arrays differ")

    def cold_prep():
        evict(files)

    def warm_prep():
        read_file(data, raw, 64 << 20, False)

    cases = {
        "raw_direct": (cold_prep, lambda: read_file(data, raw, 4 << 20, True), None),
        "raw_direct_huge": (cold_prep, lambda: read_file(data, raw_huge, 4 << 20, True), "raw_direct"),
        "ckpt_cold": (cold_prep, lambda: dest.read(prefix), "raw_direct_huge"),
        "raw_warm": (warm_prep, lambda: read_file(data, raw, 64 << 20, False), None),
        "ckpt_warm": (warm_prep, lambda: dest.read(prefix), "raw_warm"),
    }
    names = list(cases)
    secs = {c: [] for c in names}
    cpu = {c: [] for c in names}
    for rep in range(a.reps):
        for k in range(len(names)):
            c = names[(k + rep) % len(names)]
            prep, run, _ = cases[c]
            prep()
            c0 = cpu_seconds()
            t0 = time.perf_counter()
            run()
            secs[c].append(time.perf_counter() - t0)
            cpu[c].append(cpu_seconds() - c0)
    for f in files:
        os.unlink(f)

    gb = total / 1e9
    out = {"bench": "py_restore", "total_mib": a.total_mib, "tensors": a.tensors, "reps": a.reps,
           "offset": a.offset, "load_before": load_before, "load_after": open("/proc/loadavg").read().split()[:3]}
    print(f"py_restore_bench: {a.total_mib} MiB in {a.tensors} float32 numpy arrays, each {a.offset} bytes past a "
          f"page, {a.reps} reps; load before {' '.join(load_before)}, after {' '.join(out['load_after'])}")
    print(f"{'case':<16} {'GB/s':>8} {'x raw':>8} {'CPU s/GB':>9}   C++ (restore_bench, dst 4K+16): GB/s, x raw, CPU s/GB")
    cxx_rows = {"raw_direct": "raw O_DIRECT read 4MiB (cold)",
                "raw_direct_huge": "raw O_DIRECT read 4MiB into 2MiB pages (cold)", "ckpt_cold": "ckpt restore (cold, dst 4K+16)",
                "raw_warm": "raw buffered preadv 64MiB (warm, 1 thread)", "ckpt_warm": "ckpt restore (warm, dst 4K+16)"}
    for c in names:
        base = cases[c][2]
        ratio = statistics.median(secs[base][r] / secs[c][r] for r in range(a.reps)) if base else None
        g = gb / statistics.median(secs[c])
        cs = statistics.median(x / gb for x in cpu[c])
        out[c] = {"gbps": g, "ratio": ratio, "cpu_s_per_gb": cs, "secs": secs[c]}
        other = cxx.get(cxx_rows[c])
        print(f"{c:<16} {g:8.3f} {('%.3f' % ratio) if ratio else '-':>8} {cs:9.3f}   "
              + (f"{other[0]:.3f}, {other[1]}, {other[2]:.3f}" if other else ""))
    print("JSON " + json.dumps(out))


if __name__ == "__main__":
    main()
