// CopyBox, PickSubBox, CutSubBox (support/boxes.h).
#include "support/boxes.h"

#include <cstring>
#include <numeric>
#include <string>

#include "engine/checks.h"

namespace ckpt::fuzz {

void CopyBox(const char* src, const std::vector<int64_t>& sd, const std::vector<int64_t>& from, char* dst,
             const std::vector<int64_t>& dd, const std::vector<int64_t>& to, const std::vector<int64_t>& box,
             size_t esize) {
  const size_t rank = box.size();
  for (int64_t b : box) {
    if (b == 0) return;
  }
  int64_t n = 1;
  for (int64_t b : box) n *= b;  // no overflow: every dim is > 0 and fits an array in memory
  std::vector<int64_t> idx(rank, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t so = 0, dof = 0;
    for (size_t d = 0; d < rank; ++d) {
      so = so * sd[d] + from[d] + idx[d];
      dof = dof * dd[d] + to[d] + idx[d];
    }
    std::memcpy(dst + dof * static_cast<int64_t>(esize), src + so * static_cast<int64_t>(esize), esize);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < box[d]) break;
      idx[d] = 0;
    }
  }
}

SubBox PickSubBox(const std::vector<int64_t>& dims, uint64_t h) {
  SubBox out;
  std::vector<TensorSlice::Extent> ex;
  for (int64_t dim : dims) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t start = static_cast<int64_t>((h >> 33) % (static_cast<uint64_t>(dim) + 1));
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t len = static_cast<int64_t>((h >> 33) % (static_cast<uint64_t>(dim - start) + 1));
    if ((h >> 20) % 4 == 0) {
      ex.push_back(TensorSlice::Extent{});  // full
      out.from.push_back(0);
      out.box.push_back(dim);
    } else {
      ex.push_back(TensorSlice::Extent{start, len});
      out.from.push_back(start);
      out.box.push_back(len);
    }
  }
  out.slice = TensorSlice(ex);
  return out;
}

Tensor CutSubBox(const Tensor& whole, const SubBox& b) {
  const std::vector<int64_t> zeros(b.box.size(), 0);
  if (whole.dtype() == DType::kString) {
    // Cut element indices, then pick the strings.
    const size_t n = static_cast<size_t>(whole.num_elements());
    std::vector<int64_t> index(n);
    std::iota(index.begin(), index.end(), 0);
    const int64_t m = TensorShape(b.box).num_elements();
    std::vector<int64_t> picked(static_cast<size_t>(m));
    CopyBox(reinterpret_cast<const char*>(index.data()), whole.shape().dims(), b.from,
            reinterpret_cast<char*>(picked.data()), b.box, zeros, b.box, sizeof(int64_t));
    std::vector<std::string> strs;
    for (int64_t k : picked) strs.push_back(whole.strings()[static_cast<size_t>(k)]);
    return Tensor::FromStrings(TensorShape(b.box), std::move(strs));
  }
  auto cut = Tensor::Make(whole.dtype(), TensorShape(b.box));
  FUZZ_CHECK(cut.ok(), cut.status().ToString());
  CopyBox(static_cast<const char*>(whole.data()), whole.shape().dims(), b.from, static_cast<char*>(cut->data()),
          b.box, zeros, b.box, DTypeSize(whole.dtype()));
  return *std::move(cut);
}

}  // namespace ckpt::fuzz
