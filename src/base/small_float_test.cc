#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "ckpt/dtype.h"

namespace ckpt {
namespace {

float Widen(DType dt, uint32_t bits) {
  const std::optional<float> v = WidenSmallFloat(dt, bits);
  EXPECT_TRUE(v.has_value()) << DTypeName(dt);
  return v.value_or(0.0f);
}

TEST(SmallFloat, OnlyNarrowFloatTypes) {
  for (DType dt : {DType::kFloat, DType::kDouble, DType::kInt8, DType::kUInt8, DType::kString, DType::kComplex64,
                   DType::kInvalid}) {
    EXPECT_FALSE(WidenSmallFloat(dt, 0).has_value()) << DTypeName(dt);
  }
}

TEST(SmallFloat, Float16) {
  EXPECT_EQ(Widen(DType::kHalf, 0x3C00), 1.0f);
  EXPECT_EQ(Widen(DType::kHalf, 0xC000), -2.0f);
  EXPECT_EQ(Widen(DType::kHalf, 0x7BFF), 65504.0f);           // largest finite
  EXPECT_EQ(Widen(DType::kHalf, 0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(Widen(DType::kHalf, 0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(Widen(DType::kHalf, 0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(Widen(DType::kHalf, 0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(Widen(DType::kHalf, 0x7E00)));
  EXPECT_TRUE(std::signbit(Widen(DType::kHalf, 0xFE00)));
  EXPECT_TRUE(std::signbit(Widen(DType::kHalf, 0x8000)));  // -0
  EXPECT_EQ(Widen(DType::kHalf, 0xFFFF3C00), 1.0f);        // bits above 16 are ignored
#if defined(__FLT16_MAX__)
  // Every pattern agrees with the compiler's own float16 conversion.
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float want = static_cast<float>(std::bit_cast<_Float16>(static_cast<uint16_t>(h)));
    const float got = Widen(DType::kHalf, h);
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(got)) << h;
    } else {
      ASSERT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want)) << h;
    }
  }
#endif
}

TEST(SmallFloat, BFloat16IsTheTopHalfOfAFloat) {
  for (uint32_t b = 0; b <= 0xFFFF; ++b) {
    const float got = Widen(DType::kBFloat16, b);
    ASSERT_EQ(std::bit_cast<uint32_t>(got), b << 16) << b;
  }
}

struct Float8Facts {
  DType dtype;
  float max;               // largest finite value
  int min_subnormal_exp;   // the smallest positive value is 2^this
  int nans;                // NaN patterns among the 256
  int infs;                // +/-inf patterns
  bool has_negative_zero;
  uint32_t one;            // the pattern of 1.0
};

// Facts of the formats as ml_dtypes defines them.
const Float8Facts kFloat8[] = {
    {DType::kFloat8E5M2, 57344.0f, -16, 6, 2, true, 0x3C},
    {DType::kFloat8E4M3FN, 448.0f, -9, 2, 0, true, 0x38},
    {DType::kFloat8E4M3FNUZ, 240.0f, -10, 1, 0, false, 0x40},
    {DType::kFloat8E4M3B11FNUZ, 30.0f, -13, 1, 0, false, 0x58},
    {DType::kFloat8E5M2FNUZ, 57344.0f, -17, 1, 0, false, 0x40},
};

TEST(SmallFloat, Float8Formats) {
  for (const Float8Facts& f : kFloat8) {
    SCOPED_TRACE(DTypeName(f.dtype));
    int nans = 0, infs = 0, negative_zeros = 0;
    float max = 0, min_positive = std::numeric_limits<float>::infinity();
    float previous = -1;
    for (uint32_t b = 0; b < 256; ++b) {
      const float v = Widen(f.dtype, b);
      if (std::isnan(v)) {
        ++nans;
        continue;
      }
      if (std::isinf(v)) {
        ++infs;
        continue;
      }
      if (v == 0 && std::signbit(v)) ++negative_zeros;
      if (b < 0x80) {  // positive patterns grow with the code
        EXPECT_GT(v, previous) << b;
        previous = v;
        if (v > 0) min_positive = std::min(min_positive, v);
      }
      // The sign bit negates (for the fnuz types, 0x80 is the NaN, not -0).
      if (b != 0 || f.has_negative_zero) EXPECT_EQ(Widen(f.dtype, b ^ 0x80), -v) << b;
      max = std::max(max, v);
    }
    EXPECT_EQ(nans, f.nans);
    EXPECT_EQ(infs, f.infs);
    EXPECT_EQ(negative_zeros, f.has_negative_zero ? 1 : 0);
    EXPECT_EQ(max, f.max);
    EXPECT_EQ(min_positive, std::ldexp(1.0f, f.min_subnormal_exp));
    EXPECT_EQ(Widen(f.dtype, f.one), 1.0f);
  }
}

TEST(SmallFloat, Float4E2M1) {
  const std::vector<float> want = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (uint32_t b = 0; b < 8; ++b) {
    EXPECT_EQ(Widen(DType::kFloat4E2M1FN, b), want[b]) << b;
    EXPECT_EQ(Widen(DType::kFloat4E2M1FN, b | 8), -want[b]) << b;
    EXPECT_EQ(Widen(DType::kFloat4E2M1FN, b | 0xF0), want[b]) << "bits above 4 are ignored";
  }
}

}  // namespace
}  // namespace ckpt
