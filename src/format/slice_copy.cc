#include "format/slice_copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ckpt::format {
namespace {

struct Box {
  std::vector<int64_t> lo, hi;  // per dimension, in full-tensor coordinates
};

Box ToBox(const TensorSlice& s, const TensorShape& full) {
  Box b;
  for (int d = 0; d < full.rank(); ++d) {
    const int64_t start = s.IsFullAt(d) ? 0 : s.start(d);
    b.lo.push_back(start);
    b.hi.push_back(start + s.ResolvedLength(d, full));
  }
  return b;
}

// Row-major strides (in elements) of a box's own buffer.
std::vector<int64_t> Strides(const Box& b) {
  std::vector<int64_t> st(b.lo.size(), 1);
  for (int d = static_cast<int>(b.lo.size()) - 2; d >= 0; --d) st[d] = st[d + 1] * (b.hi[d + 1] - b.lo[d + 1]);
  return st;
}

void CopyRec(int d, const Box& ov, const char* src, const Box& sb, const std::vector<int64_t>& ss, char* dst,
             const Box& db, const std::vector<int64_t>& ds, size_t esize) {
  const int rank = static_cast<int>(ov.lo.size());
  if (d == rank - 1) {
    const int64_t n = ov.hi[d] - ov.lo[d];
    std::memcpy(dst + (ov.lo[d] - db.lo[d]) * esize, src + (ov.lo[d] - sb.lo[d]) * esize, n * esize);
    return;
  }
  for (int64_t i = ov.lo[d]; i < ov.hi[d]; ++i) {
    CopyRec(d + 1, ov, src + (i - sb.lo[d]) * ss[d] * esize, sb, ss, dst + (i - db.lo[d]) * ds[d] * esize, db, ds,
            esize);
  }
}

}  // namespace

int64_t IntersectionVolume(const TensorSlice& a, const TensorSlice& b, const TensorShape& full) {
  const Box x = ToBox(a, full), y = ToBox(b, full);
  int64_t v = 1;
  for (size_t d = 0; d < x.lo.size(); ++d) {
    const int64_t lo = std::max(x.lo[d], y.lo[d]), hi = std::min(x.hi[d], y.hi[d]);
    if (hi <= lo) return 0;
    v *= hi - lo;
  }
  return v;
}

void CopySliceOverlap(const void* src, const TensorSlice& src_slice, void* dst, const TensorSlice& dst_slice,
                      const TensorShape& full, size_t esize) {
  const Box sb = ToBox(src_slice, full), db = ToBox(dst_slice, full);
  Box ov;
  for (size_t d = 0; d < sb.lo.size(); ++d) {
    ov.lo.push_back(std::max(sb.lo[d], db.lo[d]));
    ov.hi.push_back(std::min(sb.hi[d], db.hi[d]));
    if (ov.hi[d] <= ov.lo[d]) return;
  }
  if (ov.lo.empty()) {  // scalars
    std::memcpy(dst, src, esize);
    return;
  }
  CopyRec(0, ov, static_cast<const char*>(src), sb, Strides(sb), static_cast<char*>(dst), db, Strides(db), esize);
}

}  // namespace ckpt::format
