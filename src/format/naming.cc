#include "format/naming.h"

#include <cstdio>
#include <random>

#include "ckpt/bundle.h"

namespace ckpt {

std::string MetaFilename(std::string_view prefix) { return std::string(prefix) + ".index"; }

std::string DataFilename(std::string_view prefix, int32_t shard, int32_t num_shards) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".data-%05d-of-%05d", shard, num_shards);
  return std::string(prefix) + buf;
}

namespace format {
namespace {
uint64_t Random64() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}
}  // namespace

std::string TempStateName(std::string_view path) {
  return std::string(path) + ".tempstate" + std::to_string(Random64());
}

std::string RandomHex32() {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(Random64()),
                static_cast<unsigned long long>(Random64()));
  return std::string(buf, 32);
}

}  // namespace format
}  // namespace ckpt
