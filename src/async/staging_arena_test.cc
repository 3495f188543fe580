// StagingBuffer's arena growth: values of every size (including ones that
// span several pre-fault chunks, copied while the helper thread is still
// populating) arrive intact; Prepare() grows ahead of time; and the writer
// thread runs at a lower CPU and I/O priority than its caller.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "async/background_writer.h"
#include "async/staging_buffer.h"
#include "async/thread_priority.h"
#include "testing/status_matchers.h"

namespace ckpt::async {
namespace {

struct Values {
  std::vector<std::vector<uint8_t>> data;
  std::vector<NamedView> views;
};

Values Make(const std::vector<size_t>& sizes, uint8_t seed) {
  Values v;
  v.data.reserve(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto& d = v.data.emplace_back(sizes[i] + 1);  // +1: start the bytes at an odd address
    for (size_t j = 0; j < d.size(); ++j) d[j] = static_cast<uint8_t>(j * 31 + i * 7 + seed);
    TensorView t;
    t.dtype = DType::kUInt8;
    t.shape = TensorShape{static_cast<int64_t>(sizes[i])};
    t.data = d.data() + 1;
    v.views.push_back(NamedView{"v" + std::to_string(i), t});
  }
  return v;
}

void ExpectStaged(const StagingBuffer& b, const Values& v) {
  ASSERT_EQ(b.values().size(), v.views.size());
  for (size_t i = 0; i < v.views.size(); ++i) {
    const TensorView& got = b.values()[i].view;
    const size_t n = v.views[i].view.byte_size();
    ASSERT_EQ(got.byte_size(), n) << i;
    ASSERT_EQ(reinterpret_cast<uintptr_t>(got.data) % 64, 0u) << i;
    if (n > 0) ASSERT_EQ(std::memcmp(got.data, v.views[i].view.data, n), 0) << "value " << i << " of " << n << " bytes";
  }
}

TEST(StagingArenaTest, EverySizeArrivesIntactWhileTheArenaIsBeingPopulated) {
  const size_t mib = size_t{1} << 20;
  const std::vector<size_t> sizes = {0, 1, 4095, 4096, 4097, 40 * mib + 3, 5, 17 * mib};
  StagingBuffer b;
  const Values first = Make(sizes, 1);
  ASSERT_OK(b.Stage(first.views));
  ExpectStaged(b, first);
  EXPECT_EQ(b.capacity() % 4096, 0u);
  EXPECT_GE(b.capacity(), StagingBuffer::ArenaBytes(first.views));
  // Steady state: same arena, new contents.
  const size_t cap = b.capacity();
  const Values second = Make(sizes, 2);
  ASSERT_OK(b.Stage(second.views));
  ExpectStaged(b, second);
  EXPECT_EQ(b.capacity(), cap);
  // Growth: a larger state maps a new arena and is copied intact too.
  std::vector<size_t> bigger = sizes;
  bigger.push_back(30 * mib);
  const Values third = Make(bigger, 3);
  ASSERT_OK(b.Stage(third.views));
  ExpectStaged(b, third);
  EXPECT_GT(b.capacity(), cap);
}

// States of 64 MiB and more are copied by two threads, split at the byte
// midpoint: wherever that falls (inside a value, on a boundary, in the only
// value), fresh and pre-faulted arenas alike, every byte lands once.
TEST(StagingArenaTest, LargeStatesSplitAcrossTwoThreadsArriveIntact) {
  const size_t mib = size_t{1} << 20;
  const std::vector<std::vector<size_t>> layouts = {
      {1, 33 * mib + 5, 0, 40 * mib + 3, 7},  // midpoint inside the 4th value
      {32 * mib, 32 * mib},                   // midpoint on the boundary
      {70 * mib + 1},                         // one value, split in two
      {3, 64 * mib, 1, 2, 5 * mib},           // midpoint inside the first large value
  };
  uint8_t seed = 10;
  for (const auto& sizes : layouts) {
    StagingBuffer fresh;  // copied while the populator is still faulting the arena
    const Values a = Make(sizes, seed++);
    ASSERT_OK(fresh.Stage(a.views));
    ExpectStaged(fresh, a);
    const Values b = Make(sizes, seed++);  // steady state: same arena
    ASSERT_OK(fresh.Stage(b.views));
    ExpectStaged(fresh, b);
  }
}

TEST(StagingArenaTest, ArenaBytesCountsAlignedFixedSizeValuesOnly) {
  const Values v = Make({1, 64, 65}, 0);
  EXPECT_EQ(StagingBuffer::ArenaBytes(v.views), 64u + 64u + 65u);
  EXPECT_EQ(StagingBuffer::ArenaBytes({}), 0u);
}

TEST(StagingArenaTest, PrepareGrowsAheadSoStageDoesNotReallocate) {
  const Values v = Make({3 << 20, 100, 5 << 20}, 4);
  StagingBuffer b;
  ASSERT_OK(b.Prepare(StagingBuffer::ArenaBytes(v.views)));
  const size_t cap = b.capacity();
  EXPECT_GE(cap, StagingBuffer::ArenaBytes(v.views));
  ASSERT_OK(b.Stage(v.views));
  ExpectStaged(b, v);
  EXPECT_EQ(b.capacity(), cap);
  ASSERT_OK(b.Prepare(0));  // never shrinks
  EXPECT_EQ(b.capacity(), cap);
}

int NiceOf(long tid) {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
}

int IoprioOf(long tid) { return static_cast<int>(::syscall(SYS_ioprio_get, 1 /*IOPRIO_WHO_PROCESS*/, tid)); }

TEST(ThreadPriorityTest, LowersNiceAndIoPriorityOfTheCallingThreadOnly) {
  const long me = ::syscall(SYS_gettid);
  const int nice_before = NiceOf(me);
  int nice_in = 0, ioprio_in = 0;
  bool ok = false;
  std::thread t([&] {
    ok = LowerCurrentThreadPriority();
    const long tid = ::syscall(SYS_gettid);
    nice_in = NiceOf(tid);
    ioprio_in = IoprioOf(tid);
  });
  t.join();
  EXPECT_TRUE(ok);
  EXPECT_EQ(nice_in, std::min(19, nice_before + kNiceIncrement));
  EXPECT_EQ(ioprio_in, (2 << 13) | 7);  // best effort, level 7
  EXPECT_EQ(NiceOf(me), nice_before);   // the caller keeps its priority
}

TEST(ThreadPriorityTest, BackgroundWriterJobsRunBelowTheCaller_Async) {
  const int nice_caller = NiceOf(::syscall(SYS_gettid));
  BackgroundWriter w(1);
  const Values v = Make({16}, 0);
  std::promise<int> nice_job;
  auto ticket = w.Submit(v.views, [&](const StagingBuffer&) {
    nice_job.set_value(NiceOf(::syscall(SYS_gettid)));
    return OkStatus();
  });
  ASSERT_OK(ticket);
  EXPECT_EQ(nice_job.get_future().get(), std::min(19, nice_caller + kNiceIncrement));
  EXPECT_OK(w.Sync());
}

// Threads of this process whose nice value is `nice` (from /proc/self/task).
int ThreadsAtNice(int nice) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    const long tid = std::stol(e.path().filename().string());
    if (NiceOf(tid) == nice && errno == 0) ++n;
  }
  return n;
}

// A Prepare() before the first job runs at the caller's priority (a save that
// needs the buffer waits for it, so a low-priority preparation would be a
// priority inversion); the writer lowers itself for its first job.
TEST(ThreadPriorityTest, PreparationKeepsTheCallersPriorityJobsDoNot_Async) {
  const int nice_caller = NiceOf(::syscall(SYS_gettid));
  const int lowered = std::min(19, nice_caller + kNiceIncrement);
  if (lowered == nice_caller) GTEST_SKIP() << "n/a: the caller already runs at nice 19";
  const int lowered_before = ThreadsAtNice(lowered);
  BackgroundWriter w(1);
  w.Prepare(size_t{4} << 20);
  while (w.preparing()) std::this_thread::yield();
  EXPECT_EQ(ThreadsAtNice(lowered), lowered_before);  // the idle writer thread kept the caller's nice
  const Values v = Make({16}, 0);
  std::promise<int> nice_job;
  auto ticket = w.Submit(v.views, [&](const StagingBuffer&) {
    nice_job.set_value(NiceOf(::syscall(SYS_gettid)));
    return OkStatus();
  });
  ASSERT_OK(ticket);
  EXPECT_EQ(nice_job.get_future().get(), lowered);
  EXPECT_OK(w.Sync());
  EXPECT_EQ(ThreadsAtNice(lowered), lowered_before + 1);  // now it has lowered itself
}

}  // namespace
}  // namespace ckpt::async

namespace ckpt::async {
namespace {

// Prepare() grows the staging buffer on the writer thread; the next save
// stages into that arena without growing it, and its bytes arrive intact.
TEST(BackgroundWriterPrepareTest, PreparedArenaIsUsedByTheFirstSave_Async) {
  BackgroundWriter w(1);
  const size_t bytes = size_t{6} << 20;
  w.Prepare(bytes);
  while (w.preparing()) std::this_thread::yield();
  const Values v = Make({bytes / 2, 3, bytes / 4}, 9);
  std::promise<size_t> capacity;
  auto ticket = w.Submit(v.views, [&](const StagingBuffer& b) {
    ExpectStaged(b, v);
    capacity.set_value(b.capacity());
    return OkStatus();
  });
  ASSERT_OK(ticket);
  EXPECT_EQ(capacity.get_future().get(), bytes);  // the prepared size: no growth at the save
  EXPECT_OK(w.Sync());
  EXPECT_FALSE(w.preparing());
}

// A save submitted right after Prepare(), while the arena may still be
// being pre-faulted, stages into the prepared arena and its bytes arrive
// intact (the copy follows the populator; under TSan this checks the handoff).
TEST(BackgroundWriterPrepareTest, SaveDuringPreFaultingCopiesBehindIt_Async) {
  BackgroundWriter w(1);
  const size_t bytes = size_t{48} << 20;  // several 16 MiB pre-fault chunks
  w.Prepare(bytes);
  const Values v = Make({bytes / 2, 5, bytes / 3}, 4);
  std::promise<size_t> capacity;
  auto ticket = w.Submit(v.views, [&](const StagingBuffer& b) {
    ExpectStaged(b, v);
    capacity.set_value(b.capacity());
    return OkStatus();
  });
  ASSERT_OK(ticket);
  EXPECT_EQ(capacity.get_future().get(), bytes);  // the prepared arena, not a new one
  EXPECT_OK(w.Sync());
}

}  // namespace
}  // namespace ckpt::async
