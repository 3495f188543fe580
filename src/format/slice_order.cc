#include "format/slice_order.h"

#include <algorithm>
#include <limits>

namespace ckpt::format {

bool SliceOrderLess(const TensorSlice& a, const TensorSlice& b) {
  const int rank = std::min(a.rank(), b.rank());
  const auto start = [](const TensorSlice& s, int d) { return s.IsFullAt(d) ? int64_t{0} : s.start(d); };
  const auto length = [](const TensorSlice& s, int d) {
    return s.IsFullAt(d) ? std::numeric_limits<int64_t>::max() : s.length(d);
  };
  for (int d = 0; d < rank; ++d) {
    if (start(a, d) != start(b, d)) return start(a, d) < start(b, d);
  }
  for (int d = 0; d < rank; ++d) {
    if (length(a, d) != length(b, d)) return length(a, d) < length(b, d);
  }
  return a.rank() < b.rank();
}

}  // namespace ckpt::format
