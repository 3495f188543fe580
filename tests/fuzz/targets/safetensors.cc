// Fuzz target safetensors: OpenTensorSource on a .safetensors file (header
// length, JSON, dtypes, shapes and offsets against the file size), Read of
// every tensor, a self-diff and a conversion of what reads to a bundle.
#include <string>
#include <vector>

#include "base/coding.h"
#include "engine/fuzz_target.h"
#include "support/tensor_files.h"

namespace ckpt::fuzz {
namespace {

std::string Run(const uint8_t* bytes, size_t size) {
  return RunTensorFile(InputString(bytes, size), TensorFileFormat::kSafetensors, "f.safetensors");
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out = ForeignSeeds("s.safetensors", false);
  const std::string json = R"({"__metadata__":{"format":"pt"},"x":{"dtype":"F8_E8M0","shape":[2],"data_offsets":[0,2]}})";
  std::string s;
  coding::PutFixed64(&s, json.size());
  out.push_back(s + json + "ab");
  return out;
}

// Tokens worth inserting (the generic mutator's dictionary).
std::vector<std::string> Dictionary() {
  return {"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"BF16\"",
          "\"F8_E8M0\"", "[", "]", "{", "}", ",", ":", "18446744073709551615", "-1", "\\u0000", "1e3"};
}

}  // namespace

CKPT_FUZZ_TARGET(safetensors) {
  return {.name = "safetensors", .seeds = Seeds, .run = Run, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
