// DiffTensors / DiffTensorSources: element-wise comparison in long double
// (exact for every integer type up to 64 bits, and for every float type).
#include "ckpt/diff.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "ckpt/status_macros.h"

namespace ckpt {
namespace {

constexpr std::string_view kObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

using LD = long double;

template <typename T>
T Load(const void* base, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const char*>(base) + static_cast<size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

LD Half(uint16_t h) {
  const int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  LD v;
  if (exp == 0) v = std::ldexp(static_cast<LD>(man), -24);
  else if (exp == 31) v = man == 0 ? INFINITY : NAN;
  else v = std::ldexp(static_cast<LD>(man | 0x400), exp - 25);
  return (h & 0x8000) ? -v : v;
}

enum class MiniKind { kIeee, kFn, kFnuz, kFiniteOnly };

// Small float formats: sign, `ebits` exponent, `mbits` mantissa bits.
LD MiniFloat(uint32_t b, int ebits, int mbits, int bias, MiniKind kind) {
  const int total = 1 + ebits + mbits;
  b &= (1u << total) - 1;
  const bool sign = (b >> (total - 1)) & 1;
  const uint32_t exp = (b >> mbits) & ((1u << ebits) - 1), man = b & ((1u << mbits) - 1);
  const uint32_t exp_max = (1u << ebits) - 1, man_max = (1u << mbits) - 1;
  if (kind == MiniKind::kFnuz && b == (1u << (total - 1))) return NAN;  // the "negative zero" pattern
  if (kind == MiniKind::kIeee && exp == exp_max) return man == 0 ? (sign ? -INFINITY : INFINITY) : NAN;
  if (kind == MiniKind::kFn && exp == exp_max && man == man_max) return NAN;
  LD v = exp == 0 ? std::ldexp(static_cast<LD>(man), 1 - bias - mbits)
                  : std::ldexp(static_cast<LD>(man | (1u << mbits)), static_cast<int>(exp) - bias - mbits);
  return sign ? -v : v;
}

// Element i as a complex number (im = 0 for reals). False for non-numeric dtypes.
bool Element(const Tensor& t, int64_t i, LD* re, LD* im) {
  const void* d = t.data();
  *im = 0;
  switch (t.dtype()) {
    case DType::kFloat: *re = Load<float>(d, i); return true;
    case DType::kDouble: *re = Load<double>(d, i); return true;
    case DType::kHalf: *re = Half(Load<uint16_t>(d, i)); return true;
    case DType::kBFloat16: *re = std::bit_cast<float>(static_cast<uint32_t>(Load<uint16_t>(d, i)) << 16); return true;
    case DType::kFloat8E5M2: *re = MiniFloat(Load<uint8_t>(d, i), 5, 2, 15, MiniKind::kIeee); return true;
    case DType::kFloat8E4M3FN: *re = MiniFloat(Load<uint8_t>(d, i), 4, 3, 7, MiniKind::kFn); return true;
    case DType::kFloat8E4M3FNUZ: *re = MiniFloat(Load<uint8_t>(d, i), 4, 3, 8, MiniKind::kFnuz); return true;
    case DType::kFloat8E4M3B11FNUZ: *re = MiniFloat(Load<uint8_t>(d, i), 4, 3, 11, MiniKind::kFnuz); return true;
    case DType::kFloat8E5M2FNUZ: *re = MiniFloat(Load<uint8_t>(d, i), 5, 2, 16, MiniKind::kFnuz); return true;
    case DType::kFloat4E2M1FN: *re = MiniFloat(Load<uint8_t>(d, i), 2, 1, 1, MiniKind::kFiniteOnly); return true;
    case DType::kInt8:
    case DType::kQInt8: *re = Load<int8_t>(d, i); return true;
    case DType::kUInt8:
    case DType::kQUInt8: *re = Load<uint8_t>(d, i); return true;
    case DType::kBool: *re = Load<uint8_t>(d, i) != 0; return true;
    case DType::kInt16:
    case DType::kQInt16: *re = Load<int16_t>(d, i); return true;
    case DType::kUInt16:
    case DType::kQUInt16: *re = Load<uint16_t>(d, i); return true;
    case DType::kInt32:
    case DType::kQInt32: *re = Load<int32_t>(d, i); return true;
    case DType::kUInt32: *re = Load<uint32_t>(d, i); return true;
    case DType::kInt64: *re = static_cast<LD>(Load<int64_t>(d, i)); return true;
    case DType::kUInt64: *re = static_cast<LD>(Load<uint64_t>(d, i)); return true;
    case DType::kInt4: *re = static_cast<int8_t>(static_cast<uint8_t>(Load<uint8_t>(d, i) << 4)) >> 4; return true;
    case DType::kUInt4: *re = Load<uint8_t>(d, i) & 0xf; return true;
    case DType::kInt2: *re = static_cast<int8_t>(static_cast<uint8_t>(Load<uint8_t>(d, i) << 6)) >> 6; return true;
    case DType::kUInt2: *re = Load<uint8_t>(d, i) & 0x3; return true;
    case DType::kComplex64:
      *re = Load<float>(d, 2 * i);
      *im = Load<float>(d, 2 * i + 1);
      return true;
    case DType::kComplex128:
      *re = Load<double>(d, 2 * i);
      *im = Load<double>(d, 2 * i + 1);
      return true;
    default:
      return false;
  }
}

bool IsNumeric(DType dt) { return dt != DType::kString && IsFixedSizeDType(dt); }

void CompareValues(const Tensor& a, const Tensor& b, const DiffOptions& o, TensorDiff* d) {
  d->compared = true;
  d->num_elements = a.num_elements();
  if (a.dtype() == DType::kString || b.dtype() == DType::kString) {
    d->numeric = false;
    for (size_t i = 0; i < a.strings().size(); ++i) d->num_different += a.strings()[i] != b.strings()[i];
    return;
  }
  d->numeric = true;
  const size_t esize = DTypeSize(a.dtype());
  const bool same_dtype = a.dtype() == b.dtype();
  const auto* pa = static_cast<const uint8_t*>(a.data());
  const auto* pb = static_cast<const uint8_t*>(b.data());
  LD max_abs = 0, max_rel = 0;
  for (int64_t i = 0; i < d->num_elements; ++i) {
    // Identical bits are equal values: the common case, and cheap.
    if (same_dtype && std::memcmp(pa + static_cast<size_t>(i) * esize, pb + static_cast<size_t>(i) * esize, esize) == 0) {
      continue;
    }
    LD ar, ai, br, bi;
    Element(a, i, &ar, &ai);
    Element(b, i, &br, &bi);
    const bool a_nan = std::isnan(ar) || std::isnan(ai), b_nan = std::isnan(br) || std::isnan(bi);
    if (a_nan && b_nan) continue;
    if (!a_nan && !b_nan && ar == br && ai == bi) continue;  // includes 0.0 == -0.0, inf == inf
    LD diff, rel;
    if (a_nan || b_nan) {
      diff = rel = INFINITY;
    } else {
      diff = std::hypot(ar - br, ai - bi);
      if (std::isnan(diff)) diff = INFINITY;  // inf - inf of different signs in one part
      const LD scale = std::max(std::hypot(ar, ai), std::hypot(br, bi));
      rel = std::isinf(scale) ? INFINITY : diff / scale;
    }
    max_abs = std::max(max_abs, diff);
    max_rel = std::max(max_rel, rel);
    const LD allowed = static_cast<LD>(o.atol) + static_cast<LD>(o.rtol) * std::hypot(br, bi);
    if (!(diff <= allowed)) ++d->num_different;
  }
  d->max_abs_diff = static_cast<double>(max_abs);
  d->max_rel_diff = static_cast<double>(max_rel);
}

}  // namespace

const char* TensorDiffKindName(TensorDiff::Kind kind) {
  switch (kind) {
    case TensorDiff::Kind::kEqual: return "equal";
    case TensorDiff::Kind::kValues: return "values";
    case TensorDiff::Kind::kDType: return "dtype";
    case TensorDiff::Kind::kShape: return "shape";
    case TensorDiff::Kind::kUnreadable: return "unreadable";
  }
  return "unknown";
}

TensorDiff DiffTensors(std::string_view key, const Tensor& a, const Tensor& b, const DiffOptions& options) {
  TensorDiff d;
  d.key = std::string(key);
  d.dtype_a = a.dtype();
  d.dtype_b = b.dtype();
  d.shape_a = a.shape();
  d.shape_b = b.shape();
  if (!(a.shape() == b.shape())) {
    d.kind = TensorDiff::Kind::kShape;
    return d;
  }
  if (a.dtype() != b.dtype()) {
    d.kind = TensorDiff::Kind::kDType;
    if (IsNumeric(a.dtype()) && IsNumeric(b.dtype())) CompareValues(a, b, options, &d);
    return d;
  }
  CompareValues(a, b, options, &d);
  d.kind = d.num_different == 0 ? TensorDiff::Kind::kEqual : TensorDiff::Kind::kValues;
  return d;
}

Result<CheckpointDiff> DiffTensorSources(const TensorSource& a, const TensorSource& b, const DiffOptions& options) {
  CheckpointDiff out;
  const auto& ea = a.entries();
  const auto& eb = b.entries();
  auto skip = [&](const TensorEntry& e) { return options.ignore_object_graph && e.key == kObjectGraphKey; };
  size_t i = 0, j = 0;
  while (i < ea.size() || j < eb.size()) {
    if (i < ea.size() && skip(ea[i])) {
      ++i;
      continue;
    }
    if (j < eb.size() && skip(eb[j])) {
      ++j;
      continue;
    }
    if (j == eb.size() || (i < ea.size() && ea[i].key < eb[j].key)) {
      out.only_in_a.push_back({ea[i].key, ea[i].dtype, ea[i].shape});
      ++i;
      continue;
    }
    if (i == ea.size() || eb[j].key < ea[i].key) {
      out.only_in_b.push_back({eb[j].key, eb[j].dtype, eb[j].shape});
      ++j;
      continue;
    }
    const TensorEntry &x = ea[i++], &y = eb[j++];
    TensorDiff d;
    d.key = x.key;
    d.dtype_a = x.dtype;
    d.dtype_b = y.dtype;
    d.shape_a = x.shape;
    d.shape_b = y.shape;
    if (!x.unsupported.empty() || !y.unsupported.empty()) {
      d.kind = TensorDiff::Kind::kUnreadable;
      d.error = !x.unsupported.empty() ? "A: " + x.unsupported : "B: " + y.unsupported;
    } else if (!(x.shape == y.shape)) {
      d.kind = TensorDiff::Kind::kShape;  // no need to read anything
    } else if (x.dtype != y.dtype && !(IsNumeric(x.dtype) && IsNumeric(y.dtype))) {
      d.kind = TensorDiff::Kind::kDType;
    } else {
      auto ta = a.Read(x.key);
      if (!ta.ok()) return Status(ta.status().code(), "reading " + x.key + " from " + a.path() + ": " + ta.status().message());
      auto tb = b.Read(y.key);
      if (!tb.ok()) return Status(tb.status().code(), "reading " + y.key + " from " + b.path() + ": " + tb.status().message());
      d = DiffTensors(x.key, *ta, *tb, options);
    }
    out.common.push_back(std::move(d));
  }
  return out;
}

Result<CheckpointDiff> DiffTensorFiles(const std::string& a, const std::string& b, const DiffOptions& options) {
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<TensorSource> sa, OpenTensorSource(a));
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<TensorSource> sb, OpenTensorSource(b));
  return DiffTensorSources(*sa, *sb, options);
}

}  // namespace ckpt
