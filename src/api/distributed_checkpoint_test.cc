// One checkpoint from N in-process ranks through the public API
// (CheckpointOptions::communicator): Checkpoint::Save/Write, CheckpointManager
// (the Saver: distributed_saver_test.cc), restored on any M ranks bit for bit, and the outcome of a
// failure injected into each phase of the protocol.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "graph/graph_test_helpers.h"
#include "testing/fault_injection_file_system.h"
#include "testing/block_values.h"
#include "testing/rank_model.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InjectedFault;
using distributed::InProcessGroup;
using namespace std::chrono_literals;
using test::Block;
using test::Split;

// Every test here uses the model with the column-split value too.
struct RankModel : test::RankModel {
  RankModel(int rank, int size, bool zero = false) : test::RankModel(rank, size, zero, /*columns=*/true) {}
  void ExpectRestored(const std::string& where) const {
    const Status s = CheckRestored();
    EXPECT_TRUE(s.ok()) << where << ": " << s.ToString();
  }
};


class DistributedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  CheckpointOptions Options(Communicator* comm, std::chrono::milliseconds timeout = 60s) {
    CheckpointOptions o = graph::testing::MemOptions(fs_.get());
    o.communicator = comm;
    o.collective_timeout = timeout;
    return o;
  }

  // Restores `path` on m ranks (each with the communicator of a group of m
  // in its options, which a restore ignores) and checks every value.
  void ExpectRestoresOn(int m, const std::string& path, const std::string& what) {
    InProcessGroup group(m);
    auto results = group.Run([&](Communicator& comm) {
      RankModel model(comm.rank(), m, /*zero=*/true);
      Checkpoint ck(model.named, Options(&comm));
      auto status = ck.Restore(path);
      if (!status.ok()) return status.status();
      model.ExpectRestored(what + " restored on rank " + std::to_string(comm.rank()) + " of " + std::to_string(m));
      return status->AssertConsumed();
    });
    for (int r = 0; r < m; ++r) EXPECT_TRUE(results[static_cast<size_t>(r)].ok()) << results[static_cast<size_t>(r)].ToString() << what << " M=" << m << " rank " << r;
  }

  // Names in `dir` (sorted).
  std::vector<std::string> Listing(const std::string& dir) { return test::SortedChildren(fs_.get(), dir); }

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(DistributedCheckpointTest, SaveOnNRanksRestoresBitExactOnAnyMRanks) {
  for (int n = 1; n <= 4; ++n) {
    InProcessGroup group(n);
    const std::string dir = "/d/n" + std::to_string(n);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      RankModel model(comm.rank(), n);
      Checkpoint ck(model.named, Options(&comm));
      CKPT_ASSIGN_OR_RETURN(std::string first, ck.Save(dir + "/ck"));
      if (first != dir + "/ck-1") return InternalError("first save: " + first);
      return ck.Save(dir + "/ck");  // the counter moves on alike on every rank
    });
    for (int r = 0; r < n; ++r) {
      ASSERT_TRUE((results[static_cast<size_t>(r)]).ok()) << (results[static_cast<size_t>(r)]).status().ToString() << "N=" << n << " rank " << r;
      EXPECT_EQ(*results[static_cast<size_t>(r)], dir + "/ck-2");
    }
    // Rank 0 wrote the state file; nothing else is left in the directory.
    auto latest = LatestCheckpoint(dir, kDefaultStateFilename, fs_.get());
    ASSERT_OK(latest);
    EXPECT_EQ(latest->value_or(""), dir + "/ck-2");
    for (const std::string& f : Listing(dir)) {
      EXPECT_TRUE(f == "checkpoint" || f.rfind("ck-1.", 0) == 0 || f.rfind("ck-2.", 0) == 0) << f;
    }
    for (int m = 1; m <= 4; ++m) ExpectRestoresOn(m, dir + "/ck-2", "N=" + std::to_string(n));
  }
}

// A group of one writes exactly what a save without a communicator writes.
TEST_F(DistributedCheckpointTest, AGroupOfOneWritesTheSameBytesAsNoCommunicator) {
  InProcessGroup group(1);
  RankModel model(0, 1);
  Checkpoint plain(model.named, Options(nullptr));
  ASSERT_OK(plain.Write("/d/plain"));
  Checkpoint with(model.named, Options(&group.communicator(0)));
  ASSERT_OK(with.Write("/d/one"));
  for (const std::string suffix : {".index", ".data-00000-of-00001"}) {
    auto a = fs_->ReadFileToString("/d/plain" + suffix);
    auto b = fs_->ReadFileToString("/d/one" + suffix);
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_TRUE(*a == *b) << suffix;
  }
}

TEST_F(DistributedCheckpointTest, RanksThatDisagreeAboutThePathOrTheGraphFailAlikeBeforeWriting) {
  // Rank 1's save_counter is ahead: its path differs.
  {
    InProcessGroup group(3);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      RankModel model(comm.rank(), 3);
      Checkpoint ck(model.named, Options(&comm));
      if (comm.rank() == 1) ck.save_counter().flat<int64_t>()[0] = 5;
      auto path = ck.Save("/d/dis/ck");
      // A failed save puts the counter back on every rank.
      if (ck.save_counter().flat<int64_t>()[0] != (comm.rank() == 1 ? 5 : 0)) return InternalError("counter moved");
      return path;
    });
    for (const auto& r : results) {
      EXPECT_CODE(r, StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status(), results[0].status());
    }
    EXPECT_NE(results[0].status().message().find("rank(s) 1 disagree with rank 0"), std::string::npos)
        << results[0].status().ToString();
  }
  // Rank 2 has one more object: same path, another object graph.
  {
    InProcessGroup group(3);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      RankModel model(comm.rank(), 3);
      Variable extra(Block(DType::kFloat, {2}, {0}, {2}), "extra");
      if (comm.rank() == 2) model.named.emplace_back("extra", &extra);
      Checkpoint ck(model.named, Options(&comm));
      return ck.Write("/d/dis/graph");
    });
    for (const auto& r : results) {
      EXPECT_CODE(r, StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status(), results[0].status());
    }
    EXPECT_NE(results[0].status().message().find("rank(s) 2 disagree with rank 0"), std::string::npos)
        << results[0].status().ToString();
  }
  EXPECT_EQ(Listing("/d/dis"), std::vector<std::string>{});
}

// 2 blocks over 3 ranks: rank 2 holds no block of "pair" at all.
TEST_F(DistributedCheckpointTest, ARankMayHoldNoBlockOfATensor) {
  const TensorShape full{4, 2};
  InProcessGroup group(3);
  auto results = group.Run([&](Communicator& comm) {
    ShardedVariable pair(DType::kInt64, full, "pair");
    if (comm.rank() < 2) {
      const int64_t start = 2 * comm.rank();
      EXPECT_OK(pair.AddShard({start, 0}, Block(DType::kInt64, full, {start, 0}, {2, 2})));
    }
    Checkpoint ck({{"pair", &pair}}, Options(&comm));
    return ck.Write("/d/none/ck");
  });
  for (const auto& r : results) ASSERT_OK(r);
  auto reader = graph::testing::OpenBundle(fs_.get(), "/d/none/ck");
  ASSERT_TRUE(reader);
  auto whole = reader->Read("pair/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_OK(whole);
  EXPECT_TRUE(whole->Equals(Block(DType::kInt64, full, {0, 0}, full)));
  // In one process a variable without its blocks is an incomplete save.
  ShardedVariable alone(DType::kInt64, full, "pair");
  Checkpoint ck({{"pair", &alone}}, Options(nullptr));
  EXPECT_CODE(ck.Write("/d/none/alone"), StatusCode::kInvalidArgument);
}

// A rank whose objects cannot be collected still takes part in the plan
// exchange: nobody waits for it, every rank returns its error.
TEST_F(DistributedCheckpointTest, ARankThatFailsBeforeTheSaveFailsEveryRankWithoutWaiting) {
  InProcessGroup group(3);
  auto results = group.Run([&](Communicator& comm) {
    RankModel model(comm.rank(), 3);
    // A ShardedVariable whose construction failed (a block outside the tensor).
    ShardedVariable broken(Block(DType::kFloat, {2}, {0}, {2}), {2}, {comm.rank() == 1 ? 5 : 0}, "broken");
    model.named.emplace_back("broken", &broken);
    Checkpoint ck(model.named, Options(&comm));  // waiting for rank 1 would end in DeadlineExceeded
    return ck.Save("/d/early/ck");
  });
  for (const auto& r : results) {
    EXPECT_CODE(r, StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status(), results[0].status());
  }
  EXPECT_NE(results[0].status().message().find("rank 1: INVALID_ARGUMENT"), std::string::npos)
      << results[0].status().ToString();
  EXPECT_EQ(Listing("/d/early"), std::vector<std::string>{});
}

// The collectives of one Checkpoint::Save on a group: 0 plan, 1 vote, 2
// commit broadcast, 3 acknowledgement, 4 callback outcomes, 5 bookkeeping.
// A failure at 0..3 publishes nothing and puts the counters back; at 4 and 5
// the checkpoint is complete (the commit is behind) but every rank reports
// the failure. Either way the previous checkpoint restores, and the next
// save (a new group: a failed one stays broken) succeeds without leftovers.
TEST_F(DistributedCheckpointTest, AFailureInEachPhaseFailsEveryRankAndTheNextSaveSucceeds) {
  using Kind = InjectedFault::Kind;
  int scenario = 0;
  for (int call = 0; call <= 5; ++call) {
    for (int failing : {0, 2}) {
      for (Kind kind : {Kind::kFail, Kind::kStall, Kind::kAbort}) {
        const std::string dir = "/d/f" + std::to_string(scenario++);
        const std::string what = "call " + std::to_string(call) + " rank " + std::to_string(failing) + " kind " +
                                 std::to_string(static_cast<int>(kind));
        std::vector<std::unique_ptr<RankModel>> models;
        std::vector<std::unique_ptr<Checkpoint>> cks;
        for (int r = 0; r < 3; ++r) {
          models.push_back(std::make_unique<RankModel>(r, 3));
          cks.push_back(std::make_unique<Checkpoint>(models.back()->named, Options(nullptr)));
        }
        auto save = [&](InProcessGroup& g, std::chrono::milliseconds timeout) {
          return g.Run([&](Communicator& comm) { return cks[comm.rank()]->Save(dir + "/ck", Options(&comm, timeout)); });
        };
        {
          InProcessGroup good(3);
          for (const auto& r : save(good, 60s)) ASSERT_TRUE((r).ok()) << (r).status().ToString() << what;
        }
        InProcessGroup bad(3);
        bad.InjectFault({.rank = failing, .call = call, .kind = kind});
        for (const auto& r : save(bad, 300ms)) ASSERT_FALSE(r.ok()) << what;
        const bool committed = call >= 4;
        EXPECT_EQ(fs_->FileExists(dir + "/ck-2.index").ok(), committed) << what;
        EXPECT_FALSE(fs_->FileExists(dir + "/ck-2_temp").ok()) << what;
        auto latest = LatestCheckpoint(dir, kDefaultStateFilename, fs_.get());
        ASSERT_OK(latest);
        // Only the bookkeeping step (5) records the committed checkpoint.
        EXPECT_EQ(latest->value_or(""), dir + (call == 5 ? "/ck-2" : "/ck-1")) << what;
        ExpectRestoresOn(2, dir + "/ck-1", what);
        for (int r = 0; r < 3; ++r) {
          EXPECT_EQ(cks[static_cast<size_t>(r)]->save_counter().flat<int64_t>()[0], committed ? 2 : 1) << what;
        }
        InProcessGroup next(3);
        const std::string want = dir + (committed ? "/ck-3" : "/ck-2");
        for (const auto& r : save(next, 60s)) {
          ASSERT_TRUE((r).ok()) << (r).status().ToString() << what;
          EXPECT_EQ(*r, want);
        }
        for (const std::string& f : Listing(dir)) {
          EXPECT_TRUE(f == "checkpoint" || f.rfind("ck-1.", 0) == 0 || f.rfind("ck-2.", 0) == 0 ||
                      (committed && f.rfind("ck-3.", 0) == 0))
              << what << ": " << f;
        }
      }
    }
  }
}

// A write failure (rank 1's disk) is voted: every rank returns the very same
// error naming rank 1.
TEST_F(DistributedCheckpointTest, AWriteFailureOnOneRankGivesEveryRankTheSameErrorNamingIt) {
  test::FaultInjectionFileSystem faulty(fs_.get());
  InProcessGroup group(3);
  auto results = group.Run([&](Communicator& comm) {
    RankModel model(comm.rank(), 3);
    CheckpointOptions o = Options(&comm);
    if (comm.rank() == 1) o.fs = &faulty;
    Checkpoint ck(model.named, o);
    if (comm.rank() == 1) faulty.FailAfter(2, StatusCode::kResourceExhausted);
    return ck.Save("/d/wf/ck");
  });
  for (const auto& r : results) {
    EXPECT_CODE(r, StatusCode::kResourceExhausted);
    EXPECT_EQ(r.status(), results[0].status());
  }
  EXPECT_NE(results[0].status().message().find("rank 1: RESOURCE_EXHAUSTED"), std::string::npos)
      << results[0].status().ToString();
  EXPECT_FALSE(fs_->FileExists("/d/wf/ck-1.index").ok());
  EXPECT_FALSE(fs_->FileExists("/d/wf/checkpoint").ok());
}

TEST_F(DistributedCheckpointTest, ManagerKeepsOneStateAndRetentionOnRankZeroAndEveryRankAgrees) {
  const int n = 3;
  std::vector<std::unique_ptr<RankModel>> models;
  std::vector<std::unique_ptr<Checkpoint>> cks;
  std::vector<std::unique_ptr<CheckpointManager>> managers;
  InProcessGroup group(n);
  double now = 1000;
  for (int r = 0; r < n; ++r) {
    models.push_back(std::make_unique<RankModel>(r, n));
    cks.push_back(std::make_unique<Checkpoint>(models.back()->named, Options(nullptr)));
    CheckpointManagerOptions mo;
    mo.save_options = Options(&group.communicator(r));
    mo.clock = [&now] { return now; };  // read by rank 0 only
    mo.keep_checkpoint_every_n_hours = 1.0;
    auto m = CheckpointManager::Create(*cks.back(), "/d/mgr", 2, mo);
    ASSERT_OK(m);
    managers.push_back(std::move(*m));
  }
  for (int i = 1; i <= 5; ++i) {
    now += 1800;  // half an hour per save: every other one is preserved
    auto results = group.Run([&](Communicator& comm) { return managers[comm.rank()]->Save(); });
    for (const auto& r : results) {
      ASSERT_OK(r);
      EXPECT_EQ(r->value_or(""), "/d/mgr/ckpt-" + std::to_string(i));
    }
  }
  for (int r = 0; r < n; ++r) {
    EXPECT_EQ(managers[static_cast<size_t>(r)]->checkpoints(),
              (std::vector<std::string>{"/d/mgr/ckpt-4", "/d/mgr/ckpt-5"}))
        << r;
    EXPECT_EQ(managers[static_cast<size_t>(r)]->latest_checkpoint().value_or(""), "/d/mgr/ckpt-5");
    EXPECT_EQ(managers[static_cast<size_t>(r)]->last_preserved_timestamp(),
              managers[0]->last_preserved_timestamp());
  }
  // The manager was created at 1000 (last preserved 999); ckpt-i was saved
  // at 1000 + 1800 i. ckpt-2 (4600) is the first an hour past 999: kept
  // forever; ckpt-1 and ckpt-3 (not an hour past their last preserved)
  // deleted.
  EXPECT_FALSE(fs_->FileExists("/d/mgr/ckpt-1.index").ok());
  EXPECT_TRUE(fs_->FileExists("/d/mgr/ckpt-2.index").ok());
  EXPECT_FALSE(fs_->FileExists("/d/mgr/ckpt-3.index").ok());
  EXPECT_EQ(managers[0]->last_preserved_timestamp(), 4600);
  ExpectRestoresOn(2, "/d/mgr/ckpt-2", "preserved");
  auto state = GetCheckpointState("/d/mgr", kDefaultStateFilename, fs_.get());
  ASSERT_OK(state);
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->all_model_checkpoint_paths,
            (std::vector<std::string>{"/d/mgr/ckpt-4", "/d/mgr/ckpt-5"}));
  for (int m = 1; m <= 4; ++m) ExpectRestoresOn(m, "/d/mgr/ckpt-5", "manager");
}

// A rank stalling in a manager's save: every rank fails at the deadline,
// nothing is recorded or left behind, every manager still agrees, and the
// next save (a new group) succeeds.
TEST_F(DistributedCheckpointTest, AManagerSaveWithAStalledRankFailsEverywhereAndTheNextOneSucceeds) {
  const int n = 3;
  std::vector<std::unique_ptr<RankModel>> models;
  std::vector<std::unique_ptr<Checkpoint>> cks;
  std::vector<std::unique_ptr<CheckpointManager>> managers;
  for (int r = 0; r < n; ++r) {
    models.push_back(std::make_unique<RankModel>(r, n));
    cks.push_back(std::make_unique<Checkpoint>(models.back()->named, Options(nullptr)));
    auto m = CheckpointManager::Create(*cks.back(), "/d/stall", 2);
    ASSERT_OK(m);
    managers.push_back(std::move(*m));
  }
  auto save = [&](InProcessGroup& g, std::chrono::milliseconds timeout) {
    return g.Run([&](Communicator& comm) { return managers[comm.rank()]->Save(Options(&comm, timeout)); });
  };
  {
    InProcessGroup first(n);
    for (const auto& r : save(first, 60s)) ASSERT_OK(r);
  }
  InProcessGroup bad(n);
  // Collective 1 of a save without a cleanup point: the vote.
  bad.InjectFault({.rank = 2, .call = 1, .kind = InjectedFault::Kind::kStall});
  for (const auto& r : save(bad, 300ms)) EXPECT_FALSE(r.ok());
  for (const auto& m : managers) EXPECT_EQ(m->checkpoints(), std::vector<std::string>{"/d/stall/ckpt-1"});
  EXPECT_EQ(Listing("/d/stall"),
            (std::vector<std::string>{"checkpoint", "ckpt-1.data-00000-of-00003",
                                      "ckpt-1.data-00001-of-00003", "ckpt-1.data-00002-of-00003", "ckpt-1.index"}));
  InProcessGroup next(n);
  for (const auto& r : save(next, 60s)) {
    ASSERT_OK(r);
    EXPECT_EQ(r->value_or(""), "/d/stall/ckpt-2");
  }
  for (const auto& m : managers) {
    EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/stall/ckpt-1", "/d/stall/ckpt-2"}));
  }
  ExpectRestoresOn(4, "/d/stall/ckpt-2", "after a stall");
}

// A restarted job's first save removes the part directories a dead
// distributed save left (and index-less data of a dead merge), and nothing
// else: not other names, not other files in a part directory.
TEST_F(DistributedCheckpointTest, TheManagersFirstSaveRemovesDeadSavesPartsOnly) {
  const std::string dir = "/d/restart";
  ASSERT_OK(fs_->RecursivelyCreateDir(dir + "/ckpt-7_temp"));
  ASSERT_OK(fs_->RecursivelyCreateDir(dir + "/other_temp"));
  for (const std::string f : {"/ckpt-7_temp/part-00001-of-00004.index", "/ckpt-7_temp/part-00001-of-00004.data-00000-of-00001",
                              "/ckpt-7_temp/part-00002-of-00004.index.tmp1a2b", "/ckpt-7_temp/notes.txt",
                              "/other_temp/part-00000-of-00001.index", "/ckpt-7.data-00001-of-00004"}) {
    auto file = fs_->NewWritableFile(dir + f);
    ASSERT_OK(file);
    ASSERT_OK((*file)->Append("x"));
    ASSERT_OK((*file)->Close());
  }
  const int n = 3;
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::optional<std::string>> {
    RankModel model(comm.rank(), n);
    Checkpoint ck(model.named, Options(nullptr));
    CheckpointManagerOptions mo;
    mo.save_options = Options(&comm);
    CKPT_ASSIGN_OR_RETURN(auto manager, CheckpointManager::Create(ck, dir, 3, mo));
    return manager->Save();
  });
  for (const auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ(r->value_or(""), dir + "/ckpt-1");
  }
  EXPECT_EQ(Listing(dir + "/ckpt-7_temp"), std::vector<std::string>{"notes.txt"});
  EXPECT_EQ(Listing(dir + "/other_temp"), std::vector<std::string>{"part-00000-of-00001.index"});
  EXPECT_FALSE(fs_->FileExists(dir + "/ckpt-7.data-00001-of-00004").ok());
  EXPECT_FALSE(fs_->FileExists(dir + "/ckpt-1_temp").ok());
  ExpectRestoresOn(3, dir + "/ckpt-1", "restart");
}

}  // namespace
}  // namespace ckpt
