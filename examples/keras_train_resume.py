"""Train, kill, resume: a Keras 3 model + optimizer checkpointed by ckpt instead of tf.train.

    python examples/keras_train_resume.py [--dir DIR] [--steps 60] [--kill-at 37] [--save-every 10]

Runs the training three times in child processes: once uninterrupted, once
killed with SIGKILL at step --kill-at, once resumed from the latest checkpoint
in fresh objects. The resumed losses equal the uninterrupted run's bit for bit
(printed at the end). `ckpt.Checkpoint(model=..., optimizer=...)` takes the
Keras objects as tf.train.Checkpoint does and writes the same keys and object
graph (TensorFlow can restore these files, and ckpt TensorFlow's). The step
counter is the optimizer's own `iterations`. `--worker` runs one training process.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import ckpt  # noqa: E402
import kill_resume  # noqa: E402  (examples/kill_resume.py: the kill-and-resume driver)


def batch(step: int):
    """The batch of a step: a pure function of the step, so a resumed run sees the same data."""
    rng = np.random.default_rng(step)
    x = rng.normal(size=(32, 8)).astype(np.float32)
    return x, np.sin(x.sum(axis=1, keepdims=True))


def worker(directory: str, steps: int, save_every: int) -> None:
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=20, decay_rate=0.5)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    # A Keras optimizer has no variables until built: build it before a restore.
    model.optimizer.build(model.trainable_variables)
    checkpoint = ckpt.Checkpoint(model=model, optimizer=model.optimizer)
    manager = ckpt.CheckpointManager(checkpoint, directory, max_to_keep=2)
    restored = manager.restore_or_initialize()
    step = int(model.optimizer.iterations.numpy())
    print(f"start {step} from {restored}", flush=True)
    while step < steps:
        x, y = batch(step)
        loss = model.train_on_batch(x, y)
        step += 1
        print(f"step {step} loss {float(loss)!r}", flush=True)
        if step % save_every == 0:
            manager.save(options=ckpt.CheckpointOptions(enable_async=True))
    manager.sync()


if __name__ == "__main__":
    kill_resume.main(__file__, worker, "ckpt-keras-")
