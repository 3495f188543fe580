// The read path's helper threads: every task runs and reports its status,
// tasks run in parallel, and a forked child gets working threads of its own.
#include "io/read_workers.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <vector>

#include "testing/status_matchers.h"

namespace ckpt::io {
namespace {

TEST(ReadWorkersTest, RunsEveryTaskAndReturnsItsStatus) {
  std::atomic<int> ran{0};
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < 200; ++i) {
    futures.push_back(RunOnReadWorker([&ran, i] {
      ran.fetch_add(1);
      return i % 7 == 0 ? DataLossError("task " + std::to_string(i)) : OkStatus();
    }));
  }
  for (int i = 0; i < 200; ++i) {
    const Status s = futures[static_cast<size_t>(i)].get();
    if (i % 7 == 0) {
      EXPECT_CODE(s, StatusCode::kDataLoss);
    } else {
      EXPECT_OK(s);
    }
  }
  EXPECT_EQ(ran.load(), 200);
}

// Two tasks that each wait for the other finish only if two threads run them.
TEST(ReadWorkersTest, TwoTasksRunAtTheSameTime) {
  std::promise<void> a, b;
  auto fa = RunOnReadWorker([&] {
    a.set_value();
    b.get_future().wait();
    return OkStatus();
  });
  auto fb = RunOnReadWorker([&] {
    b.set_value();
    a.get_future().wait();
    return OkStatus();
  });
  EXPECT_OK(fa.get());
  EXPECT_OK(fb.get());
}

// Sanitizer runtimes whose own locks a fork() can leave held in the child:
// ThreadSanitizer does not support starting threads after a fork of a
// multi-threaded process, and GCC 12's AddressSanitizer allocator has no fork
// handlers, so a child forked while a parent worker frees a finished task can
// deadlock inside the allocator (seen in CI: both child workers blocked in
// SizeClassAllocator64::GetFromAllocator, about 1 run in 40). glibc's malloc
// takes its locks around fork(), so the plain tree, which runs this case,
// tests what users get; the sanitizer trees compile it out.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CKPT_FORK_UNSAFE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define CKPT_FORK_UNSAFE_SANITIZER 1
#endif
#endif
#ifndef CKPT_FORK_UNSAFE_SANITIZER
TEST(ReadWorkersTest, WorksInAForkedChild) {
  ASSERT_OK(RunOnReadWorker([] { return OkStatus(); }).get());  // the parent's threads exist
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto f = RunOnReadWorker([] { return OkStatus(); });
    // A child whose task never ran would hang here; the parent's timeout shows it.
    ::_exit(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready && f.get().ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}
#endif  // CKPT_FORK_UNSAFE_SANITIZER

}  // namespace
}  // namespace ckpt::io
