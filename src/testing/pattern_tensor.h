// PatternTensor: a tensor of any fixed-size dtype whose bytes follow a simple
// pattern, for tests and fuzz seeds that need distinct, reproducible values
// (a bundle written from it reads back byte for byte).
#pragma once

#include <cstdint>

#include "ckpt/tensor.h"

namespace ckpt::test {

// Byte i of the data is (i * 37 + seed) mod 256; bool elements keep only the
// low bit, so every value is a valid bool. `dtype` must be fixed-size.
Tensor PatternTensor(DType dtype, TensorShape shape, uint8_t seed);

}  // namespace ckpt::test
