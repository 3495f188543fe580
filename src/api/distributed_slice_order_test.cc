// The slice list of a partitioned tensor's full-tensor index entry is in one
// canonical order (format/slice_order.h): a distributed save on N ranks —
// whichever rank holds which block, in whatever order — lists the same
// slices in the same bytes as a single-process save of the same blocks.
// (Whole .index files of saves with different numbers of data files differ
// by design: slice entries name their data file and offset.)
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/saver.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "format/index_table.h"
#include "graph/graph_test_helpers.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InProcessGroup;
using namespace std::chrono_literals;

// A [6, 4] tensor cut into a 3 x 2 grid of [2, 2] blocks; block b's origin.
constexpr int kBlocks = 6;
std::vector<int64_t> Origin(int b) { return {2 * (b / 2), 2 * (b % 2)}; }

Tensor BlockValue(DType dt, int b) {
  Tensor t = *Tensor::Make(dt, {2, 2});
  if (dt == DType::kString) {
    for (size_t i = 0; i < 4; ++i) t.strings()[i] = "b" + std::to_string(b) + "e" + std::to_string(i);
  } else {
    auto* bytes = static_cast<unsigned char*>(t.data());
    for (size_t i = 0; i < t.byte_size(); ++i) bytes[i] = static_cast<unsigned char>(b * 31 + i);
  }
  return t;
}

const std::vector<DType> kDTypes = {DType::kFloat, DType::kInt64, DType::kString};

// One rank's model: a ShardedVariable per dtype holding `blocks`, added in
// the order given.
struct Model {
  explicit Model(const std::vector<int>& blocks) {
    for (DType dt : kDTypes) {
      vars.push_back(std::make_unique<ShardedVariable>(dt, TensorShape{6, 4}, "grid_" + std::string(DTypeName(dt))));
      for (int b : blocks) EXPECT_OK(vars.back()->AddShard(Origin(b), BlockValue(dt, b)));
      named.emplace_back(vars.back()->name(), vars.back().get());
    }
  }
  std::vector<std::unique_ptr<ShardedVariable>> vars;
  std::vector<std::pair<std::string, Trackable*>> named;
};

class DistributedSliceOrderTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  // The raw index entries that list slices (the full-tensor entries), by key.
  std::map<std::string, std::string> FullEntries(const std::string& prefix) {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : Index(prefix)) {
      proto::BundleEntryProto e;
      if (!key.empty() && e.ParseFromString(value) && e.slices_size() > 0) out[key] = value;
    }
    return out;
  }

  std::vector<format::KeyValue> Index(const std::string& prefix) {
    auto file = fs_->NewRandomAccessFile(prefix + ".index");
    EXPECT_OK(file);
    auto kvs = format::ReadIndexTable(**file);
    EXPECT_OK(kvs);
    return *kvs;
  }

  // Saves the blocks `deal[r]` of each rank r of a group of deal.size().
  void SaveDistributed(const std::vector<std::vector<int>>& deal, const std::string& prefix) {
    InProcessGroup group(static_cast<int>(deal.size()));
    auto results = group.Run([&](Communicator& comm) {
      Model model(deal[static_cast<size_t>(comm.rank())]);
      CheckpointOptions o = graph::testing::MemOptions(fs_.get());
      o.communicator = &comm;
      o.collective_timeout = 60s;
      return Checkpoint(model.named, o).Write(prefix);
    });
    for (const auto& r : results) ASSERT_OK(r);
  }

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(DistributedSliceOrderTest, ADistributedSaveListsSlicesAsASingleProcessSaveOfTheSameBlocks) {
  std::vector<int> all(kBlocks);
  std::iota(all.begin(), all.end(), 0);
  std::vector<int> reversed(all.rbegin(), all.rend());
  {
    Model model(all);
    ASSERT_OK(Checkpoint(model.named, graph::testing::MemOptions(fs_.get())).Write("/d/single"));
  }
  {
    // The order shards were added in does not matter: the whole index is the same.
    Model model(reversed);
    ASSERT_OK(Checkpoint(model.named, graph::testing::MemOptions(fs_.get())).Write("/d/single_reversed"));
  }
  EXPECT_EQ(Index("/d/single"), Index("/d/single_reversed"));
  const auto want = FullEntries("/d/single");
  ASSERT_EQ(want.size(), kDTypes.size());
  for (int n = 2; n <= 4; ++n) {
    // Blocks dealt in turn (rank 0: 0, n, ...) — TF's merge order would list
    // them rank by rank — and the same deal with each rank's blocks reversed
    // and the ranks' shares swapped around.
    std::vector<std::vector<int>> dealt(static_cast<size_t>(n)), backwards(static_cast<size_t>(n));
    for (int b = 0; b < kBlocks; ++b) {
      dealt[static_cast<size_t>(b % n)].push_back(b);
      backwards[static_cast<size_t>(n - 1 - b % n)].insert(backwards[static_cast<size_t>(n - 1 - b % n)].begin(), b);
    }
    const std::string a = "/d/n" + std::to_string(n) + "a", b = "/d/n" + std::to_string(n) + "b";
    SaveDistributed(dealt, a);
    SaveDistributed(backwards, b);
    EXPECT_EQ(FullEntries(a), want) << "N=" << n;
    EXPECT_EQ(FullEntries(b), want) << "N=" << n;
    // The same deal with each rank's blocks in another order: the same index.
    std::vector<std::vector<int>> dealt_reversed = dealt;
    for (auto& blocks : dealt_reversed) std::reverse(blocks.begin(), blocks.end());
    const std::string c = "/d/n" + std::to_string(n) + "c";
    SaveDistributed(dealt_reversed, c);
    EXPECT_EQ(Index(a), Index(c)) << "N=" << n;
  }
}

// The Saver with a group lists the parts of a partitioned variable as a
// single-process Saver of the same parts does (part names in offset order,
// as TF names them).
TEST_F(DistributedSliceOrderTest, ASaverWithAGroupListsPartsAsASingleProcessSaver) {
  auto parts = [](const std::vector<int>& blocks) {
    std::vector<VariablePtr> vars;
    for (int b : blocks) {
      const std::vector<int64_t> o = Origin(b);
      PartitionInfo p{"grid", TensorShape{6, 4}, TensorSlice({{o[0], 2}, {o[1], 2}})};
      vars.push_back(std::make_shared<TensorVariable>("grid/part_" + std::to_string(b), BlockValue(DType::kFloat, b),
                                                      "", p));
    }
    return vars;
  };
  SaverOptions so;
  so.fs = fs_.get();
  so.sync = false;
  SaverSaveOptions save;
  save.write_meta_graph = false;
  {
    auto saver = Saver::Create(VarList::List(parts({0, 1, 2, 3, 4, 5})), so);
    ASSERT_OK(saver);
    ASSERT_OK((*saver)->Save("/d/saver_single", save));
  }
  InProcessGroup group(3);
  auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
    const int r = comm.rank();
    CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(parts({r, r + 3})), so));
    SaverSaveOptions s = save;
    s.communicator = &comm;
    s.collective_timeout = 60s;
    return saver->Save("/d/saver_group", s);
  });
  for (const auto& r : results) ASSERT_OK(r);
  EXPECT_EQ(FullEntries("/d/saver_group"), FullEntries("/d/saver_single"));
}

}  // namespace
}  // namespace ckpt
