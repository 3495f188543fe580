"""train_demo.py: the Python twin of train_demo.cc.

A small numpy MLP trained with Adam, checkpointed asynchronously by a
ckpt.CheckpointManager every N steps, resumable after a crash:

    python examples/train_demo.py --dir DIR [--steps 300] [--save-every 20] [--step-ms 0]

It prints "step <n> loss <value>" per step. Batches are a pure function of
the step number, so a run killed with SIGKILL and restarted follows the
uninterrupted run's trajectory exactly (scripts/demo.sh shows it for the C++
twin). The file layout is TensorFlow's: tf.train.load_checkpoint reads it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ckpt

IN, HIDDEN, BATCH = 8, 32, 64


class Dense(ckpt.Module):
    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator):
        super().__init__()
        # Numpy arrays are saved from, and restored into, their own memory.
        self.kernel = ckpt.Variable(
            (rng.uniform(-1, 1, (n_in, n_out)) / np.sqrt(n_in)).astype(np.float32))
        self.bias = ckpt.Variable(np.zeros(n_out, np.float32))


class Mlp(ckpt.Module):
    def __init__(self, rng: np.random.Generator):
        super().__init__()
        self.hidden = Dense(IN, HIDDEN, rng)
        self.output = Dense(HIDDEN, 1, rng)

    def params(self):
        return [self.hidden.kernel, self.hidden.bias, self.output.kernel, self.output.bias]


class Adam(ckpt.Module):
    """Adam whose moment estimates are tracked lists, like Keras 3's optimizer state."""

    def __init__(self, params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__()
        self.iterations = ckpt.Variable(np.zeros((), np.int64))
        self.momentums = [ckpt.Variable(np.zeros_like(p.numpy())) for p in params]
        self.velocities = [ckpt.Variable(np.zeros_like(p.numpy())) for p in params]
        self._hyper = (lr, beta1, beta2, eps)

    def apply(self, params, grads):
        lr, b1, b2, eps = self._hyper
        t = float(self.iterations.numpy()) + 1
        for p, g, m, v in zip(params, grads, self.momentums, self.velocities):
            m_arr, v_arr, w = m.numpy(), v.numpy(), p.numpy()  # views: updated in place
            m_arr[...] = b1 * m_arr + (1 - b1) * g
            v_arr[...] = b2 * v_arr + (1 - b2) * g * g
            w -= lr * (m_arr / (1 - b1 ** t)) / (np.sqrt(v_arr / (1 - b2 ** t)) + eps)
        self.iterations.assign(self.iterations.numpy() + 1)


def train_step(model: Mlp, opt: Adam, step: int) -> float:
    rng = np.random.default_rng(0x5EED0000 + step)
    x = rng.uniform(-1, 1, (BATCH, IN)).astype(np.float32)
    y = np.sin(3 * x @ (0.1 * np.arange(1, IN + 1, dtype=np.float32)))
    w1, b1, w2, b2 = (p.numpy() for p in model.params())
    h = np.tanh(x @ w1 + b1)
    pred = (h @ w2)[:, 0] + b2[0]
    err = pred - y
    loss = float(np.mean(err * err))
    d = (2 * err / BATCH)[:, None]
    dh = d @ w2.T * (1 - h * h)
    grads = [x.T @ dh, dh.sum(0), h.T @ d, d.sum(0)]
    opt.apply(model.params(), grads)
    return loss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--save-every", type=int, default=20)
    ap.add_argument("--max-to-keep", type=int, default=3)
    ap.add_argument("--step-ms", type=int, default=0, help="pretend each step takes this long")
    args = ap.parse_args()

    model = Mlp(np.random.default_rng(42))
    opt = Adam(model.params())
    step = ckpt.Variable(np.zeros((), np.int64))
    checkpoint = ckpt.Checkpoint(model=model, optimizer=opt, step=step)
    manager = ckpt.CheckpointManager(
        checkpoint, args.dir, max_to_keep=args.max_to_keep,
        step_counter=step, checkpoint_interval=args.save_every)
    options = ckpt.CheckpointOptions(enable_async=True)  # save() returns after a memcpy

    restored = manager.restore_or_initialize()
    if restored:
        print(f"resumed from {restored} at step {int(step.numpy())}", flush=True)
    else:
        print(f"no checkpoint in {args.dir}: starting from scratch", flush=True)

    while int(step.numpy()) < args.steps:
        loss = train_step(model, opt, int(step.numpy()))
        if args.step_ms:
            time.sleep(args.step_ms / 1000)
        step.assign(step.numpy() + 1)
        print(f"step {int(step.numpy())} loss {loss:.9g}", flush=True)
        manager.save(options=options)
    manager.sync()
    print(f"done: latest checkpoint {manager.latest_checkpoint}", flush=True)


if __name__ == "__main__":
    main()
