// Bundle-shaped inputs (support/bundle_inputs.h).
#include "support/bundle_inputs.h"

#include <cstdint>

#include "ckpt/bundle.h"
#include "support/chunks.h"
#include "support/memory_files.h"
#include "support/seed_bundles.h"

namespace ckpt::fuzz {

void PutBundleInput(FileSystem* fs, const std::string& prefix, const std::string& input) {
  const std::vector<std::string> chunks = Unpack(input, kMaxBundleChunks);
  if (!chunks.empty()) PutFile(fs, MetaFilename(prefix), chunks[0]);
  const int32_t k = static_cast<int32_t>(chunks.size()) - 1;
  for (int32_t i = 0; i < k; ++i) PutFile(fs, DataFilename(prefix, i, k), chunks[static_cast<size_t>(i) + 1]);
}

std::vector<std::string> PackedSeedBundles() {
  std::vector<std::string> out;
  for (auto& b : SeedBundles()) {
    std::vector<std::string> chunks = {b.index};
    for (auto& d : b.data) chunks.push_back(d);
    out.push_back(Pack(chunks));
  }
  return out;
}

}  // namespace ckpt::fuzz
