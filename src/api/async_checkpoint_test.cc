// Async saving through Checkpoint and CheckpointManager (CO-14..CO-27) and
// the write callbacks (CO-07..CO-13). Names contain "Async" so the TSan run
// of scripts/test.sh selects them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "graph/graph_test_helpers.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;
using graph::testing::SetF;

class AsyncCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }

  CheckpointOptions Base() {
    CheckpointOptions o;
    o.fs = fs_.get();
    return o;
  }
  CheckpointOptions AsyncOpts(int buffers = 1) {
    CheckpointOptions o = Base();
    o.enable_async = true;
    o.async_staging_buffers = buffers;
    return o;
  }

  float ReadFirst(const std::string& prefix, const std::string& key = "v/.ATTRIBUTES/VARIABLE_VALUE") {
    auto r = graph::testing::OpenBundle(fs_.get(), prefix);
    if (!r) return -1;
    auto t = r->Read(key);
    return t.ok() ? t->flat<float>()[0] : -2;
  }

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(AsyncCheckpointTest, OptionsDefaultsAndAlias_CO01_CO02) {
  CheckpointOptions o;
  EXPECT_FALSE(o.async());
  EXPECT_TRUE(o.experimental_write_callbacks.empty());
  EXPECT_TRUE(o.experimental_io_device.empty());
  EXPECT_FALSE(o.skip_slot_variables);
  o.experimental_enable_async_checkpoint = true;
  EXPECT_TRUE(o.async());
}

TEST_F(AsyncCheckpointTest, SaveReturnsPathAndSnapshotsValues_CO15_CO16_CO23) {
  auto v = FloatVar({1, 2, 3});
  Checkpoint c({{"v", v.get()}}, Base());
  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) {
    SetF(*v, float(10 * i));
    auto p = c.Save("/d/ckpt", AsyncOpts());
    ASSERT_OK(p);
    paths.push_back(*p);
    SetF(*v, -1.0f);  // changed right after Save returned
  }
  EXPECT_EQ(paths.front(), "/d/ckpt-1");
  EXPECT_EQ(paths.back(), "/d/ckpt-5");
  ASSERT_OK(c.Sync());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ReadFirst(paths[i]), float(10 * i)) << paths[i];
  EXPECT_EQ(*LatestCheckpoint("/d", kDefaultStateFilename, fs_.get()), std::optional<std::string>("/d/ckpt-5"));
  // A fresh object restores it like a synchronous save (CO-23).
  auto w = FloatVar({0, 0, 0});
  Checkpoint r({{"v", w.get()}}, Base());
  auto st = r.Restore(paths[2]);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  EXPECT_EQ(F(*w), 20.0f);
  EXPECT_EQ(r.save_counter().flat<int64_t>()[0], 3);
}

TEST_F(AsyncCheckpointTest, TwoStagingBuffersManySavesInFlight_Async_CO17) {
  auto v = FloatVar(std::vector<float>(4096, 0));
  Checkpoint c({{"v", v.get()}}, Base());
  const CheckpointOptions o = AsyncOpts(2);
  std::vector<std::string> paths;
  for (int i = 0; i < 30; ++i) {
    std::fill(v->flat<float>().begin(), v->flat<float>().end(), float(i));
    auto p = c.Write("/d/w-" + std::to_string(i), o);
    ASSERT_OK(p);
    EXPECT_EQ(*p, "/d/w-" + std::to_string(i));  // CO-18
    paths.push_back(*p);
    std::fill(v->flat<float>().begin(), v->flat<float>().end(), -5.0f);
  }
  ASSERT_OK(c.Sync());
  for (int i = 0; i < 30; ++i) {
    auto r = graph::testing::OpenBundle(fs_.get(), paths[i]);
    ASSERT_TRUE(r);
    auto t = r->Read("v/.ATTRIBUTES/VARIABLE_VALUE");
    ASSERT_OK(t);
    for (float x : t->flat<float>()) ASSERT_EQ(x, float(i)) << paths[i];
  }
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 0);  // Write never counts (CO-18)
}

TEST_F(AsyncCheckpointTest, MutationFromAnotherThreadAfterSaveReturns_Async) {
  // The training thread keeps changing the variable between saves while the
  // writer thread writes earlier snapshots (TSan checks the hand-off).
  auto v = FloatVar(std::vector<float>(1 << 14, 0));
  Checkpoint c({{"v", v.get()}}, Base());
  std::vector<std::pair<std::string, float>> expected;
  std::thread trainer([&] {
    for (int i = 0; i < 20; ++i) {
      const float value = float(i) + 0.5f;
      std::fill(v->flat<float>().begin(), v->flat<float>().end(), value);
      auto p = c.Save("/d/t", AsyncOpts(i % 2 + 1));
      ASSERT_OK(p);
      expected.emplace_back(*p, value);
      for (float& x : v->flat<float>()) x += 1000;
    }
  });
  trainer.join();
  ASSERT_OK(c.Sync());
  for (const auto& [path, value] : expected) {
    auto r = graph::testing::OpenBundle(fs_.get(), path);
    ASSERT_TRUE(r);
    auto t = r->Read("v/.ATTRIBUTES/VARIABLE_VALUE");
    ASSERT_OK(t);
    EXPECT_EQ(t->flat<float>()[0], value);
    EXPECT_EQ(t->flat<float>()[(1 << 14) - 1], value);
  }
}

TEST_F(AsyncCheckpointTest, SyncIsNoOpWithoutAsync_CO19) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  EXPECT_OK(c.Sync());
  ASSERT_OK(c.Save("/d/s"));
  EXPECT_OK(c.Sync());
}

TEST_F(AsyncCheckpointTest, BackgroundErrorSurfacesAtNextSaveAndSkipsCallbacks_CO20) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  ASSERT_OK(fs_->RecursivelyCreateDir("/d/ckpt-1.index"));  // the index cannot be written
  CheckpointOptions o = AsyncOpts();
  int called = 0;
  o.experimental_write_callbacks.push_back([&](const std::string&) {
    ++called;
    return OkStatus();
  });
  auto p = c.Save("/d/ckpt", o);
  ASSERT_OK(p);  // returned before the write failed
  auto next = c.Save("/d/ckpt", o);
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("ckpt-1"), std::string::npos) << next.status().ToString();
  EXPECT_EQ(called, 0);
  auto again = c.Save("/d/ckpt", o);
  ASSERT_OK(again);
  EXPECT_EQ(*again, "/d/ckpt-2");
  EXPECT_OK(c.Sync());
  EXPECT_EQ(called, 1);
}

TEST_F(AsyncCheckpointTest, SyncReportsBackgroundError) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  ASSERT_OK(fs_->RecursivelyCreateDir("/d/x.index"));
  ASSERT_OK(c.Write("/d/x", AsyncOpts()));
  Status s = c.Sync();
  EXPECT_FALSE(s.ok());
  EXPECT_OK(c.Sync());  // reported once
}

TEST_F(AsyncCheckpointTest, RestoreWaitsForWritesIntoTheDirectory_Async_CO21) {
  auto v = FloatVar({7});
  Checkpoint c({{"v", v.get()}}, Base());
  std::promise<void> release;
  auto released = release.get_future().share();
  CheckpointOptions o = AsyncOpts();
  o.experimental_write_callbacks.push_back([released](const std::string&) {
    released.wait();
    return OkStatus();
  });
  auto p = c.Save("/d/ckpt", o);
  ASSERT_OK(p);
  auto w = FloatVar({0});
  Checkpoint other({{"v", w.get()}}, Base());
  auto restored = std::async(std::launch::async, [&] { return other.Restore(*p).ok(); });
  EXPECT_EQ(restored.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  release.set_value();
  EXPECT_TRUE(restored.get());
  EXPECT_EQ(F(*w), 7.0f);
}

TEST_F(AsyncCheckpointTest, DestructorWaitsForTheWrite_Async_CO22) {
  auto v = FloatVar({3});
  std::string path;
  {
    Checkpoint c({{"v", v.get()}}, Base());
    auto p = c.Save("/d/ckpt", AsyncOpts());
    ASSERT_OK(p);
    path = *p;
  }
  EXPECT_EQ(ReadFirst(path), 3.0f);
  EXPECT_EQ(*LatestCheckpoint("/d", kDefaultStateFilename, fs_.get()), std::optional<std::string>(path));
}

TEST_F(AsyncCheckpointTest, CallbacksRunInOrderWithPathAfterFiles_CO09_CO10) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  ASSERT_OK(c.Save("/d/ckpt"));
  for (bool async : {false, true}) {
    CheckpointOptions o = async ? AsyncOpts() : Base();
    std::vector<std::string> log;
    std::mutex mu;
    o.experimental_write_callbacks.push_back([&](const std::string& p) {
      std::lock_guard<std::mutex> l(mu);
      log.push_back("first " + p + (fs_->FileExists(p + ".index").ok() ? " files" : " nofiles"));
      auto latest = LatestCheckpoint("/d", kDefaultStateFilename, fs_.get());
      log.push_back("latest " + latest->value_or(""));
      return OkStatus();
    });
    o.experimental_write_callbacks.push_back([&](const std::string& p) {
      std::lock_guard<std::mutex> l(mu);
      log.push_back("second");
      return OkStatus();
    });
    auto p = c.Save("/d/ckpt", o);
    ASSERT_OK(p);
    ASSERT_OK(c.Sync());
    const std::string prev = async ? "/d/ckpt-2" : "/d/ckpt-1";
    EXPECT_EQ(log, (std::vector<std::string>{"first " + *p + " files", "latest " + prev, "second"}));
    EXPECT_EQ(*LatestCheckpoint("/d", kDefaultStateFilename, fs_.get()), std::optional<std::string>(*p));
    EXPECT_EQ(o.experimental_write_callbacks.size(), 2u);  // CO-13
  }
}

TEST_F(AsyncCheckpointTest, WriteRunsCallbacksToo_CO09) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointOptions o = Base();
  std::string seen;
  o.experimental_write_callbacks.push_back([&](const std::string& p) {
    seen = p;
    return OkStatus();
  });
  ASSERT_OK(c.Write("/d/plain", o));
  EXPECT_EQ(seen, "/d/plain");
}

TEST_F(AsyncCheckpointTest, FailingCallbackStopsLaterOnesAndStateFile_CO12) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointOptions o = Base();
  bool second = false;
  o.experimental_write_callbacks.push_back([](const std::string&) { return AbortedError("stop"); });
  o.experimental_write_callbacks.push_back([&](const std::string&) {
    second = true;
    return OkStatus();
  });
  auto p = c.Save("/d/ckpt", o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "stop");
  EXPECT_FALSE(second);
  EXPECT_OK(fs_->FileExists("/d/ckpt-1.index"));
  EXPECT_FALSE(fs_->FileExists("/d/checkpoint").ok());
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 1);  // files exist: the number is used
}

TEST_F(AsyncCheckpointTest, IoDeviceIsCarried_CO04) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointOptions o = Base();
  o.experimental_io_device = "/job:localhost/replica:0/task:0/device:CPU:0";
  ASSERT_OK(c.Save("/d/io", o));
  EXPECT_EQ(ReadFirst("/d/io-1"), 1.0f);
}

TEST_F(AsyncCheckpointTest, ForeignFileSystemInCallOptionsIsRejected) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  auto other = NewMemoryFileSystem();
  CheckpointOptions o;
  o.fs = other.get();
  auto p = c.Save("/d/x", o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 0);
}

TEST_F(AsyncCheckpointTest, ManagerBookkeepingAfterDurableWrite_Async_CO25_CO27) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointManagerOptions mo;
  mo.save_options = AsyncOpts();
  std::promise<void> release;
  auto released = release.get_future().share();
  mo.save_options->experimental_write_callbacks.push_back([released](const std::string&) {
    released.wait();
    return OkStatus();
  });
  auto m = CheckpointManager::Create(c, "/d", 1, mo);
  ASSERT_OK(m);
  auto p = (*m)->Save();
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ(**p, "/d/ckpt-1");
  EXPECT_FALSE((*m)->latest_checkpoint());  // not yet: the write is held
  EXPECT_TRUE((*m)->checkpoints().empty());
  release.set_value();
  ASSERT_OK((*m)->Sync());
  EXPECT_EQ((*m)->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));
  // Many more async saves: retention happens on the writer thread.
  for (int i = 0; i < 10; ++i) {
    SetF(*v, float(i));
    ASSERT_OK((*m)->Save());
  }
  ASSERT_OK((*m)->Sync());
  EXPECT_EQ((*m)->checkpoints(), (std::vector<std::string>{"/d/ckpt-11"}));
  EXPECT_FALSE(fs_->FileExists("/d/ckpt-10.index").ok());
  EXPECT_EQ(ReadFirst("/d/ckpt-11"), 9.0f);
}

TEST_F(AsyncCheckpointTest, RestoreOrInitializeWaitsForAsyncSave_Async_CO26) {
  auto v = FloatVar({5});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointManagerOptions mo;
  mo.save_options = AsyncOpts();
  int init_calls = 0;
  mo.init_fn = [&] {
    ++init_calls;
    return OkStatus();
  };
  auto m = CheckpointManager::Create(c, "/d", 2, mo);
  ASSERT_OK(m);
  ASSERT_OK((*m)->Save());
  SetF(*v, 0);
  auto r = (*m)->RestoreOrInitialize();  // deliberate: TF may call init_fn here
  ASSERT_OK(r);
  EXPECT_EQ(*r, std::optional<std::string>("/d/ckpt-1"));
  EXPECT_EQ(init_calls, 0);
  EXPECT_EQ(F(*v), 5.0f);
}

// Write callbacks of an async save run on the writer thread while the write
// counts as in flight. A callback that restores the checkpoint it was given
// (a verification step) used to wait for its own write: a hang, forever.
TEST_F(AsyncCheckpointTest, CallbackMayRestoreTheCheckpointItWasGiven_Async_CO21) {
  auto v = FloatVar({4});
  Checkpoint c({{"v", v.get()}}, Base());
  auto w = FloatVar({0});
  Checkpoint verifier({{"v", w.get()}}, Base());
  CheckpointOptions o = AsyncOpts();
  std::promise<Status> verified;
  o.experimental_write_callbacks.push_back([&](const std::string& path) {
    auto st = verifier.Restore(path);
    verified.set_value(st.status());
    return st.status();
  });
  ASSERT_OK(c.Save("/d/ckpt", o));
  auto done = verified.get_future();
  // Only a hang reaches the limit; the restore itself takes microseconds.
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "the callback's restore hangs";
  EXPECT_OK(done.get());
  EXPECT_EQ(F(*w), 4.0f);
  EXPECT_OK(c.Sync());
}

// Save, Write and Sync of the same Checkpoint from its own write callback
// would wait for the callback to return: refused instead of hanging.
TEST_F(AsyncCheckpointTest, CallbackCannotSaveOrSyncItsOwnCheckpoint_Async) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointOptions o = AsyncOpts();
  std::promise<std::vector<Status>> results;
  o.experimental_write_callbacks.push_back([&](const std::string&) {
    std::vector<Status> r;
    r.push_back(c.Sync());
    r.push_back(c.Save("/d/inner", Base()).status());
    r.push_back(c.Write("/d/inner-w", AsyncOpts()).status());
    results.set_value(r);
    return OkStatus();
  });
  ASSERT_OK(c.Save("/d/ckpt", o));
  auto done = results.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "a callback's own Save/Sync hangs";
  for (const Status& s : done.get()) {
    EXPECT_CODE(s, StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("write callback"), std::string::npos) << s.ToString();
  }
  EXPECT_OK(c.Sync());
  EXPECT_FALSE(fs_->FileExists("/d/inner-2.index").ok());
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 1);  // the refused save gave its number back
}

TEST_F(AsyncCheckpointTest, CallbackCannotSaveOrSyncItsOwnManager_Async) {
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}}, Base());
  CheckpointManagerOptions mo;
  mo.save_options = AsyncOpts();
  CheckpointManager* manager = nullptr;
  std::promise<std::vector<Status>> results;
  std::atomic<bool> first{true};
  mo.save_options->experimental_write_callbacks.push_back([&](const std::string&) {
    if (!first.exchange(false)) return OkStatus();
    results.set_value({manager->Save().status(), manager->Sync()});
    return OkStatus();
  });
  auto m = CheckpointManager::Create(c, "/d", 2, mo);
  ASSERT_OK(m);
  manager = m->get();
  ASSERT_OK((*m)->Save());
  auto done = results.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "a callback's manager Save hangs";
  for (const Status& s : done.get()) EXPECT_CODE(s, StatusCode::kFailedPrecondition);
  ASSERT_OK((*m)->Sync());
  EXPECT_EQ((*m)->checkpoints(), (std::vector<std::string>{"/d/ckpt-1"}));
  auto next = (*m)->Save();  // the training thread saves on as before
  ASSERT_TRUE(next.ok() && next->has_value()) << next.status().ToString();
  EXPECT_EQ(**next, "/d/ckpt-2");
  ASSERT_OK((*m)->Sync());
}

}  // namespace
}  // namespace ckpt

namespace ckpt {
namespace {

// PrepareAsync readies the staging memory and writes nothing; the async
// saves after it (and a manager that prepares on creation) write the same
// values as ever.
TEST_F(AsyncCheckpointTest, PrepareAsyncWritesNothingAndSavesStillSnapshot_Async) {
  auto v = FloatVar({1, 2, 3});
  Checkpoint c({{"v", v.get()}}, Base());
  ASSERT_OK(c.PrepareAsync(AsyncOpts()));
  ASSERT_OK(c.PrepareAsync());  // twice is harmless
  EXPECT_FALSE(fs_->FileExists("/d").ok());
  SetF(*v, 42.0f);
  auto p = c.Save("/d/ckpt", AsyncOpts());
  ASSERT_OK(p);
  SetF(*v, -1.0f);
  ASSERT_OK(c.Sync());
  EXPECT_EQ(ReadFirst(*p), 42.0f);

  CheckpointManagerOptions mo;
  mo.save_options = AsyncOpts();
  auto m = CheckpointManager::Create(c, "/m", 2, std::move(mo));
  ASSERT_OK(m);
  SetF(*v, 7.0f);
  auto saved = (*m)->Save();
  ASSERT_OK(saved);
  ASSERT_TRUE(saved->has_value());
  SetF(*v, -1.0f);
  ASSERT_OK((*m)->Sync());
  EXPECT_EQ(ReadFirst(**saved), 7.0f);
}

TEST_F(AsyncCheckpointTest, PrepareAsyncReportsConstructionErrors_Async) {
  auto a = FloatVar({1});
  auto b = FloatVar({2});
  Checkpoint c({{"x", a.get()}, {"x", b.get()}}, Base());  // clashing names
  ASSERT_FALSE(c.status().ok());
  EXPECT_EQ(c.PrepareAsync().code(), c.status().code());
}

}  // namespace
}  // namespace ckpt
