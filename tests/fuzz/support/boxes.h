// Boxes of row-major tensors, for targets that check a partial read
// (ReadSlice) against the same elements of a whole read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::fuzz {

// Copies the box `box` (shape) of elements starting at `from` in the
// row-major array `src` of shape `sd` to position `to` in `dst` of shape
// `dd`. The box must fit both arrays.
void CopyBox(const char* src, const std::vector<int64_t>& sd, const std::vector<int64_t>& from, char* dst,
             const std::vector<int64_t>& dd, const std::vector<int64_t>& to, const std::vector<int64_t>& box,
             size_t esize);

// A sub-box of a tensor of shape `dims`, chosen from `h`: the slice to ask
// for, its start and its shape (full extents sometimes).
struct SubBox {
  TensorSlice slice;
  std::vector<int64_t> from, box;
};
SubBox PickSubBox(const std::vector<int64_t>& dims, uint64_t h);

// The elements of `b` cut out of `whole` (a fixed-size dtype, or strings).
Tensor CutSubBox(const Tensor& whole, const SubBox& b);

}  // namespace ckpt::fuzz
