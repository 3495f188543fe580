// The input the bundle and checkpoint_reader targets take: a bundle's files
// packed as chunks (support/chunks.h), chunk 0 the .index and chunk 1 + i
// data shard i of (chunks - 1).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ckpt/file_system.h"

namespace ckpt::fuzz {

// The index and at most 8 data shards; later chunks are ignored.
constexpr size_t kMaxBundleChunks = 9;

// Writes the files packed in `input` as the bundle `prefix` of `fs` (none
// when it has no chunk); a failed write is a violated property.
void PutBundleInput(FileSystem* fs, const std::string& prefix, const std::string& input);

// SeedBundles() (support/seed_bundles.h) packed as such inputs.
std::vector<std::string> PackedSeedBundles();

}  // namespace ckpt::fuzz
