// WidenSmallFloat (ckpt/dtype.h): the one decoder of the narrow float formats,
// used wherever their values are compared or printed (diff, the CLI).
#include <bit>
#include <cmath>

#include "ckpt/dtype.h"

namespace ckpt {
namespace {

// How a format spends its top exponent and its sign bit:
//   kIeee:       top exponent is inf (mantissa 0) or NaN (float16, float8_e5m2);
//   kFn:         no inf; only all-ones exponent and mantissa is NaN (float8_e4m3fn);
//   kFnuz:       no inf, no -0; the sign bit alone is the one NaN (the *fnuz types);
//   kFiniteOnly: every pattern is a finite number (float4_e2m1fn).
enum class Kind { kIeee, kFn, kFnuz, kFiniteOnly };

// A sign bit, `ebits` exponent bits with bias `bias`, `mbits` mantissa bits.
float Decode(uint32_t bits, int ebits, int mbits, int bias, Kind kind) {
  const int total = 1 + ebits + mbits;
  bits &= (1u << total) - 1;
  const bool negative = (bits >> (total - 1)) & 1u;
  const uint32_t exp = (bits >> mbits) & ((1u << ebits) - 1);
  const uint32_t man = bits & ((1u << mbits) - 1);
  const uint32_t exp_max = (1u << ebits) - 1, man_max = (1u << mbits) - 1;
  if (kind == Kind::kFnuz && bits == (1u << (total - 1))) return NAN;
  float v;
  if (kind == Kind::kIeee && exp == exp_max) {
    v = man == 0 ? INFINITY : NAN;
  } else if (kind == Kind::kFn && exp == exp_max && man == man_max) {
    v = NAN;
  } else if (exp == 0) {
    v = std::ldexp(static_cast<float>(man), 1 - bias - mbits);  // zero or subnormal
  } else {
    v = std::ldexp(static_cast<float>(man | (1u << mbits)), static_cast<int>(exp) - bias - mbits);
  }
  return negative ? -v : v;  // NaN keeps its sign bit, as a hardware conversion does
}

}  // namespace

std::optional<float> WidenSmallFloat(DType dtype, uint32_t bits) {
  switch (dtype) {
    case DType::kHalf: return Decode(bits, 5, 10, 15, Kind::kIeee);
    // bfloat16 is the top half of a float32.
    case DType::kBFloat16: return std::bit_cast<float>((bits & 0xffffu) << 16);
    case DType::kFloat8E5M2: return Decode(bits, 5, 2, 15, Kind::kIeee);
    case DType::kFloat8E4M3FN: return Decode(bits, 4, 3, 7, Kind::kFn);
    case DType::kFloat8E4M3FNUZ: return Decode(bits, 4, 3, 8, Kind::kFnuz);
    case DType::kFloat8E4M3B11FNUZ: return Decode(bits, 4, 3, 11, Kind::kFnuz);
    case DType::kFloat8E5M2FNUZ: return Decode(bits, 5, 2, 16, Kind::kFnuz);
    case DType::kFloat4E2M1FN: return Decode(bits, 2, 1, 1, Kind::kFiniteOnly);
    default: return std::nullopt;
  }
}

}  // namespace ckpt
