// The name-based Saver with SaverSaveOptions::communicator: one V2
// checkpoint from N in-process ranks (partitioned variables as TF slices,
// other variables replicated and written once), rank 0's bookkeeping adopted
// by every rank, restored by Savers on any M ranks bit for bit, and the
// failures every rank must report alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/saver.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "testing/fault_injection_file_system.h"
#include "testing/block_values.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InProcessGroup;
using namespace std::chrono_literals;
using test::Block;
using test::Split;


// What rank `rank` of `size` holds, as TF1 partitioned variables would be
// spread over workers: for every dtype a [10, 3] variable partitioned by rows
// (10 rows over 3 ranks: 4, 3, 3) and a replicated [4] variable; a float
// [4, 6] variable cut into a 2 x 3 grid of blocks dealt to the ranks in turn
// (splits on two axes, several blocks on one rank).
struct SaverModel {
  SaverModel(int rank, int size, bool zero = false) {
    for (DType dt : test::AllDTypes()) {
      const std::string name(DTypeName(dt));
      const TensorShape full{10, 3};
      auto [start, rows] = Split(10, size, rank);
      Part("rows_" + name, dt, full, {start, 0}, {rows, 3}, zero);
      vars.push_back(std::make_shared<TensorVariable>("rep_" + name, Block(dt, {4}, {0}, {4}, zero)));
    }
    int block = 0;
    for (int64_t r = 0; r < 4; r += 2) {
      for (int64_t c = 0; c < 6; c += 2, ++block) {
        if (block % size == rank) Part("grid", DType::kFloat, {4, 6}, {r, c}, {2, 2}, zero);
      }
    }
  }

  void Part(const std::string& key, DType dt, const TensorShape& full, const std::vector<int64_t>& offset,
            const std::vector<int64_t>& dims, bool zero) {
    std::vector<TensorSlice::Extent> extents;
    for (size_t d = 0; d < dims.size(); ++d) extents.push_back({offset[d], dims[d]});
    PartitionInfo p{key, full, TensorSlice(extents)};
    vars.push_back(std::make_shared<TensorVariable>(key + "/part_" + std::to_string(vars.size()),
                                                    Block(dt, full, offset, TensorShape(dims), zero), "", p));
  }

  // Every variable holds the saved values, bitwise.
  void ExpectRestored(const std::string& where) const {
    for (const auto& v : vars) {
      const Tensor& got = static_cast<const TensorVariable&>(*v).tensor();
      Tensor want;
      if (auto p = v->partition()) {
        std::vector<int64_t> offset;
        for (int d = 0; d < p->full_shape.rank(); ++d) offset.push_back(p->slice.start(d));
        want = Block(got.dtype(), p->full_shape, offset, got.shape());
      } else {
        want = Block(got.dtype(), {4}, {0}, {4});
      }
      EXPECT_TRUE(got.Equals(want)) << where << ": " << v->name();
    }
  }

  std::vector<VariablePtr> vars;
};

class DistributedSaverTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  SaverOptions Options(double* now = nullptr) {
    SaverOptions o;
    o.fs = fs_.get();
    o.sync = false;
    if (now != nullptr) o.clock = [now] { return *now; };
    return o;
  }

  SaverSaveOptions SaveOptions(Communicator* comm, int64_t step, std::chrono::milliseconds timeout = 60s) {
    SaverSaveOptions s;
    s.global_step = step;
    s.communicator = comm;
    s.collective_timeout = timeout;
    return s;
  }

  // Restores `path` with a Saver on each of m ranks (its own var_list of the
  // m-way partitioning) and checks every value.
  void ExpectRestoresOn(int m, const std::string& path) {
    InProcessGroup group(m);
    auto results = group.Run([&](Communicator& comm) -> Status {
      SaverModel model(comm.rank(), m, /*zero=*/true);
      CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(model.vars), Options()));
      CKPT_RETURN_IF_ERROR(saver->Restore(path));
      model.ExpectRestored(path + " on rank " + std::to_string(comm.rank()) + " of " + std::to_string(m));
      return OkStatus();
    });
    for (int r = 0; r < m; ++r) {
      EXPECT_TRUE(results[static_cast<size_t>(r)].ok())
          << results[static_cast<size_t>(r)].ToString() << " " << path << " M=" << m << " rank " << r;
    }
  }

  std::vector<std::string> Listing(const std::string& dir) { return test::SortedChildren(fs_.get(), dir); }

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(DistributedSaverTest, SaveOnNRanksRestoresBitExactOnAnyMRanks) {
  for (int n = 2; n <= 4; ++n) {
    const std::string dir = "/d/n" + std::to_string(n);
    InProcessGroup group(n);
    auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
      SaverModel model(comm.rank(), n);
      CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(model.vars), Options()));
      CKPT_ASSIGN_OR_RETURN(auto path, saver->Save(dir + "/model.ckpt", SaveOptions(&comm, 7)));
      if (saver->last_checkpoints() != std::vector<std::string>{dir + "/model.ckpt-7"}) {
        return InternalError("last_checkpoints disagree on rank " + std::to_string(comm.rank()));
      }
      return path;
    });
    for (const auto& r : results) {
      ASSERT_TRUE(r.ok()) << r.status().ToString() << " N=" << n;
      EXPECT_EQ(r->value_or(""), dir + "/model.ckpt-7");
    }
    // One bundle: the replicated values once, every partition as TF slices
    // under one full-tensor entry; the state file and rank 0's .meta.
    auto reader = BundleReader::Open(dir + "/model.ckpt-7", {.fs = fs_.get()});
    ASSERT_OK(reader);
    auto grid = (*reader)->Lookup("grid");
    ASSERT_OK(grid);
    EXPECT_EQ(grid->shape, (TensorShape{4, 6}));
    EXPECT_TRUE(fs_->FileExists(dir + "/model.ckpt-7.meta").ok());
    EXPECT_FALSE(fs_->FileExists(dir + "/model.ckpt-7_temp").ok());
    auto state = GetCheckpointState(dir, "checkpoint", fs_.get());
    ASSERT_OK(state);
    ASSERT_TRUE(state->has_value());
    EXPECT_EQ((*state)->model_checkpoint_path, dir + "/model.ckpt-7");
    for (int m = 1; m <= 4; ++m) ExpectRestoresOn(m, dir + "/model.ckpt-7");
  }
}

// Retention is rank 0's (its clock, its deletions); the others adopt its
// list, so last_checkpoints() agrees everywhere.
TEST_F(DistributedSaverTest, RetentionRunsOnRankZeroAndEveryRankAdoptsIt) {
  const int n = 3;
  double now = 1000;
  std::vector<std::unique_ptr<SaverModel>> models;
  std::vector<std::unique_ptr<Saver>> savers;
  for (int r = 0; r < n; ++r) {
    models.push_back(std::make_unique<SaverModel>(r, n));
    SaverOptions o = Options(r == 0 ? &now : nullptr);
    o.max_to_keep = 2;
    o.keep_checkpoint_every_n_hours = 1.0;
    auto s = Saver::Create(VarList::List(models.back()->vars), o);
    ASSERT_OK(s);
    savers.push_back(std::move(*s));
  }
  InProcessGroup group(n);
  for (int step = 1; step <= 5; ++step) {
    now += 1800;  // half an hour per save
    auto results = group.Run([&](Communicator& comm) {
      SaverSaveOptions so = SaveOptions(&comm, step);
      so.write_meta_graph = comm.rank() == 0;  // need not agree: only rank 0 writes it
      return savers[static_cast<size_t>(comm.rank())]->Save("/d/keep/m", so);
    });
    for (const auto& r : results) ASSERT_OK(r);
  }
  for (const auto& s : savers) EXPECT_EQ(s->last_checkpoints(), (std::vector<std::string>{"/d/keep/m-4", "/d/keep/m-5"}));
  // Built at 1000, deadline 4600: m-1 (2800) deleted, m-2 (4600) deleted (not
  // past the deadline), m-3 (6400) kept forever, deadline 8200.
  EXPECT_FALSE(fs_->FileExists("/d/keep/m-1.index").ok());
  EXPECT_FALSE(fs_->FileExists("/d/keep/m-2.index").ok());
  EXPECT_TRUE(fs_->FileExists("/d/keep/m-3.index").ok());
  auto state = GetCheckpointState("/d/keep", "checkpoint", fs_.get());
  ASSERT_OK(state);
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->all_model_checkpoint_paths, (std::vector<std::string>{"/d/keep/m-4", "/d/keep/m-5"}));
  ExpectRestoresOn(2, "/d/keep/m-3");
}

// A write failure on one rank: every rank returns the same error naming it;
// no index, no state file, no part directory.
TEST_F(DistributedSaverTest, AWriteFailureOnOneRankFailsEveryRankAlikeAndPublishesNothing) {
  test::FaultInjectionFileSystem faulty(fs_.get());
  const int n = 3;
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
    SaverModel model(comm.rank(), n);
    SaverOptions o = Options();
    if (comm.rank() == 1) o.fs = &faulty;
    CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(model.vars), o));
    if (comm.rank() == 1) faulty.FailAfter(2, StatusCode::kResourceExhausted);
    auto path = saver->Save("/d/wf/m", SaveOptions(&comm, 1));
    if (!saver->last_checkpoints().empty()) return InternalError("recorded a failed save");
    return path;
  });
  for (const auto& r : results) {
    EXPECT_CODE(r, StatusCode::kResourceExhausted);
    EXPECT_EQ(r.status(), results[0].status());
  }
  EXPECT_NE(results[0].status().message().find("rank 1: RESOURCE_EXHAUSTED"), std::string::npos)
      << results[0].status().ToString();
  EXPECT_EQ(Listing("/d/wf"), std::vector<std::string>{});
}

TEST_F(DistributedSaverTest, RanksThatDisagreeAboutTheGlobalStepFailAlikeBeforeWriting) {
  const int n = 3;
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
    SaverModel model(comm.rank(), n);
    CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(model.vars), Options()));
    return saver->Save("/d/step/m", SaveOptions(&comm, comm.rank() == 2 ? 11 : 10));
  });
  for (const auto& r : results) {
    EXPECT_CODE(r, StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status(), results[0].status());
  }
  EXPECT_NE(results[0].status().message().find("rank(s) 2 disagree"), std::string::npos) << results[0].status().ToString();
  EXPECT_NE(results[0].status().message().find("global_step"), std::string::npos) << results[0].status().ToString();
  EXPECT_EQ(Listing("/d/step"), std::vector<std::string>{});
}

// An invalid call on one rank (latest_filename with a path component) is
// reported through the plan exchange: no rank waits for it.
TEST_F(DistributedSaverTest, AnInvalidCallOnOneRankFailsEveryRankWithoutWaiting) {
  const int n = 2;
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
    SaverModel model(comm.rank(), n);
    CKPT_ASSIGN_OR_RETURN(auto saver, Saver::Create(VarList::List(model.vars), Options()));
    SaverSaveOptions so = SaveOptions(&comm, 1, 600s);
    if (comm.rank() == 1) so.latest_filename = "a/b";
    return saver->Save("/d/inv/m", so);
  });
  for (const auto& r : results) {
    EXPECT_CODE(r, StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("rank 1"), std::string::npos) << r.status().ToString();
  }
  EXPECT_EQ(Listing("/d/inv"), std::vector<std::string>{});
}

// V1 is one table per device shard: no merge of several processes' tables
// into one checkpoint. Refused on every rank before any collective.
TEST_F(DistributedSaverTest, V1WithAGroupIsUnimplementedAndAGroupOfOneSavesAsAlways) {
  auto w = std::make_shared<TensorVariable>("w", Block(DType::kFloat, {3}, {0}, {3}));
  SaverOptions v1 = Options();
  v1.write_version = CheckpointFormat::kV1;
  auto saver = Saver::Create(VarList::List({w}), v1);
  ASSERT_OK(saver);
  InProcessGroup group(2);
  SaverSaveOptions save;
  save.communicator = &group.communicator(0);
  auto refused = (*saver)->Save("/d/v1/model", save);
  EXPECT_CODE(refused, StatusCode::kUnimplemented);
  EXPECT_NE(refused.status().message().find("V2"), std::string::npos);
  EXPECT_EQ(Listing("/d/v1"), std::vector<std::string>{});

  // A group of one: the same bytes as without a communicator.
  auto v2 = Saver::Create(VarList::List({w}), Options());
  ASSERT_OK(v2);
  InProcessGroup one(1);
  save.communicator = &one.communicator(0);
  save.write_meta_graph = false;
  ASSERT_OK((*v2)->Save("/d/one/a", save));
  save.communicator = nullptr;
  ASSERT_OK((*v2)->Save("/d/one/b", save));
  auto read = [&](const std::string& f) {
    auto file = fs_->NewRandomAccessFile(f);
    std::string bytes(*fs_->GetFileSize(f), '\0');
    EXPECT_OK((*file)->Read(0, bytes.size(), bytes.data()));
    return bytes;
  };
  EXPECT_EQ(read("/d/one/a.index"), read("/d/one/b.index"));
  EXPECT_OK((*v2)->Restore("/d/one/a"));
}

}  // namespace
}  // namespace ckpt
