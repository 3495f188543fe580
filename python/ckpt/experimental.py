"""ckpt.experimental: the sharding policies of tf.train.experimental.

``ckpt.CheckpointOptions(experimental_sharding_callback=...)`` takes one of
these, or the same policy object from TensorFlow
(``tf.train.experimental.ShardByTaskPolicy()``,
``tf.train.experimental.MaxShardSizePolicy(max_shard_size)``): the save is
split into the same data files, slices and shard ids TensorFlow writes for
the same values (docs/sharding.md). The policies run in C++; each shard's
data file is written by its own thread.

Custom callbacks (a subclass of ``ShardingCallback``, ckpt's or TensorFlow's,
other than these two policies) are not supported: TensorFlow hands them
``tf.Tensor`` objects and expects ``tf.Tensor`` slices back, which ckpt does
not have. Such an option raises NotImplementedError when it is constructed.
"""

from typing import Any, Tuple


class ShardingCallback:
    """Base of the sharding policies (tf.train.experimental.ShardingCallback)."""

    __slots__ = ()

    @property
    def description(self) -> str:
        raise NotImplementedError

    def __call__(self, shardable_tensors: Any) -> Any:
        raise NotImplementedError(
            "ckpt's sharding policies run inside the save (in C++); they cannot be called from Python")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ShardByTaskPolicy(ShardingCallback):
    """One data file per task: in one process the files of a save without a callback;
    with a communicator one data file per rank (what a distributed save writes anyway)."""

    __slots__ = ()

    @property
    def description(self) -> str:
        return "Split tensors into shards based on their task."


class MaxShardSizePolicy(ShardingCallback):
    """Data files of at most ``max_shard_size`` bytes; bigger values are cut into slices
    (TensorFlow's algorithm; a scalar or one slice bigger than the limit gets a file of
    its own). ``max_shard_size <= 0`` fails the save with InvalidArgumentError. Not
    supported with a communicator of more than one rank (UnimplementedError)."""

    __slots__ = ("max_shard_size",)

    def __init__(self, max_shard_size: int) -> None:
        self.max_shard_size = int(max_shard_size)

    @property
    def description(self) -> str:
        return f"Split tensors into shards with a max shard size of {self.max_shard_size} bytes."

    def __repr__(self) -> str:
        return f"MaxShardSizePolicy(max_shard_size={self.max_shard_size})"


_TF_POLICY_MODULE = "tensorflow.python.checkpoint.sharding.sharding_policies"


def _is_tf_sharding_callback(obj: Any) -> bool:
    # TensorFlow's base class by name along the MRO: no import of TensorFlow
    # for objects that cannot be its own.
    return any(c.__name__ == "ShardingCallback" and c.__module__.startswith("tensorflow")
               for c in type(obj).__mro__)


def _native_spec(callback: Any) -> Tuple[str, int]:
    """("task", 0) or ("max", max_shard_size) for a supported policy object.

    ValueError (TF's text, CO-05) for an object that is no sharding callback;
    NotImplementedError for a custom one.
    """
    kind = type(callback)
    if kind is ShardByTaskPolicy:
        return ("task", 0)
    if kind is MaxShardSizePolicy:
        return ("max", callback.max_shard_size)
    if kind.__module__ == _TF_POLICY_MODULE and kind.__name__ == "ShardByTaskPolicy":
        return ("task", 0)
    if kind.__module__ == _TF_POLICY_MODULE and kind.__name__ == "MaxShardSizePolicy":
        return ("max", int(callback.max_shard_size))
    if isinstance(callback, ShardingCallback) or _is_tf_sharding_callback(callback):
        raise NotImplementedError(
            f"custom sharding callback {kind.__name__} is not supported: use ckpt.experimental."
            "ShardByTaskPolicy() or ckpt.experimental.MaxShardSizePolicy(max_shard_size) (or the same "
            "tf.train.experimental policies)")
    raise ValueError("The experimental_sharding_callback checkpoint option"
                     "must be of type ShardingCallback. The option provided"
                     f"was of type {kind}.")


__all__ = ["MaxShardSizePolicy", "ShardByTaskPolicy", "ShardingCallback"]
