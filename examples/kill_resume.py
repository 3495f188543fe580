"""The driver both framework examples share: run a training worker uninterrupted, run it again and
SIGKILL it at one step, resume it, and compare the losses.

    kill_resume.main(__file__, worker, "ckpt-torch-")   # at the end of an example

`worker(directory, steps, save_every)` trains in this process, restoring the latest checkpoint of
`directory` first, and prints "step <n> loss <repr>" after each step. The example's own command line
(--dir, --steps, --kill-at, --save-every) is parsed here; --worker runs one worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from typing import Callable


def run(script: str, args: argparse.Namespace, directory: str, kill_at: int = 0) -> dict:
    """Runs a worker process; returns {step: loss}. With kill_at, SIGKILLs it after that step."""
    cmd = [sys.executable, script, "--worker", "--dir", directory, "--steps", str(args.steps),
           "--save-every", str(args.save_every)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    losses = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  [{os.path.basename(directory)}] {line.rstrip()}")
        if line.startswith("step "):
            _, n, _, loss = line.split()
            losses[int(n)] = loss
            if kill_at and int(n) == kill_at:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait()
    return losses


def main(script: str, worker: Callable[[str, int, int], None], temp_prefix: str) -> None:
    module = sys.modules.get("__main__")
    parser = argparse.ArgumentParser(description=getattr(module, "__doc__", None),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--kill-at", type=int, default=37)
    parser.add_argument("--save-every", type=int, default=10)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    base = args.dir or tempfile.mkdtemp(prefix=temp_prefix)
    if args.worker:
        worker(base, args.steps, args.save_every)
        return
    reference = run(script, args, os.path.join(base, "uninterrupted"))
    run(script, args, os.path.join(base, "killed"), kill_at=args.kill_at)
    resumed = run(script, args, os.path.join(base, "killed"))
    same = bool(resumed) and all(reference[n] == loss for n, loss in resumed.items())
    print(f"resumed steps {min(resumed)}..{max(resumed)} identical to the uninterrupted run: {same}")
    sys.exit(0 if same else 1)
