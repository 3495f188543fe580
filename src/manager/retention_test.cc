// The manager's bookkeeping as pure functions (no file system): recovery,
// recording, the sweep, the interval rule and deletion confinement.
#include "manager/retention.h"

#include <gtest/gtest.h>

namespace ckpt::manager {
namespace {

std::vector<std::string> Paths(const ManagerState& s) {
  std::vector<std::string> out;
  for (const auto& c : s.active) out.push_back(c.path);
  return out;
}

CheckpointState Stored(std::vector<std::string> paths, std::vector<double> stamps, double last_preserved) {
  CheckpointState st;
  st.model_checkpoint_path = paths.empty() ? "" : paths.back();
  st.all_model_checkpoint_paths = std::move(paths);
  st.all_model_checkpoint_timestamps = std::move(stamps);
  st.last_preserved_timestamp = last_preserved;
  return st;
}

TEST(RetentionTest, NoStateStartsOneSecondAgo_CM18) {
  Recovery r = Recover(std::nullopt, 1000.0);
  EXPECT_FALSE(r.state.latest);
  EXPECT_TRUE(r.state.active.empty());
  EXPECT_DOUBLE_EQ(r.state.last_preserved_timestamp, 999.0);
  EXPECT_FALSE(r.clock_behind_by);
}

TEST(RetentionTest, RecoversLatestActiveAndTimestamps_CM22) {
  Recovery r = Recover(Stored({"/d/ckpt-1", "/d/ckpt-2"}, {10000, 13610}, 2.0), 14000);
  ASSERT_TRUE(r.state.latest);
  EXPECT_EQ(*r.state.latest, "/d/ckpt-2");
  EXPECT_EQ(Paths(r.state), (std::vector<std::string>{"/d/ckpt-1", "/d/ckpt-2"}));
  EXPECT_DOUBLE_EQ(r.state.active[1].timestamp, 13610);
  EXPECT_DOUBLE_EQ(r.state.last_preserved_timestamp, 2.0);
}

TEST(RetentionTest, TimestampsClampedToNowAndOldOnesLeftOut_CM23) {
  // ckpt-1 is not newer than last_preserved: treated as preserved.
  Recovery r = Recover(Stored({"ckpt-1", "ckpt-2", "ckpt-3"}, {100, 200, 9000}, 100), 5000);
  EXPECT_EQ(Paths(r.state), (std::vector<std::string>{"ckpt-2", "ckpt-3"}));
  EXPECT_DOUBLE_EQ(r.state.active[1].timestamp, 5000);  // clamped
}

TEST(RetentionTest, ClockBehindLastPreserved_CM24) {
  Recovery r = Recover(Stored({"ckpt-2", "ckpt-3"}, {13600, 17200}, 13600), 5000);
  ASSERT_TRUE(r.clock_behind_by);
  EXPECT_DOUBLE_EQ(*r.clock_behind_by, 8600);
  EXPECT_DOUBLE_EQ(r.state.last_preserved_timestamp, 5000);
  // ckpt-3 clamps to 5000, not newer than 5000: nothing active; latest kept.
  EXPECT_TRUE(r.state.active.empty());
  EXPECT_EQ(*r.state.latest, "ckpt-3");
}

TEST(RetentionTest, StateWithoutTimestampsIsNeverManaged_CM25) {
  Recovery r = Recover(Stored({"u-1", "u-2"}, {}, 0), 5000);
  EXPECT_EQ(*r.state.latest, "u-2");
  EXPECT_TRUE(r.state.active.empty());
}

TEST(RetentionTest, ResaveMovesEntryToNewest_CM10) {
  ManagerState s;
  RecordCheckpoint(s, "a-1", 1);
  RecordCheckpoint(s, "a-2", 2);
  RecordCheckpoint(s, "a-1", 3);
  EXPECT_EQ(Paths(s), (std::vector<std::string>{"a-2", "a-1"}));
  EXPECT_EQ(*s.latest, "a-1");
  EXPECT_DOUBLE_EQ(s.active[1].timestamp, 3);
}

TEST(RetentionTest, DeletesOldestBeyondMaxToKeep_CM14) {
  ManagerState s;
  s.last_preserved_timestamp = 0;
  for (int i = 1; i <= 4; ++i) RecordCheckpoint(s, "c-" + std::to_string(i), i);
  SweepResult r = Sweep(s, RetentionPolicy{3, std::nullopt});
  EXPECT_EQ(r.deleted, (std::vector<std::string>{"c-1"}));
  EXPECT_TRUE(r.preserved.empty());
  EXPECT_EQ(Paths(s), (std::vector<std::string>{"c-2", "c-3", "c-4"}));
}

TEST(RetentionTest, SmallerMaxToKeepDeletesSeveralInOneSweep_CM16) {
  ManagerState s;
  for (int i = 1; i <= 5; ++i) RecordCheckpoint(s, "c-" + std::to_string(i), i);
  SweepResult r = Sweep(s, RetentionPolicy{3, std::nullopt});
  EXPECT_EQ(r.deleted, (std::vector<std::string>{"c-1", "c-2"}));
  EXPECT_EQ(Paths(s), (std::vector<std::string>{"c-3", "c-4", "c-5"}));
}

TEST(RetentionTest, KeepAllNeverDeletes_CM17) {
  ManagerState s;
  for (int i = 1; i <= 10; ++i) RecordCheckpoint(s, "c-" + std::to_string(i), i);
  SweepResult r = Sweep(s, RetentionPolicy{std::nullopt, 1.0});
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(s.active.size(), 10u);
}

// The worked example of CM-20 (max 2, keep 1.5 h), across three managers.
TEST(RetentionTest, KeepEveryNHoursWorkedExample_CM19_CM20) {
  // Manager 1 (no keep option), built at t=3: last_preserved = 2.
  ManagerState m1 = Recover(std::nullopt, 3).state;
  RecordCheckpoint(m1, "ckpt-1", 10000);
  EXPECT_TRUE(Sweep(m1, {2, std::nullopt}).deleted.empty());
  RecordCheckpoint(m1, "ckpt-2", 13610);
  EXPECT_TRUE(Sweep(m1, {2, std::nullopt}).deleted.empty());
  CheckpointState file = Stored({"ckpt-1", "ckpt-2"}, {10000, 13610}, m1.last_preserved_timestamp);
  EXPECT_DOUBLE_EQ(m1.last_preserved_timestamp, 2.0);  // CM-11

  // Manager 2 (keep 1.5 h) at 13620.
  ManagerState m2 = Recover(file, 13620).state;
  const RetentionPolicy keep{2, 1.5};
  RecordCheckpoint(m2, "ckpt-3", 14330);
  SweepResult r = Sweep(m2, keep);
  EXPECT_EQ(r.preserved, (std::vector<std::string>{"ckpt-1"}));
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_DOUBLE_EQ(m2.last_preserved_timestamp, 10000);
  RecordCheckpoint(m2, "ckpt-4", 16130);
  EXPECT_EQ(Sweep(m2, keep).deleted, (std::vector<std::string>{"ckpt-2"}));
  RecordCheckpoint(m2, "ckpt-5", 17930);
  EXPECT_EQ(Sweep(m2, keep).deleted, (std::vector<std::string>{"ckpt-3"}));
  EXPECT_DOUBLE_EQ(m2.last_preserved_timestamp, 10000);

  // Manager 3 at 17935.
  CheckpointState file2 = Stored(Paths(m2), {16130, 17930}, m2.last_preserved_timestamp);
  ManagerState m3 = Recover(file2, 17935).state;
  RecordCheckpoint(m3, "ckpt-6", 17940);
  r = Sweep(m3, keep);
  EXPECT_EQ(r.preserved, (std::vector<std::string>{"ckpt-4"}));
  EXPECT_DOUBLE_EQ(m3.last_preserved_timestamp, 16130);
  EXPECT_EQ(Paths(m3), (std::vector<std::string>{"ckpt-5", "ckpt-6"}));
}

TEST(RetentionTest, ZeroHoursMeansNoPreservation_CM19) {
  // TF tests the option for truthiness: 0 hours preserves nothing.
  ManagerState s;
  for (int i = 1; i <= 3; ++i) RecordCheckpoint(s, "c-" + std::to_string(i), 1000.0 * i);
  SweepResult r = Sweep(s, RetentionPolicy{1, 0.0});
  EXPECT_TRUE(r.preserved.empty());
  EXPECT_EQ(r.deleted, (std::vector<std::string>{"c-1", "c-2"}));
}

TEST(RetentionTest, WithoutKeepOptionLastPreservedIsCarried_CM21) {
  ManagerState s = Recover(Stored({"c-1"}, {500}, 400), 600).state;
  RecordCheckpoint(s, "c-2", 700);
  RecordCheckpoint(s, "c-3", 800);
  Sweep(s, {1, std::nullopt});
  EXPECT_DOUBLE_EQ(s.last_preserved_timestamp, 400);
}

TEST(RetentionTest, IntervalRule_CM31_CM32_CM35) {
  // k = 2: step 0 saves, 1 skipped, 2 saves, 2 again skipped, 3 skipped,
  // 3 without the interval check saves.
  std::optional<int64_t> last;
  auto save = [&](int64_t step, bool check) {
    if (SkipForInterval(last, step, 2, check)) return false;
    last = step;
    return true;
  };
  EXPECT_TRUE(save(0, true));
  EXPECT_FALSE(save(1, true));
  EXPECT_TRUE(save(2, true));
  EXPECT_FALSE(save(2, true));
  EXPECT_FALSE(save(3, true));
  EXPECT_TRUE(save(3, false));
  EXPECT_FALSE(save(3, false));  // CM-32: same step even without the check
  // CM-35: the step goes backwards.
  EXPECT_FALSE(save(1, true));
  EXPECT_TRUE(save(1, false));
}

TEST(RetentionTest, LastCheckpointStepSeed_CM36) {
  std::optional<int64_t> last = 1;
  EXPECT_TRUE(SkipForInterval(last, 1, 2, true));
  EXPECT_TRUE(SkipForInterval(last, 2, 2, true));
  EXPECT_FALSE(SkipForInterval(last, 3, 2, true));
}

TEST(RetentionTest, DeletableFilesAreIndexThenDataOnly_CM15) {
  const std::vector<std::string> children = {"ckpt-1.index", "ckpt-1.data-00000-of-00002",
                                             "ckpt-1.data-00001-of-00002", "ckpt-1.meta", "ckpt-1.index.bak",
                                             "ckpt-10.index", "ckpt-1.data-0-of-1", "checkpoint"};
  EXPECT_EQ(DeletableFiles("/d", "/d/ckpt-1", children),
            (std::vector<std::string>{"ckpt-1.index", "ckpt-1.data-00000-of-00002", "ckpt-1.data-00001-of-00002"}));
}

TEST(RetentionTest, DeletionIsConfinedToTheDirectory) {
  const std::vector<std::string> children = {"ckpt-1.index", "model.index", "ckpt-x.index"};
  EXPECT_TRUE(DeletableFiles("/d", "/elsewhere/ckpt-1", children).empty());
  EXPECT_TRUE(DeletableFiles("/d", "/d/sub/ckpt-1", children).empty());
  EXPECT_TRUE(DeletableFiles("/d", "/d/model", children).empty());   // not <name>-<digits>
  EXPECT_TRUE(DeletableFiles("/d", "/d/ckpt-x", children).empty());
  EXPECT_TRUE(DeletableFiles("/d", "/d/ckpt-*", children).empty());  // no glob expansion
  EXPECT_TRUE(DeletableFiles("/d", "/d/-1", {"-1.index"}).empty());
  EXPECT_EQ(DeletableFiles("/d/", "/d/./ckpt-1", children), (std::vector<std::string>{"ckpt-1.index"}));
  EXPECT_EQ(DeletableFiles("d", "d/ckpt-1", children), (std::vector<std::string>{"ckpt-1.index"}));
}

// Issue 14: what a killed save leaves, and what must never be taken for it.
TEST(RetentionTest, LitterIsTempFilesAndDataWithoutIndex) {
  const std::vector<std::string> children = {
      "checkpoint", ".ckpt-manager.lock",
      "ckpt-1.index", "ckpt-1.data-00000-of-00001",                      // complete, listed
      "ckpt-2.index", "ckpt-2.data-00000-of-00002", "ckpt-2.data-00001-of-00002",  // complete, unlisted
      "ckpt-3.data-00000-of-00001",                                      // index never published
      "ckpt-4.data-00000-of-00001.tempstate15020431964194460966",        // TF / older ckpt temp
      "ckpt-4.index.tmp0123456789abcdef0123456789abcdef",                // io::TempFileName
      "checkpoint.tmp0123456789abcdef0123456789abcdef",                  // state file temp
      "ckpt-5.data-00000-of-00001.tmp",                                  // no hex: not ours
      "other-3.data-00000-of-00001", "other-3.index.tmpabc",             // another name
      "ckpt-x.data-00000-of-00001", "ckpt-.data-00000-of-00001",         // not numbered
      "notes.txt", "ckpt-6.index.bak", "ckpt-7.data-0-of-1",             // user files
  };
  EXPECT_EQ(Litter("ckpt", "checkpoint", children),
            (std::vector<std::string>{"checkpoint.tmp0123456789abcdef0123456789abcdef",
                                      "ckpt-3.data-00000-of-00001",
                                      "ckpt-4.data-00000-of-00001.tempstate15020431964194460966",
                                      "ckpt-4.index.tmp0123456789abcdef0123456789abcdef"}));
}

TEST(RetentionTest, LitterNamesWithDotsAndNothingForEmptyName) {
  const std::vector<std::string> children = {"model.ckpt-9.data-00000-of-00001", "model.ckpt-8.index",
                                             "model.ckpt-8.data-00000-of-00001", "ckpt-9.data-00000-of-00001"};
  EXPECT_EQ(Litter("model.ckpt", "checkpoint", children),
            (std::vector<std::string>{"model.ckpt-9.data-00000-of-00001"}));
  EXPECT_TRUE(Litter("", "checkpoint", children).empty());
  EXPECT_TRUE(Litter("ckpt", "checkpoint", {}).empty());
}

TEST(RetentionTest, DistributedTempDirsAreTheManagersNumberedPartDirectoriesOnly) {
  const std::vector<std::string> children = {"ckpt-7_temp", "ckpt-12_temp", "ckpt-_temp", "ckpt_temp",
                                             "other-7_temp", "ckpt-7", "ckpt-7.index", "ckpt-x_temp",
                                             "xckpt-7_temp", "ckpt-7_temp2"};
  EXPECT_EQ(DistributedTempDirs("ckpt", children), (std::vector<std::string>{"ckpt-12_temp", "ckpt-7_temp"}));
  EXPECT_EQ(DistributedTempDirs("", children), std::vector<std::string>{});
}

TEST(RetentionTest, OnlyPartFilesAreDeletableInsideAPartDirectory) {
  EXPECT_TRUE(IsDistributedPartFile("part-00001-of-00004.index"));
  EXPECT_TRUE(IsDistributedPartFile("part-00001-of-00004.data-00000-of-00001"));
  EXPECT_TRUE(IsDistributedPartFile("part-00001-of-00004.index.tmp1a2b"));
  EXPECT_FALSE(IsDistributedPartFile("notes.txt"));
  EXPECT_FALSE(IsDistributedPartFile("part-1-of-4.index"));
  EXPECT_FALSE(IsDistributedPartFile("part-00001-of-00004"));
  EXPECT_FALSE(IsDistributedPartFile("part-00001-of-00004.meta"));
}

}  // namespace
}  // namespace ckpt::manager
