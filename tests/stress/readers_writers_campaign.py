"""Readers during writers (issue 14, scenario 4), on the real file system.

    python readers_writers_campaign.py --seconds S [--seed N] --cpp-child PATH [--managers N]

1. One process saves with CheckpointManager(max_to_keep=1) as fast as it can (the C++ child, then the
   Python child: tests/tools/kill_child, tests/stress/kill_child.py, sync and async at random, so every
   save prunes the previous checkpoint), while two reader processes restore `latest_checkpoint` in a loop
   into their own ckpt.Checkpoint. Every restore must either give a complete checkpoint (every array holds
   exactly the values of the restored step) or fail with a clean NotFoundError (the checkpoint was pruned
   between the lookup and the read); anything else -- another error, inconsistent values, a crashed
   reader -- is a failure. Both outcomes are counted.
2. Two managers on one directory from two processes: while a child saves in a loop, another process
   makes a CheckpointManager on the same directory and saves: it must get FailedPreconditionError saying
   another manager holds the directory, and the first process must go on undisturbed (alive, five more
   durable saves, nothing on its stderr; after it is killed its latest restores and `ckpt verify` passes,
   and a restart leaves no litter).

Prints RESULT lines for scripts/stress.sh.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import kill_campaign as kc  # noqa: E402

N_ARRAYS = 4


def reader(directory: str, seconds: float) -> int:
    """The reader process: restores latest in a loop; prints 'ok N notfound M' and FAIL lines."""
    import numpy as np

    import ckpt

    ok = notfound = none = 0
    fails = []
    deadline = time.time() + seconds
    arrays = None
    while time.time() < deadline:
        latest = ckpt.latest_checkpoint(directory)
        if latest is None:
            none += 1
            time.sleep(0.001)
            continue
        try:
            # The shapes are the writer's: learn them once from the checkpoint itself.
            if arrays is None:
                r = ckpt.load_checkpoint(latest)
                arrays = [np.zeros_like(r.get_tensor(f"state/a{i}/.ATTRIBUTES/VARIABLE_VALUE")) for i in range(N_ARRAYS)]
            for a in arrays:
                a[...] = -1
            step = np.zeros((), np.int64)
            root = ckpt.Checkpoint(state={f"a{i}": ckpt.Variable(a) for i, a in enumerate(arrays)},
                                   step=ckpt.Variable(step))
            root.read(latest).expect_partial()
            s = int(step)
            for i, a in enumerate(arrays):
                if not (a == s * 1000 + i).all():
                    fails.append(f"{latest}: array {i} is not step {s}'s (half-written?)")
                    break
            else:
                ok += 1
        except ckpt.errors.NotFoundError:
            notfound += 1
        except Exception as e:  # noqa: BLE001 - any other error is a finding
            fails.append(f"{latest}: {type(e).__name__}: {str(e)[:300]}")
    print(f"ok {ok} notfound {notfound} none {none} failures {len(fails)}", flush=True)
    for f in fails[:10]:
        print("FAIL", f, flush=True)
    return 0


def start_writer(args, directory: Path, child: str, seed: int, mib: float, max_to_keep: int, saves=None):
    a = argparse.Namespace(child=child, cpp_child=args.cpp_child, mib=mib, max_to_keep=max_to_keep, mode="random")
    return subprocess.Popen(kc.child_cmd(a, directory, seed, saves), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=kc.env())


def readers_during_writers(args, base: Path, child: str, rng: random.Random):
    directory = base / f"rw-{child}"
    directory.mkdir()
    writer = start_writer(args, directory, child, rng.randrange(1 << 30), 2, 1)
    if not writer.stdout.readline().startswith("ready"):
        writer.kill()
        return 0, 0, [f"{child} writer did not start: {writer.communicate()[1][-500:]}"], 0
    readers = [subprocess.Popen([sys.executable, __file__, "--role", "reader", "--dir", str(directory),
                                 "--seconds", str(args.seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=kc.env()) for _ in range(2)]
    ok = notfound = 0
    fails = []
    for r in readers:
        out, err = r.communicate()
        if r.returncode != 0:
            fails.append(f"reader crashed (exit {r.returncode}): {err[-800:]}")
            continue
        for ln in out.splitlines():
            if ln.startswith("ok "):
                f = ln.split()
                ok += int(f[1])
                notfound += int(f[3])
            elif ln.startswith("FAIL"):
                fails.append(ln[5:])
    writer.send_signal(signal.SIGKILL)
    out, _ = writer.communicate()
    saves = sum(1 for ln in out.splitlines() if ln.startswith("durable "))
    if saves < 5:
        fails.append(f"the {child} writer made only {saves} saves")
    return ok, notfound, fails, saves


def two_managers(args, base: Path, child: str, trial: int, rng: random.Random) -> list[str]:
    directory = base / f"two-{child}-{trial}"
    directory.mkdir()
    first = start_writer(args, directory, child, rng.randrange(1 << 30), 2, 2)
    if not first.stdout.readline().startswith("ready"):
        first.kill()
        return [f"first manager did not start: {first.communicate()[1][-500:]}"]
    durable = [int(first.stdout.readline().split()[1])]  # its first durable save: it holds the lock now
    time.sleep(rng.uniform(0, 0.2))
    second = subprocess.run([sys.executable, "-c", SECOND_MANAGER, str(directory)], capture_output=True, text=True,
                            env=kc.env())
    fails = []
    if first.poll() is not None:
        fails.append(f"first manager exited during the second's attempt: {first.returncode}")
    if second.returncode != 0 or not second.stdout.startswith("FailedPreconditionError"):
        fails.append(f"second manager: exit {second.returncode}: {second.stdout[-300:]} {second.stderr[-500:]}")
    elif "another CheckpointManager" not in second.stdout:
        fails.append(f"the lock error does not say why: {second.stdout[-300:]}")
    # The first goes on saving, undisturbed.
    for _ in range(5):
        ln = first.stdout.readline()
        if not ln.startswith("durable "):
            fails.append(f"first manager stopped saving: {ln!r}")
            break
        durable.append(int(ln.split()[1]))
    first.send_signal(signal.SIGKILL)
    out, err = first.communicate()
    durable += [int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("durable ")]
    if err.strip():
        fails.append(f"first manager reported: {err.strip()[-400:]}")
    fails += kc.check_after_kill(directory, durable, 2, args.cli, verify=True)
    a = argparse.Namespace(child=child, cpp_child=args.cpp_child, mib=2, max_to_keep=2, mode="random")
    r = subprocess.run(kc.child_cmd(a, directory, trial, 1), capture_output=True, text=True, env=kc.env())
    if r.returncode != 0:
        fails.append(f"restart failed: {r.stderr[-500:]}")
    elif kc.litter(directory):
        fails.append(f"litter after the restart: {kc.litter(directory)}")
    return fails


SECOND_MANAGER = r"""
import sys, numpy as np, ckpt
v = ckpt.Variable(np.zeros(4, np.float32))
m = ckpt.CheckpointManager(ckpt.Checkpoint(v=v), sys.argv[1], max_to_keep=1)
try:
    m.save()
    print("saved: no lock error")
except ckpt.errors.FailedPreconditionError as e:
    print("FailedPreconditionError", e)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", default="campaign")
    ap.add_argument("--dir")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpp-child")
    ap.add_argument("--cli")
    ap.add_argument("--managers", type=int, default=2, help="two-manager trials per child kind")
    args = ap.parse_args()
    sys.path[:0] = kc.env()["PYTHONPATH"].split(os.pathsep)[:2]
    if args.role == "reader":
        return reader(args.dir, args.seconds)
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="ckpt-rw-"))
    status = 0
    try:
        ok = notfound = saves = 0
        fails = []
        for child in ("cpp", "python"):
            o, n, f, s = readers_during_writers(args, base, child, rng)
            ok, notfound, saves = ok + o, notfound + n, saves + s
            fails += [f"{child} writer: {x}" for x in f]
        for f in fails[:20]:
            print("  FAIL", f)
        status |= bool(fails)
        print(f"RESULT|readers during writers (max_to_keep=1)|{ok + notfound}|{len(fails)}|2 readers x "
              f"{args.seconds:g} s per writer (C++, Python; {saves} saves): {ok} complete restores, {notfound} clean "
              "NotFound, no half-written checkpoint, no crash")
        fails, n = [], 0
        for child in ("cpp", "python"):
            for t in range(args.managers):
                n += 1
                fails += [f"{child} trial {t}: {x}" for x in two_managers(args, base, child, t, rng)]
        for f in fails[:20]:
            print("  FAIL", f)
        status |= bool(fails)
        print(f"RESULT|two managers, one directory (2 processes)|{n}|{len(fails)}|second gets "
              "FailedPreconditionError (lock); first keeps saving, no error, latest restores, ckpt verify, 0 litter")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
