// The distributed save protocol over N in-process ranks: one checkpoint from
// all of them, and the same error everywhere with nothing published when a
// phase fails.
#include "distributed/distributed_save.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ckpt/bundle.h"
#include "distributed/in_process_communicator.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt::distributed {
namespace {

using namespace std::chrono_literals;

// What rank r of n holds: a [10, 2] float32 split by rows as numpy.array_split
// does, a replicated int64 scalar and string vector, a [3, 4] float64 split
// by columns between ranks 0 and 1 (when n >= 2), and the object graph
// (replicated; rank 0 writes it).
struct RankValues {
  std::vector<Tensor> tensors;
  std::vector<NamedView> views;
};

Tensor Iota(DType dt, TensorShape shape, int64_t start) {
  Tensor t = *Tensor::Make(dt, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (dt == DType::kFloat) t.flat<float>()[i] = static_cast<float>(start + i);
    if (dt == DType::kInt64) t.flat<int64_t>()[i] = start + i;
    if (dt == DType::kDouble) t.flat<double>()[i] = static_cast<double>(start + i) / 4;
  }
  return t;
}

RankValues Values(int r, int n) {
  RankValues v;
  v.tensors.reserve(8);
  const int64_t rows = 10 / n + (r < 10 % n ? 1 : 0);
  int64_t start = 0;
  for (int q = 0; q < r; ++q) start += 10 / n + (q < 10 % n ? 1 : 0);
  v.tensors.push_back(Iota(DType::kFloat, {rows, 2}, start * 2));
  v.views.push_back({"w", v.tensors.back().view(),
                     SaveSliceInfo{{10, 2}, TensorSlice({{start, rows}, {0, 2}})}});
  v.tensors.push_back(Iota(DType::kInt64, {}, 42));
  v.views.push_back({"step", v.tensors.back().view()});
  v.tensors.push_back(Tensor::FromStrings({2}, {"a", "bc"}));
  v.views.push_back({"names", v.tensors.back().view()});
  if (n >= 2 && r < 2) {
    v.tensors.push_back(Iota(DType::kDouble, {3, 2}, 0));
    // Values of the column block: (row*4 + col) / 4 for cols [2r, 2r+2).
    for (int64_t i = 0; i < 6; ++i) v.tensors.back().flat<double>()[i] = static_cast<double>((i / 2) * 4 + 2 * r + i % 2) / 4;
    v.views.push_back({"cols", v.tensors.back().view(), SaveSliceInfo{{3, 4}, TensorSlice({{0, 3}, {2 * r, 2}})}});
  }
  v.tensors.push_back(Tensor::FromStrings({}, {"graph"}));
  v.views.push_back({"_CHECKPOINTABLE_OBJECT_GRAPH", v.tensors.back().view()});
  return v;
}

class DistributedSaveTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  // Runs a save on n ranks; rank r uses fs_for(r) (nullptr: the shared fs).
  std::vector<Result<std::string>> Save(InProcessGroup& group, const std::string& prefix,
                                        std::function<FileSystem*(int)> fs_for = nullptr,
                                        Deadline deadline = kNoDeadline) {
    const int n = group.size();
    std::vector<RankValues> values;
    for (int r = 0; r < n; ++r) values.push_back(Values(r, n));
    return group.Run([&](Communicator& comm) {
      DistributedSaveOptions o;
      o.fs = fs_for && fs_for(comm.rank()) ? fs_for(comm.rank()) : fs_.get();
      o.sync = true;
      o.deadline = deadline == kNoDeadline ? DeadlineAfter(20s) : deadline;
      return SaveDistributed(comm, values[comm.rank()].views, prefix, o);
    });
  }

  void ExpectNothingPublished(const std::string& prefix) {
    EXPECT_FALSE(fs_->FileExists(prefix + ".index").ok());
    auto children = fs_->GetChildren("/ck");
    if (children.ok()) {
      for (const auto& c : *children) {
        EXPECT_EQ(c.find("data-"), std::string::npos) << c;
        // The temp directory is gone or empty.
        if (c.find("_temp") != std::string::npos) {
          auto inner = fs_->GetChildren("/ck/" + c);
          EXPECT_TRUE(!inner.ok() || inner->empty()) << c;
        }
      }
    }
  }

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(DistributedSaveTest, OneCheckpointFromOneToFourRanks) {
  for (int n = 1; n <= 4; ++n) {
    InProcessGroup group(n);
    const std::string prefix = "/ck/n" + std::to_string(n);
    auto results = Save(group, prefix);
    for (int r = 0; r < n; ++r) {
      ASSERT_TRUE(results[r].ok()) << "n=" << n << " rank " << r << ": " << results[r].status().ToString();
      EXPECT_EQ(*results[r], prefix);
    }
    BundleReaderOptions ro;
    ro.fs = fs_.get();
    auto reader = BundleReader::Open(prefix, ro);
    ASSERT_OK(reader);
    EXPECT_OK((*reader)->VerifyAll());
    auto w = (*reader)->Read("w");
    ASSERT_OK(w);
    EXPECT_TRUE(w->Equals(Iota(DType::kFloat, {10, 2}, 0))) << "n=" << n;
    EXPECT_EQ((*reader)->Lookup("w")->slices.size(), n == 1 ? 0u : static_cast<size_t>(n));
    EXPECT_EQ((*reader)->Read("step")->flat<int64_t>()[0], 42);
    EXPECT_EQ((*reader)->ReadStrings("names").value(), (std::vector<std::string>{"a", "bc"}));
    if (n >= 2) {
      auto cols = (*reader)->Read("cols");
      ASSERT_OK(cols);
      for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(cols->flat<double>()[i], static_cast<double>(i) / 4);
    }
    // One data file per rank that wrote something; the temp directory is gone.
    EXPECT_FALSE(fs_->FileExists(prefix + "_temp").ok());
  }
}

TEST_F(DistributedSaveTest, APlanErrorIsTheSameOnEveryRankAndWritesNothing) {
  InProcessGroup group(3);
  std::vector<RankValues> values;
  for (int r = 0; r < 3; ++r) values.push_back(Values(r, 3));
  // Rank 2 disagrees about the shape of "step".
  values[2].tensors.push_back(Iota(DType::kInt64, {2}, 0));
  values[2].views[1] = {"step", values[2].tensors.back().view()};
  auto results = group.Run([&](Communicator& comm) {
    DistributedSaveOptions o;
    o.fs = fs_.get();
    o.deadline = DeadlineAfter(20s);
    return SaveDistributed(comm, values[comm.rank()].views, "/ck/bad", o);
  });
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), results[0].status());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_NE(results[0].status().message().find("rank 2 holds int64 [2]"), std::string::npos)
      << results[0].status().ToString();
  ExpectNothingPublished("/ck/bad");
}

TEST_F(DistributedSaveTest, AWriteFailureOnOneRankFailsEveryRankAlikeAndPublishesNothing) {
  for (int failing = 0; failing < 3; ++failing) {
    InProcessGroup group(3);
    test::FaultInjectionFileSystem faulty(fs_.get());
    faulty.FailAfter(2, StatusCode::kResourceExhausted);
    const std::string prefix = "/ck/wf" + std::to_string(failing);
    auto results = Save(group, prefix, [&](int r) -> FileSystem* { return r == failing ? &faulty : nullptr; });
    for (const auto& r : results) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status(), results[0].status());
      EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    }
    EXPECT_NE(results[0].status().message().find("rank " + std::to_string(failing) + ": RESOURCE_EXHAUSTED"),
              std::string::npos)
        << results[0].status().ToString();
    EXPECT_NE(results[0].status().message().find("nothing was published"), std::string::npos);
    ExpectNothingPublished(prefix);
  }
}

// Rank 0 makes every file-system call of writing its part and of the merge:
// failing each one in turn gives every rank the same outcome, and a failed
// save never leaves an index.
TEST_F(DistributedSaveTest, EachFailingFileCallOfRankZeroGivesEveryRankTheSameOutcome) {
  uint64_t total = 0;
  {
    InProcessGroup group(3);
    test::FaultInjectionFileSystem counting(fs_.get());
    auto clean = Save(group, "/ck/count", [&](int r) -> FileSystem* { return r == 0 ? &counting : nullptr; });
    ASSERT_OK(clean[0]);
    total = counting.mutating_calls();
  }
  ASSERT_GT(total, 5u);
  int merge_failures = 0;
  for (uint64_t k = 1; k <= total; ++k) {
    InProcessGroup group(3);
    test::FaultInjectionFileSystem faulty(fs_.get());
    faulty.FailAfter(k, StatusCode::kUnavailable);
    const std::string prefix = "/ck/k" + std::to_string(k);
    auto results = Save(group, prefix, [&](int r) -> FileSystem* { return r == 0 ? &faulty : nullptr; });
    for (const auto& r : results) {
      EXPECT_EQ(r.ok(), results[0].ok()) << "k=" << k;
      EXPECT_EQ(r.status(), results[0].status()) << "k=" << k;
    }
    if (!results[0].ok()) {
      EXPECT_FALSE(fs_->FileExists(prefix + ".index").ok()) << "k=" << k;
      if (results[0].status().message().find("rank 0 could not merge") != std::string::npos) ++merge_failures;
    }
  }
  EXPECT_GT(merge_failures, 0);
}

TEST_F(DistributedSaveTest, CommunicatorFailuresInEachPhaseFailEveryRankAndPublishNothing) {
  using Kind = InjectedFault::Kind;
  // Collective 0 = plan, 1 = vote, 2 = commit broadcast, 3 = acknowledgement
  // barrier. At 2 and 3 rank 0 has merged; it takes the checkpoint back.
  for (int call : {0, 1, 2, 3}) {
    for (int failing : {0, 1}) {
      for (Kind kind : {Kind::kFail, Kind::kStall, Kind::kAbort}) {
        InProcessGroup group(3);
        group.InjectFault({.rank = failing, .call = call, .kind = kind});
        const std::string prefix = "/ck/cf" + std::to_string(call) + "_" + std::to_string(failing) + "_" +
                                   std::to_string(static_cast<int>(kind));
        auto results = Save(group, prefix, nullptr, DeadlineAfter(300ms));
        for (int r = 0; r < 3; ++r) {
          ASSERT_FALSE(results[r].ok()) << "call " << call << " rank " << r;
          // Every error names the rank that failed: its own error, the
          // others' deadline ("waiting for rank(s) 1") or abort by it.
          if (kind != Kind::kFail || r != failing) {
            const std::string m = results[r].status().message();
            EXPECT_TRUE(m.find("rank " + std::to_string(failing) + " aborted") != std::string::npos ||
                        m.find("waiting for rank(s) " + std::to_string(failing)) != std::string::npos ||
                        m.find("rank " + std::to_string(failing) + ", collective") != std::string::npos)
                << results[r].status().ToString();
          }
        }
        ExpectNothingPublished(prefix);
      }
    }
  }
}

TEST_F(DistributedSaveTest, TheAgreementBytesMustMatchRankZeros) {
  InProcessGroup group(3);
  std::vector<RankValues> values;
  for (int r = 0; r < 3; ++r) values.push_back(Values(r, 3));
  auto results = group.Run([&](Communicator& comm) {
    DistributedSaveOptions o;
    o.fs = fs_.get();
    o.collective_timeout = 20s;
    o.agreement = comm.rank() == 2 ? "other" : "same";
    o.agreement_what = "the thing";
    return SaveDistributed(comm, values[comm.rank()].views, "/ck/agree", o);
  });
  for (const auto& r : results) {
    EXPECT_EQ(r.status(), results[0].status());
    EXPECT_CODE(r, StatusCode::kInvalidArgument);
  }
  EXPECT_NE(results[0].status().message().find("rank(s) 2 disagree with rank 0 about the thing"), std::string::npos)
      << results[0].status().ToString();
  ExpectNothingPublished("/ck/agree");
}

TEST_F(DistributedSaveTest, BeforeWriteRunsOnRankZeroBeforeAnyRankWrites) {
  InProcessGroup group(3);
  std::vector<RankValues> values;
  for (int r = 0; r < 3; ++r) values.push_back(Values(r, 3));
  bool saw_no_parts = false;
  auto results = group.Run([&](Communicator& comm) {
    DistributedSaveOptions o;
    o.fs = fs_.get();
    o.collective_timeout = 20s;
    if (comm.rank() == 0) {
      o.before_write = [&] {
        // Ranks 1 and 2 reach their next collective (without the barrier:
        // the vote, after writing their parts) and wait there for rank 0.
        while (group.calls(1) < 2 || group.calls(2) < 2) std::this_thread::yield();
        auto parts = fs_->GetChildren("/ck/bw_temp");
        saw_no_parts = !parts.ok() || parts->empty();
      };
    }
    return SaveDistributed(comm, values[comm.rank()].views, "/ck/bw", o);
  });
  for (const auto& r : results) ASSERT_OK(r);
  EXPECT_TRUE(saw_no_parts);
  // plan, cleanup barrier, vote, commit, ack.
  EXPECT_EQ(group.calls(1), 5);
}

}  // namespace
}  // namespace ckpt::distributed
