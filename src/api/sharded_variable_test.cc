// ShardedVariable saved and restored through Checkpoint in one process:
// stored as TF's partitioned variables (full entry + slice entries), read
// back whole or into any other sharding.
#include "ckpt/sharded_variable.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ckpt/checkpoint.h"
#include "graph/graph_test_helpers.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::MemOptions;
using graph::testing::OpenBundle;

constexpr const char* kKey = "w/.ATTRIBUTES/VARIABLE_VALUE";

// The elements 0..n-1 of `full` as float32, sliced at offset/shape.
Tensor Block(const TensorShape& full, std::vector<int64_t> offset, TensorShape shape, DType dtype = DType::kFloat) {
  Tensor t = *Tensor::Make(dtype, shape);
  std::vector<int64_t> idx(shape.rank(), 0);
  for (int64_t i = 0; i < shape.num_elements(); ++i) {
    int64_t flat = 0;
    for (int d = 0; d < shape.rank(); ++d) flat = flat * full.dim(d) + offset[d] + idx[d];
    if (dtype == DType::kFloat) t.flat<float>()[i] = static_cast<float>(flat);
    if (dtype == DType::kInt64) t.flat<int64_t>()[i] = flat * 1000;
    if (dtype == DType::kString) t.strings()[i] = "s" + std::to_string(flat);
    for (int d = shape.rank() - 1; d >= 0 && ++idx[d] == shape.dim(d); --d) idx[d] = 0;
  }
  return t;
}

class ShardedVariableTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }
  std::unique_ptr<FileSystem> fs_;
};

TEST_F(ShardedVariableTest, RowShardsAreStoredAsTfPartitionedVariables) {
  const TensorShape full{10, 3};
  ShardedVariable w(DType::kFloat, full, "w");
  ASSERT_OK(w.AddShard({0, 0}, Block(full, {0, 0}, {4, 3})));
  ASSERT_OK(w.AddShard({4, 0}, Block(full, {4, 0}, {3, 3})));
  ASSERT_OK(w.AddShard({7, 0}, Block(full, {7, 0}, {3, 3})));
  Checkpoint ckpt({{"w", &w}}, MemOptions(fs_.get()));
  auto path = ckpt.Write("/m/ck");
  ASSERT_OK(path);

  auto r = OpenBundle(fs_.get(), *path);
  ASSERT_TRUE(r);
  auto info = r->Lookup(kKey);
  ASSERT_OK(info);
  EXPECT_EQ(info->shape, full);
  ASSERT_EQ(info->slices.size(), 3u);
  // TF spells every dimension out: 0,4:0,3 4,3:0,3 7,3:0,3.
  EXPECT_EQ(info->slices[0].ToString(), "0,4:0,3");
  EXPECT_EQ(info->slices[1].ToString(), "4,3:0,3");
  EXPECT_EQ(info->slices[2].ToString(), "7,3:0,3");
  auto whole = r->Read(kKey);
  ASSERT_OK(whole);
  EXPECT_TRUE(whole->Equals(Block(full, {0, 0}, full)));
  // The object graph node is an ordinary variable node.
  auto g = graph::testing::ReadGraph(fs_.get(), *path);
  ASSERT_EQ(g.nodes_size(), 2);
  ASSERT_EQ(g.nodes(1).attributes_size(), 1);
  EXPECT_EQ(g.nodes(1).attributes(0).name(), "VARIABLE_VALUE");
  EXPECT_EQ(g.nodes(1).attributes(0).full_name(), "w");
  EXPECT_EQ(g.nodes(1).children_size(), 0);
}

TEST_F(ShardedVariableTest, RestoresIntoAnotherShardingAndIntoAPlainVariable) {
  const TensorShape full{6, 4};
  // Saved as a 2x2 grid.
  ShardedVariable saved(DType::kFloat, full, "w");
  for (int64_t r : {0, 3}) {
    for (int64_t c : {0, 2}) ASSERT_OK(saved.AddShard({r, c}, Block(full, {r, c}, {3, 2})));
  }
  auto path = Checkpoint({{"w", &saved}}, MemOptions(fs_.get())).Write("/m/grid");
  ASSERT_OK(path);

  // Restored as 3 column blocks of uneven width.
  ShardedVariable cols(DType::kFloat, full, "w");
  ASSERT_OK(cols.AddShard({0, 0}, *Tensor::Make(DType::kFloat, {6, 1})));
  ASSERT_OK(cols.AddShard({0, 1}, *Tensor::Make(DType::kFloat, {6, 2})));
  ASSERT_OK(cols.AddShard({0, 3}, *Tensor::Make(DType::kFloat, {6, 1})));
  Checkpoint restore_cols({{"w", &cols}}, MemOptions(fs_.get()));
  auto st = restore_cols.Read(*path);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  for (size_t i = 0; i < cols.num_shards(); ++i) {
    const TensorSlice& s = cols.slice(i);
    const float* p = static_cast<const float*>(cols.shard(i).data());
    Tensor want = Block(full, {0, s.start(1)}, cols.shard(i).shape());
    EXPECT_EQ(std::vector<float>(p, p + want.num_elements()),
              std::vector<float>(want.flat<float>().begin(), want.flat<float>().end()));
  }
  // Restored whole into a plain Variable.
  Variable plain(DType::kFloat, full);
  auto st2 = Checkpoint({{"w", &plain}}, MemOptions(fs_.get())).Read(*path);
  ASSERT_OK(st2);
  EXPECT_TRUE(plain.view().data != nullptr);
  Tensor want = Block(full, {0, 0}, full);
  EXPECT_EQ(std::memcmp(plain.data(), want.data(), want.byte_size()), 0);
}

TEST_F(ShardedVariableTest, APlainVariableRestoresIntoShards) {
  const TensorShape full{5, 2};
  Variable plain(Block(full, {0, 0}, full));
  auto path = Checkpoint({{"w", &plain}}, MemOptions(fs_.get())).Write("/m/plain");
  ASSERT_OK(path);
  ShardedVariable w(DType::kFloat, full);
  ASSERT_OK(w.AddShard({0, 0}, *Tensor::Make(DType::kFloat, {2, 2})));
  ASSERT_OK(w.AddShard({2, 0}, *Tensor::Make(DType::kFloat, {3, 2})));
  ASSERT_OK(Checkpoint({{"w", &w}}, MemOptions(fs_.get())).Read(*path));
  EXPECT_EQ(w.shard(1).flat<float>()[0], 4.0f);
  EXPECT_EQ(w.shard(1).flat<float>()[5], 9.0f);
}

TEST_F(ShardedVariableTest, StringAndInt64Shards) {
  for (DType dt : {DType::kString, DType::kInt64}) {
    const TensorShape full{7};
    ShardedVariable w(dt, full);
    ASSERT_OK(w.AddShard({0}, Block(full, {0}, {3}, dt)));
    ASSERT_OK(w.AddShard({3}, Block(full, {3}, {4}, dt)));
    auto path = Checkpoint({{"w", &w}}, MemOptions(fs_.get())).Write("/m/dt" + std::to_string(int(dt)));
    ASSERT_OK(path);
    auto r = OpenBundle(fs_.get(), *path);
    auto whole = r->Read(kKey);
    ASSERT_OK(whole);
    EXPECT_TRUE(whole->Equals(Block(full, {0}, full, dt)));
    // Restored into another split.
    ShardedVariable back(dt, full);
    ASSERT_OK(back.AddShard({0}, *Tensor::Make(dt, {5})));
    ASSERT_OK(back.AddShard({5}, *Tensor::Make(dt, {2})));
    auto st = Checkpoint({{"w", &back}}, MemOptions(fs_.get())).Read(*path);
    ASSERT_OK(st);
    EXPECT_TRUE(back.shard(0).view().dtype == dt);
    if (dt == DType::kString) {
      EXPECT_EQ(back.shard(1).strings(), (std::vector<std::string>{"s5", "s6"}));
    } else {
      EXPECT_EQ(back.shard(1).flat<int64_t>()[1], 6000);
    }
  }
}

TEST_F(ShardedVariableTest, EmptySharesAreNotStored) {
  // 2 rows in 3 shards: the last is empty.
  const TensorShape full{2, 3};
  ShardedVariable w(DType::kFloat, full);
  ASSERT_OK(w.AddShard({0, 0}, Block(full, {0, 0}, {1, 3})));
  ASSERT_OK(w.AddShard({1, 0}, Block(full, {1, 0}, {1, 3})));
  ASSERT_OK(w.AddShard({2, 0}, *Tensor::Make(DType::kFloat, {0, 3})));
  auto path = Checkpoint({{"w", &w}}, MemOptions(fs_.get())).Write("/m/e");
  ASSERT_OK(path);
  auto info = OpenBundle(fs_.get(), *path)->Lookup(kKey);
  EXPECT_EQ(info->slices.size(), 2u);
  // An empty tensor is stored whole.
  ShardedVariable e(DType::kFloat, TensorShape{0, 4});
  ASSERT_OK(e.AddShard({0, 0}, *Tensor::Make(DType::kFloat, {0, 4})));
  auto path2 = Checkpoint({{"w", &e}}, MemOptions(fs_.get())).Write("/m/e2");
  ASSERT_OK(path2);
  auto info2 = OpenBundle(fs_.get(), *path2)->Lookup(kKey);
  EXPECT_TRUE(info2->slices.empty());
  EXPECT_EQ(info2->shape, (TensorShape{0, 4}));
}

TEST_F(ShardedVariableTest, AddShardRejectsBadBlocks) {
  ShardedVariable w(DType::kFloat, TensorShape{10, 4}, "w");
  ASSERT_OK(w.AddShard({0, 0}, *Tensor::Make(DType::kFloat, {5, 4})));
  EXPECT_EQ(w.AddShard({4, 0}, *Tensor::Make(DType::kFloat, {2, 4})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddShard({5, 0}, *Tensor::Make(DType::kDouble, {5, 4})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddShard({8, 0}, *Tensor::Make(DType::kFloat, {5, 4})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddShard({5}, *Tensor::Make(DType::kFloat, {5, 4})).code(), StatusCode::kInvalidArgument);
  const Status s = w.AddShard({4, 2}, *Tensor::Make(DType::kFloat, {1, 1}));
  EXPECT_NE(s.message().find("overlaps the shard 0,5:0,4"), std::string::npos) << s.ToString();
  EXPECT_EQ(w.num_shards(), 1u);
}

TEST_F(ShardedVariableTest, SavingIncompleteShardsFailsAndWritesNothing) {
  ShardedVariable w(DType::kFloat, TensorShape{10, 4}, "w");
  ASSERT_OK(w.AddShard({0, 0}, *Tensor::Make(DType::kFloat, {5, 4})));
  auto path = Checkpoint({{"w", &w}}, MemOptions(fs_.get())).Write("/m/gap");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(path.status().message().find("cover 20 of its 40 elements"), std::string::npos)
      << path.status().ToString();
  EXPECT_FALSE(fs_->FileExists("/m/gap.index").ok());
}

TEST_F(ShardedVariableTest, RestoreChecksDtypeAndFullShape) {
  const TensorShape full{4};
  ShardedVariable w(DType::kFloat, full, "w");
  ASSERT_OK(w.AddShard({0}, Block(full, {0}, full)));
  auto path = Checkpoint({{"w", &w}}, MemOptions(fs_.get())).Write("/m/c");
  ASSERT_OK(path);
  ShardedVariable other_shape(DType::kFloat, TensorShape{5}, "w");
  ASSERT_OK(other_shape.AddShard({0}, *Tensor::Make(DType::kFloat, {5})));
  auto st = Checkpoint({{"w", &other_shape}}, MemOptions(fs_.get())).Read(*path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("Received incompatible tensor with shape (4,)"), std::string::npos)
      << st.status().ToString();
  ShardedVariable other_dtype(DType::kDouble, full, "w");
  ASSERT_OK(other_dtype.AddShard({0}, *Tensor::Make(DType::kDouble, {4})));
  auto st2 = Checkpoint({{"w", &other_dtype}}, MemOptions(fs_.get())).Read(*path);
  ASSERT_FALSE(st2.ok());
  EXPECT_NE(st2.status().message().find("expected dtype double does not equal original dtype float"),
            std::string::npos)
      << st2.status().ToString();
}

TEST_F(ShardedVariableTest, AsyncSaveStagesSlices) {
  const TensorShape full{6};
  ShardedVariable w(DType::kFloat, full, "w");
  ASSERT_OK(w.AddShard({0}, Block(full, {0}, {2})));
  ASSERT_OK(w.AddShard({2}, Block(full, {2}, {4})));
  CheckpointOptions o = MemOptions(fs_.get());
  o.enable_async = true;
  Checkpoint ckpt({{"w", &w}}, o);
  auto path = ckpt.Write("/m/async");
  ASSERT_OK(path);
  ASSERT_OK(ckpt.Sync());
  auto info = OpenBundle(fs_.get(), *path)->Lookup(kKey);
  ASSERT_OK(info);
  EXPECT_EQ(info->slices.size(), 2u);
}

}  // namespace
}  // namespace ckpt
