"""The process that kill_campaign.py SIGKILLs: a training-like loop saving with ckpt.CheckpointManager.

    python kill_child.py DIR --seed S [--saves N] [--mib 8] [--max-to-keep 2] [--mode random|sync|async]

Restores the latest checkpoint of DIR (or starts at step 0), then saves step after step, alternating
synchronous and asynchronous saves. The state is a pure function of the step (every element of array i
at step s holds s * 1000 + i), so whoever reads a checkpoint can tell whether its bytes are right.
After each save is durable (a sync save returned, or sync() after an async one) it prints
"durable <number> <step>" and flushes, so the parent knows what must survive a kill.
"""

from __future__ import annotations

import argparse
import random
import sys

import numpy as np

import ckpt

N_ARRAYS = 4


def fill(arrays, step: int) -> None:
    for i, a in enumerate(arrays):
        a[...] = step * 1000 + i


def expected(step: int, i: int) -> float:
    return float(step * 1000 + i)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--saves", type=int, default=1 << 30)
    ap.add_argument("--mib", type=float, default=8)
    ap.add_argument("--max-to-keep", type=int, default=2)
    ap.add_argument("--mode", choices=["random", "sync", "async"], default="random")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    n = int(args.mib * (1 << 20) / 4 / N_ARRAYS)
    arrays = [np.zeros(n, np.float32) for _ in range(N_ARRAYS)]
    step = np.zeros((), np.int64)
    root = ckpt.Checkpoint(state={f"a{i}": ckpt.Variable(a) for i, a in enumerate(arrays)}, step=ckpt.Variable(step))
    manager = ckpt.CheckpointManager(root, args.dir, max_to_keep=args.max_to_keep)
    restored = manager.restore_or_initialize()  # restores in place into `arrays` and `step`
    s = int(step)
    if restored:
        for i, a in enumerate(arrays):
            if a[0] != expected(s, i) or a[-1] != expected(s, i):
                print(f"BAD-RESTORE {restored} array {i}: {a[0]} != {expected(s, i)}", flush=True)
                return 3
    print(f"ready {restored or '-'} {s}", flush=True)

    for k in range(args.saves):
        s += 1
        fill(arrays, s)
        step[...] = s
        use_async = rng.random() < 0.5 if args.mode == "random" else args.mode == "async"
        path = manager.save(options=ckpt.CheckpointOptions(enable_async=use_async))
        if use_async:
            manager.sync()
        print(f"durable {path.rsplit('-', 1)[1]} {s}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
