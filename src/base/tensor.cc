#include "ckpt/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace ckpt {

Result<TensorShape> TensorShape::Make(std::span<const int64_t> dims) {
  if (dims.size() > static_cast<size_t>(kMaxTensorRank)) {
    return InvalidArgumentError("shape has " + std::to_string(dims.size()) +
                                " dimensions; at most " + std::to_string(kMaxTensorRank) + " are allowed");
  }
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return InvalidArgumentError("shape has a negative dimension " + std::to_string(d));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      return InvalidArgumentError("shape's element count overflows int64");
    }
    n *= d;
  }
  return TensorShape(std::vector<int64_t>(dims.begin(), dims.end()));
}

int64_t TensorShape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::string TensorShape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

void Tensor::AlignedFree::operator()(void* p) const { std::free(p); }

namespace {
size_t AlignmentFor(size_t bytes) { return bytes >= (size_t{1} << 20) ? 4096 : 64; }
void* AllocateAligned(size_t bytes) {
  const size_t align = AlignmentFor(bytes);
  return std::aligned_alloc(align, (bytes + align - 1) / align * align);
}
}  // namespace

Result<Tensor> Tensor::Make(DType dtype, TensorShape shape) { return Allocate(dtype, std::move(shape), true); }
Result<Tensor> Tensor::MakeUninitialized(DType dtype, TensorShape shape) {
  return Allocate(dtype, std::move(shape), false);
}

Result<Tensor> Tensor::Allocate(DType dtype, TensorShape shape, bool zero) {
  auto checked = TensorShape::Make(shape.dims());
  if (!checked.ok()) return checked.status();
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  const int64_t n = t.shape_.num_elements();
  if (dtype == DType::kString) {
    if (static_cast<uint64_t>(n) > t.strings_.max_size()) {
      return ResourceExhaustedError("string tensor of " + std::to_string(n) + " elements is too large");
    }
    t.strings_.resize(static_cast<size_t>(n));
    return t;
  }
  const size_t esize = DTypeSize(dtype);
  if (esize == 0) {
    return InvalidArgumentError("cannot allocate a tensor of dtype " + std::string(DTypeName(dtype)));
  }
  if (static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max() / esize / 2) {
    return ResourceExhaustedError("tensor of shape " + t.shape_.ToString() + " is too large to allocate");
  }
  t.byte_size_ = static_cast<size_t>(n) * esize;
  if (t.byte_size_ > 0) {
    void* p = AllocateAligned(t.byte_size_);
    if (p == nullptr) {
      return ResourceExhaustedError("out of memory allocating " + std::to_string(t.byte_size_) + " bytes");
    }
    if (zero) std::memset(p, 0, t.byte_size_);
    t.data_.reset(static_cast<uint8_t*>(p));
  }
  return t;
}

Tensor Tensor::FromStrings(TensorShape shape, std::vector<std::string> values) {
  Tensor t;
  t.dtype_ = DType::kString;
  t.shape_ = std::move(shape);
  t.strings_ = std::move(values);
  return t;
}

Tensor::Tensor(const Tensor& other) { *this = other; }

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  dtype_ = other.dtype_;
  shape_ = other.shape_;
  strings_ = other.strings_;
  byte_size_ = other.byte_size_;
  data_.reset();
  string_views_.clear();
  if (byte_size_ > 0) {
    void* p = AllocateAligned(byte_size_);
    if (p == nullptr) throw std::bad_alloc();  // copying is the caller's explicit choice
    std::memcpy(p, other.data_.get(), byte_size_);
    data_.reset(static_cast<uint8_t*>(p));
  }
  return *this;
}

TensorView Tensor::view() const {
  TensorView v;
  v.dtype = dtype_;
  v.shape = shape_;
  if (dtype_ == DType::kString) {
    string_views_.assign(strings_.begin(), strings_.end());
    v.strings = string_views_;
  } else {
    v.data = data_.get();
  }
  return v;
}

MutableTensorView Tensor::mutable_view() {
  MutableTensorView v;
  v.dtype = dtype_;
  v.shape = shape_;
  v.data = data_.get();
  return v;
}

bool Tensor::Equals(const Tensor& other) const {
  if (dtype_ != other.dtype_ || !(shape_ == other.shape_)) return false;
  if (dtype_ == DType::kString) return strings_ == other.strings_;
  return byte_size_ == other.byte_size_ &&
         (byte_size_ == 0 || std::memcmp(data_.get(), other.data_.get(), byte_size_) == 0);
}

}  // namespace ckpt
