#include "testing/block_values.h"

#include <algorithm>

namespace ckpt::test {
namespace {

void FillElement(DType dtype, int64_t flat, void* dst, std::string* str) {
  if (dtype == DType::kString) {
    *str = "s" + std::to_string(flat) + std::string(static_cast<size_t>(flat % 5), 'x');
    return;
  }
  auto* b = static_cast<unsigned char*>(dst);
  const size_t n = DTypeSize(dtype);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(flat * 7 + i * 13 + static_cast<int>(dtype) + 1);
  if (dtype == DType::kBool) b[0] = static_cast<unsigned char>(flat % 2);
}

}  // namespace

const std::vector<DType>& AllDTypes() {
  static const std::vector<DType> all = {
      DType::kFloat, DType::kDouble,   DType::kInt32,  DType::kUInt8,     DType::kInt16,   DType::kInt8,
      DType::kString, DType::kComplex64, DType::kInt64, DType::kBool,      DType::kBFloat16, DType::kUInt16,
      DType::kComplex128, DType::kHalf, DType::kUInt32, DType::kUInt64};
  return all;
}

Tensor Block(DType dtype, const TensorShape& full, const std::vector<int64_t>& offset, const TensorShape& shape,
             bool zero) {
  Tensor t = *Tensor::Make(dtype, shape);
  if (zero) return t;
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()), 0);
  const size_t size = DTypeSize(dtype);
  for (int64_t i = 0; i < shape.num_elements(); ++i) {
    int64_t flat = 0;
    for (int d = 0; d < shape.rank(); ++d) {
      flat = flat * full.dim(d) + offset[static_cast<size_t>(d)] + idx[static_cast<size_t>(d)];
    }
    FillElement(dtype, flat, dtype == DType::kString ? nullptr : static_cast<char*>(t.data()) + i * size,
                dtype == DType::kString ? &t.strings()[static_cast<size_t>(i)] : nullptr);
    for (int d = shape.rank() - 1; d >= 0 && ++idx[static_cast<size_t>(d)] == shape.dim(d); --d) {
      idx[static_cast<size_t>(d)] = 0;
    }
  }
  return t;
}

std::pair<int64_t, int64_t> Split(int64_t n, int parts, int p) {
  int64_t start = 0;
  for (int q = 0; q < p; ++q) start += n / parts + (q < n % parts ? 1 : 0);
  return {start, n / parts + (p < n % parts ? 1 : 0)};
}

std::vector<std::string> SortedChildren(FileSystem* fs, const std::string& dir) {
  auto c = fs->GetChildren(dir);
  if (!c.ok()) return {};
  std::sort(c->begin(), c->end());
  return *c;
}

}  // namespace ckpt::test
