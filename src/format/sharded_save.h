// A save split into several data files by a sharding callback
// (CheckpointOptions::experimental_sharding_callback, ckpt/sharding.h).
//
// Plan (on the caller's thread, so a bad policy fails the call itself, also
// for async saves), then write: each shard is a bundle
// `<prefix>_temp/part-SSSSS-of-NNNNN` (TF's temporary names), written by a
// pool of at most kMaxShardWriters threads; when every part is durable they
// are merged into `<prefix>` by MergeBundles (data files renamed in shard
// order, index written last). A failure in any writer stops the others and
// removes every part: nothing is published.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "base/named_view.h"
#include "ckpt/file_system.h"
#include "ckpt/sharding.h"
#include "ckpt/status.h"

namespace ckpt::format {

inline constexpr int kMaxShardWriters = 8;

struct ShardedSavePlan {
  // Each shard's pieces; ShardPiece::tensor indexes the save's value list.
  std::vector<Shard> shards;
};

// Runs `callback` over `values` (empty shares of sharded variables are left
// out, as every save does) and validates its result.
Result<ShardedSavePlan> PlanShardedSave(std::span<const NamedView> values, const ShardingCallback& callback);

// Writes `values` (the same list, or a copy in the same order, that was
// planned) at `prefix` as the plan says. One shard: one plain bundle, the
// files of a save without a callback.
Status WriteShardedBundle(FileSystem* fs, bool sync, const std::string& prefix, std::span<const NamedView> values,
                          const ShardedSavePlan& plan);

}  // namespace ckpt::format
