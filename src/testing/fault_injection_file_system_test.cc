// The crash model of FaultInjectionFileSystem (what survives SimulateCrash)
// and its failure injection (FailAfter, CrashAfter, the call counter).
#include "testing/fault_injection_file_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testing/call_recording_file_system.h"
#include "testing/temp_dir.h"
#include "testing/status_matchers.h"

namespace ckpt::test {
namespace {

using test::StatusOf;
using Contents = std::optional<std::string>;  // nullopt: the file does not exist

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(fs_->CreateDir("/d"));
    ASSERT_OK(fs_->SyncDir("/"));
  }

  // Writes `contents` to `path`, Sync()ing before Close() when `sync`.
  void Write(const std::string& path, const std::string& contents, bool sync = true) {
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(contents));
    if (sync) ASSERT_OK((*f)->Sync());
    ASSERT_OK((*f)->Close());
  }

  // A durable file: written, synced, and its directory synced.
  void WriteDurable(const std::string& path, const std::string& contents) {
    Write(path, contents);
    ASSERT_OK(fs_->SyncDir(std::string(Dirname(path))));
  }

  Contents Get(const std::string& path) {
    auto r = fs_->ReadFileToString(path);
    if (r.status().code() == StatusCode::kNotFound) return std::nullopt;
    EXPECT_OK(r);
    return r.ok() ? Contents(*r) : std::nullopt;
  }

  void Crash() { ASSERT_OK(fs_->SimulateCrash()); }

  std::unique_ptr<FaultInjectionFileSystem> fs_ = std::make_unique<FaultInjectionFileSystem>(NewMemoryFileSystem());
};

// ---- file contents ----------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, UnsyncedAppendsAreLost) {
  auto f = fs_->NewWritableFile("/d/f");
  ASSERT_OK(f);
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK((*f)->Append("abc"));
  ASSERT_OK((*f)->Sync());
  ASSERT_OK((*f)->Append("def"));
  ASSERT_OK((*f)->Close());
  EXPECT_EQ(Get("/d/f"), "abcdef");  // the live view has everything
  Crash();
  EXPECT_EQ(Get("/d/f"), "abc");
}

TEST_F(FaultInjectionFileSystemTest, CloseDoesNotMakeDataDurable) {
  Write("/d/f", "never synced", /*sync=*/false);
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_EQ(Get("/d/f"), "");  // the name is durable, the bytes are not
}

TEST_F(FaultInjectionFileSystemTest, SyncedDataIsKept) {
  WriteDurable("/d/f", "all of it");
  Crash();
  EXPECT_EQ(Get("/d/f"), "all of it");
}

TEST_F(FaultInjectionFileSystemTest, DataSyncedAfterTheDirectoryIsKept) {
  auto f = fs_->NewWritableFile("/d/f");
  ASSERT_OK(f);
  ASSERT_OK(fs_->SyncDir("/d"));  // the name first ...
  ASSERT_OK((*f)->Append("late"));
  ASSERT_OK((*f)->Sync());  // ... the bytes later: both durable
  Crash();
  EXPECT_EQ(Get("/d/f"), "late");
}

TEST_F(FaultInjectionFileSystemTest, TruncationIsDurableAtOnce) {
  WriteDurable("/d/f", "old contents");
  Write("/d/f", "new", /*sync=*/false);
  Crash();
  EXPECT_EQ(Get("/d/f"), "");  // neither old nor new: the pessimistic outcome
}

TEST_F(FaultInjectionFileSystemTest, SyncThroughAStaleHandleChangesNothing) {
  auto first = fs_->NewWritableFile("/d/f");
  ASSERT_OK(first);
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK((*first)->Append("first"));
  auto second = fs_->NewWritableFile("/d/f");  // re-creates (truncates) the file
  ASSERT_OK(second);
  ASSERT_OK((*second)->Append("2"));
  ASSERT_OK((*first)->Append(" more"));
  ASSERT_OK((*first)->Sync());  // through the old handle: not the file's bytes any more
  Crash();
  EXPECT_EQ(Get("/d/f"), "");
}

TEST_F(FaultInjectionFileSystemTest, DeletedFileComesBackWithWhatWasSyncedBeforeTheDelete) {
  auto f = fs_->NewWritableFile("/d/f");
  ASSERT_OK(f);
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK((*f)->Append("synced"));
  ASSERT_OK((*f)->Sync());
  ASSERT_OK(fs_->DeleteFile("/d/f"));
  ASSERT_OK((*f)->Append(" after delete"));
  Crash();
  EXPECT_EQ(Get("/d/f"), "synced");
}

TEST_F(FaultInjectionFileSystemTest, CrashWithNothingPendingChangesNothing) {
  WriteDurable("/d/f", "x");
  Crash();
  Crash();
  EXPECT_EQ(Get("/d/f"), "x");
  auto children = fs_->GetChildren("/");
  ASSERT_OK(children);
  EXPECT_EQ(*children, std::vector<std::string>{"d"});
}

// ---- names ---------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, NewFileWithoutDirectorySyncDisappears) {
  Write("/d/f", "synced data");
  Crash();
  EXPECT_EQ(Get("/d/f"), std::nullopt);
  auto children = fs_->GetChildren("/d");
  ASSERT_OK(children);
  EXPECT_TRUE(children->empty());
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedRenameIsUndone) {
  WriteDurable("/d/tmp", "payload");
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  Crash();
  EXPECT_EQ(Get("/d/tmp"), "payload");
  EXPECT_EQ(Get("/d/final"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, SyncedRenameIsKept) {
  WriteDurable("/d/tmp", "payload");
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_EQ(Get("/d/tmp"), std::nullopt);
  EXPECT_EQ(Get("/d/final"), "payload");
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedRenameOverAFileRestoresBoth) {
  WriteDurable("/d/final", "old");
  WriteDurable("/d/tmp", "new");
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  EXPECT_EQ(Get("/d/final"), "new");
  Crash();
  EXPECT_EQ(Get("/d/final"), "old");
  EXPECT_EQ(Get("/d/tmp"), "new");
}

TEST_F(FaultInjectionFileSystemTest, SyncedRenameOverAFileReplacesIt) {
  WriteDurable("/d/final", "old");
  WriteDurable("/d/tmp", "new");
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_EQ(Get("/d/final"), "new");
  EXPECT_EQ(Get("/d/tmp"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, RenameOfAFileWhoseDataWasNeverSynced) {
  Write("/d/tmp", "unsynced", /*sync=*/false);
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_EQ(Get("/d/final"), "");  // what a protocol that forgets Sync() before rename gets
}

TEST_F(FaultInjectionFileSystemTest, DataSyncedThroughARenamedFileFollowsIt) {
  auto f = fs_->NewWritableFile("/d/tmp");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("part one,"));
  ASSERT_OK(fs_->RenameFile("/d/tmp", "/d/final"));
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK((*f)->Append(" part two"));
  ASSERT_OK((*f)->Sync());
  ASSERT_OK((*f)->Close());
  Crash();
  EXPECT_EQ(Get("/d/final"), "part one, part two");
}

TEST_F(FaultInjectionFileSystemTest, RenameAcrossDirectoriesIsDurablePerDirectory) {
  ASSERT_OK(fs_->CreateDir("/e"));
  ASSERT_OK(fs_->SyncDir("/"));
  struct Case {
    bool sync_source, sync_target;
    Contents source, target;
  };
  for (const Case& c : {Case{false, false, "x", std::nullopt}, Case{false, true, "x", "x"},
                        Case{true, false, std::nullopt, std::nullopt}, Case{true, true, std::nullopt, "x"}}) {
    SCOPED_TRACE(::testing::Message() << "sync source " << c.sync_source << ", sync target " << c.sync_target);
    WriteDurable("/d/f", "x");
    ASSERT_OK(fs_->RenameFile("/d/f", "/e/g"));
    if (c.sync_source) ASSERT_OK(fs_->SyncDir("/d"));
    if (c.sync_target) ASSERT_OK(fs_->SyncDir("/e"));
    Crash();
    EXPECT_EQ(Get("/d/f"), c.source);
    EXPECT_EQ(Get("/e/g"), c.target);
    // Back to an empty, durable /d and /e for the next case.
    for (const char* p : {"/d/f", "/e/g"}) {
      if (Get(p)) ASSERT_OK(fs_->DeleteFile(p));
    }
    ASSERT_OK(fs_->SyncDir("/d"));
    ASSERT_OK(fs_->SyncDir("/e"));
  }
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedDeleteIsUndone) {
  auto f = fs_->NewWritableFile("/d/f");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("durable"));
  ASSERT_OK((*f)->Sync());
  ASSERT_OK((*f)->Append(" but not this"));
  ASSERT_OK((*f)->Close());
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK(fs_->DeleteFile("/d/f"));
  EXPECT_EQ(Get("/d/f"), std::nullopt);
  Crash();
  EXPECT_EQ(Get("/d/f"), "durable");
}

TEST_F(FaultInjectionFileSystemTest, SyncedDeleteIsKept) {
  WriteDurable("/d/f", "x");
  ASSERT_OK(fs_->DeleteFile("/d/f"));
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_EQ(Get("/d/f"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, DeleteOfANewFileStaysDeleted) {
  Write("/d/f", "x");
  ASSERT_OK(fs_->DeleteFile("/d/f"));
  Crash();
  EXPECT_EQ(Get("/d/f"), std::nullopt);
}

// ---- directories --------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, UnsyncedCreateDirVanishesWithItsContents) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  WriteDurable("/d/sub/f", "x");  // syncs /d/sub, not /d
  Crash();
  EXPECT_FALSE(fs_->IsDirectory("/d/sub"));
  EXPECT_EQ(Get("/d/sub/f"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, SyncedCreateDirIsKept) {
  ASSERT_OK(fs_->RecursivelyCreateDir("/d/a/b"));
  ASSERT_OK(fs_->SyncDir("/d"));
  ASSERT_OK(fs_->SyncDir("/d/a"));
  WriteDurable("/d/a/b/f", "x");
  Crash();
  EXPECT_TRUE(fs_->IsDirectory("/d/a/b"));
  EXPECT_EQ(Get("/d/a/b/f"), "x");
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedDeleteDirIsUndoneWithItsDurableFiles) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));
  WriteDurable("/d/sub/f", "kept");
  ASSERT_OK(fs_->DeleteFile("/d/sub/f"));
  ASSERT_OK(fs_->DeleteDir("/d/sub"));
  Crash();
  EXPECT_TRUE(fs_->IsDirectory("/d/sub"));
  EXPECT_EQ(Get("/d/sub/f"), "kept");
}

TEST_F(FaultInjectionFileSystemTest, SyncedDeleteDirIsKept) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));
  WriteDurable("/d/sub/f", "x");
  ASSERT_OK(fs_->DeleteFile("/d/sub/f"));
  ASSERT_OK(fs_->DeleteDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));  // the removal of sub is durable, so f cannot come back either
  Crash();
  EXPECT_FALSE(fs_->IsDirectory("/d/sub"));
  EXPECT_EQ(Get("/d/sub/f"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, DirectoryDeletedDurablyAndRecreatedStartsEmpty) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));
  WriteDurable("/d/sub/f", "old");
  ASSERT_OK(fs_->DeleteFile("/d/sub/f"));  // not synced in /d/sub ...
  ASSERT_OK(fs_->DeleteDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));  // ... but sub itself is durably gone
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  EXPECT_TRUE(fs_->IsDirectory("/d/sub"));
  EXPECT_EQ(Get("/d/sub/f"), std::nullopt);  // the old directory's file does not come back
}

TEST_F(FaultInjectionFileSystemTest, DirectoryDeletedAndRecreatedWithoutSyncComesBackAsItWas) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  ASSERT_OK(fs_->SyncDir("/d"));
  WriteDurable("/d/sub/f", "old");
  ASSERT_OK(fs_->DeleteFile("/d/sub/f"));
  ASSERT_OK(fs_->DeleteDir("/d/sub"));
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  WriteDurable("/d/sub/g", "new");  // durable inside the new sub, whose creation is not
  Crash();
  EXPECT_EQ(Get("/d/sub/f"), "old");
  EXPECT_EQ(Get("/d/sub/g"), std::nullopt);
}

TEST_F(FaultInjectionFileSystemTest, DirectoryRenameIsUnimplemented) {
  ASSERT_OK(fs_->CreateDir("/d/sub"));
  EXPECT_CODE(fs_->RenameFile("/d/sub", "/d/other"), StatusCode::kUnimplemented);
  EXPECT_TRUE(fs_->IsDirectory("/d/sub"));
}

// ---- what was there before --------------------------------------------------

TEST(FaultInjectionFileSystemBaseTest, PreexistingFilesCountAsDurable) {
  auto mem = NewMemoryFileSystem();
  ASSERT_OK(mem->CreateDir("/p"));
  for (const char* name : {"/p/a", "/p/b", "/p/untouched"}) {
    auto f = mem->NewWritableFile(name);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(std::string("was ") + name));
    ASSERT_OK((*f)->Close());
  }
  FaultInjectionFileSystem fs(mem.get());
  EXPECT_EQ(fs.base(), mem.get());
  ASSERT_OK(fs.DeleteFile("/p/a"));
  ASSERT_OK(fs.RenameFile("/p/b", "/p/c"));
  auto f = fs.NewWritableFile("/p/new");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Close());
  ASSERT_OK(fs.SimulateCrash());
  EXPECT_EQ(*fs.ReadFileToString("/p/a"), "was /p/a");
  EXPECT_EQ(*fs.ReadFileToString("/p/b"), "was /p/b");
  EXPECT_EQ(*fs.ReadFileToString("/p/untouched"), "was /p/untouched");
  EXPECT_CODE(fs.FileExists("/p/c"), StatusCode::kNotFound);
  EXPECT_CODE(fs.FileExists("/p/new"), StatusCode::kNotFound);
}

// ---- failure injection ---------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, EveryMutatingCallIsCountedAndNoReadIs) {
  const uint64_t start = fs_->mutating_calls();
  auto f = fs_->NewWritableFile("/d/f");  // 1
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("abc"));                        // 2
  ASSERT_OK((*f)->Sync());                               // 3
  ASSERT_OK((*f)->Close());                              // 4
  ASSERT_OK(fs_->SyncDir("/d"));                         // 5
  ASSERT_OK(fs_->RenameFile("/d/f", "/d/g"));            // 6
  ASSERT_OK(fs_->CreateDir("/d/sub"));                   // 7
  ASSERT_OK(fs_->DeleteDir("/d/sub"));                   // 8
  ASSERT_OK(fs_->DeleteFile("/d/g"));                    // 9
  EXPECT_CODE(fs_->DeleteFile("/d/g"), StatusCode::kNotFound);  // 10: failures count too
  EXPECT_EQ(fs_->mutating_calls() - start, 10u);

  // Reads do not count.
  ASSERT_OK(fs_->FileExists("/d"));
  EXPECT_TRUE(fs_->IsDirectory("/d"));
  ASSERT_OK(fs_->GetChildren("/d"));
  ASSERT_OK(fs_->GetMatchingPaths("/d/*"));
  EXPECT_CODE(fs_->NewRandomAccessFile("/d/g"), StatusCode::kNotFound);
  EXPECT_EQ(fs_->mutating_calls() - start, 10u);

  // Helpers count the calls they make: two CreateDir.
  ASSERT_OK(fs_->RecursivelyCreateDir("/d/x/y"));
  EXPECT_EQ(fs_->mutating_calls() - start, 12u);
}

TEST_F(FaultInjectionFileSystemTest, FailAfterFailsExactlyTheNthCallWithoutEffect) {
  fs_->FailAfter(2, StatusCode::kResourceExhausted);
  auto f = fs_->NewWritableFile("/d/f");  // 1: fine
  ASSERT_OK(f);
  const Status s = (*f)->Append("lost");  // 2: fails, writes nothing
  EXPECT_CODE(s, StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("injected"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("/d/f"), std::string::npos) << s.ToString();
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_OK((*f)->Append("kept"));  // 3: fine again
  ASSERT_OK((*f)->Close());
  EXPECT_EQ(Get("/d/f"), "kept");
  EXPECT_FALSE(fs_->power_cut());
}

TEST_F(FaultInjectionFileSystemTest, FailAfterEachKindOfCallLeavesNoTrace) {
  WriteDurable("/d/f", "x");
  fs_->FailAfter(1, StatusCode::kPermissionDenied);
  EXPECT_CODE(fs_->RenameFile("/d/f", "/d/g"), StatusCode::kPermissionDenied);
  EXPECT_EQ(Get("/d/f"), "x");
  EXPECT_EQ(Get("/d/g"), std::nullopt);
  fs_->FailAfter(1, StatusCode::kPermissionDenied);
  EXPECT_CODE(fs_->DeleteFile("/d/f"), StatusCode::kPermissionDenied);
  EXPECT_EQ(Get("/d/f"), "x");
  fs_->FailAfter(1, StatusCode::kPermissionDenied);
  EXPECT_CODE(fs_->CreateDir("/d/sub"), StatusCode::kPermissionDenied);
  EXPECT_FALSE(fs_->IsDirectory("/d/sub"));
  fs_->FailAfter(1, StatusCode::kUnknown);
  EXPECT_CODE(fs_->NewWritableFile("/d/f"), StatusCode::kUnknown);
  EXPECT_EQ(Get("/d/f"), "x");  // not truncated

  // A failed Sync makes nothing durable; a failed SyncDir neither.
  auto f = fs_->NewWritableFile("/d/h");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("data"));
  fs_->FailAfter(1, StatusCode::kDataLoss);
  EXPECT_CODE((*f)->Sync(), StatusCode::kDataLoss);
  ASSERT_OK((*f)->Close());
  fs_->FailAfter(1, StatusCode::kDataLoss);
  EXPECT_CODE(fs_->SyncDir("/d"), StatusCode::kDataLoss);
  Crash();
  EXPECT_EQ(Get("/d/h"), std::nullopt);
  EXPECT_EQ(Get("/d/f"), "x");
}

TEST_F(FaultInjectionFileSystemTest, FailAfterCanBeCancelled) {
  fs_->FailAfter(1, StatusCode::kInternal);
  fs_->FailAfter(1, StatusCode::kOk);
  EXPECT_OK(fs_->CreateDir("/d/a"));
  fs_->FailAfter(1, StatusCode::kInternal);
  fs_->ClearFaults();
  EXPECT_OK(fs_->CreateDir("/d/b"));
  fs_->CrashAfter(1);
  fs_->ClearFaults();
  EXPECT_OK(fs_->CreateDir("/d/c"));
  EXPECT_FALSE(fs_->power_cut());
}

TEST_F(FaultInjectionFileSystemTest, CrashAfterCutsThePowerUntilSimulateCrash) {
  WriteDurable("/d/old", "old");
  auto f = fs_->NewWritableFile("/d/f");
  ASSERT_OK(f);
  fs_->CrashAfter(3);
  ASSERT_OK((*f)->Append("one"));   // 1
  ASSERT_OK((*f)->Sync());          // 2
  const Status cut = (*f)->Append("two");  // 3: the power goes
  EXPECT_CODE(cut, StatusCode::kUnavailable);
  EXPECT_NE(cut.message().find("power"), std::string::npos) << cut.ToString();
  EXPECT_TRUE(fs_->power_cut());
  // Every later mutating call fails too ...
  EXPECT_CODE((*f)->Sync(), StatusCode::kUnavailable);
  EXPECT_CODE((*f)->Close(), StatusCode::kUnavailable);
  EXPECT_CODE(fs_->SyncDir("/d"), StatusCode::kUnavailable);
  EXPECT_CODE(fs_->DeleteFile("/d/old"), StatusCode::kUnavailable);
  EXPECT_CODE(fs_->NewWritableFile("/d/x"), StatusCode::kUnavailable);
  EXPECT_CODE(fs_->CreateDir("/d/x"), StatusCode::kUnavailable);
  // ... while reads still work.
  EXPECT_EQ(Get("/d/old"), "old");
  EXPECT_EQ(Get("/d/f"), "one");

  Crash();
  EXPECT_FALSE(fs_->power_cut());
  EXPECT_EQ(Get("/d/old"), "old");
  EXPECT_EQ(Get("/d/f"), std::nullopt);  // /d was never synced after f was created
  // A handle from before the crash is dead; new calls work.
  EXPECT_CODE((*f)->Append("more"), StatusCode::kFailedPrecondition);
  EXPECT_CODE((*f)->Close(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*f)->Size(), 3u);
  EXPECT_OK(fs_->CreateDir("/d/x"));
}

TEST_F(FaultInjectionFileSystemTest, SimulateCrashCancelsPendingFaults) {
  fs_->FailAfter(2, StatusCode::kInternal);
  fs_->CrashAfter(3);
  Crash();
  for (int i = 0; i < 5; ++i) EXPECT_OK(fs_->SyncDir("/d"));
}

// ---- the pattern the crash tests use -----------------------------------------

// Replaces /d/final with `contents`; `safe` adds the Sync before the rename.
Status ReplaceFile(FileSystem* fs, const std::string& contents, bool safe) {
  auto f = fs->NewWritableFile("/d/final.tmp");
  if (!f.ok()) return f.status();
  Status s = (*f)->Append(contents);
  if (s.ok() && safe) s = (*f)->Sync();
  if (s.ok()) s = (*f)->Close();
  if (s.ok()) s = fs->RenameFile("/d/final.tmp", "/d/final");
  if (s.ok()) s = fs->SyncDir("/d");
  return s;
}

// Runs ReplaceFile with the power cut before each of its steps in turn (and
// once after the last), returning what /d/final holds after each crash.
std::vector<Contents> OutcomesOfEveryCut(bool safe) {
  uint64_t steps = 0;
  {
    FaultInjectionFileSystem fs(NewMemoryFileSystem());
    EXPECT_OK(fs.CreateDir("/d"));
    const uint64_t before = fs.mutating_calls();
    EXPECT_OK(ReplaceFile(&fs, "new", safe));
    steps = fs.mutating_calls() - before;
  }
  std::vector<Contents> out;
  for (uint64_t k = 1; k <= steps + 1; ++k) {
    FaultInjectionFileSystem fs(NewMemoryFileSystem());
    EXPECT_OK(fs.CreateDir("/d"));
    EXPECT_OK(fs.SyncDir("/"));
    {
      auto f = fs.NewWritableFile("/d/final");
      EXPECT_OK(f);
      EXPECT_OK((*f)->Append("old"));
      EXPECT_OK((*f)->Sync());
      EXPECT_OK((*f)->Close());
      EXPECT_OK(fs.SyncDir("/d"));
    }
    fs.CrashAfter(k);
    const Status s = ReplaceFile(&fs, "new", safe);
    EXPECT_EQ(s.ok(), k == steps + 1) << "cut before step " << k << ": " << s.ToString();
    EXPECT_OK(fs.SimulateCrash());
    auto r = fs.ReadFileToString("/d/final");
    out.push_back(r.ok() ? Contents(*r) : std::nullopt);
  }
  return out;
}

TEST(FaultInjectionFileSystemProtocolTest, CuttingPowerBeforeEachStepOfASafeReplace) {
  const std::vector<Contents> outcomes = OutcomesOfEveryCut(/*safe=*/true);
  ASSERT_EQ(outcomes.size(), 7u);  // 6 steps: open, append, sync, close, rename, syncdir (+ after)
  for (size_t k = 0; k < outcomes.size(); ++k) {
    EXPECT_TRUE(outcomes[k] == "old" || outcomes[k] == "new") << "cut before step " << k + 1 << ": "
                                                              << outcomes[k].value_or("<missing>");
  }
  EXPECT_EQ(outcomes.back(), "new");
}

TEST(FaultInjectionFileSystemProtocolTest, TheModelCatchesAReplaceWithoutSync) {
  const std::vector<Contents> outcomes = OutcomesOfEveryCut(/*safe=*/false);
  // Without Sync() before the rename, the only complete run (all steps done,
  // then the crash) leaves an empty file behind: neither old nor new.
  EXPECT_EQ(outcomes.back(), "");
}

TEST_F(FaultInjectionFileSystemTest, ConcurrentWritersThenCrash) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      const std::string path = "/d/f" + std::to_string(t);
      auto f = fs_->NewWritableFile(path);
      if (!f.ok()) return;
      for (int i = 0; i < 100; ++i) {
        (*f)->Append(std::string(10, static_cast<char>('a' + t))).IgnoreError();
        if (i == 49) (*f)->Sync().IgnoreError();
      }
      (*f)->Close().IgnoreError();
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_OK(fs_->SyncDir("/d"));
  Crash();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(Get("/d/f" + std::to_string(t)), std::string(500, static_cast<char>('a' + t)));
  }
}

// ---- calls the wrapper only forwards, and locks -------------------------------

// Every FileSystem virtual reaches `base` through the forwarding base class;
// the read-only ones are not counted.
TEST(FaultInjectionFileSystemForwardingTest, EveryCallReachesBase) {
  CallRecordingFileSystem base;
  FaultInjectionFileSystem fs(&base);
  const std::vector<std::string> called = CallEveryVirtual(&fs, "/p");
  const std::vector<std::string> reached = base.methods();
  for (const std::string& m : called) {
    // SyncDir first asks base whether the path is a directory (this base says
    // no) and then fails as POSIX does, without calling base->SyncDir.
    if (m == "SyncDir") continue;
    EXPECT_NE(std::find(reached.begin(), reached.end(), m), reached.end()) << m << " did not reach base";
  }
  const uint64_t before = fs.mutating_calls();
  (void)fs.NewReadOnlyMemoryRegion("/p");
  (void)fs.NewRandomAccessFile("/p");
  (void)fs.GetModificationTime("/p");
  EXPECT_EQ(fs.mutating_calls(), before);
}

TEST(FaultInjectionFileSystemForwardingTest, MemoryRegionsComeFromBaseAndOutliveACrash) {
  auto dir = TempDir::Create("ckpt_fault_region_");
  ASSERT_OK(dir);
  FaultInjectionFileSystem fs(FileSystem::Default());
  const std::string path = dir->Join("f");
  {
    auto f = fs.NewWritableFile(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append("mapped bytes"));
    ASSERT_OK((*f)->Sync());
    ASSERT_OK((*f)->Close());
    ASSERT_OK(fs.SyncDir(dir->path()));
  }
  const uint64_t before = fs.mutating_calls();
  auto region = fs.NewReadOnlyMemoryRegion(path);
  ASSERT_OK(region);  // POSIX maps; before the forwarding base this was Unimplemented
  EXPECT_EQ(fs.mutating_calls(), before);
  fs.CrashAfter(1);
  EXPECT_CODE(fs.CreateDir(dir->Join("sub")), StatusCode::kUnavailable);
  auto during = fs.NewReadOnlyMemoryRegion(path);  // reads still work without power
  ASSERT_OK(during);
  ASSERT_OK(fs.SimulateCrash());
  ASSERT_EQ((*region)->size(), 12u);
  EXPECT_EQ(std::string(static_cast<const char*>((*region)->data()), 12), "mapped bytes");

  // Over a file system that cannot map, the answer is that file system's.
  FaultInjectionFileSystem mem(NewMemoryFileSystem());
  EXPECT_CODE(mem.NewReadOnlyMemoryRegion("/nope"), NewMemoryFileSystem()->NewReadOnlyMemoryRegion("/nope").status().code());
}

TEST_F(FaultInjectionFileSystemTest, LockFileIsAMutatingCall) {
  const uint64_t start = fs_->mutating_calls();
  {
    auto lock = fs_->LockFile("/d/lock");
    ASSERT_OK(lock);
    EXPECT_EQ(fs_->mutating_calls() - start, 1u);
    EXPECT_CODE(fs_->LockFile("/d/lock"), StatusCode::kFailedPrecondition);  // held; counted too
    EXPECT_EQ(fs_->mutating_calls() - start, 2u);
  }
  // An injected failure takes no lock.
  fs_->FailAfter(1, StatusCode::kResourceExhausted);
  EXPECT_CODE(fs_->LockFile("/d/lock"), StatusCode::kResourceExhausted);
  auto again = fs_->LockFile("/d/lock");
  ASSERT_OK(again);
  again->reset();
  // Without power nothing can be locked.
  fs_->CrashAfter(1);
  EXPECT_CODE(fs_->LockFile("/d/lock"), StatusCode::kUnavailable);
  Crash();
  EXPECT_OK(fs_->LockFile("/d/lock"));
}

// The lock is base's (wrappers over one base contend for it), and a power
// cut releases it: the process that held it is gone.
TEST(FaultInjectionFileSystemLockTest, LocksAreBasesAndACrashReleasesThem) {
  auto mem = NewMemoryFileSystem();
  ASSERT_OK(mem->CreateDir("/d"));
  FaultInjectionFileSystem a(mem.get()), b(mem.get());
  auto held = a.LockFile("/d/lock");
  ASSERT_OK(held);
  EXPECT_CODE(b.LockFile("/d/lock"), StatusCode::kFailedPrecondition);
  EXPECT_CODE(mem->LockFile("/d/lock"), StatusCode::kFailedPrecondition);
  ASSERT_OK(a.SimulateCrash());
  auto taken = b.LockFile("/d/lock");
  ASSERT_OK(taken);
  held->reset();  // destroying a lock that the crash released is harmless
  EXPECT_CODE(a.LockFile("/d/lock"), StatusCode::kFailedPrecondition);
  taken->reset();
  EXPECT_OK(a.LockFile("/d/lock"));
}

// POSIX creates the lock file: a new name, durable only after a SyncDir.
TEST(FaultInjectionFileSystemLockTest, ALockFileCreatedByBaseFollowsTheCrashModel) {
  auto dir = TempDir::Create("ckpt_fault_lock_");
  ASSERT_OK(dir);
  FaultInjectionFileSystem fs(FileSystem::Default());
  const std::string lock_path = dir->Join("lock");
  {
    auto lock = fs.LockFile(lock_path);
    ASSERT_OK(lock);
    ASSERT_OK(fs.FileExists(lock_path));
    ASSERT_OK(fs.SimulateCrash());
  }
  EXPECT_CODE(fs.FileExists(lock_path), StatusCode::kNotFound);  // never synced: gone
  {
    auto lock = fs.LockFile(lock_path);
    ASSERT_OK(lock);
    ASSERT_OK(fs.SyncDir(dir->path()));
    ASSERT_OK(fs.SimulateCrash());
  }
  EXPECT_OK(fs.FileExists(lock_path));  // its name was synced: kept
  auto relock = fs.LockFile(lock_path);  // the crash released the POSIX lock too
  ASSERT_OK(relock);
  relock->reset();
  ASSERT_OK(fs.SimulateCrash());
  EXPECT_OK(fs.FileExists(lock_path));  // an existing lock file stays
}

}  // namespace
}  // namespace ckpt::test
