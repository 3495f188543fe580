// The canonical order of the slice list in a partitioned tensor's full-tensor
// index entry, so that the same blocks give the same index bytes however
// they were spread over ranks or added to a ShardedVariable.
//
// TensorFlow lists slices in the order they were written (BundleWriter:
// AddSlice call order; MergeV2Checkpoints: input order, then each input's
// order). For everything TF itself partitions — PartitionedVariable parts
// and ShardedVariable shards, both split on one axis and listed in ascending
// offset — that is ascending start offset, which is this order. It does not
// depend on which rank held which block, where TF's merge order does.
#pragma once

#include "ckpt/tensor_slice.h"

namespace ckpt::format {

// By start, dimension by dimension (the row-major order of the blocks'
// origins; a full extent starts at 0), then by length (a full extent
// counting as the longest). A strict weak order.
bool SliceOrderLess(const TensorSlice& a, const TensorSlice& b);

}  // namespace ckpt::format
