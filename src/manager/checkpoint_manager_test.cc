// CheckpointManager on an in-memory file system with an injected clock:
// construction, numbering, the state file, retention, re-instantiation,
// the interval rule, restore_or_initialize, and the deliberate differences
// (deletion confinement, the directory lock).
#include "ckpt/checkpoint_manager.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ckpt/checkpoint_state.h"
#include "graph/graph_test_helpers.h"
#include "manager/manager_test_fixture.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;
using graph::testing::SetF;

using ManagerTest = testing_manager::ManagerFixture;

TEST_F(ManagerTest, RejectsNonPositiveMaxToKeep_CM01) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = CheckpointManager::Create(c, "/d", 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), "Expected a positive integer or `None` for `max_to_keep`, got 0.");
  EXPECT_FALSE(CheckpointManager::Create(c, "/d", -3).ok());
  EXPECT_OK(CheckpointManager::Create(c, "/d", kKeepAll));
}

TEST_F(ManagerTest, IntervalNeedsStepCounter_CM02) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  CheckpointManagerOptions o;
  o.checkpoint_interval = 2;
  auto m = CheckpointManager::Create(c, "/d", 1, o);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "`step_counter` should be passed if `checkpoint_interval` is not None.");
}

TEST_F(ManagerTest, ConstructionCreatesNothing_CM03) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = CheckpointManager::Create(c, "/d/new/dir", 2);
  ASSERT_OK(m);
  EXPECT_FALSE(fs_->FileExists("/d/new").ok());
  EXPECT_EQ((*m)->directory(), "/d/new/dir");
  EXPECT_FALSE((*m)->latest_checkpoint());
  EXPECT_TRUE((*m)->checkpoints().empty());
}

TEST_F(ManagerTest, NumbersFromSaveCounterAndReturnsPath_CM06_CM07_CM09) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-1");
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-2");
  EXPECT_EQ(*m->latest_checkpoint(), "/d/ckpt-2");
  EXPECT_EQ(*LatestCheckpoint("/d", kDefaultStateFilename, fs_.get()), std::optional<std::string>("/d/ckpt-2"));
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 2);
}

TEST_F(ManagerTest, CustomNameAndNumbers_CM06_CM08) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.checkpoint_name = "ckpt_name";
  auto m = Make(c, 10, o);
  for (int64_t step = 0; step < 10; step += 2) EXPECT_EQ(SaveOk(*m, step), "/d/ckpt_name-" + std::to_string(step));
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 5);
  EXPECT_EQ(SaveOk(*m, 32), "/d/ckpt_name-32");
}

TEST_F(ManagerTest, ResaveSameNumberMovesToNewest_CM10) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  SaveOk(*m, 1);
  SaveOk(*m, 2);
  SaveOk(*m, 1);
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-2", "/d/ckpt-1"}));
  EXPECT_TRUE(Exists("/d/ckpt-1"));
}

TEST_F(ManagerTest, StateFileContent_CM11_CM12) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());  // built at t=3
  now_ = 10000;
  SaveOk(*m);
  now_ = 13610;
  SaveOk(*m);
  CheckpointState st = State();
  EXPECT_EQ(st.model_checkpoint_path, "/d/ckpt-2");
  EXPECT_EQ(st.all_model_checkpoint_paths, (std::vector<std::string>{"/d/ckpt-1", "/d/ckpt-2"}));
  EXPECT_EQ(st.all_model_checkpoint_timestamps, (std::vector<double>{10000, 13610}));
  EXPECT_EQ(st.last_preserved_timestamp, 2.0);
  // On disk the paths are relative (save_relative_paths).
  auto text = fs_->ReadFileToString("/d/checkpoint");
  ASSERT_OK(text);
  EXPECT_NE(text->find("model_checkpoint_path: \"ckpt-2\""), std::string::npos) << *text;
}

TEST_F(ManagerTest, DeletesBeyondMaxToKeep_CM14_CM15) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  std::vector<std::string> paths;
  for (int i = 0; i < 4; ++i) paths.push_back(SaveOk(*m));
  // An unrelated file sharing the prefix survives.
  ASSERT_OK(fs_->NewWritableFile("/d/ckpt-2.notes"));
  SaveOk(*m);
  EXPECT_FALSE(Exists(paths[0]));
  EXPECT_FALSE(fs_->FileExists("/d/ckpt-1.data-00000-of-00001").ok());
  EXPECT_FALSE(Exists(paths[1]));
  EXPECT_OK(fs_->FileExists("/d/ckpt-2.notes"));
  for (int i = 2; i < 4; ++i) EXPECT_TRUE(Exists(paths[i]));
  EXPECT_EQ(m->checkpoints().size(), 3u);
}

TEST_F(ManagerTest, KeepAllAcrossInstances_CM17_CM22) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  std::vector<std::string> paths;
  {
    auto m = Make(c, kKeepAll, MOpts());
    for (int i = 0; i < 3; ++i) {
      now_ += 10;
      paths.push_back(SaveOk(*m));
    }
    EXPECT_EQ(m->checkpoints(), paths);
  }
  auto m2 = Make(c, kKeepAll, MOpts());
  EXPECT_EQ(m2->checkpoints(), paths);
  EXPECT_EQ(*m2->latest_checkpoint(), paths.back());
  now_ += 10;
  paths.push_back(SaveOk(*m2));
  EXPECT_EQ(m2->checkpoints(), paths);
  for (const auto& p : paths) EXPECT_TRUE(Exists(p));
}

TEST_F(ManagerTest, SmallerMaxToKeepPrunesInOneSave_CM16) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  std::vector<std::string> paths;
  {
    auto m = Make(c, kKeepAll, MOpts());
    for (int i = 0; i < 4; ++i) {
      now_ += 10;
      paths.push_back(SaveOk(*m));
    }
  }
  auto m = Make(c, 3, MOpts());
  for (const auto& p : paths) EXPECT_TRUE(Exists(p));  // nothing deleted at construction
  now_ += 10;
  paths.push_back(SaveOk(*m));
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{paths[2], paths[3], paths[4]}));
  EXPECT_FALSE(Exists(paths[0]));
  EXPECT_FALSE(Exists(paths[1]));
}

TEST_F(ManagerTest, KeepEveryNHoursAcrossInstances_CM19_CM20) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  {
    auto m = Make(c, 2, MOpts());
    now_ = 10000;
    SaveOk(*m);
    now_ = 13610;
    SaveOk(*m);
  }
  auto o = MOpts();
  o.keep_checkpoint_every_n_hours = 1.5;
  {
    auto m = Make(c, 2, o);
    now_ = 14330;
    SaveOk(*m);
    EXPECT_DOUBLE_EQ(m->last_preserved_timestamp(), 10000);
    now_ = 16130;
    SaveOk(*m);
    now_ = 17930;
    SaveOk(*m);
  }
  auto m = Make(c, 2, o);
  now_ = 17940;
  SaveOk(*m);
  EXPECT_DOUBLE_EQ(m->last_preserved_timestamp(), 16130);
  for (int i : {1, 4, 5, 6}) EXPECT_TRUE(Exists("/d/ckpt-" + std::to_string(i))) << i;
  for (int i : {2, 3}) EXPECT_FALSE(Exists("/d/ckpt-" + std::to_string(i))) << i;
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-5", "/d/ckpt-6"}));
  EXPECT_EQ(State().last_preserved_timestamp, 16130);
}

TEST_F(ManagerTest, ClockReset_CM21_CM24) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/ckpt-3", {.all_paths = {"/d/ckpt-3"}, .timestamps = {17200},
                                                        .last_preserved_timestamp = 13600, .save_relative_paths = true,
                                                        .fs = fs_.get()})
                  .ok());
  for (int i : {2, 3}) {
    CheckpointOptions wo = Opts();
    Checkpoint other({{"v", v_.get()}}, wo);
    ASSERT_OK(other.Write("/d/ckpt-" + std::to_string(i)));
  }
  c.save_counter().flat<int64_t>()[0] = 3;
  now_ = 5000;
  auto m = Make(c, 1, MOpts());
  EXPECT_EQ(*m->latest_checkpoint(), "/d/ckpt-3");
  EXPECT_TRUE(m->checkpoints().empty());
  now_ = 5010;
  SaveOk(*m);
  now_ = 5020;
  SaveOk(*m);
  EXPECT_FALSE(Exists("/d/ckpt-4"));
  EXPECT_TRUE(Exists("/d/ckpt-2"));
  EXPECT_TRUE(Exists("/d/ckpt-3"));
  CheckpointState st = State();
  EXPECT_EQ(st.last_preserved_timestamp, 5000);
  EXPECT_EQ(st.all_model_checkpoint_timestamps, (std::vector<double>{5020}));
}

TEST_F(ManagerTest, ContinueFromUnmanaged_CM25_CM26) {
  {
    Checkpoint c({{"v", v_.get()}}, Opts());
    ASSERT_OK(c.Save("/d/unusual_prefix"));
    ASSERT_OK(c.Save("/d/unusual_prefix"));
  }
  Checkpoint c({{"v", v_.get()}}, Opts());
  now_ = 100;
  auto m = Make(c, 2, MOpts());
  EXPECT_EQ(*m->latest_checkpoint(), "/d/unusual_prefix-2");
  EXPECT_TRUE(m->checkpoints().empty());
  auto restored = m->RestoreOrInitialize();
  ASSERT_OK(restored);
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 2);
  now_ = 101;
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-3");
  now_ = 102;
  SaveOk(*m);
  now_ = 103;
  SaveOk(*m);
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-4", "/d/ckpt-5"}));
  EXPECT_TRUE(Exists("/d/unusual_prefix-1"));
  EXPECT_TRUE(Exists("/d/unusual_prefix-2"));
  EXPECT_FALSE(Exists("/d/ckpt-3"));
}

TEST_F(ManagerTest, InvalidStateFile_CM28) {
  auto f = fs_->NewWritableFile("/d/checkpoint");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Close());
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = CheckpointManager::Create(c, "/d", 2);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), "Invalid checkpoint state loaded from /d");
}

TEST_F(ManagerTest, LaterCheckpointSaveTakesOverStateFile_CM30) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  {
    auto m = Make(c, 1, MOpts());
    SaveOk(*m);
  }
  ASSERT_OK(c.Save("/d/other"));
  auto m = Make(c, 1, MOpts());
  EXPECT_TRUE(m->checkpoints().empty());
  SaveOk(*m);
  SaveOk(*m);
  EXPECT_TRUE(Exists("/d/ckpt-1"));  // no longer managed, never deleted
}

TEST_F(ManagerTest, IntervalSaving_CM31_CM33_CM38) {
  auto step = std::make_unique<Variable>(DType::kInt64, TensorShape{});
  Checkpoint c({{"v", v_.get()}, {"step", step.get()}}, Opts());
  auto o = MOpts();
  o.step_counter = step.get();
  o.checkpoint_interval = 2;
  auto m = Make(c, 10, o);
  EXPECT_EQ(m->checkpoint_interval(), std::optional<int64_t>(2));
  auto at = [&](int64_t s, bool check = true) {
    step->flat<int64_t>()[0] = s;
    auto r = m->Save(std::nullopt, check);
    EXPECT_OK(r);
    return r.ok() && r->has_value();
  };
  EXPECT_TRUE(at(0));
  EXPECT_FALSE(at(1));
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 1);  // CM-33
  EXPECT_TRUE(at(2));
  EXPECT_FALSE(at(2));
  EXPECT_FALSE(at(3));
  EXPECT_TRUE(at(3, false));
  EXPECT_EQ(m->checkpoints().size(), 3u);

  // CM-38: after restore_or_initialize an immediate save at the restored step is skipped.
  auto m2 = Make(c, 10, o);
  step->flat<int64_t>()[0] = 99;
  ASSERT_OK(m2->RestoreOrInitialize());
  EXPECT_EQ(step->flat<int64_t>()[0], 3);
  auto skipped = m2->Save(std::nullopt, /*check_interval=*/false);
  ASSERT_OK(skipped);
  EXPECT_FALSE(skipped->has_value());
}

TEST_F(ManagerTest, LastCheckpointStep_CM36) {
  auto step = std::make_unique<Variable>(DType::kInt32, TensorShape{});
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.step_counter = step.get();
  o.checkpoint_interval = 2;
  o.last_checkpoint_step = 1;
  auto m = Make(c, 10, o);
  std::vector<bool> saved;
  for (int32_t s : {1, 2, 3}) {
    step->flat<int32_t>()[0] = s;
    auto r = m->Save();
    ASSERT_OK(r);
    saved.push_back(r->has_value());
  }
  EXPECT_EQ(saved, (std::vector<bool>{false, false, true}));
}

TEST_F(ManagerTest, RestoreOrInitialize_CM37_CM39) {
  int init_calls = 0;
  auto o = MOpts();
  o.init_fn = [&] {
    ++init_calls;
    return OkStatus();
  };
  {
    Checkpoint c({{"v", v_.get()}}, Opts());
    auto m = Make(c, 2, o);
    auto r = m->RestoreOrInitialize();
    ASSERT_OK(r);
    EXPECT_FALSE(r->has_value());
    EXPECT_EQ(init_calls, 1);
    SaveOk(*m);
  }
  SetF(*v_, 42);
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, o);
  auto r = m->RestoreOrInitialize();
  ASSERT_OK(r);
  EXPECT_EQ(**r, "/d/ckpt-1");
  EXPECT_EQ(F(*v_), 1.0f);
  EXPECT_EQ(init_calls, 1);
}

TEST_F(ManagerTest, InitFnErrorIsReturned_CM39) {
  auto o = MOpts();
  o.init_fn = [] { return InternalError("init failed"); };
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, o);
  auto r = m->RestoreOrInitialize();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "init failed");
}

TEST_F(ManagerTest, CallbacksSeePreSaveBookkeeping_CO11_CM41) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 1, MOpts());
  SaveOk(*m);
  CheckpointOptions so = Opts();
  std::vector<std::string> seen;
  so.experimental_write_callbacks.push_back([&](const std::string& path) {
    seen.push_back(path);
    seen.push_back(m->latest_checkpoint().value_or(""));
    seen.push_back(Exists("/d/ckpt-1") ? "old kept" : "old gone");
    return OkStatus();
  });
  auto r = m->Save(so);
  ASSERT_OK(r);
  EXPECT_EQ(seen, (std::vector<std::string>{"/d/ckpt-2", "/d/ckpt-1", "old kept"}));
  EXPECT_FALSE(Exists("/d/ckpt-1"));
  EXPECT_EQ(so.experimental_write_callbacks.size(), 1u);  // CO-13
}

TEST_F(ManagerTest, FailingCallbackLeavesCheckpointUntracked_CO12) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 1, MOpts());
  SaveOk(*m);
  CheckpointOptions so = Opts();
  so.experimental_write_callbacks.push_back([](const std::string&) { return InternalError("callback failed"); });
  auto r = m->Save(so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "callback failed");
  EXPECT_TRUE(Exists("/d/ckpt-2"));  // files on disk ...
  EXPECT_EQ(*m->latest_checkpoint(), "/d/ckpt-1");  // ... but not recorded
  EXPECT_TRUE(Exists("/d/ckpt-1"));
}

TEST_F(ManagerTest, StateFileNamingOtherDirectoriesNeverDeletesThere) {
  ASSERT_OK(fs_->CreateDir("/precious"));
  Checkpoint other({{"v", v_.get()}}, Opts());
  ASSERT_OK(other.Write("/precious/ckpt-1"));
  ASSERT_OK(other.Write("/d/model"));
  // A hostile or stale state file lists files outside the directory and a
  // non-checkpoint name inside it, with timestamps that make them active.
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/model", {.all_paths = {"/precious/ckpt-1", "/d/model"},
                                                       .timestamps = {50, 60}, .last_preserved_timestamp = 1,
                                                       .fs = fs_.get()})
                  .ok());
  Checkpoint c({{"v", v_.get()}}, Opts());
  now_ = 100;
  auto m = Make(c, 1, MOpts());
  EXPECT_EQ(m->checkpoints().size(), 2u);
  now_ = 101;
  SaveOk(*m);
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-1"}));
  EXPECT_TRUE(Exists("/precious/ckpt-1"));
  EXPECT_TRUE(Exists("/d/model"));
}

TEST_F(ManagerTest, SecondManagerOnSameDirectoryIsRefused) {
  Checkpoint c1({{"v", v_.get()}}, Opts());
  Checkpoint c2({{"v", v_.get()}}, Opts());
  auto m1 = Make(c1, 2, MOpts());
  auto m2 = Make(c2, 2, MOpts());
  SaveOk(*m1);
  auto r = m2->Save();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("another CheckpointManager is managing /d"), std::string::npos);
  EXPECT_EQ(c2.save_counter().flat<int64_t>()[0], 0);
  m1.reset();  // the lock goes with the manager
  EXPECT_EQ(SaveOk(*m2), "/d/ckpt-1");
  // Opting out of the lock.
  auto o = MOpts();
  o.lock_directory = false;
  auto m3 = Make(c1, 2, o);
  EXPECT_OK(m3->Save());
}

TEST_F(ManagerTest, SaveFailureRollsBackTheCounterAndKeepsState) {
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 2, MOpts());
  SaveOk(*m);
  // A directory where the bundle's index must go makes the write fail.
  ASSERT_OK(fs_->CreateDir("/d/ckpt-2.index"));
  auto r = m->Save();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(c.save_counter().flat<int64_t>()[0], 1);
  EXPECT_EQ(*m->latest_checkpoint(), "/d/ckpt-1");
  EXPECT_EQ(m->checkpoints(), (std::vector<std::string>{"/d/ckpt-1"}));
}


// Issue 14: a run killed mid-save leaves temp files and index-less data; the
// next manager's first save (holding the lock) removes exactly those.
TEST_F(ManagerTest, FirstSaveRemovesWhatAnInterruptedSaveLeft) {
  auto touch = [this](const std::string& name) {
    auto f = fs_->NewWritableFile("/d/" + name);
    ASSERT_TRUE(f.ok() && (*f)->Append("x").ok() && (*f)->Close().ok()) << name;
  };
  {
    Checkpoint c({{"v", v_.get()}}, Opts());
    auto m = Make(c, 3, MOpts());
    SaveOk(*m);
    SaveOk(*m);
  }
  const std::vector<std::string> litter = {"ckpt-3.data-00000-of-00001", "ckpt-3.index.tmp0123456789abcdef",
                                           "ckpt-4.data-00000-of-00001.tempstate42", "checkpoint.tmpabcdef"};
  const std::vector<std::string> kept = {"ckpt-9.index", "ckpt-9.data-00000-of-00001", "notes.txt",
                                         "other-3.data-00000-of-00001"};
  for (const auto& f : litter) touch(f);
  for (const auto& f : kept) touch(f);
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto m = Make(c, 3, MOpts());
  for (const auto& f : litter) EXPECT_TRUE(fs_->FileExists("/d/" + f).ok()) << "gone before the first save: " << f;
  EXPECT_EQ(SaveOk(*m), "/d/ckpt-1");  // a fresh save_counter (nothing restored)
  for (const auto& f : litter) EXPECT_FALSE(fs_->FileExists("/d/" + f).ok()) << "litter kept: " << f;
  for (const auto& f : kept) EXPECT_TRUE(fs_->FileExists("/d/" + f).ok()) << "not litter, deleted: " << f;
  EXPECT_TRUE(Exists("/d/ckpt-1") && Exists("/d/ckpt-2"));
}

TEST_F(ManagerTest, WithoutTheLockNothingIsTakenForLitter) {
  for (const char* f : {"/d/ckpt-3.data-00000-of-00001", "/d/ckpt-4.index.tmpabc"}) {
    auto w = fs_->NewWritableFile(f);
    ASSERT_TRUE(w.ok() && (*w)->Close().ok());
  }
  Checkpoint c({{"v", v_.get()}}, Opts());
  auto o = MOpts();
  o.lock_directory = false;
  auto m = Make(c, 3, o);
  SaveOk(*m);
  EXPECT_OK(fs_->FileExists("/d/ckpt-3.data-00000-of-00001"));
  EXPECT_OK(fs_->FileExists("/d/ckpt-4.index.tmpabc"));
}

}  // namespace
}  // namespace ckpt
