#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "ckpt/distributed.h"
#include "distributed/in_process_communicator.h"
#include "testing/status_matchers.h"

namespace ckpt::distributed {
namespace {

using namespace std::chrono_literals;
using Kind = InjectedFault::Kind;

TEST(LocalCommunicatorTest, CollectivesReturnAtOnce) {
  LocalCommunicator c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  auto all = c.AllGather("abc", kNoDeadline);
  ASSERT_OK(all);
  EXPECT_EQ(*all, std::vector<std::string>{"abc"});
  auto b = c.Broadcast("xy", 0, kNoDeadline);
  ASSERT_OK(b);
  EXPECT_EQ(*b, "xy");
  EXPECT_EQ(c.Broadcast("xy", 1, kNoDeadline).status().code(), StatusCode::kInvalidArgument);
  EXPECT_OK(c.Barrier(kNoDeadline));
}

TEST(LocalCommunicatorTest, AbortIsSticky) {
  LocalCommunicator c;
  c.Abort("disk full");
  c.Abort("second");
  const Status s = c.Barrier(kNoDeadline);
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_NE(s.message().find("disk full"), std::string::npos) << s.ToString();
  EXPECT_EQ(c.AllGather("x", kNoDeadline).status(), s);
}

TEST(DeadlineTest, NonPositiveMeansNone) {
  EXPECT_EQ(DeadlineAfter(0ms), kNoDeadline);
  EXPECT_EQ(DeadlineAfter(-5ms), kNoDeadline);
  EXPECT_LT(DeadlineAfter(10ms), kNoDeadline);
}

TEST(InProcessGroupTest, AllGatherBroadcastBarrierForOneToFourRanks) {
  for (int n = 1; n <= 4; ++n) {
    InProcessGroup group(n);
    auto results = group.Run([](Communicator& c) -> Status {
      for (int round = 0; round < 20; ++round) {
        const std::string mine = std::to_string(c.rank()) + ":" + std::to_string(round);
        auto all = c.AllGather(mine, DeadlineAfter(10s));
        if (!all.ok()) return all.status();
        if (static_cast<int>(all->size()) != c.size()) return InternalError("size");
        for (int r = 0; r < c.size(); ++r) {
          if ((*all)[r] != std::to_string(r) + ":" + std::to_string(round)) return InternalError("content");
        }
        const int root = round % c.size();
        auto b = c.Broadcast(c.rank() == root ? "from root" : "ignored", root, DeadlineAfter(10s));
        if (!b.ok()) return b.status();
        if (*b != "from root") return InternalError("broadcast " + *b);
        if (Status s = c.Barrier(DeadlineAfter(10s)); !s.ok()) return s;
      }
      return OkStatus();
    });
    for (int r = 0; r < n; ++r) EXPECT_TRUE(results[r].ok()) << "n=" << n << " rank " << r << ": " << results[r].ToString();
    for (int r = 0; r < n; ++r) EXPECT_EQ(group.calls(r), 60);
  }
}

TEST(InProcessGroupTest, EmptyAndLargeContributions) {
  InProcessGroup group(3);
  auto results = group.Run([](Communicator& c) -> Result<std::vector<std::string>> {
    return c.AllGather(c.rank() == 1 ? std::string(1 << 20, 'z') : std::string(), DeadlineAfter(10s));
  });
  for (const auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ((*r)[0], "");
    EXPECT_EQ((*r)[1].size(), size_t{1} << 20);
  }
}

TEST(InProcessGroupTest, FailedRankMakesPeersTimeOut) {
  InProcessGroup group(3);
  group.InjectFault({.rank = 2, .call = 1, .kind = Kind::kFail});
  auto results = group.Run([](Communicator& c) -> Status {
    if (Status s = c.Barrier(DeadlineAfter(10s)); !s.ok()) return s;
    return c.AllGather("x", DeadlineAfter(200ms)).status();
  });
  EXPECT_EQ(results[2].code(), StatusCode::kUnavailable);
  for (int r : {0, 1}) {
    EXPECT_EQ(results[r].code(), StatusCode::kDeadlineExceeded) << results[r].ToString();
    EXPECT_NE(results[r].message().find("rank(s) 2"), std::string::npos) << results[r].ToString();
  }
  // Sticky: the next call on a broken member returns the same error.
  EXPECT_EQ(group.communicator(0).Barrier(DeadlineAfter(10s)), results[0]);
  EXPECT_EQ(group.communicator(2).Barrier(DeadlineAfter(10s)), results[2]);
}

TEST(InProcessGroupTest, StalledRankMakesEveryoneTimeOut) {
  InProcessGroup group(4);
  group.InjectFault({.rank = 3, .call = 0, .kind = Kind::kStall});
  const auto start = std::chrono::steady_clock::now();
  auto results = group.Run([](Communicator& c) { return c.Barrier(DeadlineAfter(200ms)); });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  for (const Status& s : results) EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
}

TEST(InProcessGroupTest, AbortWakesPeersAtOnce) {
  InProcessGroup group(3);
  group.InjectFault({.rank = 1, .call = 2, .kind = Kind::kAbort});
  const auto start = std::chrono::steady_clock::now();
  auto results = group.Run([](Communicator& c) -> Status {
    for (int i = 0; i < 5; ++i) {
      if (Status s = c.Barrier(kNoDeadline); !s.ok()) return s;  // no deadline: only the abort ends it
    }
    return OkStatus();
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
    EXPECT_NE(s.message().find("rank 1 aborted"), std::string::npos) << s.ToString();
  }
}

TEST(InProcessGroupTest, AbortFromAnotherThreadWakesABlockedCollective) {
  InProcessGroup group(2);
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    group.communicator(1).Abort("operator cancelled");
  });
  const Status s = group.communicator(0).Barrier(kNoDeadline);  // rank 1 never arrives
  t.join();
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_NE(s.message().find("operator cancelled"), std::string::npos);
}

TEST(InProcessGroupTest, MismatchedCollectivesAreInternalErrors) {
  InProcessGroup group(2);
  auto results = group.Run([](Communicator& c) -> Status {
    if (c.rank() == 0) return c.Barrier(DeadlineAfter(5s));
    std::this_thread::sleep_for(20ms);  // rank 0 opens the slot as a Barrier
    return c.AllGather("x", DeadlineAfter(5s)).status();
  });
  EXPECT_EQ(results[1].code(), StatusCode::kInternal) << results[1].ToString();
  EXPECT_EQ(results[0].code(), StatusCode::kAborted) << results[0].ToString();
}

TEST(InProcessGroupTest, BroadcastRejectsABadRoot) {
  InProcessGroup group(2);
  EXPECT_EQ(group.communicator(0).Broadcast("x", 2, kNoDeadline).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(group.communicator(0).Broadcast("x", -1, kNoDeadline).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ckpt::distributed
