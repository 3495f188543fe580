// Sharding callbacks: how the values of one save are spread over several
// data files (TensorFlow's tf.train.experimental.ShardingCallback, set through
// CheckpointOptions::experimental_sharding_callback).
//
//   ckpt::CheckpointOptions o;
//   o.experimental_sharding_callback = std::make_shared<ckpt::MaxShardSizePolicy>(64 << 20);
//   ckpt.Save("/train/ckpt", o);   // ckpt-1.data-00000-of-0000K ..., one ckpt-1.index
//
// The result is one ordinary V2 bundle: a value cut by a policy is stored as
// TensorFlow stores a partitioned variable (one full-key entry listing its
// slices, one entry per slice), so tf.train.load_checkpoint and every ckpt
// reader read it as usual. Each shard becomes one data file; the shards are
// written by parallel threads (docs/sharding.md).
//
// Contract of a callback: Split() receives the save's values in save order
// (the object graph last) and returns a list of shards, each a list of
// pieces; every piece names one input value and optionally a slice of it.
// The pieces of a value must tile it exactly (no overlap, nothing missing),
// and no value may be added, renamed, reshaped or given another dtype — the
// same rules TF's validate_shards enforces. The save checks them and fails
// with InvalidArgument naming the key before anything is written. Split()
// must be deterministic and may be called from any thread (an async save
// plans on the caller's thread); it must not keep the span or its strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt {

// One value of a save, as a sharding callback sees it (TF's ShardableTensor).
struct ShardableTensor {
  std::string checkpoint_key;
  DType dtype = DType::kInvalid;
  // Shape of this value (of its block when `slice` is set).
  TensorShape shape;
  // Set when the value is already one block of a larger tensor (a
  // ShardedVariable's shard): the full shape and where the block lies.
  std::optional<SaveSliceInfo> slice;
  // DT_STRING values: the elements, row-major, for sizing (not owned).
  std::span<const std::string_view> strings;
  // The process that holds the value (TF: the device's task). 0 in one
  // process.
  int task = 0;
};

// One entry of a shard: input value `tensor` (an index into the span given to
// Split()), whole or a part of it.
struct ShardPiece {
  size_t tensor = 0;
  // nullopt: the whole value as given. Otherwise a slice of the value's full
  // tensor (the full shape of its SaveSliceInfo, or its own shape) lying
  // within the value's block; it is stored as a slice of the full key.
  std::optional<TensorSlice> slice;
};

using Shard = std::vector<ShardPiece>;

class CKPT_EXPORT ShardingCallback {
 public:
  virtual ~ShardingCallback();
  // A text description (TF's `description`), used in error messages.
  virtual std::string description() const = 0;
  // Splits `tensors` into shards (see the contract above). An error stops
  // the save before anything is written.
  virtual Result<std::vector<ckpt::Shard>> Split(std::span<const ShardableTensor> tensors) const = 0;
};

// tf.train.experimental.ShardByTaskPolicy: one shard per task. In one process
// that is one shard, i.e. exactly the files a save without a callback writes.
// With a communicator every rank is a task and writes its own data file
// (what a distributed save does anyway): accepted there.
class CKPT_EXPORT ShardByTaskPolicy : public ShardingCallback {
 public:
  std::string description() const override;
  Result<std::vector<ckpt::Shard>> Split(std::span<const ShardableTensor> tensors) const override;
};

// tf.train.experimental.MaxShardSizePolicy(max_shard_size): packs values in
// order into shards of at most `max_shard_size` bytes, cutting a value that
// does not fit into slices, with TF 2.21's algorithm (docs/sharding.md): the
// same shards, slices and slice specs TF makes for the same values. Sizes are
// element counts times the dtype's size; a string value counts the sum of its
// elements' byte lengths and is cut as if every element were as long as the
// longest; the object graph counts 0. A shard may exceed the limit only
// for a scalar (or a minimal slice) bigger than the limit, which gets a
// shard of its own, after all others, as in TF.
//
// Errors (from Split(), i.e. the save): InvalidArgument when max_shard_size
// <= 0 (TF would loop or divide by zero). Where TF 2.21 hangs (an element
// larger than the limit: no slice fits a fresh shard), ckpt cuts one-element
// thick slices on the longest axis, each an over-size shard of its own.
// Where TF drops a value with no elements (its validation then fails), ckpt
// keeps it whole in the current shard. With a communicator of size > 1:
// Unimplemented (checked on every rank before any collective).
class CKPT_EXPORT MaxShardSizePolicy : public ShardingCallback {
 public:
  explicit MaxShardSizePolicy(int64_t max_shard_size) : max_shard_size_(max_shard_size) {}
  int64_t max_shard_size() const { return max_shard_size_; }
  std::string description() const override;
  Result<std::vector<ckpt::Shard>> Split(std::span<const ShardableTensor> tensors) const override;

 private:
  int64_t max_shard_size_;
};

// Checks a callback's result against its input (the rules above). OK or
// InvalidArgument naming the callback's description, the key and the rule.
CKPT_EXPORT Status ValidateShards(std::span<const ShardableTensor> tensors, std::span<const ckpt::Shard> shards,
                                  std::string_view description);

}  // namespace ckpt
