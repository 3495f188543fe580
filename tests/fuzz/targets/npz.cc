// Fuzz target npz: as safetensors, for a .npz archive (zip end records,
// ZIP64, central directory, local headers, .npy headers, CRCs).
#include <string>
#include <utility>
#include <vector>

#include "engine/fuzz_target.h"
#include "support/tensor_files.h"

namespace ckpt::fuzz {
namespace {

std::string Run(const uint8_t* bytes, size_t size) {
  return RunTensorFile(InputString(bytes, size), TensorFileFormat::kNpz, "f.npz");
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out = ForeignSeeds("s.npz", false);
  for (auto& z : ForeignSeeds("z.npz", true)) out.push_back(std::move(z));
  return out;
}

// Tokens worth inserting (the generic mutator's dictionary).
std::vector<std::string> Dictionary() {
  return {"PK\x03\x04", "PK\x01\x02", "PK\x05\x06", "PK\x06\x06", "PK\x06\x07", "\x93NUMPY",
          "'descr': ", "'<f8'", "'|O'", "'>i4'", "'<U3'", "True", "(0,)", "[('bfloat16', '<u2')]",
          std::string("\x08\x00", 2), std::string("\xff\xff\xff\xff", 4)};
}

}  // namespace

CKPT_FUZZ_TARGET(npz) {
  return {.name = "npz", .seeds = Seeds, .run = Run, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
