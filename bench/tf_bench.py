#!/usr/bin/env python3
"""TensorFlow's own checkpoint speed on the arrays bundle_bench uses.

Usage: tf_bench.py --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=3]
                   [--warmup W=1]

T float32 arrays totalling N MiB (shape [n/1024, 1024] when n divides, else
[n], like bundle_bench) become tf.Variables of one tf.train.Checkpoint. Timed:

  save     ckpt.write(prefix)                      (TF does no fsync)
  fsync    fdatasync of the files write() produced (timed separately, so
           "save+fsync" is comparable with ckpt's durable save)
  restore  ckpt.read(prefix) into the existing variables, after the files'
           page cache was dropped (fdatasync + posix_fadvise(DONTNEED));
           also once warm

Variable creation, the array fill and the cache drop are outside the timings.
W untimed warm-up rounds run first (the first save/restore traces and builds
TF's save/restore functions). Median of R reps. The last line starts with
"JSON " and carries every number for scripts.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
import pagecache  # noqa: E402  (bench/peers: the --peers bench's page-cache helpers)

MIB = 1 << 20


def shape_for(n):
    return (n // 1024, 1024) if n >= 1024 and n % 1024 == 0 else (n,)


def fill(n, seed):
    # Values differ from bundle_bench's (only "not constant" matters); sizes match.
    rng = np.random.default_rng(seed)
    return (rng.random(n, dtype=np.float32) - np.float32(0.5)).astype(np.float32)


def bundle_files(prefix):
    return sorted(glob.glob(glob.escape(prefix) + ".*"))


def fdatasync_all(paths):
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)
    dfd = os.open(os.path.dirname(paths[0]) or ".", os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_bundle(prefix):
    for p in bundle_files(prefix):
        os.remove(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--total-mib", type=int, default=1024)
    ap.add_argument("--tensors", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    total = a.total_mib * MIB
    total_floats = total // 4
    T = a.tensors
    elems = [total_floats // T + (1 if i < total_floats % T else 0) for i in range(T)]
    arrays = [fill(n, i + 1).reshape(shape_for(n)) for i, n in enumerate(elems)]
    with tf.device("/cpu:0"):
        variables = {f"layer_{i:05d}": tf.Variable(arr) for i, arr in enumerate(arrays)}
    ckpt = tf.train.Checkpoint(**variables)
    prefix = os.path.join(a.dir, "tf_bundle")

    print(f"tf_bench: TensorFlow {tf.__version__}, {a.total_mib} MiB ({total / 1e9:.3f} GB) in {T} float32 "
          f"variables ({total / T / MIB:.2f} MiB each), {a.reps} reps (+{a.warmup} warm-up), median reported")
    print(f"dir: {a.dir}")

    res = {"save": [], "fsync": [], "save_fsync": [], "restore": [], "restore_warm": []}
    resident_note = []
    for rep in range(-a.warmup, a.reps):
        remove_bundle(prefix)
        t0 = time.perf_counter()
        ckpt.write(prefix)
        t1 = time.perf_counter()
        files = bundle_files(prefix)
        fdatasync_all(files)
        t2 = time.perf_counter()
        pagecache.evict_files(files)
        if rep == 0:
            # Make the first timed restore prove it restores: zero the variables first.
            for v in variables.values():
                v.assign(tf.zeros_like(v))
        t3 = time.perf_counter()
        ckpt.read(prefix)
        t4 = time.perf_counter()
        ckpt.read(prefix)
        t5 = time.perf_counter()
        if rep == 0:
            for arr, v in zip(arrays, variables.values()):
                if not np.array_equal(arr, v.numpy()):
                    sys.exit("tf_bench: restored variable differs")
        if rep >= 0:
            res["save"].append(t1 - t0)
            res["fsync"].append(t2 - t1)
            res["save_fsync"].append(t2 - t0)
            res["restore"].append(t4 - t3)
            res["restore_warm"].append(t5 - t4)
        print(f"rep {rep + 1}/{a.reps}{' (warm-up)' if rep < 0 else ''}: save {t1 - t0:.3f}s fsync {t2 - t1:.3f}s "
              f"restore {t4 - t3:.3f}s warm {t5 - t4:.3f}s", flush=True)
    data_bytes = sum(os.path.getsize(p) for p in bundle_files(prefix) if ".data-" in p)
    remove_bundle(prefix)

    med = {k: statistics.median(v) for k, v in res.items()}
    labels = {
        "save": "TF save (write, no fsync)",
        "fsync": "  fdatasync of its files",
        "save_fsync": "TF save + fdatasync",
        "restore": "TF restore read (cold)",
        "restore_warm": "TF restore read (warm cache)",
    }
    print("page cache: files fdatasync'ed then posix_fadvise(DONTNEED) before each cold restore")
    print(f"data file: {data_bytes} bytes\n")
    print(f"{'case':<32} {'median s':>9} {'min s':>9} {'max s':>9} {'GB/s':>8}")
    for k, label in labels.items():
        gbps = f"{total / 1e9 / med[k]:.3f}" if k != "fsync" else "-"
        print(f"{label:<32} {med[k]:9.4f} {min(res[k]):9.4f} {max(res[k]):9.4f} {gbps:>8}")
    out = {"bench": "tf_checkpoint", "tf_version": tf.__version__, "total_mib": a.total_mib, "total_bytes": total,
           "tensors": T, "reps": a.reps, "warmup": a.warmup, "dir": a.dir}
    for k in labels:
        out[f"tf_{k}_s"] = round(med[k], 6)
        if k != "fsync":
            out[f"tf_{k}_gbps"] = round(total / 1e9 / med[k], 4)
    print("\nJSON " + json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()
