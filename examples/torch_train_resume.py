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

import numpy as np
import torch

import ckpt
import kill_resume  # examples/kill_resume.py: the kill-and-resume driver


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


if __name__ == "__main__":
    kill_resume.main(__file__, worker, "ckpt-torch-")
