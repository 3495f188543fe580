#include "testing/pattern_tensor.h"

#include <utility>

namespace ckpt::test {

Tensor PatternTensor(DType dtype, TensorShape shape, uint8_t seed) {
  Tensor t = *Tensor::Make(dtype, std::move(shape));
  auto* p = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < t.byte_size(); ++i) p[i] = static_cast<uint8_t>(i * 37 + seed);
  if (dtype == DType::kBool) {
    for (size_t i = 0; i < t.byte_size(); ++i) p[i] &= 1;
  }
  return t;
}

}  // namespace ckpt::test
