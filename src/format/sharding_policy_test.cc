// The sharding policies (ckpt/sharding.h): which shard each value goes to and
// how a value bigger than the room left is cut. The expected cuts were worked
// out by hand from TF 2.21's MaxShardSizePolicy rules (sharding_policy.cc);
// tests/tf_compat/test_sharding_tf.py checks the same layouts against TF.
#include "ckpt/sharding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace ckpt {
namespace {

ShardableTensor T(std::string key, DType dtype, TensorShape shape) {
  ShardableTensor t;
  t.checkpoint_key = std::move(key);
  t.dtype = dtype;
  t.shape = std::move(shape);
  return t;
}

// Each shard as "key[slice] key[slice]" ("key" alone for a whole value).
std::vector<std::string> Layout(const std::vector<ShardableTensor>& in, const std::vector<Shard>& shards) {
  std::vector<std::string> out;
  for (const Shard& s : shards) {
    std::string line;
    for (const ShardPiece& p : s) {
      if (!line.empty()) line += " ";
      line += in[p.tensor].checkpoint_key;
      if (p.slice) line += "[" + p.slice->ToString() + "]";
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> Split(const ShardingCallback& cb, const std::vector<ShardableTensor>& in) {
  auto shards = cb.Split(in);
  EXPECT_OK(shards);
  if (!shards.ok()) return {};
  EXPECT_OK(ValidateShards(in, *shards, cb.description()));
  return Layout(in, *shards);
}

using V = std::vector<std::string>;

TEST(MaxShardSizePolicyTest, TensorBiggerThanMaxIsCutIntoUnevenAxis0Slices) {
  // float32 [10,4]: rows of 16 bytes, 64 bytes per shard.
  const std::vector<ShardableTensor> in = {T("w", DType::kFloat, {10, 4})};
  EXPECT_EQ(Split(MaxShardSizePolicy(64), in), (V{"w[0,4:0,4]", "w[4,3:0,4] w[7,1:0,4]", "w[8,2:0,4]"}));
}

TEST(MaxShardSizePolicyTest, AValueThatFitsIsOneSliceSpelledOut) {
  const std::vector<ShardableTensor> in = {T("w", DType::kFloat, {10, 4}), T("b", DType::kDouble, {})};
  EXPECT_EQ(Split(MaxShardSizePolicy(1000), in), (V{"w[0,10:0,4] b"}));
}

TEST(MaxShardSizePolicyTest, AnotherAxisIsCutWhenItNeedsFewerSlices) {
  // float32 [2,100]: a row (400 bytes) never fits 300; columns do.
  const std::vector<ShardableTensor> in = {T("w", DType::kFloat, {2, 100})};
  EXPECT_EQ(Split(MaxShardSizePolicy(300), in),
            (V{"w[0,2:0,34] w[0,2:34,3]", "w[0,1:37,63] w[1,1:37,11] w[1,1:48,1]", "w[1,1:49,51]"}));
}

TEST(MaxShardSizePolicyTest, ManySmallTensorsArePackedInOrder) {
  std::vector<ShardableTensor> in;
  for (int i = 0; i < 10; ++i) in.push_back(T("v" + std::to_string(i), DType::kFloat, {2}));
  EXPECT_EQ(Split(MaxShardSizePolicy(32), in),
            (V{"v0[0,2] v1[0,2] v2[0,2] v3[0,2]", "v4[0,2] v5[0,2] v6[0,2] v7[0,2]", "v8[0,2] v9[0,2]"}));
}

TEST(MaxShardSizePolicyTest, ScalarsAreNeverCut) {
  // A scalar that does not fit the room left opens a shard; one bigger than
  // the limit gets a shard of its own, after all the others.
  const std::vector<ShardableTensor> in = {T("a", DType::kFloat, {3}), T("big", DType::kComplex128, {}),
                                           T("s", DType::kFloat, {}), T("t", DType::kDouble, {})};
  EXPECT_EQ(Split(MaxShardSizePolicy(14), in), (V{"a[0,3]", "s t", "big"}));
}

TEST(MaxShardSizePolicyTest, StringsAreSizedByTheirBytesAndCutByTheLongest) {
  const std::vector<std::string_view> words = {"aaaa", "bb", "cccccc", "d"};  // 13 bytes, longest 6
  ShardableTensor t = T("s", DType::kString, {4});
  t.strings = words;
  EXPECT_EQ(Split(MaxShardSizePolicy(13), {t}), (V{"s[0,4]"}));
  EXPECT_EQ(Split(MaxShardSizePolicy(10), {t}), (V{"s[0,1]", "s[1,1]", "s[2,1]", "s[3,1]"}));
  // A string scalar counts its length.
  const std::vector<std::string_view> one = {"0123456789"};
  ShardableTensor scalar = T("x", DType::kString, {});
  scalar.strings = one;
  EXPECT_EQ(Split(MaxShardSizePolicy(8), {T("f", DType::kFloat, {1}), scalar}), (V{"f[0,1]", "x"}));
}

TEST(MaxShardSizePolicyTest, TheObjectGraphCountsNothingAndGoesLast) {
  const std::vector<std::string_view> graph = {std::string_view("a long serialized graph")};
  ShardableTensor g = T("_CHECKPOINTABLE_OBJECT_GRAPH", DType::kString, {});
  g.strings = graph;
  EXPECT_EQ(Split(MaxShardSizePolicy(16), {T("w", DType::kFloat, {4}), g}),
            (V{"w[0,4] _CHECKPOINTABLE_OBJECT_GRAPH"}));
}

TEST(MaxShardSizePolicyTest, MaxSmallerThanOneElementGivesOneShardPerElement) {
  // TF 2.21 loops forever here; ckpt cuts one-element slices, each an
  // over-size shard.
  EXPECT_EQ(Split(MaxShardSizePolicy(2), {T("w", DType::kFloat, {3})}), (V{"w[0,1]", "w[1,1]", "w[2,1]"}));
  // Rank 2: each cut is one element thick on the longest axis of what is
  // left (ties: the lower axis).
  EXPECT_EQ(Split(MaxShardSizePolicy(7), {T("w", DType::kDouble, {2, 3})}),
            (V{"w[0,2:0,1]", "w[0,1:1,2]", "w[1,1:1,1]", "w[1,1:2,1]"}));
}

TEST(MaxShardSizePolicyTest, EmptyValuesStayWhole) {
  EXPECT_EQ(Split(MaxShardSizePolicy(4), {T("e", DType::kFloat, {0, 3}), T("w", DType::kFloat, {1})}),
            (V{"e w[0,1]"}));
}

TEST(MaxShardSizePolicyTest, ABlockOfASlicedValueKeepsItsFullShapeAndOffset) {
  ShardableTensor t = T("w", DType::kFloat, {4, 2});
  t.slice = SaveSliceInfo{{10, 2}, TensorSlice({{6, 4}, {0, 2}})};
  EXPECT_EQ(Split(MaxShardSizePolicy(16), {t}), (V{"w[6,2:0,2]", "w[8,2:0,2]"}));
}

TEST(MaxShardSizePolicyTest, NonPositiveMaxIsInvalidArgument) {
  const std::vector<ShardableTensor> in = {T("w", DType::kFloat, {2})};
  EXPECT_CODE(MaxShardSizePolicy(0).Split(in).status(), StatusCode::kInvalidArgument);
  EXPECT_CODE(MaxShardSizePolicy(-5).Split(in).status(), StatusCode::kInvalidArgument);
}

TEST(ShardByTaskPolicyTest, OneShardPerTaskInOrderOfAppearance) {
  std::vector<ShardableTensor> in = {T("a", DType::kFloat, {2}), T("b", DType::kFloat, {2}),
                                     T("c", DType::kFloat, {2})};
  EXPECT_EQ(Split(ShardByTaskPolicy(), in), (V{"a b c"}));
  in[1].task = 3;
  EXPECT_EQ(Split(ShardByTaskPolicy(), in), (V{"a c", "b"}));
}

TEST(ValidateShardsTest, RejectsWhatTfRejects) {
  const std::vector<ShardableTensor> in = {T("w", DType::kFloat, {4, 2}), T("b", DType::kFloat, {2})};
  auto S = [](std::string spec) { return *TensorSlice::Parse(spec); };
  const std::string d = "test";
  // A value left out.
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, std::nullopt}}}, d), StatusCode::kInvalidArgument);
  // Overlapping slices.
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, S("0,3:0,2")}, {0, S("2,2:0,2")}, {1, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  // Not covering.
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, S("0,3:0,2")}, {1, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  // Outside the value, or another rank.
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, S("0,5:0,2")}, {1, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, S("0,4")}, {1, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  // A value twice, or an index out of range.
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, std::nullopt}, {1, std::nullopt}}, {{1, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(ValidateShards(in, std::vector<Shard>{{{0, std::nullopt}, {1, std::nullopt}, {2, std::nullopt}}}, d),
              StatusCode::kInvalidArgument);
  // Fine: two slices in two shards.
  EXPECT_OK(ValidateShards(in, std::vector<Shard>{{{0, S("0,1:0,2")}, {1, std::nullopt}}, {{0, S("1,3:0,2")}}}, d));
}

}  // namespace
}  // namespace ckpt
