"""TensorFlow side of test_manager_tf.py (run in its own process).

    python tf_manager_helper.py <in.json> <out.json>

in.json:  {"runs": [{"id": ..., "script": <text>, "dir": <abs dir>}, ...],
           "parse": {<key>: <state file text>, ...}}
out.json: {"runs": {<id>: {"steps": [...]}}, "parsed": {<key>: <dict or {"error": ...}>}}

Each run executes the script (format: tests/tools/manager_tool.cc) through
tf.train.Checkpoint and tf.train.CheckpointManager, with the clock mocked the
way TensorFlow's own tests do it: the `time` module attribute of
tensorflow.python.checkpoint.checkpoint_management is replaced, so the manager's
time.time() calls (at construction, CM-18/CM-24, and when a write completes,
CM-12) read the script's clock. Every step reports the same fields as
manager_tool. "parse" turns `checkpoint` state files (ours and TF's) into plain
dicts with TensorFlow's own CheckpointState proto and text_format parser, the
way get_checkpoint_state reads them.
"""

import json
import os
import sys
import time as real_time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from google.protobuf import text_format  # noqa: E402
from tensorflow.python.checkpoint import checkpoint_management  # noqa: E402
from tensorflow.python.training import checkpoint_state_pb2  # noqa: E402

LOCK_FILE = ".ckpt-manager.lock"  # ours; ignored when listing a directory we wrote


class FakeTime:
    """Stands in for the `time` module inside checkpoint_management."""

    now = 0.0

    def time(self):
        return FakeTime.now

    def __getattr__(self, name):
        return getattr(real_time, name)


checkpoint_management.time = FakeTime()
assert tf.train.CheckpointManager is checkpoint_management.CheckpointManager


class M(tf.Module):
    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.zeros([3, 2]))
        self.bias = tf.Variable(tf.zeros([2]))


def hexval(v):
    return np.asarray(v.numpy()).tobytes().hex()


def parse_args(words):
    kv, pos = {}, []
    for w in words[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            kv[k] = v
        else:
            pos.append(w)
    return kv, pos


class Runner:
    def __init__(self, directory):
        self.dir = directory
        self.manager = None
        self.init_called = False
        self.fresh()

    def fresh(self):
        self.manager = None
        self.model = M()
        self.step = tf.Variable(0, dtype=tf.int64)
        self.ckpt = tf.train.Checkpoint(model=self.model, step=self.step)

    def set_values(self, seed):
        k = np.array([seed * 1.5 + i * 0.125 - 3.0 for i in range(6)], dtype=np.float64).astype(np.float32)
        b = np.array([-seed * 0.5 + i * 0.25 + 0.0625 for i in range(2)], dtype=np.float64).astype(np.float32)
        self.model.kernel.assign(k.reshape(3, 2))
        self.model.bias.assign(b)

    def zero(self):
        self.model.kernel.assign(tf.zeros([3, 2]))
        self.model.bias.assign(tf.zeros([2]))
        self.step.assign(0)

    def values(self):
        return {"model.kernel": hexval(self.model.kernel), "model.bias": hexval(self.model.bias),
                "step": hexval(self.step)}

    def init_fn(self):
        self.init_called = True
        self.set_values(-1)

    def step_line(self, line):
        words = line.split()
        if not words or words[0].startswith("#"):
            return None
        op = words[0]
        kv, pos = parse_args(words)
        out = {"line": line, "result": None, "error": None}
        extra = {}
        if op == "time":
            FakeTime.now = float(pos[0])
        elif op == "step":
            self.step.assign(int(pos[0]))
        elif op == "values":
            self.set_values(float(pos[0]))
        elif op == "fresh":
            self.fresh()
        elif op == "manager":
            self.manager = None
            mk = kv.get("max_to_keep", "none")
            args = dict(max_to_keep=None if mk == "none" else int(mk), init_fn=self.init_fn)
            if "keep_hours" in kv:
                args["keep_checkpoint_every_n_hours"] = float(kv["keep_hours"])
            if "name" in kv:
                args["checkpoint_name"] = kv["name"]
            if "interval" in kv:
                args["checkpoint_interval"] = int(kv["interval"])
                args["step_counter"] = self.step
            if "last_step" in kv:
                args["last_checkpoint_step"] = int(kv["last_step"])
            try:
                self.manager = tf.train.CheckpointManager(self.ckpt, self.dir, **args)
            except ValueError as e:
                out["error"] = str(e)
        elif op == "save":
            number = int(kv["number"]) if "number" in kv else None
            check = kv.get("check_interval", "1") != "0"
            out["result"] = self.manager.save(checkpoint_number=number, check_interval=check)
            extra["save_counter"] = int(self.ckpt.save_counter.numpy())
        elif op == "ckpt_save":
            out["result"] = self.ckpt.save(os.path.join(self.dir, pos[0]))
            extra["save_counter"] = int(self.ckpt.save_counter.numpy())
        elif op == "restore_or_initialize":
            self.zero()
            self.init_called = False
            out["result"] = self.manager.restore_or_initialize()
            extra["init_called"] = self.init_called
            extra["save_counter"] = int(self.ckpt.save_counter.numpy())
            extra["values"] = self.values()
        elif op == "restore":
            self.zero()
            self.ckpt.save_counter.assign(0)
            path = self.manager.latest_checkpoint
            status = self.ckpt.restore(path)
            out["result"] = path
            try:
                status.assert_consumed()
                extra["assert_consumed"] = "ok"
            except AssertionError as e:
                extra["assert_consumed"] = "fail: " + str(e)
            extra["save_counter"] = int(self.ckpt.save_counter.numpy())
            extra["values"] = self.values()
        else:
            raise SystemExit(f"unknown op {op}")

        if self.manager is not None:
            out["latest"] = self.manager.latest_checkpoint
            out["checkpoints"] = self.manager.checkpoints
            out["last_preserved_timestamp"] = self.manager._last_preserved_timestamp  # pylint: disable=protected-access
        else:
            out["latest"] = out["checkpoints"] = out["last_preserved_timestamp"] = None
        out["files"] = sorted(n for n in os.listdir(self.dir) if n != LOCK_FILE) if os.path.isdir(self.dir) else []
        state = os.path.join(self.dir, "checkpoint")
        out["state"] = open(state).read() if os.path.exists(state) else None
        out.update(extra)
        return out


def parse_state(text):
    st = checkpoint_state_pb2.CheckpointState()
    try:
        text_format.Merge(text, st)
    except text_format.ParseError as e:
        return {"error": str(e)}
    return {
        "model_checkpoint_path": st.model_checkpoint_path,
        "all_model_checkpoint_paths": list(st.all_model_checkpoint_paths),
        "all_model_checkpoint_timestamps": list(st.all_model_checkpoint_timestamps),
        "last_preserved_timestamp": st.last_preserved_timestamp,
    }


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    runs = {}
    for run in job.get("runs", []):
        r = Runner(run["dir"])
        steps = [s for s in (r.step_line(line) for line in run["script"].splitlines()) if s is not None]
        runs[run["id"]] = {"steps": steps}
    parsed = {k: parse_state(v) for k, v in job.get("parse", {}).items()}
    with open(sys.argv[2], "w") as f:
        json.dump({"runs": runs, "parsed": parsed}, f)


if __name__ == "__main__":
    main()
