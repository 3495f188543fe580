"""Train, kill, resume: a PyTorch model + optimizer + LR scheduler checkpointed by ckpt.

    python examples/torch_train_resume.py [--dir DIR] [--steps 60] [--kill-at 37] [--save-every 10]

Runs the training three times in child processes: once uninterrupted, once
killed with SIGKILL at step --kill-at, once resumed from the latest checkpoint
in fresh objects. The resumed losses equal the uninterrupted run's bit for bit
(printed at the end). The objects are the framework's own: ckpt.Checkpoint
takes the nn.Module (restored in place), the optimizer and the scheduler
(restored through their load_state_dict). `--worker` runs one training process.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile

import numpy as np
import torch

import ckpt


def batch(step: int):
    """The batch of a step: a pure function of the step, so a resumed run sees the same data."""
    g = torch.Generator().manual_seed(step)
    x = torch.randn(32, 8, generator=g)
    return x, x.sum(dim=1, keepdim=True).sin()


def worker(directory: str, steps: int, save_every: int) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.BatchNorm1d(32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    step = np.zeros((), np.int64)  # a writable numpy scalar: restored in place
    checkpoint = ckpt.Checkpoint(model=model, optimizer=optimizer, scheduler=scheduler, step=step)
    manager = ckpt.CheckpointManager(checkpoint, directory, max_to_keep=2)
    restored = manager.restore_or_initialize()
    print(f"start {int(step)} from {restored}", flush=True)
    while step < steps:
        x, y = batch(int(step))
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        step += 1
        print(f"step {int(step)} loss {loss.item()!r}", flush=True)
        if step % save_every == 0:
            manager.save(options=ckpt.CheckpointOptions(enable_async=True))
    manager.sync()


def run(args: argparse.Namespace, directory: str, kill_at: int = 0) -> dict:
    """Runs a worker; returns {step: loss line}. With kill_at, SIGKILLs it after that step."""
    cmd = [sys.executable, __file__, "--worker", "--dir", directory, "--steps", str(args.steps),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--kill-at", type=int, default=37)
    parser.add_argument("--save-every", type=int, default=10)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    base = args.dir or tempfile.mkdtemp(prefix="ckpt-torch-")
    if args.worker:
        worker(base, args.steps, args.save_every)
        return
    reference = run(args, os.path.join(base, "uninterrupted"))
    run(args, os.path.join(base, "killed"), kill_at=args.kill_at)
    resumed = run(args, os.path.join(base, "killed"))
    same = bool(resumed) and all(reference[n] == loss for n, loss in resumed.items())
    print(f"resumed steps {min(resumed)}..{max(resumed)} identical to the uninterrupted run: {same}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
