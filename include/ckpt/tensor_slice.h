// TensorSlice: a hyper-rectangle of a tensor, as partitioned variables store it.
//
// One extent per dimension: (start, length), where length == kFullExtent
// means "the whole dimension" (start is then 0). TensorFlow's text form is
// "0,5:-" (rows 0..4, all columns); with the full shape in front it is the
// `shape_and_slice` string of SaveV2/RestoreV2: "10 20 0,5:-".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt {

class CKPT_EXPORT TensorSlice {
 public:
  static constexpr int64_t kFullExtent = -1;
  struct Extent {
    int64_t start = 0;
    int64_t length = kFullExtent;
    friend bool operator==(const Extent&, const Extent&) = default;
  };

  TensorSlice() = default;  // rank 0
  explicit TensorSlice(std::vector<Extent> extents) : extents_(std::move(extents)) {}
  // The slice covering all of a tensor of rank `rank` (every extent full).
  static TensorSlice Full(int rank);

  // Parses "0,5:-" (empty string = rank-0 slice). Rejects start < 0 or
  // length <= 0, as TensorFlow does.
  static Result<TensorSlice> Parse(std::string_view spec);
  // Parses "10 20 0,5:-" into the full shape and the slice.
  static Result<std::pair<TensorShape, TensorSlice>> ParseShapeAndSlice(std::string_view s);

  int rank() const { return static_cast<int>(extents_.size()); }
  const std::vector<Extent>& extents() const { return extents_; }
  int64_t start(int d) const { return extents_[d].start; }
  int64_t length(int d) const { return extents_[d].length; }
  bool IsFullAt(int d) const { return extents_[d].length == kFullExtent; }
  // Every extent is kFullExtent.
  bool IsFull() const;

  // Checks the slice against a full shape: same rank, and each extent
  // within [0, dim). InvalidArgument naming both otherwise.
  Status CheckFits(const TensorShape& full) const;
  // Length of dimension d within a tensor of shape `full` (resolves full extents).
  int64_t ResolvedLength(int d, const TensorShape& full) const {
    return IsFullAt(d) ? full.dim(d) : extents_[d].length;
  }
  // Shape of the sliced sub-tensor of `full`.
  TensorShape SliceShape(const TensorShape& full) const;

  // "0,5:-".
  std::string ToString() const;

  friend bool operator==(const TensorSlice&, const TensorSlice&) = default;

 private:
  std::vector<Extent> extents_;
};

// Where one stored part of a partitioned value lies: the shape of the whole
// tensor and the part's slice of it (TF's Variable.SaveSliceInfo).
struct SaveSliceInfo {
  TensorShape full_shape;
  TensorSlice slice;
  friend bool operator==(const SaveSliceInfo&, const SaveSliceInfo&) = default;
};

}  // namespace ckpt
