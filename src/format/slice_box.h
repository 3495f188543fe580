// SliceBox: a slice of a partitioned tensor as half-open per-dimension
// bounds [lo, hi) in full-tensor coordinates — the one spelling of the box
// arithmetic that copying between slices (slice_copy), reading by
// intersection (slice_reader) and the distributed save planner share.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <vector>

#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::format {

struct SliceBox {
  std::vector<int64_t> lo, hi;
  friend auto operator<=>(const SliceBox&, const SliceBox&) = default;

  // `s` (full or partial in each dimension) resolved against `full`.
  static SliceBox Of(const TensorSlice& s, const TensorShape& full) {
    SliceBox b;
    for (int d = 0; d < full.rank(); ++d) {
      const int64_t start = s.IsFullAt(d) ? 0 : s.start(d);
      b.lo.push_back(start);
      b.hi.push_back(start + s.ResolvedLength(d, full));
    }
    return b;
  }

  // True when some dimension has no extent: the box holds no element.
  bool Empty() const {
    for (size_t d = 0; d < lo.size(); ++d) {
      if (hi[d] <= lo[d]) return true;
    }
    return false;
  }

  // Number of elements. The shapes come from files, and a tensor with a zero
  // dimension may have other dimensions whose product overflows: an empty box
  // is 0 before anything is multiplied, and a product that does not fit
  // saturates at INT64_MAX (more than any file holds, so a later size check
  // rejects it).
  int64_t Volume() const {
    if (Empty()) return 0;
    int64_t v = 1;
    for (size_t d = 0; d < lo.size(); ++d) {
      if (__builtin_mul_overflow(v, hi[d] - lo[d], &v)) return INT64_MAX;
    }
    return v;
  }

  // True when the two boxes share at least one element.
  bool Overlaps(const SliceBox& o) const {
    for (size_t d = 0; d < lo.size(); ++d) {
      if (std::max(lo[d], o.lo[d]) >= std::min(hi[d], o.hi[d])) return false;
    }
    return true;
  }

  // Row-major strides (in elements) of a buffer holding exactly this box. An
  // empty box addresses no element: all zero (see Volume for why not multiply).
  std::vector<int64_t> Strides() const {
    std::vector<int64_t> st(lo.size(), Empty() ? 0 : 1);
    if (Empty()) return st;
    for (int d = static_cast<int>(lo.size()) - 2; d >= 0; --d) {
      if (__builtin_mul_overflow(st[d + 1], hi[d + 1] - lo[d + 1], &st[d])) st[d] = INT64_MAX;
    }
    return st;
  }
};

}  // namespace ckpt::format
