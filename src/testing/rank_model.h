// RankModel: what one rank of an in-process group holds in the multi-rank
// tests, built from test::Block values so that any rank of any group size
// can check what it restored.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ckpt/sharded_variable.h"
#include "ckpt/status.h"
#include "ckpt/variable.h"
#include "testing/block_values.h"
#include "testing/status_matchers.h"

namespace ckpt::test {

struct RankModel {
  // Rank `rank` of `size`: for every dtype a [10, 3] value split by rows
  // (10 rows over 3 ranks: 4, 3, 3) and a replicated [4] value; with
  // `columns`, also a float [3, 4] split by columns. All zero when `zero` (a
  // model about to restore).
  RankModel(int rank, int size, bool zero = false, bool columns = false) {
    for (DType dt : AllDTypes()) {
      const std::string name(DTypeName(dt));
      const TensorShape full{10, 3};
      auto [start, rows] = Split(10, size, rank);
      sharded.push_back(std::make_unique<ShardedVariable>(dt, full, "rows_" + name));
      EXPECT_OK(sharded.back()->AddShard({start, 0}, Block(dt, full, {start, 0}, {rows, 3}, zero)));
      replicated.push_back(std::make_unique<Variable>(Block(dt, {4}, {0}, {4}, zero), "rep_" + name));
      named.emplace_back("rows_" + name, sharded.back().get());
      named.emplace_back("rep_" + name, replicated.back().get());
    }
    if (columns) {
      const TensorShape full{3, 4};
      auto [start, cols] = Split(4, size, rank);
      sharded.push_back(std::make_unique<ShardedVariable>(DType::kFloat, full, "cols"));
      EXPECT_OK(sharded.back()->AddShard({0, start}, Block(DType::kFloat, full, {0, start}, {3, cols}, zero)));
      named.emplace_back("cols", sharded.back().get());
    }
  }

  // OK when every shard and replicated value equals the saved values,
  // bitwise; else Internal naming the first that differs.
  Status CheckRestored() const {
    for (const auto& s : sharded) {
      for (size_t i = 0; i < s->num_shards(); ++i) {
        const TensorSlice& slice = s->slice(i);
        std::vector<int64_t> offset;
        std::vector<int64_t> dims;
        for (int d = 0; d < s->full_shape().rank(); ++d) {
          offset.push_back(slice.start(d));
          dims.push_back(slice.length(d));
        }
        if (!Holds(s->shard(i), Block(s->dtype(), s->full_shape(), offset, TensorShape(dims)))) {
          return InternalError(s->name() + " shard " + std::to_string(i) + " differs");
        }
      }
    }
    for (const auto& v : replicated) {
      if (!Holds(*v, Block(v->dtype(), {4}, {0}, {4}))) return InternalError(v->name() + " differs");
    }
    return OkStatus();
  }

  // Whether `v` holds exactly `want` (bytes, or strings).
  static bool Holds(const Variable& v, const Tensor& want) {
    Tensor got = *Tensor::Make(v.dtype(), v.shape());
    if (v.dtype() == DType::kString) {
      got.strings() = const_cast<Variable&>(v).strings();
    } else if (got.byte_size() > 0) {
      std::memcpy(got.data(), v.data(), got.byte_size());
    }
    return got.Equals(want);
  }

  std::vector<std::unique_ptr<ShardedVariable>> sharded;
  std::vector<std::unique_ptr<Variable>> replicated;
  std::vector<std::pair<std::string, Trackable*>> named;
};

}  // namespace ckpt::test
