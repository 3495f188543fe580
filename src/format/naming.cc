// File naming of tensor bundles (the one module that owns it).
#include <cstdio>

#include "ckpt/bundle.h"

namespace ckpt {

std::string MetaFilename(std::string_view prefix) { return std::string(prefix) + ".index"; }

std::string DataFilename(std::string_view prefix, int32_t shard, int32_t num_shards) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".data-%05d-of-%05d", shard, num_shards);
  return std::string(prefix) + buf;
}

}  // namespace ckpt
