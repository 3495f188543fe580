// Values for multi-rank tests: blocks of a global tensor of any dtype whose
// every element is distinct and reproducible from its position alone, so a
// block saved by one rank and restored by another (any split, any axis) can
// be compared bit for bit with the block the restoring rank expects.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ckpt/file_system.h"
#include "ckpt/tensor.h"

namespace ckpt::test {

// Every dtype a checkpoint stores, fixed-size and string.
const std::vector<DType>& AllDTypes();

// The block at `offset` with shape `shape` of a tensor of shape `full`:
// element with flat (row-major) index f of the full tensor is, for a
// fixed-size dtype, the bytes (f * 7 + i * 13 + dtype + 1) mod 256 (bool:
// f mod 2), for strings "s<f>" followed by f mod 5 'x's. Compared bitwise
// (any bit pattern is fine for the floating types). `zero`: zeros / empty
// strings instead (a model about to restore).
Tensor Block(DType dtype, const TensorShape& full, const std::vector<int64_t>& offset, const TensorShape& shape,
             bool zero = false);

// numpy.array_split of `n` over `parts`: (start, length) of part `p`
// (10 over 3: 4, 3, 3).
std::pair<int64_t, int64_t> Split(int64_t n, int parts, int p);

// The names in `dir`, sorted; empty when it cannot be listed.
std::vector<std::string> SortedChildren(FileSystem* fs, const std::string& dir);

}  // namespace ckpt::test
