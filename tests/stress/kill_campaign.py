"""Real kills: SIGKILL a process that saves with CheckpointManager at random moments, on the real file
system, and check after each kill what a user relies on.

    python kill_campaign.py --kills N [--seed S] [--dir D] [--cli PATH] [--child python|cpp --cpp-child PATH]

After every kill:
  1. the state file's latest checkpoint exists, the newest max_to_keep it lists have their index files,
     and the latest is not older than the newest save the child reported durable (nothing complete was
     lost: with max_to_keep=K a durable checkpoint may only be gone after K newer ones were recorded);
  2. the latest restores and holds exactly the values of its step (`ckpt verify` passes too, every 10th
     kill, when --cli is given);
  3. a restart (restore + one save, then a clean exit) leaves no litter: every file in the directory is
     the state file, the manager's lock file, or a file of a checkpoint the state file lists.
Prints one result line per check kind: "kills N failures F" plus the first failures in full.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CKPT_FILE = re.compile(r"^(?P<prefix>ckpt-(?P<n>\d+))\.(index|data-\d{5}-of-\d{5})$")


def child_cmd(args, directory: Path, seed: int, saves: int | None):
    if args.child == "cpp":
        cmd = [args.cpp_child, str(directory), "--seed", str(seed)]
    else:
        cmd = [sys.executable, str(HERE / "kill_child.py"), str(directory), "--seed", str(seed)]
    cmd += ["--mib", str(args.mib), "--max-to-keep", str(args.max_to_keep)]
    if saves is not None:
        cmd += ["--saves", str(saves)]
    if getattr(args, "mode", None):
        cmd += ["--mode", args.mode]
    return cmd


def env():
    e = dict(os.environ)
    build = Path(os.environ.get("CKPT_BUILD_DIR", REPO / "build"))
    e["PYTHONPATH"] = os.pathsep.join([str(build / "python"), str(REPO / "python"), e.get("PYTHONPATH", "")])
    return e


def state_paths(directory: Path):
    import ckpt

    st = ckpt.get_checkpoint_state(str(directory))
    if st is None:
        return None, []
    return st.model_checkpoint_path, list(st.all_model_checkpoint_paths)


def number(path: str) -> int:
    return int(path.rsplit("-", 1)[1])


def check_after_kill(directory: Path, durable: list[int], max_to_keep: int, cli: str | None, verify: bool):
    """Returns a list of failure strings (empty when every check holds)."""
    import numpy as np

    import ckpt

    fails = []
    latest, listed = state_paths(directory)
    if not durable and latest is None:
        return fails
    if latest is None:
        return [f"no state file although checkpoints {durable} were durable"]
    # The newest max_to_keep listed checkpoints must be whole. An older listed one may be missing: a kill
    # between retention's delete and the state file's rewrite (the manager's steps 4-5) leaves it listed,
    # and the next save's sweep drops it (as in TensorFlow).
    for p in sorted(listed, key=number)[-max_to_keep:]:
        prefix = Path(p) if os.path.isabs(p) else directory / p
        if not Path(str(prefix) + ".index").is_file():
            fails.append(f"listed checkpoint {p}, one of the newest {max_to_keep}, has no index")
    if durable:
        newest = durable[-1]
        if number(latest) < newest:
            fails.append(f"latest {latest} is older than the durable ckpt-{newest}")
        present = {number(p) for p in listed}
        recorded_after = sorted(n for n in present if n > newest)
        if newest not in present and len(recorded_after) < max_to_keep:
            fails.append(f"durable ckpt-{newest} is gone with only {recorded_after} newer")
    try:
        r = ckpt.load_checkpoint(latest)
        step = int(r.get_tensor("step/.ATTRIBUTES/VARIABLE_VALUE"))
        for i in range(4):
            a = r.get_tensor(f"state/a{i}/.ATTRIBUTES/VARIABLE_VALUE")
            if not np.all(a == step * 1000 + i):
                fails.append(f"{latest}: array {i} does not hold step {step}'s values")
    except Exception as e:  # noqa: BLE001 - any error here is a finding
        fails.append(f"{latest} does not restore: {type(e).__name__}: {e}")
    if verify and cli:
        proc = subprocess.run([cli, "verify", latest], capture_output=True, text=True)
        if proc.returncode != 0:
            fails.append(f"ckpt verify {latest}: exit {proc.returncode}: {proc.stderr.strip()[:300]}")
    return fails


def litter(directory: Path) -> list[str]:
    """Files that are neither the state file, the lock file, nor part of a listed checkpoint."""
    _, listed = state_paths(directory)
    keep = {Path(p).name for p in listed}
    out = []
    for f in os.listdir(directory):
        if f in ("checkpoint", ".ckpt-manager.lock"):
            continue
        m = CKPT_FILE.match(f)
        if m and m.group("prefix") in keep:
            continue
        out.append(f)
    return sorted(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir")
    ap.add_argument("--cli")
    ap.add_argument("--child", choices=["python", "cpp"], default="python")
    ap.add_argument("--cpp-child")
    ap.add_argument("--mib", type=float, default=8)
    ap.add_argument("--max-to-keep", type=int, default=2)
    ap.add_argument("--max-wait", type=float, default=1.5, help="seconds after 'ready' before the kill, at most")
    args = ap.parse_args()
    sys.path[:0] = env()["PYTHONPATH"].split(os.pathsep)[:2]

    rng = random.Random(args.seed)
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="ckpt-kill-"))
    directory = base / f"{args.child}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    failures: list[str] = []
    litter_seen = 0
    durable: list[int] = []
    t0 = time.time()
    for trial in range(args.kills):
        proc = subprocess.Popen(child_cmd(args, directory, rng.randrange(1 << 30), None), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env())
        line = proc.stdout.readline()
        if not line.startswith("ready"):
            proc.kill()
            failures.append(f"trial {trial}: child did not start: {line!r} {proc.stderr.read()[-2000:]}")
            proc.wait()
            continue
        time.sleep(rng.uniform(0, args.max_wait))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        if "BAD-RESTORE" in out:
            failures.append(f"trial {trial}: {out.strip().splitlines()[-1]}")
        for ln in out.splitlines():
            if ln.startswith("durable "):
                durable.append(int(ln.split()[1]))
        for f in check_after_kill(directory, durable, args.max_to_keep, args.cli, trial % 10 == 0):
            failures.append(f"trial {trial}: {f}")
        # The restart: restore, one save, clean exit. Its first save must sweep the dead run's litter.
        r = subprocess.run(child_cmd(args, directory, trial, 1), capture_output=True, text=True, env=env())
        if r.returncode != 0:
            failures.append(f"trial {trial}: restart failed ({r.returncode}): {r.stdout[-500:]} {r.stderr[-1500:]}")
            continue
        durable += [int(ln.split()[1]) for ln in r.stdout.splitlines() if ln.startswith("durable ")]
        left = litter(directory)
        if left:
            litter_seen += 1
            failures.append(f"trial {trial}: litter after the restart's first save: {left}")
            for f in left:  # keep later trials independent of this one
                os.remove(directory / f)
    secs = time.time() - t0
    print(f"kills {args.kills} failures {len(failures)} litter-trials {litter_seen} durable-saves {len(durable)} "
          f"seconds {secs:.0f}")
    checked = ("latest restores bit-exact, newest durable kept, listed checkpoints whole, ckpt verify (1 in 10), "
               f"0 litter after restart; {len(durable)} durable saves, {args.mib:g} MiB, max_to_keep {args.max_to_keep}")
    print(f"RESULT|real kills ({args.child}, sync+async manager)|{args.kills}|{len(failures)}|{checked}")
    for f in failures[:20]:
        print("  FAIL", f)
    if not args.dir:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
