#include "distributed/save_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "distributed/value_list.h"
#include "testing/status_matchers.h"

namespace ckpt::distributed {
namespace {

// Parses "start,length:..." and also accepts length 0 (an empty share).
TensorSlice S(std::string_view spec) {
  std::vector<TensorSlice::Extent> ext;
  while (!spec.empty()) {
    const size_t colon = spec.find(':');
    const std::string item(spec.substr(0, colon));
    spec = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
    if (item == "-") {
      ext.push_back({});
    } else {
      ext.push_back({std::stoll(item), std::stoll(item.substr(item.find(',') + 1))});
    }
  }
  return TensorSlice(ext);
}

ValueDesc V(std::string key, TensorShape full, std::string_view slice = "", uint64_t bytes = 0,
            DType dtype = DType::kFloat) {
  ValueDesc v;
  v.key = std::move(key);
  v.dtype = dtype;
  v.slice = slice.empty() ? TensorSlice::Full(full.rank()) : S(slice);
  v.full_shape = std::move(full);
  v.bytes = bytes ? bytes : static_cast<uint64_t>(v.slice.SliceShape(v.full_shape).num_elements()) * 4;
  return v;
}

using Lists = std::vector<std::vector<ValueDesc>>;

// (rank, key, slice) of every planned write.
std::set<std::tuple<int, std::string, std::string>> Written(const Lists& lists, const SavePlan& plan) {
  std::set<std::tuple<int, std::string, std::string>> out;
  for (size_t r = 0; r < plan.writes.size(); ++r) {
    for (size_t i : plan.writes[r]) out.emplace(static_cast<int>(r), lists[r][i].key, lists[r][i].slice.ToString());
  }
  return out;
}

Status PlanError(const Lists& lists) { return PlanSave(lists).status(); }

void ExpectInvalid(const Lists& lists, std::vector<std::string> fragments) {
  const Status s = PlanError(lists);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  for (const auto& f : fragments) EXPECT_NE(s.message().find(f), std::string::npos) << f << " not in " << s.ToString();
}

TEST(SavePlanTest, ReplicatedValuesAreWrittenOnceAndBalancedForOneToFourRanks) {
  for (int n = 1; n <= 4; ++n) {
    Lists lists(n);
    for (int r = 0; r < n; ++r) {
      for (int k = 0; k < 8; ++k) lists[r].push_back(V("v" + std::to_string(k), {100}, "", 400));
    }
    auto plan = PlanSave(lists);
    ASSERT_OK(plan);
    std::map<std::string, int> times;
    for (const auto& [rank, key, slice] : Written(lists, *plan)) ++times[key];
    EXPECT_EQ(times.size(), 8u);
    for (const auto& [key, t] : times) EXPECT_EQ(t, 1) << key;
    // 8 equal values over n ranks: loads differ by at most one value.
    const auto [lo, hi] = std::minmax_element(plan->bytes.begin(), plan->bytes.end());
    EXPECT_LE(*hi - *lo, 400u) << "n=" << n;
    // Deterministic.
    EXPECT_EQ(*plan, *PlanSave(lists));
  }
}

TEST(SavePlanTest, TiesGoToTheLowestRankAndLargestValuesArePlacedFirst) {
  Lists lists(3);
  for (int r = 0; r < 3; ++r) {
    lists[r].push_back(V("small", {1}, "", 10));
    lists[r].push_back(V("big", {1}, "", 1000));
    lists[r].push_back(V("mid", {1}, "", 500));
  }
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  // big -> rank 0 (all empty: lowest), mid -> rank 1, small -> rank 2.
  EXPECT_EQ(Written(lists, *plan), (std::set<std::tuple<int, std::string, std::string>>{
                                       {0, "big", "-"}, {1, "mid", "-"}, {2, "small", "-"}}));
  EXPECT_EQ(plan->bytes, (std::vector<uint64_t>{1000, 500, 10}));
}

TEST(SavePlanTest, UnevenRowSplitIsWrittenByEachHolder) {
  // 10 rows over 3 ranks: 4, 3, 3.
  Lists lists = {{V("w", {10, 2}, "0,4:-")}, {V("w", {10, 2}, "4,3:-")}, {V("w", {10, 2}, "7,3:-")}};
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->writes, (std::vector<std::vector<size_t>>{{0}, {0}, {0}}));
  EXPECT_EQ(plan->bytes, (std::vector<uint64_t>{32, 24, 24}));
}

TEST(SavePlanTest, MultiAxisGridOverFourRanks) {
  const TensorShape full{4, 6};
  Lists lists = {{V("g", full, "0,2:0,3")}, {V("g", full, "0,2:3,3")}, {V("g", full, "2,2:0,3")},
                 {V("g", full, "2,2:3,3")}};
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  for (int r = 0; r < 4; ++r) EXPECT_EQ(plan->writes[r], std::vector<size_t>{0});
}

TEST(SavePlanTest, MixedReplicatedAndShardedValues) {
  // Rank 0 holds a big shard, so the replicated values go to the others.
  Lists lists = {
      {V("emb", {10, 4}, "0,8:-"), V("bias", {4}), V("step", {}, "", 8, DType::kInt64)},
      {V("emb", {10, 4}, "8,2:-"), V("bias", {4}), V("step", {}, "", 8, DType::kInt64)},
      {V("bias", {4}), V("step", {}, "", 8, DType::kInt64)},
  };
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  EXPECT_EQ(Written(lists, *plan), (std::set<std::tuple<int, std::string, std::string>>{
                                       {0, "emb", "0,8:-"}, {1, "emb", "8,2:-"}, {2, "bias", "-"}, {2, "step", ""}}));
  EXPECT_EQ(plan->bytes, (std::vector<uint64_t>{128, 32, 24}));
}

TEST(SavePlanTest, ReplicatedShardsAreWrittenOnce) {
  // Two data-parallel groups of two tensor-parallel ranks: each half is held twice.
  Lists lists = {{V("w", {6, 2}, "0,3:-")}, {V("w", {6, 2}, "3,3:-")}, {V("w", {6, 2}, "0,3:-")},
                 {V("w", {6, 2}, "3,3:-")}};
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  EXPECT_EQ(Written(lists, *plan), (std::set<std::tuple<int, std::string, std::string>>{{0, "w", "0,3:-"},
                                                                                         {1, "w", "3,3:-"}}));
}

TEST(SavePlanTest, SpellingsOfTheSameRegionAreOneValue) {
  Lists lists = {{V("w", {10, 2}, "0,10:0,2")}, {V("w", {10, 2}, "-:-")}, {V("w", {10, 2}, "0,10:-")}};
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  EXPECT_EQ(Written(lists, *plan).size(), 1u);
}

TEST(SavePlanTest, ObjectGraphIsWrittenByRankZero) {
  Lists lists(3);
  for (int r = 0; r < 3; ++r) {
    lists[r].push_back(V("x", {1000}));  // rank 0 gets this first (tie)...
    lists[r].push_back(V(std::string(kPlannerObjectGraphKey), {}, "", 100, DType::kString));
  }
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  // ... and the graph anyway.
  EXPECT_EQ(Written(lists, *plan), (std::set<std::tuple<int, std::string, std::string>>{
                                       {0, "x", "-"}, {0, std::string(kPlannerObjectGraphKey), ""}}));
}

TEST(SavePlanTest, EmptySharesAreSkippedAndEmptyTensorsWrittenOnce) {
  // 2 rows over 3 ranks: rank 2's share is empty.
  Lists lists = {{V("w", {2, 3}, "0,1:-"), V("e", {0, 3}, "0,0:-")},
                 {V("w", {2, 3}, "1,1:-"), V("e", {0, 3})},
                 {V("w", {2, 3}, "2,0:-"), V("e", {0, 3}, "0,0:-")}};
  auto plan = PlanSave(lists);
  ASSERT_OK(plan);
  auto w = Written(lists, *plan);
  int e_writes = 0, w_writes = 0;
  for (const auto& [rank, key, slice] : w) (key == "e" ? e_writes : w_writes)++;
  EXPECT_EQ(e_writes, 1);
  EXPECT_EQ(w_writes, 2);
}

TEST(SavePlanTest, NoRanksOrNoValues) {
  EXPECT_OK(PlanSave(Lists{}));
  auto plan = PlanSave(Lists(3));
  ASSERT_OK(plan);
  EXPECT_EQ(plan->bytes, (std::vector<uint64_t>{0, 0, 0}));
}

TEST(SavePlanTest, DtypeMismatchNamesKeyAndRanks) {
  ExpectInvalid({{V("w", {4})}, {V("w", {4})}, {V("w", {4}, "", 0, DType::kDouble)}},
                {"key \"w\"", "rank 0 holds float32 [4]", "rank 2 holds float64 [4]"});
}

TEST(SavePlanTest, ShapeMismatchNamesKeyAndRanks) {
  ExpectInvalid({{V("w", {4, 2}, "0,2:-")}, {V("w", {4, 3}, "2,2:-")}},
                {"key \"w\"", "rank 0 holds float32 [4,2]", "rank 1 holds float32 [4,3]"});
}

TEST(SavePlanTest, OverlappingSlicesNameBothSlicesAndRanks) {
  ExpectInvalid({{V("w", {10}, "0,6")}, {V("w", {10}, "5,5")}},
                {"key \"w\"", "slice 0,6 (rank(s) 0) overlaps slice 5,5 (rank(s) 1)"});
  // A whole value and a slice overlap too.
  ExpectInvalid({{V("w", {10})}, {V("w", {10}, "5,5")}, {V("w", {10})}},
                {"key \"w\"", "(rank(s) 0, 2) overlaps slice 5,5 (rank(s) 1)"});
  // Overlap on the second axis only.
  ExpectInvalid({{V("w", {4, 4}, "0,4:0,3")}, {V("w", {4, 4}, "2,2:2,2")}}, {"overlaps"});
}

TEST(SavePlanTest, GapsNameTheKeyAndTheCoverage) {
  ExpectInvalid({{V("w", {10, 2}, "0,4:-")}, {V("w", {10, 2}, "5,5:-")}},
                {"key \"w\"", "rank(s) 0, 1 cover 18 of its 20 elements"});
  // Multi-axis: one quadrant missing.
  const TensorShape full{4, 6};
  ExpectInvalid({{V("g", full, "0,2:0,3")}, {V("g", full, "0,2:3,3")}, {V("g", full, "2,2:0,3")}},
                {"key \"g\"", "cover 18 of its 24"});
}

TEST(SavePlanTest, DuplicateOnOneRankIsAnError) {
  ExpectInvalid({{V("w", {10}, "0,5"), V("w", {10}, "0,5"), V("w", {10}, "5,5")}},
                {"key \"w\"", "rank 0 lists slice 0,5 twice"});
}

TEST(SavePlanTest, SliceOutsideTheShapeIsAnError) {
  Lists lists = {{V("w", {10}, "0,5")}};
  lists[0].push_back(lists[0][0]);
  lists[0][1].slice = S("5,6");
  ExpectInvalid(lists, {"key \"w\" on rank 0", "does not fit"});
}

// Random splits of random shapes, randomly replicated: every non-empty
// region is written exactly once, by one of its holders.
TEST(SavePlanTest, RandomLayoutsAreWrittenExactlyOnce) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    const int n = 1 + static_cast<int>(rng() % 4);
    Lists lists(n);
    const int keys = 1 + static_cast<int>(rng() % 5);
    std::map<std::string, std::set<std::string>> expected;  // key -> regions
    for (int k = 0; k < keys; ++k) {
      const std::string key = "k" + std::to_string(k);
      const int rank = 1 + static_cast<int>(rng() % 3);
      std::vector<int64_t> dims;
      for (int d = 0; d < rank; ++d) dims.push_back(1 + static_cast<int64_t>(rng() % 6));
      const TensorShape full(dims);
      // Split each axis into 1..3 pieces, then hand every block to 1..n ranks.
      std::vector<std::vector<std::pair<int64_t, int64_t>>> cuts(rank);
      for (int d = 0; d < rank; ++d) {
        int64_t start = 0;
        while (start < dims[d]) {
          const int64_t len = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(dims[d] - start));
          cuts[d].emplace_back(start, len);
          start += len;
        }
      }
      std::vector<size_t> idx(rank, 0);
      while (true) {
        std::vector<TensorSlice::Extent> ext;
        for (int d = 0; d < rank; ++d) ext.push_back({cuts[d][idx[d]].first, cuts[d][idx[d]].second});
        ValueDesc v = V(key, full);
        v.slice = TensorSlice(ext);
        v.bytes = static_cast<uint64_t>(v.slice.SliceShape(full).num_elements()) * 4;
        expected[key].insert(v.slice.ToString());
        const int first = static_cast<int>(rng() % n);
        const int copies = 1 + static_cast<int>(rng() % n);
        for (int c = 0; c < copies; ++c) lists[(first + c) % n].push_back(v);
        int d = rank - 1;
        while (d >= 0 && ++idx[d] == cuts[d].size()) idx[d--] = 0;
        if (d < 0) break;
      }
    }
    for (auto& l : lists) std::shuffle(l.begin(), l.end(), rng);
    auto plan = PlanSave(lists);
    ASSERT_OK(plan);
    std::map<std::string, std::multiset<std::string>> got;
    for (int r = 0; r < n; ++r) {
      uint64_t mine = 0;
      for (size_t i : plan->writes[r]) {
        got[lists[r][i].key].insert(lists[r][i].slice.ToString());
        mine += lists[r][i].bytes;
      }
      EXPECT_EQ(mine, plan->bytes[r]);
    }
    for (const auto& [key, regions] : expected) {
      EXPECT_EQ(got[key], std::multiset<std::string>(regions.begin(), regions.end())) << key;
    }
    // Encoding round-trips every list.
    for (int r = 0; r < n; ++r) {
      auto decoded = DecodeValueList(EncodeValueList(lists[r]), "rank " + std::to_string(r));
      ASSERT_OK(decoded);
      EXPECT_EQ(*decoded, lists[r]);
    }
  }
}

// ---- the value-list encoding ----

std::vector<ValueDesc> Sample() {
  return {V("a", {10, 3}, "0,4:-", 48), V("b/c", {}, "", 8, DType::kInt64), V("s", {2}, "1,1", 17, DType::kString),
          V(std::string("\0\xff", 2), {5, 0, 2}, "", 0, DType::kHalf)};
}

TEST(ValueListTest, RoundTrips) {
  const auto values = Sample();
  const std::string bytes = EncodeValueList(values);
  EXPECT_EQ(bytes.substr(0, 4), "CKV1");
  auto back = DecodeValueList(bytes, "rank 1");
  ASSERT_OK(back);
  EXPECT_EQ(*back, values);
  auto empty = DecodeValueList(EncodeValueList({}), "rank 0");
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ValueListTest, EveryTruncationAndTrailingByteIsDataLoss) {
  const std::string bytes = EncodeValueList(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeValueList(std::string_view(bytes).substr(0, n), "rank 2");
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find("rank 2"), std::string::npos);
  }
  auto r = DecodeValueList(bytes + "x", "rank 2");
  EXPECT_NE(r.status().message().find("trailing"), std::string::npos) << r.status().ToString();
}

TEST(ValueListTest, RejectsBadFields) {
  auto expect_bad = [](std::string bytes, std::string_view what) {
    auto r = DecodeValueList(bytes, "rank 0");
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().ToString();
  };
  expect_bad("XXXX", "bad magic");
  expect_bad(std::string("CKV1\xff\xff\xff\xff\x0f", 9), "count");
  // count 1, key "k", dtype 0 (invalid).
  expect_bad(std::string("CKV1\x01\x01k\x00\x00\x00", 10), "dtype 0");
  // dtype 20 (resource) cannot be stored.
  expect_bad(std::string("CKV1\x01\x01k\x14\x00\x00", 10), "dtype 20");
  // empty key.
  expect_bad(std::string("CKV1\x01\x00\x01\x00\x00\x00", 10), "key length 0");
  // rank 1, dim 4, slice start 3 length 2 (+1 = 3): does not fit.
  expect_bad(std::string("CKV1\x01\x01k\x01\x01\x04\x03\x03\x00", 13), "does not fit");
  // full extent with a start.
  expect_bad(std::string("CKV1\x01\x01k\x01\x01\x04\x01\x00\x00", 13), "full extent");
  // rank 255.
  expect_bad(std::string("CKV1\x01\x01k\x01\xff\x01", 10), "rank 255");
}

TEST(ValueListTest, RandomCorruptionNeverCrashes) {
  const std::string bytes = EncodeValueList(Sample());
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    std::string b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
    auto r = DecodeValueList(b, "rank 0");
    if (r.ok()) {
      for (const ValueDesc& v : *r) EXPECT_OK(v.slice.CheckFits(v.full_shape));
    }
  }
}

}  // namespace
}  // namespace ckpt::distributed
