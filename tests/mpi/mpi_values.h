// What the mpirun tests save and expect back: for every dtype a bundle can
// store, a tensor split by rows, one split by columns and one replicated on
// every rank, with values derived from (seed, key, element) so that a restore
// on any number of ranks can check every byte without the saving job.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::mpi_test {

// Every dtype a bundle stores (fixed-size ones and strings).
inline std::vector<DType> AllDTypes() {
  std::vector<DType> out;
  for (int d = 1; d <= 64; ++d) {
    const auto dt = static_cast<DType>(d);
    if (DTypeSize(dt) > 0 || dt == DType::kString) out.push_back(dt);
  }
  return out;
}

enum class Split { kRows, kCols, kReplicated };

struct Spec {
  std::string key;
  DType dtype;
  TensorShape full;
  Split split;
};

// Rows and columns are split unevenly for every rank count 1..4.
inline std::vector<Spec> Specs() {
  std::vector<Spec> out;
  for (DType dt : AllDTypes()) {
    const std::string n = std::to_string(static_cast<int>(dt));
    out.push_back({"rows/dt" + n, dt, {7, 3}, Split::kRows});
    out.push_back({"cols/dt" + n, dt, {2, 5}, Split::kCols});
    out.push_back({"repl/dt" + n, dt, {3}, Split::kReplicated});
  }
  return out;
}

// numpy.array_split: the [start, start+len) of part `r` of `n` over `count`.
inline std::pair<int64_t, int64_t> SplitRange(int64_t count, int r, int n) {
  const int64_t base = count / n, extra = count % n;
  const int64_t start = r * base + std::min<int64_t>(r, extra);
  return {start, base + (r < extra ? 1 : 0)};
}

// The block of `spec` that rank r of n holds (the whole tensor if replicated).
inline TensorSlice BlockOf(const Spec& spec, int r, int n) {
  if (spec.split == Split::kReplicated) return TensorSlice::Full(spec.full.rank());
  const int axis = spec.split == Split::kRows ? 0 : 1;
  const auto [start, len] = SplitRange(spec.full.dim(axis), r, n);
  std::vector<TensorSlice::Extent> e = {{0, spec.full.dim(0)}, {0, spec.full.dim(1)}};
  e[static_cast<size_t>(axis)] = {start, len};
  return TensorSlice(e);
}

inline uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Keeps only the bits a dtype stores: bool is 0/1, sub-byte types use their low bits.
inline uint8_t ValidByte(DType dt, uint8_t b) {
  switch (dt) {
    case DType::kBool: return b & 1;
    case DType::kInt4: case DType::kUInt4: case DType::kFloat4E2M1FN: return b & 0x0f;
    case DType::kInt2: case DType::kUInt2: return b & 0x03;
    default: return b;
  }
}

// The full tensor of `spec` for `seed`.
inline Tensor Expected(const Spec& spec, uint64_t seed) {
  uint64_t h = Mix(seed);
  for (char c : spec.key) h = Mix(h ^ static_cast<uint8_t>(c));
  const int64_t n = spec.full.num_elements();
  if (spec.dtype == DType::kString) {
    std::vector<std::string> s;
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t v = Mix(h + static_cast<uint64_t>(i));
      std::string e(v % 7, '\0');  // lengths 0..6, any bytes (NULs included)
      for (size_t k = 0; k < e.size(); ++k) e[k] = static_cast<char>(Mix(v + k) & 0xff);
      s.push_back(std::move(e));
    }
    return Tensor::FromStrings(spec.full, std::move(s));
  }
  Tensor t = *Tensor::Make(spec.dtype, spec.full);
  auto* p = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < t.byte_size(); ++i) p[i] = ValidByte(spec.dtype, static_cast<uint8_t>(Mix(h + i) & 0xff));
  return t;
}

// The block `slice` of a 1-D or 2-D `full` tensor, as its own tensor.
inline Tensor Block(const Tensor& full, const TensorSlice& slice) {
  const TensorShape& fs = full.shape();
  const TensorShape shape = slice.SliceShape(fs);
  if (fs.rank() < 2) {  // replicated: a copy of the whole tensor
    if (full.dtype() == DType::kString) return Tensor::FromStrings(fs, full.strings());
    Tensor t = *Tensor::Make(full.dtype(), fs);
    std::memcpy(t.data(), full.data(), full.byte_size());
    return t;
  }
  const int64_t r0 = slice.IsFullAt(0) ? 0 : slice.start(0), c0 = slice.IsFullAt(1) ? 0 : slice.start(1);
  const int64_t rows = shape.dim(0), cols = shape.dim(1), full_cols = fs.dim(1);
  if (full.dtype() == DType::kString) {
    std::vector<std::string> s;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) s.push_back(full.strings()[static_cast<size_t>((r0 + r) * full_cols + c0 + c)]);
    return Tensor::FromStrings(shape, std::move(s));
  }
  Tensor t = *Tensor::Make(full.dtype(), shape);
  const size_t es = DTypeSize(full.dtype());
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(static_cast<uint8_t*>(t.data()) + static_cast<size_t>(r * cols) * es,
                static_cast<const uint8_t*>(full.data()) + static_cast<size_t>((r0 + r) * full_cols + c0) * es,
                static_cast<size_t>(cols) * es);
  }
  return t;
}

// Bit-exact equality of two tensors' dtype, shape and elements.
inline bool SameBits(const TensorView& a, const TensorView& b) {
  if (a.dtype != b.dtype || !(a.shape == b.shape)) return false;
  if (a.dtype == DType::kString) {
    if (a.strings.size() != b.strings.size()) return false;
    for (size_t i = 0; i < a.strings.size(); ++i)
      if (a.strings[i] != b.strings[i]) return false;
    return true;
  }
  return std::memcmp(a.data, b.data, a.byte_size()) == 0;
}

}  // namespace ckpt::mpi_test
