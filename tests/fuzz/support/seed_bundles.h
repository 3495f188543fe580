// Seed inputs shared by several targets: real bundles written by
// BundleWriter (and MergeBundles) to a memory file system.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ckpt/tensor.h"

namespace ckpt::fuzz {

// The files of one bundle.
struct BundleFiles {
  std::string index;
  std::vector<std::string> data;  // shard i
};

// Six bundles, in this order (targets pick some by index): mixed dtypes with
// strings, empty tensors and a partitioned tensor; the same with 8-byte data
// alignment; no tensors at all; one float scalar; 3-D and 1-D partitioned
// tensors of several dtypes; a merged two-shard bundle whose partitioned
// tensor has a slice in each shard.
std::vector<BundleFiles> SeedBundles();

}  // namespace ckpt::fuzz
