#include "async/background_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include "testing/status_matchers.h"

namespace ckpt::async {
namespace {

std::vector<NamedView> Floats(std::vector<float>& data, std::string key = "x") {
  TensorView v;
  v.dtype = DType::kFloat;
  v.shape = TensorShape{static_cast<int64_t>(data.size())};
  v.data = data.data();
  return {NamedView{std::move(key), v}};
}

float First(const StagingBuffer& b) { return static_cast<const float*>(b.values()[0].view.data)[0]; }

TEST(StagingBufferTest, CopiesAndReusesItsArena) {
  StagingBuffer b;
  std::vector<float> data(1000, 1.5f);
  std::vector<std::string_view> words = {"ab", "cde"};
  std::vector<NamedView> values = Floats(data);
  TensorView s;
  s.dtype = DType::kString;
  s.shape = TensorShape{2};
  s.strings = words;
  values.push_back(NamedView{"s", s});
  ASSERT_OK(b.Stage(values));
  data[0] = 7;
  std::string changed = "zz";
  words[0] = changed;
  EXPECT_EQ(First(b), 1.5f);
  EXPECT_EQ(b.values()[1].view.strings[0], "ab");
  EXPECT_EQ(b.values()[0].key, "x");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.values()[0].view.data) % 64, 0u);
  const size_t cap = b.capacity();
  const void* arena = b.values()[0].view.data;
  ASSERT_OK(b.Stage(values));
  EXPECT_EQ(b.capacity(), cap);                  // reused ...
  EXPECT_EQ(b.values()[0].view.data, arena);     // ... not re-allocated
  EXPECT_EQ(First(b), 7.0f);
  EXPECT_EQ(b.staged_bytes(), 4000u);
}

TEST(BackgroundWriterTest, RunsJobsInOrderWithTheirOwnSnapshot_Async) {
  BackgroundWriter w(2);
  std::vector<float> data(64, 0);
  std::vector<float> seen;
  std::mutex mu;
  for (int i = 0; i < 20; ++i) {
    std::fill(data.begin(), data.end(), float(i));
    auto t = w.Submit(Floats(data), [&](const StagingBuffer& b) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard<std::mutex> l(mu);
      seen.push_back(First(b));
      return OkStatus();
    });
    ASSERT_OK(t);
    EXPECT_EQ(*t, uint64_t(i + 1));
    std::fill(data.begin(), data.end(), -1.0f);  // mutate right after submit
  }
  ASSERT_OK(w.Sync());
  ASSERT_EQ(seen.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], float(i));
}

TEST(BackgroundWriterTest, OneBufferWaitsForThePreviousJob_Async) {
  BackgroundWriter w(1);
  std::vector<float> data(4, 1);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> first_done{false};
  ASSERT_TRUE(w.Submit(Floats(data), [&](const StagingBuffer&) {
                 released.wait();
                 first_done = true;
                 return OkStatus();
               }).ok());
  auto second = std::async(std::launch::async, [&] {
    auto t = w.Submit(Floats(data), [](const StagingBuffer&) { return OkStatus(); });
    return first_done.load() && t.ok();
  });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  release.set_value();
  EXPECT_TRUE(second.get());
  EXPECT_OK(w.Sync());
}

TEST(BackgroundWriterTest, TwoBuffersStageWhileOneJobRuns_Async) {
  BackgroundWriter w(2);
  std::vector<float> data(4, 1);
  std::promise<void> release;
  auto released = release.get_future().share();
  ASSERT_TRUE(w.Submit(Floats(data), [&](const StagingBuffer&) {
                 released.wait();
                 return OkStatus();
               }).ok());
  auto second = w.Submit(Floats(data), [](const StagingBuffer&) { return OkStatus(); });
  EXPECT_OK(second);  // did not wait for the first job
  EXPECT_FALSE(w.idle());
  release.set_value();
  EXPECT_OK(w.Sync());
  EXPECT_TRUE(w.idle());
}

TEST(BackgroundWriterTest, ErrorSurfacesOnceAtNextSubmit_Async) {
  BackgroundWriter w(1);
  std::vector<float> data(4, 1);
  ASSERT_TRUE(w.Submit(Floats(data), [](const StagingBuffer&) { return DataLossError("disk ate it"); }).ok());
  auto next = w.Submit(Floats(data), [](const StagingBuffer&) { return OkStatus(); });
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(), "disk ate it");
  EXPECT_TRUE(w.Submit(Floats(data), [](const StagingBuffer&) { return OkStatus(); }).ok());
  EXPECT_OK(w.Sync());
  ASSERT_TRUE(w.Submit(Floats(data), [](const StagingBuffer&) { return InternalError("late"); }).ok());
  Status s = w.Sync();
  EXPECT_EQ(s.message(), "late");
  EXPECT_OK(w.Sync());
}

TEST(BackgroundWriterTest, DestructorWaitsForQueuedJobs_Async) {
  std::atomic<int> ran{0};
  {
    BackgroundWriter w(2);
    std::vector<float> data(4, 1);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(w.Submit(Floats(data), [&](const StagingBuffer&) {
                     std::this_thread::sleep_for(std::chrono::milliseconds(5));
                     ++ran;
                     return OkStatus();
                   }).ok());
    }
  }
  EXPECT_EQ(ran.load(), 5);
}

// Sync() from another thread than the saver's, while the saver never pauses:
// each job here finishes only once the next one is submitted, so the writer
// is never idle. Sync used to wait for an idle writer: forever. It waits for
// the jobs submitted before it was called.
TEST(BackgroundWriterTest, SyncReturnsWhileAnotherThreadKeepsSubmitting_Async) {
  BackgroundWriter w(2);
  std::atomic<uint64_t> submitted{0};
  std::atomic<bool> stop{false};
  std::vector<float> data(16, 1);
  std::thread saver([&] {
    for (uint64_t k = 1; !stop; ++k) {
      auto t = w.Submit(Floats(data), [&, k](const StagingBuffer&) {
        while (submitted < k + 1 && !stop) std::this_thread::yield();
        return OkStatus();
      });
      ASSERT_TRUE(t.ok());
      submitted = k;
    }
  });
  while (submitted == 0) std::this_thread::yield();
  auto synced = std::async(std::launch::async, [&] { return w.Sync(); });
  // Only a hang reaches the limit.
  const bool returned = synced.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  stop = true;
  saver.join();
  EXPECT_TRUE(returned) << "Sync waited for jobs submitted after it";
  EXPECT_OK(synced.get());
  EXPECT_OK(w.Sync());
}

TEST(BackgroundWriterTest, JobsKnowTheyRunOnTheWriterThread_Async) {
  BackgroundWriter w(1), other(1);
  EXPECT_FALSE(w.OnWriterThread());
  EXPECT_FALSE(BackgroundWriter::OnAnyWriterThread());
  std::vector<float> data(4, 1);
  std::atomic<bool> own{false}, foreign{true}, any{false};
  ASSERT_TRUE(w.Submit(Floats(data), [&](const StagingBuffer&) {
                 own = w.OnWriterThread();
                 foreign = other.OnWriterThread();
                 any = BackgroundWriter::OnAnyWriterThread();
                 return OkStatus();
               }).ok());
  EXPECT_OK(w.Sync());
  EXPECT_TRUE(own);
  EXPECT_FALSE(foreign);
  EXPECT_TRUE(any);
}

}  // namespace
}  // namespace ckpt::async
