// CheckpointManager and CheckpointOptions behaviours not covered by
// checkpoint_manager_test.cc / async_checkpoint_test.cc, each citing its
// catalog ID (docs/cm-co-behaviours.md maps every CM/CO item to its test).
// Tests that run async code carry "Async" in their name (TSan selection);
// the whole ManagerMoreTest fixture also matches the TSan filter.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "graph/graph_test_helpers.h"
#include "io/forwarding_file_system.h"
#include "manager/manager_test_fixture.h"
#include "testing/temp_dir.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;
using graph::testing::SetF;
using std::chrono_literals::operator""ms;

// CM-01: max_to_keep has no default. The positive concept proves the
// negative one would notice if a default were added.
template <typename C>
concept CreatableWithoutMaxToKeep = requires(C& c) { CheckpointManager::Create(c, std::string("/d")); };
template <typename C>
concept CreatableWithMaxToKeep = requires(C& c) { CheckpointManager::Create(c, std::string("/d"), 3); };
static_assert(!CreatableWithoutMaxToKeep<Checkpoint>, "CM-01: max_to_keep must be required");
static_assert(CreatableWithMaxToKeep<Checkpoint>);

// Forwards to `base` and logs, in order, every state-file publication (with
// the basenames it lists) and every deletion.
class RecordingFileSystem : public io::ForwardingFileSystem {
 public:
  explicit RecordingFileSystem(FileSystem* base) : ForwardingFileSystem(base), base_(base) {}

  std::vector<std::string> TakeLog() {
    std::lock_guard<std::mutex> l(mu_);
    return std::exchange(log_, {});
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    Status s = base_->RenameFile(from, to);
    if (s.ok() && Basename(to) == kDefaultStateFilename) {
      auto st = GetCheckpointState(Dirname(to), kDefaultStateFilename, base_);
      std::string entry = "state";
      if (st.ok() && st->has_value()) {
        for (const auto& p : (*st)->all_model_checkpoint_paths) entry += " " + std::string(Basename(p));
      }
      Log(entry);
    }
    return s;
  }
  Status DeleteFile(const std::string& path) override {
    Log("delete " + std::string(Basename(path)));
    return base_->DeleteFile(path);
  }

 private:
  void Log(std::string s) {
    std::lock_guard<std::mutex> l(mu_);
    log_.push_back(std::move(s));
  }
  FileSystem* base_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

// Holds a write (from inside a write callback) until released.
struct Gate {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  WriteCallback Hold() {
    return [f = released](const std::string&) {
      f.wait();
      return OkStatus();
    };
  }
  void Open() { release.set_value(); }
};

using ManagerMoreTest = testing_manager::ManagerFixture;

// ---------------------------------------------------------------------------
// Construction and accessors
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, StepCounterWithoutIntervalIsIgnored_CM02) {
  auto step = std::make_unique<Variable>(DType::kInt64, TensorShape{});
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.step_counter = step.get();
  auto m = Make(c, 5, o);
  EXPECT_FALSE(m->checkpoint_interval());
  // Same step three times: no interval rule, so every save happens.
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-1");
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-2");
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-3");
}

TEST_F(ManagerMoreTest, ConstructionInExistingDirectoryCreatesNoFile_CM03) {
  ASSERT_OK(fs_->CreateDir("/e"));
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.keep_checkpoint_every_n_hours = 1;
  auto m = Make(c, 2, o, "/e");
  EXPECT_TRUE(Children("/e").empty());
  // Re-instantiation over an existing state file writes nothing either.
  SaveOk(*m);
  m.reset();
  auto before = fs_->ReadFileToString("/e/checkpoint");
  ASSERT_OK(before);
  const auto children = Children("/e");
  now_ = 1e9;
  auto m2 = Make(c, 1, o, "/e");
  EXPECT_EQ(Children("/e"), children);
  EXPECT_EQ(*fs_->ReadFileToString("/e/checkpoint"), *before);
}

TEST_F(ManagerMoreTest, Accessors_CM05) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  EXPECT_EQ(m->directory(), "/d");
  EXPECT_EQ(&m->checkpoint(), &c);  // the managed object itself
  EXPECT_FALSE(m->checkpoint_interval());
  EXPECT_FALSE(m->latest_checkpoint());
  EXPECT_TRUE(m->checkpoints().empty());
  SaveOk(*m);
  SaveOk(*m);
  // checkpoints() is a new list each time, oldest first.
  std::vector<std::string> got = m->checkpoints();
  EXPECT_EQ(got, (std::vector<std::string>{"/d/ckpt-1", "/d/ckpt-2"}));
  got.clear();
  got.push_back("junk");
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-1", "/d/ckpt-2"}));
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-2"));
}

TEST_F(ManagerMoreTest, DirectoryWithTrailingSlashJoinsLikeOsPath_CM04_CM06) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.checkpoint_name = "ckpt_name";
  auto m = Make(c, 2, o, "/d/");
  EXPECT_EQ(SaveOk(*m, 5), "/d/ckpt_name-5");  // os.path.join("/d/", "ckpt_name") + "-5"
  EXPECT_TRUE(Exists("/d/ckpt_name-5"));
}

// ---------------------------------------------------------------------------
// Numbering and state file
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, ResaveSameNumberOverwritesFiles_CM10) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  SetF(*v_, 10);
  SaveOk(*m, 1);
  SaveOk(*m, 2);
  SetF(*v_, 30);
  SaveOk(*m, 1);
  EXPECT_EQ(ReadFirst("/d/ckpt-1"), 30.0f);
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/ckpt-2", "/d/ckpt-1"}));
  EXPECT_EQ(State().model_checkpoint_path, "/d/ckpt-1");
}

TEST_F(ManagerMoreTest, TimestampIsReadWhenTheWriteCompletes_CM12) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  CheckpointOptions so = Opts();
  // User callbacks run after the files are complete and before the
  // manager's bookkeeping, as in TF: moving the clock there moves the stamp.
  so.experimental_write_callbacks.push_back([this](const std::string&) {
    now_ = 500;
    return OkStatus();
  });
  now_ = 100;
  ASSERT_OK(m->Save(so));
  EXPECT_EQ(State().all_model_checkpoint_timestamps, (std::vector<double>{500}));
}

TEST_F(ManagerMoreTest, AsyncTimestampIsReadWhenTheBackgroundWriteCompletes_CM12) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  Gate gate;
  CheckpointOptions so = AsyncOpts();
  so.experimental_write_callbacks.push_back(gate.Hold());
  now_ = 100;
  ASSERT_OK(m->Save(so));
  now_ = 250;
  gate.Open();
  ASSERT_OK(m->Sync());
  EXPECT_EQ(State().all_model_checkpoint_timestamps, (std::vector<double>{250}));
}

TEST_F(ManagerMoreTest, StateFileWrittenBeforeAndAfterDeletion_CM13) {
  RecordingFileSystem rec(fs_.get());
  CheckpointOptions o;
  o.fs = &rec;
  Checkpoint c({{"v", v_.get()}}, o);
  auto m = Make(c, 1, MOpts());
  SaveOk(*m);
  // Nothing to delete: one state-file write (deliberate, TF writes twice
  // with identical content; docs/differences-from-tensorflow.md).
  EXPECT_EQ(rec.TakeLog(), (std::vector<std::string>{"state ckpt-1"}));
  SaveOk(*m);
  // The first write still lists the entry about to be deleted; files go
  // only after it is durable; then the state file without it.
  EXPECT_EQ(rec.TakeLog(), (std::vector<std::string>{"state ckpt-1 ckpt-2", "delete ckpt-1.index",
                                                     "delete ckpt-1.data-00000-of-00001", "state ckpt-2"}));
}

TEST_F(ManagerMoreTest, StateFileWrittenTwiceWhenPreserving_CM13_CM19) {
  RecordingFileSystem rec(fs_.get());
  CheckpointOptions o;
  o.fs = &rec;
  Checkpoint c({{"v", v_.get()}}, o);
  auto mo = MOpts();
  mo.keep_checkpoint_every_n_hours = 1;
  auto m = Make(c, 1, mo);  // at t=3: last_preserved = 2
  now_ = 10000;               // 10000 - 3600 >= 2: ckpt-1 will be preserved
  SaveOk(*m);
  rec.TakeLog();
  now_ = 20000;
  SaveOk(*m);
  // ckpt-1 is preserved (not deleted) but still leaves the list.
  EXPECT_EQ(rec.TakeLog(), (std::vector<std::string>{"state ckpt-1 ckpt-2", "state ckpt-2"}));
  EXPECT_TRUE(Exists("/d/ckpt-1"));
}

// ---------------------------------------------------------------------------
// Re-instantiation
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, ClockBehindLogsTfWarning_CM24) {
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/ckpt-3", {.all_paths = {"/d/ckpt-2", "/d/ckpt-3"},
                                                        .timestamps = {13600, 17200}, .last_preserved_timestamp = 13600,
                                                        .save_relative_paths = true, .fs = fs_.get()})
                  .ok());
  Checkpoint c({{"v", v_.get()}}, Opts());
  now_ = 5000;
  ::testing::internal::CaptureStderr();
  auto m = Make(c, 1, MOpts());
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("WARNING:ckpt:time.time() returned a value 8600.000000 seconds behind the last preserved "
                     "checkpoint timestamp."),
            std::string::npos)
      << log;
  EXPECT_DOUBLE_EQ(m->last_preserved_timestamp(), 5000);
}

TEST_F(ManagerMoreTest, RecoveredLatestIsNotCheckedForExistence_CM27) {
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/ckpt-7", {.all_paths = {"/d/ckpt-7"}, .timestamps = {10},
                                                        .last_preserved_timestamp = 1, .save_relative_paths = true,
                                                        .fs = fs_.get()})
                  .ok());
  Checkpoint c({{"v", v_.get()}}, Opts());
  now_ = 20;
  auto m = Make(c, 2, MOpts());
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-7"));
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-7"}));
  // tf.train.latest_checkpoint does check.
  EXPECT_EQ(*LatestCheckpoint("/d", kDefaultStateFilename, fs_.get()), std::nullopt);
  // Restoring it is what fails (NotFound), not constructing.
  auto r = m->RestoreOrInitialize();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(ManagerMoreTest, StateFileWithoutModelPathIsInvalid_CM28) {
  WriteStateText("all_model_checkpoint_paths: \"ckpt-1\"\nall_model_checkpoint_timestamps: 10.0\n");
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = CheckpointManager::Create(c, "/d", 2);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), "Invalid checkpoint state loaded from /d");
}

TEST_F(ManagerMoreTest, SequentialManagersWithDifferentNamesShareTheStateFile_CM29) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  {
    auto o = MOpts();
    o.checkpoint_name = "a";
    auto m = Make(c, 2, o);
    now_ = 10;
    SaveOk(*m, 1);
    now_ = 11;
    SaveOk(*m, 2);
  }
  auto o = MOpts();
  o.checkpoint_name = "b";
  now_ = 12;
  auto m = Make(c, 2, o);
  // The second manager adopts the first one's list ...
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/a-1", "/d/a-2"}));
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/a-2"));
  now_ = 13;
  SaveOk(*m, 1);
  // ... and deletes from it (both are `<name>-<digits>` in its directory).
  EXPECT_FALSE(Exists("/d/a-1"));
  EXPECT_TRUE(Exists("/d/a-2"));
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/a-2", "/d/b-1"}));
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/a-2", "/d/b-1"}));
}

// ---------------------------------------------------------------------------
// checkpoint_interval
// ---------------------------------------------------------------------------

class ManagerMoreIntervalTest : public ManagerMoreTest {
 protected:
  void SetUp() override {
    ManagerMoreTest::SetUp();
    step_ = std::make_unique<Variable>(DType::kInt64, TensorShape{});
    c_ = std::make_unique<Checkpoint>(std::vector<std::pair<std::string, Trackable*>>{{"v", v_.get()}}, Opts());
    auto o = MOpts();
    o.step_counter = step_.get();
    o.checkpoint_interval = 2;
    m_ = Make(*c_, 10, o);
  }
  // nullopt on error, else whether it saved.
  std::optional<bool> At(int64_t step, bool check = true) {
    step_->flat<int64_t>()[0] = step;
    auto r = m_->Save(std::nullopt, check);
    if (!r.ok()) return std::nullopt;
    return r->has_value();
  }
  std::unique_ptr<Variable> step_;
  std::unique_ptr<Checkpoint> c_;
  std::unique_ptr<CheckpointManager> m_;
};

TEST_F(ManagerMoreIntervalTest, SameStepSkippedEvenWithoutCheck_CM32_CM33) {
  EXPECT_EQ(At(4, false), true);
  const auto files = Children();
  const auto state = fs_->ReadFileToString("/d/checkpoint");
  EXPECT_EQ(At(4, false), false);
  EXPECT_EQ(At(4, true), false);
  // A skipped save touches nothing (CM-33).
  EXPECT_EQ(Children(), files);
  EXPECT_EQ(*fs_->ReadFileToString("/d/checkpoint"), *state);
  EXPECT_EQ(c_->save_counter().flat<int64_t>()[0], 1);
  EXPECT_EQ(m_->checkpoints(), (std::vector<std::string>{"/d/ckpt-1"}));
}

TEST_F(ManagerMoreIntervalTest, FailedSaveStillRecordsItsStep_CM34) {
  // The index of ckpt-1 cannot be written.
  ASSERT_OK(fs_->CreateDir("/d/ckpt-1.index"));
  EXPECT_EQ(At(0), std::nullopt);  // error
  // Step 0 counts as saved: skipped, with or without the interval check.
  EXPECT_EQ(At(0), false);
  EXPECT_EQ(At(0, false), false);
  EXPECT_EQ(At(1), false);  // 1 < 0 + 2
  ASSERT_OK(fs_->DeleteDir("/d/ckpt-1.index"));
  EXPECT_EQ(At(2), true);
  EXPECT_EQ(m_->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));  // the number was given back
}

TEST_F(ManagerMoreIntervalTest, StepGoingBackwards_CM35) {
  EXPECT_EQ(At(10), true);
  EXPECT_EQ(At(5), false);    // 5 < 10 + 2
  EXPECT_EQ(At(11), false);   // still < 12
  EXPECT_EQ(At(5, false), true);  // differs from the last step
  EXPECT_EQ(At(6), false);    // now measured from 5
  EXPECT_EQ(At(7), true);
  EXPECT_EQ(m_->checkpoints().size(), 3u);
}

// ---------------------------------------------------------------------------
// restore_or_initialize
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, NothingToRestoreWithoutInitFnDoesNothing_CM39) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());
  SetF(*v_, 17);
  auto r = m->RestoreOrInitialize();
  ASSERT_OK(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(F(*v_), 17.0f);
  EXPECT_TRUE(Children().empty());
}

TEST_F(ManagerMoreTest, InitFnLogsInfo_CM39) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  int calls = 0;
  o.init_fn = [&] {
    ++calls;
    return OkStatus();
  };
  auto m = Make(c, 2, o);
  ::testing::internal::CaptureStderr();
  auto r = m->RestoreOrInitialize();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_OK(r);
  EXPECT_EQ(calls, 1);
  EXPECT_NE(log.find("INFO:ckpt:Customized initialization is done through the passed `init_fn`."), std::string::npos)
      << log;
}

TEST_F(ManagerMoreTest, PartialMatchOnlyWarns_CM40) {
  auto w = FloatVar({5});
  {
    Checkpoint both({{"v", v_.get()}, {"w", w.get()}}, Opts());
    auto m = Make(both, 2, MOpts());
    SaveOk(*m);
  }
  auto v2 = FloatVar({0, 0, 0});
  Result<std::optional<std::string>> r = std::optional<std::string>();
  ::testing::internal::CaptureStderr();
  {
    Checkpoint c({{"v", v2.get()}}, Opts());
    auto m = Make(c, 2, MOpts());
    if (m) r = m->RestoreOrInitialize();
    // The manager, then the Checkpoint go here.
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_OK(r);  // the unmatched `w` is no error
  EXPECT_EQ(*r, std::optional<std::string>("/d/ckpt-1"));
  EXPECT_EQ(F(*v2), 1.0f);
  EXPECT_NE(log.find("Detecting that an object or model or tf.train.Checkpoint is being deleted with unrestored "
                     "values."),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("Value in checkpoint could not be found in the restored object: (root).w"), std::string::npos)
      << log;
}

// ---------------------------------------------------------------------------
// Options forwarded by the manager (CM-41)
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, CallOptionsReplaceSaveOptions_CM41) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  std::vector<std::string> seen;
  auto mo = MOpts();
  mo.save_options = Opts();
  mo.save_options->experimental_write_callbacks.push_back([&](const std::string& p) {
    seen.push_back("default " + p);
    return OkStatus();
  });
  auto m = Make(c, 3, mo);
  SaveOk(*m);
  CheckpointOptions call = Opts();
  call.experimental_io_device = "/job:localhost/replica:0/task:0/device:CPU:0";
  call.experimental_write_callbacks.push_back([&](const std::string& p) {
    seen.push_back("call " + p);
    return OkStatus();
  });
  ASSERT_OK(m->Save(call));
  SaveOk(*m);
  EXPECT_EQ(seen, (std::vector<std::string>{"default /d/ckpt-1", "call /d/ckpt-2", "default /d/ckpt-3"}));
  EXPECT_EQ(ReadFirst("/d/ckpt-2"), 1.0f);
}

TEST_F(ManagerMoreTest, AsyncCallOptionsAreForwarded_CM41_CO25) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());  // synchronous by default
  Gate gate;
  CheckpointOptions call = AsyncOpts();
  call.experimental_write_callbacks.push_back(gate.Hold());
  SetF(*v_, 8);
  auto r = m->Save(call);  // would deadlock here if the options were not async
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(**r, "/d/ckpt-1");
  SetF(*v_, -1);
  EXPECT_FALSE(m->latest_checkpoint());
  gate.Open();
  ASSERT_OK(m->Sync());
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));
  EXPECT_EQ(ReadFirst("/d/ckpt-1"), 8.0f);
}

// ---------------------------------------------------------------------------
// CheckpointOptions
// ---------------------------------------------------------------------------

TEST_F(ManagerMoreTest, CopiedOptionsHaveTheirOwnCallbackList_CO06) {
  CheckpointOptions a;
  a.experimental_write_callbacks.push_back([](const std::string&) { return OkStatus(); });
  CheckpointOptions b = a;
  b.experimental_write_callbacks.push_back([](const std::string&) { return OkStatus(); });
  EXPECT_EQ(a.experimental_write_callbacks.size(), 1u);
  EXPECT_EQ(b.experimental_write_callbacks.size(), 2u);
}

TEST_F(ManagerMoreTest, AsyncFailingCallbackLeavesCheckpointUntracked_CO12_CO20) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 1, MOpts());
  SaveOk(*m);
  const auto state = fs_->ReadFileToString("/d/checkpoint");
  CheckpointOptions so = AsyncOpts();
  bool later = false;
  so.experimental_write_callbacks.push_back([](const std::string&) { return AbortedError("callback failed"); });
  so.experimental_write_callbacks.push_back([&](const std::string&) {
    later = true;
    return OkStatus();
  });
  auto r = m->Save(so);
  ASSERT_OK(r);  // returned before the callback ran
  Status s = m->Sync();
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(s.message(), "callback failed");
  EXPECT_FALSE(later);
  EXPECT_TRUE(Exists("/d/ckpt-2"));  // files on disk, but no bookkeeping:
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-1"}));
  EXPECT_TRUE(Exists("/d/ckpt-1"));
  EXPECT_EQ(*fs_->ReadFileToString("/d/checkpoint"), *state);
}

TEST_F(ManagerMoreTest, AsyncCallerMayDropItsOptionsAtOnce_CO13) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());
  Gate gate;
  std::atomic<int> ran{0};
  {
    auto so = std::make_unique<CheckpointOptions>(AsyncOpts());
    so->async_staging_buffers = 2;  // the second save stages while the first is held
    so->experimental_write_callbacks.push_back(gate.Hold());
    so->experimental_write_callbacks.push_back([&](const std::string&) {
      ++ran;
      return OkStatus();
    });
    ASSERT_OK(m->Save(*so));
    ASSERT_OK(c.Save("/e/plain", *so));
    EXPECT_EQ(so->experimental_write_callbacks.size(), 2u);  // not appended to
    so->experimental_write_callbacks.clear();                 // and no longer needed
    so.reset();
  }
  gate.Open();
  ASSERT_OK(m->Sync());
  EXPECT_EQ(ran.load(), 2);
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));
}

TEST_F(ManagerMoreTest, AsyncSecondSaveWaitsForFirstWriteAndKeepsCallOrder_CO17) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  Gate gate;
  std::mutex mu;
  std::vector<std::string> order;
  auto note = [&](const std::string& p) {
    std::lock_guard<std::mutex> l(mu);
    order.push_back(p);
    return OkStatus();
  };
  CheckpointOptions held = AsyncOpts();  // one staging buffer set (TF's rule)
  held.experimental_write_callbacks.push_back(gate.Hold());
  held.experimental_write_callbacks.push_back(note);
  CheckpointOptions plain = AsyncOpts();
  plain.experimental_write_callbacks.push_back(note);
  SetF(*v_, 1);
  ASSERT_OK(c.Save("/d/ckpt", held));
  SetF(*v_, 2);
  auto second = std::async(std::launch::async, [&] { return c.Save("/d/ckpt", plain); });
  EXPECT_EQ(second.wait_for(150ms), std::future_status::timeout);  // blocked behind the first write
  gate.Open();
  auto p2 = second.get();
  ASSERT_OK(p2);
  EXPECT_EQ(*p2, "/d/ckpt-2");
  ASSERT_OK(c.Sync());
  EXPECT_EQ(order, (std::vector<std::string>{"/d/ckpt-1", "/d/ckpt-2"}));
  EXPECT_EQ(ReadFirst("/d/ckpt-1"), 1.0f);
  EXPECT_EQ(ReadFirst("/d/ckpt-2"), 2.0f);
}

TEST_F(ManagerMoreTest, AsyncSyncWaitsForTheWriteAndItsCallbacks_CO19_CO27) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto mo = MOpts();
  mo.save_options = AsyncOpts();
  Gate gate;
  std::atomic<bool> callback_done{false};
  mo.save_options->experimental_write_callbacks.push_back(gate.Hold());
  mo.save_options->experimental_write_callbacks.push_back([&](const std::string&) {
    callback_done = true;
    return OkStatus();
  });
  auto m = Make(c, 2, mo);
  ASSERT_OK(m->Save());
  auto synced = std::async(std::launch::async, [&] { return m->Sync(); });
  EXPECT_EQ(synced.wait_for(150ms), std::future_status::timeout);
  EXPECT_FALSE(callback_done.load());
  gate.Open();
  EXPECT_OK(synced.get());
  EXPECT_TRUE(callback_done.load());
  EXPECT_EQ(m->latest_checkpoint(), std::optional<std::string>("/d/ckpt-1"));  // bookkeeping done too
}

TEST_F(ManagerMoreTest, AsyncErrorNobodyAskedForIsLoggedAtDestruction_CO20) {
  ASSERT_OK(fs_->RecursivelyCreateDir("/d/ckpt-1.index"));
  ::testing::internal::CaptureStderr();
  {
    Checkpoint c({{"v", v_.get()}}, Opts());
    ASSERT_OK(c.Save("/d/ckpt", AsyncOpts()));
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("ERROR:ckpt:an asynchronous checkpoint write failed and nobody asked"), std::string::npos)
      << log;
  EXPECT_NE(log.find("ckpt-1"), std::string::npos) << log;
}

TEST_F(ManagerMoreTest, AsyncManagerDestructionWaitsForTheWrite_CO22) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto mo = MOpts();
  mo.save_options = AsyncOpts();
  Gate gate;
  mo.save_options->experimental_write_callbacks.push_back(gate.Hold());
  auto m = Make(c, 1, mo);
  SetF(*v_, 4);
  ASSERT_OK(m->Save());
  auto destroyed = std::async(std::launch::async, [&] { m.reset(); });
  EXPECT_EQ(destroyed.wait_for(150ms), std::future_status::timeout);
  gate.Open();
  destroyed.get();
  // The bookkeeping ran before the manager went.
  EXPECT_EQ(State().model_checkpoint_path, "/d/ckpt-1");
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/ckpt-1"}));
  EXPECT_EQ(ReadFirst("/d/ckpt-1"), 4.0f);
}

TEST_F(ManagerMoreTest, AsyncSaveCountsInTheVisibleSaveCounter_CO24) {
  // Deliberate difference: TF counts async saves in a hidden counter.
  Checkpoint c({{"v", v_.get()}}, Opts());
  Gate gate;
  CheckpointOptions held = AsyncOpts();
  held.experimental_write_callbacks.push_back(gate.Hold());
  EXPECT_EQ(*c.Save("/d/ckpt"), "/d/ckpt-1");
  EXPECT_EQ(*c.Save("/d/ckpt", held), "/d/ckpt-2");
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 2);  // at call time, write still held
  gate.Open();
  EXPECT_EQ(*c.Save("/d/ckpt"), "/d/ckpt-3");  // sync after async: one numbering
  // The staged snapshot holds the incremented counter.
  auto r = graph::testing::OpenBundle(fs_.get(), "/d/ckpt-2");
  ASSERT_TRUE(r);
  auto counter = r->Read("save_counter/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_OK(counter);
  EXPECT_EQ(counter->flat<int64_t>()[0], 2);

  // Through a manager too.
  auto mo = MOpts();
  mo.save_options = AsyncOpts();
  auto m = Make(c, 5, mo);
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-4");
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 4);
  ASSERT_OK(m->Sync());
}

// ---------------------------------------------------------------------------
// The directory lock across processes, on the real disk (CM-29 difference)
// ---------------------------------------------------------------------------

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CKPT_TEST_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CKPT_TEST_UNDER_TSAN 1
#endif

// Exit codes of the child.
constexpr int kChildSaved = 0;
constexpr int kChildRefused = 1;
constexpr int kChildOtherError = 2;
constexpr int kChildCreateFailed = 3;

// Forks a process that builds its own Checkpoint and manager on `dir` and
// saves checkpoint `number` synchronously; returns its exit code.
int SaveInChildProcess(const std::string& dir, int64_t number) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto v = FloatVar({float(number)});
    Checkpoint c({{"v", v.get()}});
    auto m = CheckpointManager::Create(c, dir, 2);
    if (!m.ok()) ::_exit(kChildCreateFailed);
    auto r = (*m)->Save(number);
    if (r.ok()) ::_exit(kChildSaved);
    ::_exit(r.status().code() == StatusCode::kFailedPrecondition ? kChildRefused : kChildOtherError);
  }
  if (pid < 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -2;
  return WEXITSTATUS(status);
}

TEST(ManagerLockProcessTest, SecondProcessIsRefusedWhileTheFirstManagerLives) {
#ifdef CKPT_TEST_UNDER_TSAN
  GTEST_SKIP() << "fork() in a TSan-instrumented process";
#endif
  auto tmp = test::TempDir::Create();
  ASSERT_OK(tmp);
  const std::string dir = tmp->Join("train");
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}});  // POSIX file system
  auto m = CheckpointManager::Create(c, dir, 2);
  ASSERT_OK(m);
  ASSERT_OK((*m)->Save(5));  // takes the lock
  FileSystem* fs = FileSystem::Default();
  EXPECT_OK(fs->FileExists(JoinPath(dir, ".ckpt-manager.lock")));

  EXPECT_EQ(SaveInChildProcess(dir, 6), kChildRefused);
  EXPECT_FALSE(fs->FileExists(JoinPath(dir, "ckpt-6.index")).ok());  // refused before writing
  // The parent's manager still holds it after the child is gone.
  EXPECT_EQ(SaveInChildProcess(dir, 6), kChildRefused);
  ASSERT_OK((*m)->Save(7));

  m->reset();  // releases the lock
  EXPECT_EQ(SaveInChildProcess(dir, 8), kChildSaved);
  EXPECT_OK(fs->FileExists(JoinPath(dir, "ckpt-8.index")));
  auto latest = LatestCheckpoint(dir);
  ASSERT_OK(latest);
  EXPECT_EQ(*latest, std::optional<std::string>(JoinPath(dir, "ckpt-8")));
  // The child's manager adopted [ckpt-5, ckpt-7] and kept max_to_keep=2.
  EXPECT_FALSE(fs->FileExists(JoinPath(dir, "ckpt-5.index")).ok());
  EXPECT_OK(fs->FileExists(JoinPath(dir, "ckpt-7.index")));
}

TEST(ManagerLockProcessTest, ConstructionOnRealDiskCreatesNothing_CM03) {
  auto tmp = test::TempDir::Create();
  ASSERT_OK(tmp);
  auto v = FloatVar({1});
  Checkpoint c({{"v", v.get()}});
  auto m = CheckpointManager::Create(c, tmp->path(), 2);
  ASSERT_OK(m);
  auto children = FileSystem::Default()->GetChildren(tmp->path());
  ASSERT_OK(children);
  EXPECT_TRUE(children->empty());  // the lock file comes with the first Save
  auto missing = CheckpointManager::Create(c, tmp->Join("not/yet"), 2);
  ASSERT_OK(missing);
  EXPECT_FALSE(FileSystem::Default()->FileExists(tmp->Join("not")).ok());
}

}  // namespace
}  // namespace ckpt
