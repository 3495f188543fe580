#include "async/pending_writes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace ckpt::async {
namespace {

// Only a hang reaches this; every wait below ends in microseconds.
constexpr auto kHang = std::chrono::seconds(60);

TEST(PendingWritesTest, WaitIdleWaitsForWritesInFlight_Async) {
  PendingWrites p;
  const uint64_t id = p.Begin("/d");
  const uint64_t other = p.Begin("/other");
  auto waited = std::async(std::launch::async, [&] { p.WaitIdle("/d"); });
  p.End("/d", id);
  EXPECT_EQ(waited.wait_for(kHang), std::future_status::ready);
  p.WaitIdle("/nothing");  // nothing in flight there: immediate
  p.End("/other", other);
}

// A saver that never pauses keeps one write in flight at every moment (the
// next begins before the previous ends). A restore used to wait for the
// directory to fall idle: never. It waits for the writes begun before it.
TEST(PendingWritesTest, WaitIdleReturnsWhileASaverKeepsWritesOverlapping_Async) {
  PendingWrites p;
  std::atomic<bool> waiter_returned{false};
  uint64_t previous = p.Begin("/d");
  std::thread saver([&] {
    while (!waiter_returned) {
      const uint64_t next = p.Begin("/d");
      p.End("/d", previous);
      previous = next;
      std::this_thread::yield();
    }
    p.End("/d", previous);
  });
  auto waited = std::async(std::launch::async, [&] { p.WaitIdle("/d"); });
  const bool returned = waited.wait_for(kHang) == std::future_status::ready;
  waiter_returned = true;
  saver.join();
  EXPECT_TRUE(returned) << "WaitIdle waited for writes begun after it";
}

}  // namespace
}  // namespace ckpt::async
