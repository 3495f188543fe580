// Geometry of tensor slices: intersection volumes and copying the overlap of
// two slices between their row-major buffers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::format {

// Number of elements in the intersection of slices a and b of a tensor of
// shape `full` (0 when disjoint). Both must fit `full`.
int64_t IntersectionVolume(const TensorSlice& a, const TensorSlice& b, const TensorShape& full);

// Copies the elements where `src_slice` and `dst_slice` overlap from `src`
// (the row-major data of src_slice) into `dst` (the row-major data of
// dst_slice). Elements are `esize` bytes.
void CopySliceOverlap(const void* src, const TensorSlice& src_slice, void* dst, const TensorSlice& dst_slice,
                      const TensorShape& full, size_t esize);

}  // namespace ckpt::format
