// ShardedVariable: a variable of which this process holds one or more blocks.
//
// The value is a tensor of shape `full_shape`; each shard is a block of it —
// an offset and a local shape, on any axis or several — held as a Variable
// (owned or over the caller's buffer). It is saved the way TensorFlow saves
// its partitioned and sharded variables: one object-graph node with one
// VARIABLE_VALUE attribute whose index entry has the full shape and the list
// of stored slices, plus one entry per block under TF's encoded slice key
// (docs/tf-format.md, Slices). tf.train.load_checkpoint reads the full
// tensor; TF's ShardedVariable and plain tf.Variable restore it.
//
// In one process the shards must cover the tensor when it is saved; in a
// distributed save (docs/distributed.md) each rank holds some blocks and all
// ranks' blocks together must cover it. A block with no elements (a rank's
// empty share of an uneven split) is allowed and not stored, and so is a
// rank holding no shard at all of a tensor of rank >= 1.
//
// Restoring fills every shard from whatever the checkpoint holds — a whole
// tensor or any other slicing — reading only the overlapping parts.
//
// Not thread-safe (like Variable).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"
#include "ckpt/trackable.h"
#include "ckpt/variable.h"

namespace ckpt {

class CKPT_EXPORT ShardedVariable : public Trackable {
 public:
  // No shards yet; add them with AddShard. `name` is the TF1-style global
  // name recorded as the attribute's full_name.
  ShardedVariable(DType dtype, TensorShape full_shape, std::string name = "");
  // One shard: `local` is the block at `offset` (one entry per dimension).
  // Checks as AddShard; a failure leaves the variable without shards and is
  // returned by every later save or restore.
  ShardedVariable(Tensor local, TensorShape full_shape, std::vector<int64_t> offset, std::string name = "");

  // Adds the block at `offset` holding `local` (owned) or over `buffer`
  // (borrowed, must outlive the variable). InvalidArgument when the dtype
  // differs, the block does not fit the full shape, or it overlaps a shard
  // already added.
  Status AddShard(std::vector<int64_t> offset, Tensor local);
  Status AddShard(std::vector<int64_t> offset, const MutableTensorView& buffer);

  DType dtype() const { return dtype_; }
  const TensorShape& full_shape() const { return full_shape_; }
  const std::string& name() const { return name_; }
  size_t num_shards() const { return shards_.size(); }
  Variable& shard(size_t i) { return *shards_[i].value; }
  const Variable& shard(size_t i) const { return *shards_[i].value; }
  // The block of shard i, every extent spelled out ("4,3:0,3"), as TF spells it.
  const TensorSlice& slice(size_t i) const { return shards_[i].slice; }
  // The first error of construction, or OK.
  const Status& status() const { return status_; }

  // Restores every shard from `key` of `reader`: InvalidArgument on a dtype or
  // full-shape mismatch (TF's texts), TF's "Does not have sufficient slices"
  // when the stored slices miss part of a shard. Shards restored before an
  // error keep their new values.
  Status RestoreFrom(const BundleReader& reader, std::string_view key);

  std::vector<SaveableAttribute> attributes() override;
  std::string DebugString() const override;

 private:
  struct Shard {
    TensorSlice slice;
    std::unique_ptr<Variable> value;
  };
  Status CheckBlock(const std::vector<int64_t>& offset, DType dtype, const TensorShape& local,
                    TensorSlice* slice) const;

  DType dtype_;
  TensorShape full_shape_;
  std::string name_;
  std::vector<Shard> shards_;
  Status status_;
};

}  // namespace ckpt
