// The safetensors format (Hugging Face): an 8-byte little-endian header
// length N, N bytes of JSON, then the tensor data.
//
//   {"__metadata__": {"k": "v", ...},            (optional, string values)
//    "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
//
// Offsets are relative to the first byte after the header; elements are
// little-endian, row-major. The reference implementation pads the header with
// spaces to a multiple of 8 bytes and lays tensors out back to back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt::interop {

// The reference implementation refuses headers above 100 MB; so do we.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

struct SafetensorsTensor {
  std::string name;
  std::string st_dtype;  // as written ("F32")
  DType dtype = DType::kInvalid;
  TensorShape shape;
  uint64_t begin = 0, end = 0;  // relative to the data section
  std::string unsupported;      // non-empty: no TensorFlow dtype for st_dtype
};

struct SafetensorsHeader {
  std::vector<SafetensorsTensor> tensors;  // in header order
  std::vector<std::pair<std::string, std::string>> metadata;
  uint64_t data_start = 0;  // 8 + N
};

// "F32" for DType::kFloat, ... ("" when safetensors has no such dtype).
std::string_view SafetensorsDType(DType dtype);

// Parses and validates the header JSON: every dtype/shape/offset well-formed,
// every byte range inside the `data_size` bytes that follow the header and
// of exactly the size its dtype and shape need (for dtypes we know).
Result<SafetensorsHeader> ParseSafetensorsHeader(std::string_view json, uint64_t data_size);
// Reads the length prefix and the header of `file` (validated against its size).
Result<SafetensorsHeader> ReadSafetensorsHeader(const RandomAccessFile& file);

struct SafetensorsPlanEntry {
  std::string name;
  DType dtype;
  TensorShape shape;
  uint64_t byte_size;
};
// The length prefix + header (padded to a multiple of 8) for tensors laid out
// back to back in the given order.
std::string MakeSafetensorsHeader(const std::vector<SafetensorsPlanEntry>& entries,
                                  const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace ckpt::interop
