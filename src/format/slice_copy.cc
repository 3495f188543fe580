#include "format/slice_copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "format/slice_box.h"

namespace ckpt::format {
namespace {

using Box = SliceBox;

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
  const Box x = Box::Of(a, full), y = Box::Of(b, full);
  Box overlap;
  for (size_t d = 0; d < x.lo.size(); ++d) {
    overlap.lo.push_back(std::max(x.lo[d], y.lo[d]));
    overlap.hi.push_back(std::min(x.hi[d], y.hi[d]));
  }
  return overlap.Volume();  // 0 when disjoint, before any product can overflow
}

void CopySliceOverlap(const void* src, const TensorSlice& src_slice, void* dst, const TensorSlice& dst_slice,
                      const TensorShape& full, size_t esize) {
  const Box sb = Box::Of(src_slice, full), db = Box::Of(dst_slice, full);
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
  CopyRec(0, ov, static_cast<const char*>(src), sb, sb.Strides(), static_cast<char*>(dst), db, db.Strides(), esize);
}

}  // namespace ckpt::format
