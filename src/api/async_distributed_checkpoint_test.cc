// Async saves with a communicator of size > 1 (docs/distributed.md, "Async
// with a communicator"): the staging copy on the caller's thread, the whole
// protocol on each rank's writer thread in call order; a background failure
// reported by the next Save/Sync identically on every rank, nothing
// published. N in-process ranks (InProcessGroup), N = 2..4.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <span>
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
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InjectedFault;
using distributed::InProcessGroup;
using namespace std::chrono_literals;
using test::Split;

// Row i of "w" holds i * 3 + j + version (so saves of different versions
// differ); "s" is a replicated string vector, "step" a replicated int64.
Tensor Rows(int64_t start, int64_t rows, int version) {
  Tensor t = *Tensor::Make(DType::kFloat, {rows, 3});
  for (int64_t i = 0; i < rows * 3; ++i) t.flat<float>()[static_cast<size_t>(i)] = static_cast<float>(start * 3 + i + version);
  return t;
}

// One rank's share of a [10, 3] float tensor split by rows (uneven over 3
// and 4 ranks), a replicated string vector and a replicated step.
struct RankState {
  RankState(int rank, int size) : rank(rank), size(size), w(DType::kFloat, {10, 3}, "w") {
    auto [start, rows] = Split(10, size, rank);
    EXPECT_OK(w.AddShard({start, 0}, Rows(start, rows, 0)));
    Tensor s = *Tensor::Make(DType::kString, {2});
    s.strings() = {"alpha", "beta"};
    names = std::make_unique<Variable>(std::move(s), "names");
    step = std::make_unique<Variable>(*Tensor::Make(DType::kInt64, {}), "step");
  }
  // Overwrites the values with those of `version` (what a training step does
  // right after an async Save returned: the staged copy must not see it).
  void SetVersion(int version) {
    auto [start, rows] = Split(10, size, rank);
    const Tensor t = Rows(start, rows, version);
    std::copy_n(t.flat<float>().data(), rows * 3, w.shard(0).flat<float>().data());
    step->flat<int64_t>()[0] = version;
  }
  std::vector<std::pair<std::string, Trackable*>> named() { return {{"w", &w}, {"names", names.get()}, {"step", step.get()}}; }

  int rank, size;
  ShardedVariable w;
  std::unique_ptr<Variable> names, step;
};

class AsyncDistributedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  CheckpointOptions Options(Communicator* comm, std::chrono::milliseconds timeout = 60s) {
    CheckpointOptions o = graph::testing::MemOptions(fs_.get());
    o.communicator = comm;
    o.collective_timeout = timeout;
    o.enable_async = true;
    return o;
  }

  // Restores `path` on m ranks, each its own block of every row, and checks
  // the values of `version`.
  void ExpectRestoresOn(int m, const std::string& path, int version, const std::string& what) {
    InProcessGroup group(m);
    auto results = group.Run([&](Communicator& comm) -> Status {
      RankState s(comm.rank(), m);
      s.SetVersion(-1000);
      Checkpoint ck(s.named(), Options(&comm));
      CKPT_ASSIGN_OR_RETURN(LoadStatus status, ck.Restore(path));
      CKPT_RETURN_IF_ERROR(status.AssertConsumed());
      auto [start, rows] = Split(10, m, comm.rank());
      const Tensor want = Rows(start, rows, version);
      const std::span<const float> got = static_cast<const Variable&>(s.w.shard(0)).flat<float>();
      if (!std::equal(got.begin(), got.end(), want.flat<float>().begin(), want.flat<float>().end())) {
        return InternalError("w differs");
      }
      if (s.step->flat<int64_t>()[0] != version) return InternalError("step differs");
      if (s.names->strings() != std::vector<std::string>{"alpha", "beta"}) return InternalError("names differ");
      return OkStatus();
    });
    for (int r = 0; r < m; ++r) EXPECT_TRUE((results[static_cast<size_t>(r)]).ok()) << (results[static_cast<size_t>(r)]).ToString() << what << " M=" << m << " rank " << r;
  }

  std::vector<std::string> Listing(const std::string& dir) { return test::SortedChildren(fs_.get(), dir); }

  std::unique_ptr<FileSystem> fs_;
};

// Saves back to back: each returns the path at once; the values changed
// right after a Save returned are not in its checkpoint; a Restore issued
// while they are in flight waits for them; every checkpoint restores on any M.
TEST_F(AsyncDistributedCheckpointTest, BackToBackSavesOnNRanksRestoreOnAnyM) {
  for (int n = 2; n <= 4; ++n) {
    const std::string dir = "/a/n" + std::to_string(n);
    InProcessGroup group(n);
    auto results = group.Run([&](Communicator& comm) -> Status {
      RankState s(comm.rank(), n);
      Checkpoint ck(s.named(), Options(&comm));
      for (int i = 1; i <= 3; ++i) {
        s.SetVersion(i);
        CKPT_ASSIGN_OR_RETURN(std::string path, ck.Save(dir + "/ck"));
        if (path != dir + "/ck-" + std::to_string(i)) return InternalError("path " + path);
        s.SetVersion(100 + i);  // after the copy: not saved
      }
      CKPT_ASSIGN_OR_RETURN(std::string written, ck.Write(dir + "/written"));
      // A restore right after the async saves waits for the writes into that
      // directory begun before it (no Sync), then reads ck-3 on this rank.
      CKPT_ASSIGN_OR_RETURN(LoadStatus restored, ck.Restore(dir + "/ck-3"));
      CKPT_RETURN_IF_ERROR(restored.AssertConsumed());
      if (s.step->flat<int64_t>()[0] != 3) return InternalError("restored step");
      return ck.Sync();
    });
    for (int r = 0; r < n; ++r) ASSERT_TRUE((results[static_cast<size_t>(r)]).ok()) << (results[static_cast<size_t>(r)]).ToString() << "N=" << n << " rank " << r;
    auto latest = LatestCheckpoint(dir, kDefaultStateFilename, fs_.get());
    ASSERT_OK(latest);
    EXPECT_EQ(latest->value_or(""), dir + "/ck-3");
    EXPECT_FALSE(fs_->FileExists(dir + "/ck-3_temp").ok());
    for (int m = 1; m <= 4; ++m) {
      for (int i = 1; i <= 3; ++i) ExpectRestoresOn(m, dir + "/ck-" + std::to_string(i), i, "N=" + std::to_string(n));
      ExpectRestoresOn(m, dir + "/written", 103, "write N=" + std::to_string(n));
    }
  }
}

// The training thread runs collectives of its own group (as a job's
// MPI_COMM_WORLD) while the writer threads run the save's: they never mix.
TEST_F(AsyncDistributedCheckpointTest, TheCallersOwnCollectivesRunBesideTheBackgroundSave) {
  const int n = 3;
  InProcessGroup ckpt_group(n), user_group(n);
  auto results = user_group.Run([&](Communicator& user) -> Status {
    Communicator& comm = ckpt_group.communicator(user.rank());
    RankState s(comm.rank(), n);
    Checkpoint ck(s.named(), Options(&comm));
    for (int i = 1; i <= 3; ++i) {
      CKPT_RETURN_IF_ERROR(ck.Save("/a/beside/ck").status());
      for (int k = 0; k < 20; ++k) {
        CKPT_ASSIGN_OR_RETURN(auto all, user.AllGather(std::to_string(user.rank() * k), DeadlineAfter(60s)));
        if (all.size() != static_cast<size_t>(n) || all[1] != std::to_string(k)) return InternalError("user gather");
      }
    }
    return ck.Sync();
  });
  for (const auto& r : results) ASSERT_OK(r);
  ExpectRestoresOn(2, "/a/beside/ck-3", 0, "beside");
}

// A write failure on one rank inside a background save: Save returned the
// path on every rank; the next Save (or Sync) on every rank returns the very
// same error naming the rank; a Save that reports it queues nothing and puts
// save_counter back (the failed save's number stays used); nothing of the
// failed save is published; the previous checkpoint restores; the save after
// that succeeds and leaves nothing behind.
TEST_F(AsyncDistributedCheckpointTest, ABackgroundWriteFailureIsReportedAlikeByTheNextSaveOrSync) {
  for (int n = 2; n <= 4; ++n) {
    for (bool via_sync : {false, true}) {
      // Two staging buffers would let a save be staged before the previous
      // one finished; with a communicator it still waits, so the same Save
      // reports the failure on every rank.
      const int buffers = via_sync ? 1 : 2;
      const std::string dir = "/a/wf" + std::to_string(n) + (via_sync ? "sync" : "save");
      const std::string what = dir;
      const int failing = n - 1;
      test::FaultInjectionFileSystem faulty(fs_.get());
      InProcessGroup group(n);
      std::vector<Status> reported(static_cast<size_t>(n));
      auto results = group.Run([&](Communicator& comm) -> Status {
        RankState s(comm.rank(), n);
        CheckpointOptions o = Options(&comm);
        if (comm.rank() == failing) o.fs = &faulty;
        o.async_staging_buffers = buffers;
        Checkpoint ck(s.named(), o);
        s.SetVersion(1);
        CKPT_RETURN_IF_ERROR(ck.Save(dir + "/ck").status());
        CKPT_RETURN_IF_ERROR(ck.Sync());
        s.SetVersion(2);
        if (comm.rank() == failing) faulty.FailAfter(1, StatusCode::kResourceExhausted);
        CKPT_ASSIGN_OR_RETURN(std::string second, ck.Save(dir + "/ck"));  // staged; the write fails later
        if (second != dir + "/ck-2") return InternalError("second save returned " + second);
        Status next = via_sync ? ck.Sync() : ck.Save(dir + "/ck").status();
        reported[static_cast<size_t>(comm.rank())] = next;
        if (ck.save_counter().flat<int64_t>()[0] != 2) return InternalError("save_counter not 2");
        s.SetVersion(3);
        CKPT_ASSIGN_OR_RETURN(std::string third, ck.Save(dir + "/ck"));
        if (third != dir + "/ck-3") return InternalError("third save returned " + third);
        CKPT_RETURN_IF_ERROR(ck.Sync());
        return ck.Sync();  // reported once only
      });
      for (int r = 0; r < n; ++r) ASSERT_TRUE((results[static_cast<size_t>(r)]).ok()) << (results[static_cast<size_t>(r)]).ToString() << what << " rank " << r;
      EXPECT_CODE(reported[0], StatusCode::kResourceExhausted);
      for (const Status& st : reported) EXPECT_EQ(st, reported[0]);
      EXPECT_NE(reported[0].message().find("rank " + std::to_string(failing) + ": RESOURCE_EXHAUSTED"),
                std::string::npos)
          << reported[0].ToString();
      EXPECT_FALSE(fs_->FileExists(dir + "/ck-2.index").ok()) << what;
      for (const std::string& f : Listing(dir)) {
        EXPECT_TRUE(f == "checkpoint" || f.rfind("ck-1.", 0) == 0 || f.rfind("ck-3.", 0) == 0) << what << ": " << f;
      }
      auto latest = LatestCheckpoint(dir, kDefaultStateFilename, fs_.get());
      ASSERT_OK(latest);
      EXPECT_EQ(latest->value_or(""), dir + "/ck-3");
      ExpectRestoresOn(3, dir + "/ck-1", 1, what);
      ExpectRestoresOn(n, dir + "/ck-3", 3, what);
    }
  }
}

// A rank that stalls in a background save: every rank's next Sync returns
// an error within the deadline, nothing is published, and a save over a new
// group (the stalled one stays broken) succeeds.
TEST_F(AsyncDistributedCheckpointTest, AStalledRankInABackgroundSaveFailsEveryRankAtTheDeadline) {
  const int n = 3;
  std::vector<std::unique_ptr<RankState>> states;
  std::vector<std::unique_ptr<Checkpoint>> cks;
  for (int r = 0; r < n; ++r) {
    states.push_back(std::make_unique<RankState>(r, n));
    cks.push_back(std::make_unique<Checkpoint>(states.back()->named(), Options(nullptr)));
  }
  auto save = [&](InProcessGroup& g, std::chrono::milliseconds timeout) {
    return g.Run([&](Communicator& comm) -> Status {
      CKPT_RETURN_IF_ERROR(cks[static_cast<size_t>(comm.rank())]->Save("/a/stall/ck", Options(&comm, timeout)).status());
      return cks[static_cast<size_t>(comm.rank())]->Sync();
    });
  };
  {
    InProcessGroup good(n);
    for (const auto& r : save(good, 60s)) ASSERT_OK(r);
  }
  // Collective 1 of a save: the vote, on rank 1's writer thread.
  InProcessGroup bad(n);
  bad.InjectFault({.rank = 1, .call = 1, .kind = InjectedFault::Kind::kStall});
  for (const auto& r : save(bad, 300ms)) EXPECT_FALSE(r.ok());
  EXPECT_FALSE(fs_->FileExists("/a/stall/ck-2.index").ok());
  EXPECT_FALSE(fs_->FileExists("/a/stall/ck-2_temp").ok());
  auto latest = LatestCheckpoint("/a/stall", kDefaultStateFilename, fs_.get());
  ASSERT_OK(latest);
  EXPECT_EQ(latest->value_or(""), "/a/stall/ck-1");
  ExpectRestoresOn(2, "/a/stall/ck-1", 0, "stall");
  InProcessGroup next(n);
  for (const auto& r : save(next, 60s)) ASSERT_OK(r);
  EXPECT_TRUE(fs_->FileExists("/a/stall/ck-3.index").ok());
  ExpectRestoresOn(4, "/a/stall/ck-3", 0, "after the stall");
}

// A manager with async save options and max_to_keep: the bookkeeping runs
// on rank 0's writer thread, the other ranks adopt its state there; after
// Sync every rank agrees; a failed background save is reported by the next
// manager Save on every rank and changes no rank's list.
TEST_F(AsyncDistributedCheckpointTest, AManagerWithAsyncOptionsKeepsRetentionAndAgreesOnEveryRank) {
  for (int n = 2; n <= 4; ++n) {
    const std::string dir = "/a/mgr" + std::to_string(n);
    test::FaultInjectionFileSystem faulty(fs_.get());
    InProcessGroup group(n);
    std::vector<Status> reported(static_cast<size_t>(n));
    auto results = group.Run([&](Communicator& comm) -> Status {
      RankState s(comm.rank(), n);
      CheckpointOptions base = Options(nullptr);
      if (comm.rank() == 0) base.fs = &faulty;
      Checkpoint ck(s.named(), base);
      CheckpointManagerOptions mo;
      mo.save_options = Options(&comm);
      mo.save_options->fs = nullptr;
      CKPT_ASSIGN_OR_RETURN(auto manager, CheckpointManager::Create(ck, dir, 2, mo));
      for (int i = 1; i <= 4; ++i) {
        s.SetVersion(i);
        CKPT_ASSIGN_OR_RETURN(std::optional<std::string> path, manager->Save());
        if (path.value_or("") != dir + "/ckpt-" + std::to_string(i)) return InternalError("path");
      }
      CKPT_RETURN_IF_ERROR(manager->Sync());
      const std::vector<std::string> kept = {dir + "/ckpt-3", dir + "/ckpt-4"};
      if (manager->checkpoints() != kept) return InternalError("checkpoints() after 4 saves");
      // Rank 0's data write of ckpt-5 fails in the background.
      if (comm.rank() == 0) faulty.FailAfter(1, StatusCode::kDataLoss);
      s.SetVersion(5);
      CKPT_ASSIGN_OR_RETURN(std::optional<std::string> fifth, manager->Save());
      if (fifth.value_or("") != dir + "/ckpt-5") return InternalError("fifth path");
      reported[static_cast<size_t>(comm.rank())] = manager->Save().status();
      if (manager->checkpoints() != kept) return InternalError("checkpoints() after the failure");
      s.SetVersion(6);
      CKPT_ASSIGN_OR_RETURN(std::optional<std::string> sixth, manager->Save());
      if (sixth.value_or("") != dir + "/ckpt-6") return InternalError("sixth path " + sixth.value_or(""));
      CKPT_RETURN_IF_ERROR(manager->Sync());
      if (manager->checkpoints() != std::vector<std::string>{dir + "/ckpt-4", dir + "/ckpt-6"}) {
        return InternalError("checkpoints() at the end");
      }
      if (manager->latest_checkpoint().value_or("") != dir + "/ckpt-6") return InternalError("latest");
      return OkStatus();
    });
    for (int r = 0; r < n; ++r) ASSERT_TRUE((results[static_cast<size_t>(r)]).ok()) << (results[static_cast<size_t>(r)]).ToString() << "N=" << n << " rank " << r;
    EXPECT_CODE(reported[0], StatusCode::kDataLoss);
    for (const Status& st : reported) EXPECT_EQ(st, reported[0]);
    EXPECT_FALSE(fs_->FileExists(dir + "/ckpt-5.index").ok());
    EXPECT_FALSE(fs_->FileExists(dir + "/ckpt-2.index").ok());
    EXPECT_FALSE(fs_->FileExists(dir + "/ckpt-5_temp").ok());
    auto state = GetCheckpointState(dir, kDefaultStateFilename, fs_.get());
    ASSERT_OK(state);
    ASSERT_TRUE(state->has_value());
    EXPECT_EQ((*state)->all_model_checkpoint_paths, (std::vector<std::string>{dir + "/ckpt-4", dir + "/ckpt-6"}));
    for (int m = 1; m <= 4; ++m) ExpectRestoresOn(m, dir + "/ckpt-6", 6, "manager N=" + std::to_string(n));
    ExpectRestoresOn(3, dir + "/ckpt-4", 4, "manager N=" + std::to_string(n));
  }
}

// A transport that cannot run collectives off the caller's thread (MPI
// below MPI_THREAD_MULTIPLE): an async save refuses on every rank before
// any collective, writes nothing and puts save_counter back; a synchronous
// save over the same communicator works.
class CallerThreadOnly final : public Communicator {
 public:
  explicit CallerThreadOnly(Communicator& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline d) override { return inner_.AllGather(mine, d); }
  Result<std::string> Broadcast(std::string_view b, int root, Deadline d) override { return inner_.Broadcast(b, root, d); }
  Status Barrier(Deadline d) override { return inner_.Barrier(d); }
  void Abort(std::string_view reason) override { inner_.Abort(reason); }
  Status CheckBackgroundCollectives() const override {
    return FailedPreconditionError("collectives only on the thread that initialised the transport");
  }

 private:
  Communicator& inner_;
};

TEST_F(AsyncDistributedCheckpointTest, ACommunicatorThatCannotRunInTheBackgroundRefusesAsyncOnEveryRank) {
  const int n = 3;
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& inner) -> Status {
    CallerThreadOnly comm(inner);
    RankState s(comm.rank(), n);
    Checkpoint ck(s.named(), Options(&comm));
    Status refused = ck.Save("/a/level/ck").status();
    if (refused.code() != StatusCode::kFailedPrecondition) return InternalError("not refused: " + refused.ToString());
    if (ck.save_counter().flat<int64_t>()[0] != 0) return InternalError("save_counter moved");
    if (group.calls(comm.rank()) != 0) return InternalError("a collective ran");
    CheckpointOptions sync = Options(&comm);
    sync.enable_async = false;
    CKPT_ASSIGN_OR_RETURN(std::string path, ck.Save("/a/level/ck", sync));
    return path == "/a/level/ck-1" ? OkStatus() : InternalError("path " + path);
  });
  for (const auto& r : results) ASSERT_OK(r);
  ExpectRestoresOn(2, "/a/level/ck-1", 0, "sync after the refusal");
}

}  // namespace
}  // namespace ckpt
