// Keys of the slices of partitioned tensors: TF's EncodeTensorNameSlice, an
// OrderedCode encoding of (0, name, rank, start0, length0, ...). Slice keys
// begin with a 0x00 byte, so they sort before every ordinary tensor name.
#pragma once

#include <string>
#include <string_view>

#include "ckpt/status.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::format {

std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice);

struct DecodedSliceKey {
  std::string name;
  TensorSlice slice;
};
// Inverse of EncodeTensorNameSlice; DataLoss on malformed input.
Result<DecodedSliceKey> DecodeTensorNameSlice(std::string_view key);

inline bool IsSliceKey(std::string_view key) { return !key.empty() && key[0] == '\0'; }

}  // namespace ckpt::format
