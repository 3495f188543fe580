"""TensorFlow's side of test_sharding_tf.py, in its own process.

  save <dir> <policy>[,<policy>...]  for each policy (a max_shard_size or "task"):
                                     tf.train.Checkpoint(**vars).save into <dir>/<policy>/ -> {policy: path}
  read <prefix>...                   per prefix: tf.train.load_checkpoint values and a
                                     tf.train.Checkpoint restore into fresh variables
                                     -> {prefix: {"loaded": ..., "restored": ...}}
(one TensorFlow process serves every case: TF starts slowly)

The variables and their values are those of tests/tools/sharding_tool.cc.
"""

import json
import os
import sys

import numpy as np
import tensorflow as tf


def values():
    return {
        "big": (np.arange(360, dtype=np.float32) * np.float32(0.5) - np.float32(3)).reshape(40, 9),
        "flags": np.array([i % 3 == 0 for i in range(17)]),
        "ints": np.arange(300, dtype=np.int32) * 7 - 1000,
        "small": np.array(2.5, dtype=np.float64),
        "wide": (np.arange(300, dtype=np.float32) * np.float32(0.25)).reshape(3, 100),
        "words": np.array([b"x" * 50, b"", b"\x00\x01"], dtype=object),
    }


def policy(arg):
    if arg == "task":
        return tf.train.experimental.ShardByTaskPolicy()
    return tf.train.experimental.MaxShardSizePolicy(max_shard_size=int(arg))


def as_json(v):
    v = np.asarray(v)
    if v.dtype == object:
        return [bytes(x).hex() for x in v.reshape(-1)]
    return v.reshape(-1).astype(np.float64).tolist()


def main():
    cmd = sys.argv[1]
    if cmd == "save":
        paths = {}
        for arg in sys.argv[3].split(","):
            ckpt = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in values().items()})
            paths[arg] = ckpt.save(os.path.join(sys.argv[2], arg, "ckpt"),
                                   options=tf.train.CheckpointOptions(experimental_sharding_callback=policy(arg)))
        print(json.dumps(paths))
    elif cmd == "read":
        out = {}
        for prefix in sys.argv[2:]:
            reader = tf.train.load_checkpoint(prefix)
            loaded = {k: as_json(reader.get_tensor(f"{k}/.ATTRIBUTES/VARIABLE_VALUE")) for k in values()}
            fresh = {k: tf.Variable(tf.zeros_like(v) if v.dtype != object else tf.constant([b""] * v.size))
                     for k, v in values().items()}
            tf.train.Checkpoint(**fresh).restore(prefix).assert_consumed()
            out[prefix] = {"loaded": loaded, "restored": {k: as_json(v.numpy()) for k, v in fresh.items()}}
        print(json.dumps(out))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
