// Comparing two checkpoints (or any two tensor files ckpt/tensor_source.h
// can open): keys only in one of them, dtype and shape changes, and for common
// keys how far the values are apart.
//
//   auto d = ckpt::DiffTensorFiles("run1/ckpt-100", "run2/model.safetensors");
//   if (!d->identical()) for (const auto& t : d->common) ...
//
// Values are compared as numbers: two elements are equal when a == b (so
// 0.0 == -0.0) or both are NaN; with a tolerance, when |a - b| <= atol +
// rtol * |b|. float16/bfloat16/float8/float4 are widened to double, int4/int2
// sign-extended, quantized types compared as their integers, complex numbers
// by the modulus of their difference. String tensors are equal or not
// (element by element). Only one tensor of each side is in memory at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_source.h"

namespace ckpt {

struct DiffOptions {
  double atol = 0;  // absolute tolerance
  double rtol = 0;  // relative tolerance (relative to B's value)
  // Leave `_CHECKPOINTABLE_OBJECT_GRAPH` out of the comparison (it records
  // object ids, so it differs between otherwise equal object-based saves).
  bool ignore_object_graph = false;
};

struct TensorDiff {
  enum class Kind {
    kEqual,       // same dtype, shape and values (within tolerance)
    kValues,      // same dtype and shape, some values differ
    kDType,       // dtypes differ (values still compared when both are numeric and shapes match)
    kShape,       // shapes differ (values not compared)
    kUnreadable,  // one side could not be read (see `error`)
  };
  std::string key;
  Kind kind = Kind::kEqual;
  DType dtype_a = DType::kInvalid, dtype_b = DType::kInvalid;
  TensorShape shape_a, shape_b;
  // Filled when values were compared.
  bool compared = false;
  int64_t num_elements = 0;
  int64_t num_different = 0;  // elements outside the tolerance
  bool numeric = false;       // false for strings: max_* below are meaningless
  // Over all elements: max |a - b|, and max |a - b| / max(|a|, |b|) (0 where
  // both are 0). +inf when one side is NaN/Inf and the other is not the same.
  double max_abs_diff = 0;
  double max_rel_diff = 0;
  std::string error;  // kUnreadable: why
};

struct KeyDTypeShape {
  std::string key;
  DType dtype = DType::kInvalid;
  TensorShape shape;
};

struct CheckpointDiff {
  std::vector<KeyDTypeShape> only_in_a, only_in_b;
  std::vector<TensorDiff> common;  // every common key, sorted, equal ones included
  bool identical() const;
  int64_t num_changed() const;  // common keys whose kind is not kEqual
};

CKPT_EXPORT const char* TensorDiffKindName(TensorDiff::Kind kind);  // "equal", "values", "dtype", "shape", "unreadable"

// Compares two tensors already in memory (key is copied into the result).
CKPT_EXPORT TensorDiff DiffTensors(std::string_view key, const Tensor& a, const Tensor& b, const DiffOptions& options = {});

CKPT_EXPORT Result<CheckpointDiff> DiffTensorSources(const TensorSource& a, const TensorSource& b,
                                                     const DiffOptions& options = {});
// Opens both with OpenTensorSource (format detected) and compares them.
CKPT_EXPORT Result<CheckpointDiff> DiffTensorFiles(const std::string& a, const std::string& b,
                                                   const DiffOptions& options = {});

inline bool CheckpointDiff::identical() const { return only_in_a.empty() && only_in_b.empty() && num_changed() == 0; }
inline int64_t CheckpointDiff::num_changed() const {
  int64_t n = 0;
  for (const auto& t : common) n += t.kind != TensorDiff::Kind::kEqual;
  return n;
}

}  // namespace ckpt
