// TensorShape, Tensor (owning) and TensorView / MutableTensorView (borrowed).
//
// Data layout is TensorFlow's: row-major (C order), elements in the host's
// native byte order, one byte per bool / int4 / float8 element. A string
// tensor holds one std::string per element (bytes, not necessarily UTF-8).
//
// Views let a caller hand ckpt its own buffer: BundleWriter writes straight
// from a TensorView, BundleReader fills a MutableTensorView in place. A view
// never owns memory; the caller keeps the buffer alive for the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/status.h"

namespace ckpt {

// TensorFlow accepts at most 254 dimensions.
inline constexpr int kMaxTensorRank = 254;

class CKPT_EXPORT TensorShape {
 public:
  TensorShape() = default;  // scalar
  TensorShape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit TensorShape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  // A shape is valid when rank <= 254, every dim >= 0, and the element count
  // fits in int64. Everything read from disk goes through this.
  static Result<TensorShape> Make(std::span<const int64_t> dims);

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }

  // Product of dims (1 for a scalar). Only meaningful for a valid shape.
  int64_t num_elements() const;

  // "[2,3]", "[]" for a scalar.
  std::string ToString() const;

  friend bool operator==(const TensorShape& a, const TensorShape& b) { return a.dims_ == b.dims_; }

 private:
  std::vector<int64_t> dims_;
};

// Read-only borrowed tensor. For fixed-size dtypes `data` points at
// num_elements * DTypeSize(dtype) bytes. For DT_STRING `strings` holds one
// view per element and `data` is unused.
struct TensorView {
  DType dtype = DType::kInvalid;
  TensorShape shape;
  const void* data = nullptr;
  std::span<const std::string_view> strings;

  size_t byte_size() const { return static_cast<size_t>(shape.num_elements()) * DTypeSize(dtype); }
};

// Writable borrowed buffer of a fixed-size dtype that a reader fills.
struct MutableTensorView {
  DType dtype = DType::kInvalid;
  TensorShape shape;
  void* data = nullptr;

  size_t byte_size() const { return static_cast<size_t>(shape.num_elements()) * DTypeSize(dtype); }
};

// An owning tensor. Fixed-size data lives in one 64-byte aligned allocation
// (4096-byte aligned from 1 MiB up, so O_DIRECT can write it without a
// bounce copy); string tensors hold std::string elements.
// Movable, and copyable (a copy duplicates the bytes).
class CKPT_EXPORT Tensor {
 public:
  Tensor() = default;
  // Allocates; fails for a non-storable dtype, an invalid shape, or a size
  // that cannot be allocated (ResourceExhausted).
  static Result<Tensor> Make(DType dtype, TensorShape shape);
  // Like Make, but the bytes of a fixed-size tensor are left uninitialised:
  // for callers that are about to overwrite every byte (readers).
  static Result<Tensor> MakeUninitialized(DType dtype, TensorShape shape);
  static Tensor FromStrings(TensorShape shape, std::vector<std::string> values);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  ~Tensor() = default;

  DType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }

  // Raw bytes of a fixed-size tensor (nullptr when empty or string).
  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  size_t byte_size() const { return byte_size_; }
  template <typename T>
  std::span<T> flat() {
    return {static_cast<T*>(data()), byte_size_ / sizeof(T)};
  }
  template <typename T>
  std::span<const T> flat() const {
    return {static_cast<const T*>(data()), byte_size_ / sizeof(T)};
  }

  // Elements of a string tensor.
  std::vector<std::string>& strings() { return strings_; }
  const std::vector<std::string>& strings() const { return strings_; }

  // Borrowed views of this tensor. The string view keeps an internal
  // array of string_views, rebuilt by each call to view().
  TensorView view() const;
  MutableTensorView mutable_view();

  // Bitwise equality of dtype, shape and contents.
  bool Equals(const Tensor& other) const;

 private:
  static Result<Tensor> Allocate(DType dtype, TensorShape shape, bool zero);
  struct AlignedFree {
    void operator()(void* p) const;
  };
  DType dtype_ = DType::kInvalid;
  TensorShape shape_;
  std::unique_ptr<uint8_t[], AlignedFree> data_;
  size_t byte_size_ = 0;
  std::vector<std::string> strings_;
  mutable std::vector<std::string_view> string_views_;
};

}  // namespace ckpt
