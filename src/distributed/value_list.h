// ValueDesc: what one rank holds of one value, and the compact binary list
// every rank contributes to the planning all-gather.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "base/named_view.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::distributed {

struct ValueDesc {
  std::string key;
  DType dtype = DType::kInvalid;
  TensorShape full_shape;
  // The part this rank holds, in full-tensor coordinates. Every extent full
  // (or spelled out as 0,dim) means the whole value, which several ranks may
  // hold (replicated); the planner picks one writer.
  TensorSlice slice;
  // Bytes it occupies in a data file (what the planner balances).
  uint64_t bytes = 0;

  friend bool operator==(const ValueDesc&, const ValueDesc&) = default;
};

// The descriptions of a save's values (whole values and slices).
std::vector<ValueDesc> DescribeValues(std::span<const NamedView> values);

// True when a slice part of a tensor with elements has none itself (a
// rank's empty share): nothing is stored for it.
bool IsEmptyShare(const NamedView& value);

// Bounds the decoder enforces (a peer's bytes are input like a file's).
inline constexpr size_t kMaxValueKeyBytes = size_t{1} << 20;

// Encoding (all integers unsigned LEB128 varints):
//   "CKV1" count { key_len key dtype rank dim... (start length+1)... bytes }...
// where length+1 = 0 marks a full extent. Deterministic: equal lists give
// equal bytes.
std::string EncodeValueList(std::span<const ValueDesc> values);

// Decodes and validates: known storable dtype, valid shape, slice of the
// shape's rank that fits it, non-empty key. DataLoss naming the byte offset
// and `source` (e.g. "rank 3") for anything malformed, truncated or trailing.
Result<std::vector<ValueDesc>> DecodeValueList(std::string_view bytes, std::string_view source);

}  // namespace ckpt::distributed
