// io::AtomicFile: the protocol's steps in order, cleanup after a failure at
// every step, and what survives a power cut after every step.
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "ckpt/status_macros.h"
#include "testing/fault_injection_file_system.h"
#include "testing/logging_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt::io {
namespace {

using test::StatusOf;

std::vector<std::string> Children(FileSystem* fs, const std::string& dir) {
  auto c = fs->GetChildren(dir);
  EXPECT_OK(c);
  return c.ok() ? *c : std::vector<std::string>{};
}

std::optional<std::string> Contents(FileSystem* fs, const std::string& path) {
  auto r = fs->ReadFileToString(path);
  if (r.status().code() == StatusCode::kNotFound) return std::nullopt;
  EXPECT_OK(r);
  return r.ok() ? std::optional<std::string>(*r) : std::nullopt;
}

const std::regex kTempName(R"(/d/f\.tmp[0-9a-f]{32})");

TEST(TempFileName, IsPathDotTmpAnd32LowercaseHexDigits) {
  const std::string a = TempFileName("/d/f"), b = TempFileName("/d/f");
  EXPECT_TRUE(std::regex_match(a, kTempName)) << a;
  EXPECT_TRUE(std::regex_match(b, kTempName)) << b;
  EXPECT_NE(a, b);
  EXPECT_EQ(TempFileName("f").substr(0, 5), "f.tmp");
}

// The default protocol: temp name, write, fsync, close, rename, fsync dir.
TEST(AtomicFile, PublishesInProtocolOrder) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  test::LoggingFileSystem fs(mem.get());
  ASSERT_OK(WriteFileAtomically(&fs, "/d/f", "contents"));
  EXPECT_EQ(fs.LogWithTempOf("/d/f"),
            (std::vector<std::string>{"create T", "append", "sync", "close", "rename T -> /d/f", "syncdir /d"}));
  EXPECT_EQ(Contents(mem.get(), "/d/f"), "contents");
  EXPECT_EQ(Children(mem.get(), "/d"), std::vector<std::string>{"f"});
}

TEST(AtomicFile, ReplacesAnExistingFile) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  ASSERT_OK(WriteFileAtomically(mem.get(), "/d/f", "old, and longer"));
  ASSERT_OK(WriteFileAtomically(mem.get(), "/d/f", "new"));
  EXPECT_EQ(Contents(mem.get(), "/d/f"), "new");
  EXPECT_EQ(Children(mem.get(), "/d"), std::vector<std::string>{"f"});
}

TEST(AtomicFile, OptionsPlaceTheSyncs) {
  struct Case {
    AtomicFileOptions options;
    std::vector<std::string> expected;  // the log with the temp name as "T"
  };
  AtomicFileOptions none;
  none.sync = false;
  none.sync_dir_before_rename = true;  // ignored without sync
  AtomicFileOptions before;
  before.sync_dir_before_rename = true;
  AtomicFileOptions deferred;
  deferred.sync_dir_after_rename = false;
  AtomicFileOptions direct;
  direct.file.direct_io = true;
  const std::vector<Case> cases = {
      {none, {"create T", "append", "close", "rename T -> /d/f"}},
      {before, {"create T", "append", "sync", "close", "syncdir /d", "rename T -> /d/f", "syncdir /d"}},
      {deferred, {"create T", "append", "sync", "close", "rename T -> /d/f"}},
      {direct, {"create T", "append", "sync", "close", "rename T -> /d/f", "syncdir /d"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto mem = test::MemoryFileSystemWithDir("/d");
    test::LoggingFileSystem fs(mem.get());
    auto out = AtomicFile::Create(&fs, "/d/f", cases[i].options);
    ASSERT_OK(out);
    ASSERT_OK((*out)->file()->Append("x"));
    ASSERT_OK((*out)->Commit());
    EXPECT_TRUE((*out)->published());
    EXPECT_EQ(fs.LogWithTempOf("/d/f"), cases[i].expected) << "case " << i;
    EXPECT_EQ(fs.direct_io, std::vector<bool>{cases[i].options.file.direct_io}) << "case " << i;
    EXPECT_EQ(Contents(mem.get(), "/d/f"), "x") << "case " << i;
  }
}

TEST(AtomicFile, RelativePathSyncsTheCurrentDirectory) {
  auto mem = NewMemoryFileSystem();
  test::LoggingFileSystem fs(mem.get());
  ASSERT_OK(WriteFileAtomically(&fs, "f", "x"));
  EXPECT_EQ(fs.log.back(), "syncdir .");
}

// A failure at any step before the rename: the error comes back, the
// temporary file is gone and the old file is untouched (or still absent).
TEST(AtomicFile, EachFailingStepBeforeTheRenameLeavesNoTempAndNoNewFile) {
  for (const bool existing : {false, true}) {
    for (const std::string step : {"create", "append", "sync", "close", "syncdir", "rename"}) {
      SCOPED_TRACE(step + (existing ? " over an existing file" : ""));
      auto mem = test::MemoryFileSystemWithDir("/d");
      if (existing) ASSERT_OK(WriteFileAtomically(mem.get(), "/d/f", "old"));
      test::LoggingFileSystem fs(mem.get());
      fs.fail = step;
      AtomicFileOptions o;
      o.sync_dir_before_rename = true;  // so that the first "syncdir" is step 4
      Status s = WriteFileAtomically(&fs, "/d/f", "new", o);
      EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
      EXPECT_EQ(Contents(mem.get(), "/d/f"), existing ? std::optional<std::string>("old") : std::nullopt);
      EXPECT_EQ(Children(mem.get(), "/d"), existing ? std::vector<std::string>{"f"} : std::vector<std::string>{});
    }
  }
}

// A failure of the last step is reported, but the file is already out.
TEST(AtomicFile, FailedDirectorySyncAfterTheRenameIsReportedAndTheFileStays) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  test::LoggingFileSystem fs(mem.get());
  fs.fail = "syncdir";
  auto out = AtomicFile::Create(&fs, "/d/f");
  ASSERT_OK(out);
  ASSERT_OK((*out)->file()->Append("new"));
  EXPECT_EQ((*out)->Commit().code(), StatusCode::kUnavailable);
  EXPECT_TRUE((*out)->published());
  out->reset();  // destroying a published file deletes nothing
  EXPECT_EQ(Contents(mem.get(), "/d/f"), "new");
  EXPECT_EQ(Children(mem.get(), "/d"), std::vector<std::string>{"f"});
}

TEST(AtomicFile, AbandonAndDestructionDeleteTheTemporaryFile) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  ASSERT_OK(WriteFileAtomically(mem.get(), "/d/f", "old"));
  {
    auto out = AtomicFile::Create(mem.get(), "/d/f");
    ASSERT_OK(out);
    ASSERT_OK((*out)->file()->Append("half"));
    EXPECT_EQ(Children(mem.get(), "/d").size(), 2u);
    (*out)->Abandon();
    (*out)->Abandon();  // idempotent
    EXPECT_EQ(Children(mem.get(), "/d"), std::vector<std::string>{"f"});
    EXPECT_FALSE((*out)->published());
    EXPECT_EQ((*out)->Commit().code(), StatusCode::kFailedPrecondition);
  }
  {
    auto out = AtomicFile::Create(mem.get(), "/d/f");
    ASSERT_OK(out);
    ASSERT_OK((*out)->file()->Append("half"));
  }  // destroyed without Commit()
  EXPECT_EQ(Children(mem.get(), "/d"), std::vector<std::string>{"f"});
  EXPECT_EQ(Contents(mem.get(), "/d/f"), "old");
}

TEST(AtomicFile, CommitTwiceIsFailedPrecondition) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  auto out = AtomicFile::Create(mem.get(), "/d/f");
  ASSERT_OK(out);
  ASSERT_OK((*out)->Commit());
  EXPECT_EQ((*out)->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Contents(mem.get(), "/d/f"), "");
}

TEST(AtomicFile, MissingDirectoryIsNotFoundAndLeavesNothing) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  EXPECT_EQ(WriteFileAtomically(mem.get(), "/d/nope/f", "x").code(), StatusCode::kNotFound);
  EXPECT_TRUE(Children(mem.get(), "/d").empty());
}

// ---- fault-injection file system ---------------------------------------------

// The mutating calls of one fault-free publication of `contents` at /d/f:
// the steps at which the tests below inject a failure or a power cut.
uint64_t StepsOfOnePublication(const std::string& contents, const AtomicFileOptions& o) {
  test::FaultInjectionFileSystem fs(test::MemoryFileSystemWithDir("/d"));
  const uint64_t start = fs.mutating_calls();
  EXPECT_OK(WriteFileAtomically(&fs, "/d/f", contents, o));
  return fs.mutating_calls() - start;
}

// With every mutating call failing in turn (an injected I/O error), the
// publication either completes or leaves the directory as it was.
TEST(AtomicFileFaults, InjectedFailureAtEveryStep) {
  for (const bool before : {false, true}) {
    AtomicFileOptions o;
    o.sync_dir_before_rename = before;
    const uint64_t steps = StepsOfOnePublication("new", o);
    ASSERT_EQ(steps, before ? 7u : 6u);
    for (uint64_t k = 1; k <= steps; ++k) {
      SCOPED_TRACE("fail step " + std::to_string(k) + (before ? " (sync_dir_before_rename)" : ""));
      test::FaultInjectionFileSystem fs(test::MemoryFileSystemWithDir("/d"));
      ASSERT_OK(WriteFileAtomically(&fs, "/d/f", "old"));
      fs.FailAfter(k, StatusCode::kResourceExhausted);
      Status s = WriteFileAtomically(&fs, "/d/f", "new", o);
      EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
      EXPECT_EQ(Children(&fs, "/d"), std::vector<std::string>{"f"});
      // Only the last step (the directory sync after the rename) fails after publication.
      EXPECT_EQ(Contents(&fs, "/d/f"), k == steps ? "new" : "old");
    }
  }
}

// Power cut after every step: `path` holds the old contents or the new ones,
// complete; a finished publication survives; without sync_dir_before_rename
// no temporary name survives either.
TEST(AtomicFileFaults, PowerCutAfterEveryStep) {
  for (const bool existing : {false, true}) {
    for (const bool before : {false, true}) {
      AtomicFileOptions o;
      o.sync_dir_before_rename = before;
      const uint64_t steps = StepsOfOnePublication("new contents", o);
      for (uint64_t k = 1; k <= steps + 1; ++k) {
        SCOPED_TRACE("cut after step " + std::to_string(k) + (existing ? ", over an old file" : "") +
                     (before ? ", sync_dir_before_rename" : ""));
        test::FaultInjectionFileSystem fs(test::MemoryFileSystemWithDir("/d"));
        ASSERT_OK(fs.SyncDir("/"));
        if (existing) ASSERT_OK(WriteFileAtomically(&fs, "/d/f", "old"));
        fs.CrashAfter(k);
        const Status s = WriteFileAtomically(&fs, "/d/f", "new contents", o);
        ASSERT_OK(fs.SimulateCrash());
        const std::optional<std::string> got = Contents(&fs, "/d/f");
        const std::optional<std::string> old = existing ? std::optional<std::string>("old") : std::nullopt;
        if (s.ok()) {
          EXPECT_EQ(got, "new contents");
        } else {
          EXPECT_TRUE(got == old || got == "new contents") << (got ? *got : "(absent)");
        }
        for (const std::string& name : Children(&fs, "/d")) {
          if (name == "f") continue;
          EXPECT_TRUE(before) << "temporary file survived: " << name;
          EXPECT_TRUE(std::regex_match("/d/" + name, kTempName)) << name;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ckpt::io
