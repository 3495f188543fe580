#!/usr/bin/env python3
"""ckpt's async save stall through the public Python API, first save apart from the steady state.

Usage: async_stall.py --dir D --size 1G --count 128 [--saves 4] [--prepared]

In a fresh process (the first async save of a process is what pays for memory the process has
never touched): the bench arrays, a ckpt.Checkpoint over them and a ckpt.CheckpointManager
(max_to_keep=2) in D. Timed:
  setup    constructing the Checkpoint and the CheckpointManager (any one-time preparation the
           library does there is counted here, off the save's clock)
  prepare  --prepared only: the manager gets the async options at construction (so it prepares the
           staging memory on its writer thread, as CheckpointManager::Create does); the time until the
           process's RSS has grown by the state's size and then stopped growing for 300 ms (the staging
           memory, the state plus headroom, is mapped and pre-faulted) stands for
           training that runs meanwhile, and is reported as the one-time preparation cost. Without
           --prepared the options go to save() only (the README's example), so the first save finds
           no staging memory.
  stall    each manager.save(options=CheckpointOptions(enable_async=True)): how long the caller
           is blocked; save 1 is the first, saves 2..N the steady state (median)
  write    the following manager.sync(): the background write finishing (durable), so the next
           save's stall is not a wait for the previous write
  memcpy   np.copyto of every array into pre-faulted arrays of the same shapes (median of 3), the
           floor an async save's stall is compared with
Prints one line: "JSON {...}".
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import arrays as arr  # noqa: E402


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--count", type=int, default=128)
    ap.add_argument("--saves", type=int, default=4)
    ap.add_argument("--prepared", action="store_true", help="async options at manager construction (prepares)")
    a = ap.parse_args()
    if a.saves < 2:
        ap.error("--saves must be at least 2 (the first save and a steady-state one)")

    import ckpt

    lay = arr.layout(arr.parse_size(a.size), a.count)
    nbytes = arr.total_bytes(lay)
    state = arr.make_arrays(lay)
    shutil.rmtree(a.dir, ignore_errors=True)
    os.makedirs(a.dir)

    options = ckpt.CheckpointOptions(enable_async=True)
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    checkpoint = ckpt.Checkpoint(**state)
    manager = ckpt.CheckpointManager(checkpoint, a.dir, max_to_keep=2, options=options if a.prepared else None)
    setup_s = time.perf_counter() - t0
    prepare_s = None
    if a.prepared:
        # Done when the RSS has grown by the state's size and then stopped growing for 300 ms (the
        # staging arena is the state plus headroom, so reaching the state's size alone is ~90%).
        last, last_change = rss_bytes(), time.perf_counter()
        while time.perf_counter() - t0 < 300:
            time.sleep(0.005)
            now = rss_bytes()
            if now != last:
                last, last_change = now, time.perf_counter()
            elif now - rss0 >= nbytes and time.perf_counter() - last_change >= 0.3:
                break
        prepare_s = last_change - t0
    stalls, writes = [], []
    for i in range(a.saves):
        for x in state.values():  # a training step changed the state: the save must copy it again
            x.reshape(-1)[i % x.size] += 1
        t0 = time.perf_counter()
        manager.save(options=options)
        t1 = time.perf_counter()
        manager.sync()
        t2 = time.perf_counter()
        stalls.append(t1 - t0)
        writes.append(t2 - t1)
    latest = manager.latest_checkpoint
    del manager, checkpoint

    # The saved values are the state at the last save: check them once (untimed).
    reader = ckpt.load_checkpoint(latest)
    for name, x in state.items():
        got = reader.get_tensor(f"{name}/.ATTRIBUTES/VARIABLE_VALUE")
        if not np.array_equal(got, x):
            sys.exit(f"async_stall: {name} in {latest} differs from the state at its save")
    del reader
    shutil.rmtree(a.dir)

    dest = {k: np.ones_like(x) for k, x in state.items()}
    copies = []
    for _ in range(3):
        t0 = time.perf_counter()
        for k, x in state.items():
            np.copyto(dest[k], x)
        copies.append(time.perf_counter() - t0)
    memcpy_s = statistics.median(copies)

    print("JSON " + json.dumps({
        "bytes": nbytes, "tensors": a.count, "saves": a.saves, "setup_s": setup_s, "prepared": a.prepared,
        "prepare_s": prepare_s,
        "first_stall_s": stalls[0], "steady_stall_s": statistics.median(stalls[1:]), "stalls_s": stalls,
        "writes_s": writes, "memcpy_s": memcpy_s, "loadavg": os.getloadavg()[0],
    }), flush=True)


if __name__ == "__main__":
    main()
