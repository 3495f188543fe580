// SliceBox arithmetic on shapes read from files: a tensor with a zero
// dimension may carry other dimensions whose product overflows int64 (its
// element count is 0, so shape validation accepts it). Found by fuzz_bundle
// under UBSan (corpus/bundle/regress-empty-dim-strides).
#include "format/slice_box.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace ckpt::format {
namespace {

constexpr int64_t kHuge = int64_t{1} << 62;

SliceBox Box(std::vector<int64_t> lo, std::vector<int64_t> hi) { return SliceBox{std::move(lo), std::move(hi)}; }

TEST(SliceBoxTest, VolumeAndStridesOfAnOrdinaryBox) {
  const SliceBox b = Box({1, 0, 2}, {3, 4, 7});
  EXPECT_EQ(b.Volume(), 2 * 4 * 5);
  EXPECT_EQ(b.Strides(), (std::vector<int64_t>{20, 5, 1}));
  EXPECT_FALSE(b.Empty());
}

TEST(SliceBoxTest, AnEmptyDimensionMakesTheBoxEmptyBeforeAnythingIsMultiplied) {
  const SliceBox b = Box({0, 0, 0}, {kHuge, 3, 0});  // kHuge * 3 would overflow
  EXPECT_TRUE(b.Empty());
  EXPECT_EQ(b.Volume(), 0);
  EXPECT_EQ(b.Strides(), (std::vector<int64_t>{0, 0, 0}));
}

TEST(SliceBoxTest, AProductThatDoesNotFitSaturates) {
  const SliceBox b = Box({0, 0, 0}, {4, kHuge, 3});
  EXPECT_EQ(b.Volume(), INT64_MAX);
  EXPECT_EQ(b.Strides()[0], INT64_MAX);
}

TEST(SliceBoxTest, OverlapsAndOrdering) {
  EXPECT_TRUE(Box({0, 0}, {2, 2}).Overlaps(Box({1, 1}, {3, 3})));
  EXPECT_FALSE(Box({0, 0}, {2, 2}).Overlaps(Box({2, 0}, {3, 2})));
  EXPECT_LT(Box({0}, {1}), Box({0}, {2}));
}

}  // namespace
}  // namespace ckpt::format
