// The safetensors and npz targets: foreign tensor files (ckpt/convert.h)
// opened, read, diffed with themselves and converted to a bundle.
#pragma once

#include <string>
#include <vector>

#include "ckpt/convert.h"

namespace ckpt::fuzz {

// Runs one input as the file `name` of `format`; returns the outcome shape.
std::string RunTensorFile(const std::string& input, TensorFileFormat format, const std::string& name);

// Seeds: a bundle with several dtypes (strings included) converted by ckpt
// itself to `out_name` (its extension picks the format).
std::vector<std::string> ForeignSeeds(const char* out_name, bool zip64);

}  // namespace ckpt::fuzz
