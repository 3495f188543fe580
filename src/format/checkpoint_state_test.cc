// Tests of the `checkpoint` state file module. Test names carry the
// behaviour item (ST-xx, docs/behaviours/st.md) they pin; expected byte strings were taken
// from TensorFlow 2.21 / Python protobuf output (tests/tf_compat holds the
// live differential test).
#include "ckpt/checkpoint_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/status_macros.h"
#include "ckpt/utf8.h"
#include "format/checkpoint_state_text.h"
#include "testing/logging_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using format::PyFloatRepr;

void WriteFile(FileSystem* fs, const std::string& path, std::string_view contents) {
  auto f = fs->NewWritableFile(path);
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append(contents));
  ASSERT_OK((*f)->Close());
}

std::string ReadFile(FileSystem* fs, const std::string& path) {
  auto r = fs->ReadFileToString(path);
  EXPECT_OK(r);
  return r.ok() ? *r : std::string();
}

std::string Cwd() { return std::filesystem::current_path().string(); }

// ---------------------------------------------------------------------------
// Text printer (ST-01) — byte strings as Python's text_format prints them.

TEST(CheckpointStateText, PyFloatReprMatchesPython) {
  const std::vector<std::pair<double, std::string>> cases = {
      {1712345678.0, "1712345678.0"},
      {1712345600.5104358, "1712345600.5104358"},
      {0.0001, "0.0001"},
      {1.5e-05, "1.5e-05"},
      {1e-05, "1e-05"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {1e100, "1e+100"},
      {1e-300, "1e-300"},
      {0.1, "0.1"},
      {0.3, "0.3"},
      {2.0 / 3.0, "0.6666666666666666"},
      {-2.5, "-2.5"},
      {-1.5e-05, "-1.5e-05"},
      {123.456, "123.456"},
      {100.0, "100.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::nan(""), "nan"},
      {-std::nan(""), "nan"},
  };
  for (const auto& [v, want] : cases) EXPECT_EQ(PyFloatRepr(v), want) << want;
}

TEST(CheckpointStateText, ST01_FieldOrderAndDefaultsOmitted) {
  CheckpointState s;
  s.model_checkpoint_path = "ckpt-2";
  s.all_model_checkpoint_paths = {"ckpt-1", "ckpt-2"};
  s.all_model_checkpoint_timestamps = {1712345600.5104358, 1712345660.0};
  s.last_preserved_timestamp = 1712345599.25;
  EXPECT_EQ(CheckpointStateToText(s),
            "model_checkpoint_path: \"ckpt-2\"\n"
            "all_model_checkpoint_paths: \"ckpt-1\"\n"
            "all_model_checkpoint_paths: \"ckpt-2\"\n"
            "all_model_checkpoint_timestamps: 1712345600.5104358\n"
            "all_model_checkpoint_timestamps: 1712345660.0\n"
            "last_preserved_timestamp: 1712345599.25\n");

  CheckpointState minimal;
  minimal.model_checkpoint_path = "a";
  EXPECT_EQ(CheckpointStateToText(minimal), "model_checkpoint_path: \"a\"\n");
  EXPECT_EQ(CheckpointStateToText(CheckpointState{}), "");
}

TEST(CheckpointStateText, ST01_PresenceOfSingularDoubleFollowsBits) {
  // Python (upb) prints -0.0 and nan for the singular double, omits +0.0.
  CheckpointState s;
  s.model_checkpoint_path = "a";
  s.all_model_checkpoint_timestamps = {0.0};
  s.last_preserved_timestamp = -0.0;
  EXPECT_EQ(CheckpointStateToText(s),
            "model_checkpoint_path: \"a\"\nall_model_checkpoint_timestamps: 0.0\n"
            "last_preserved_timestamp: -0.0\n");
  s.last_preserved_timestamp = std::nan("");
  EXPECT_EQ(CheckpointStateToText(s),
            "model_checkpoint_path: \"a\"\nall_model_checkpoint_timestamps: 0.0\nlast_preserved_timestamp: nan\n");
}

TEST(CheckpointStateText, ST01_StringEscapingMatchesPythonTextFormat) {
  CheckpointState s;
  s.model_checkpoint_path = std::string("\xc3\xa9\0\x7f\t\n\r\"'\\ ~", 12);
  s.all_model_checkpoint_paths = {"", "x"};
  EXPECT_EQ(CheckpointStateToText(s),
            "model_checkpoint_path: \"\xc3\xa9\\000\\177\\t\\n\\r\\\"\\'\\\\ ~\"\n"
            "all_model_checkpoint_paths: \"\"\n"
            "all_model_checkpoint_paths: \"x\"\n");
  // Non-ASCII characters (including C1 controls) stay raw; stray bytes that
  // are not UTF-8 become octal escapes.
  EXPECT_EQ(format::TextFormatEscape("\xe2\x82\xac\xc2\x85\xf0\x9f\x98\x80"), "\xe2\x82\xac\xc2\x85\xf0\x9f\x98\x80");
  EXPECT_EQ(format::TextFormatEscape("a\xff\xe2\x82z\xc0\x80"), "a\\377\\342\\202z\\300\\200");
}

TEST(CheckpointStateGenerate, PathsMustBeUtf8) {
  auto bad = GenerateCheckpointState("/d", "/d/m\xff");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateCheckpointState("/d", "/d/m", {.all_paths = {"/d/\xc3"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_OK(GenerateCheckpointState("/d", "/d/caf\xc3\xa9"));
}

TEST(CheckpointStateText, PrintParseRoundTrip) {
  CheckpointState s;
  s.model_checkpoint_path = "/d/\xe2\x82\xac m\"'\\\t-1";
  s.all_model_checkpoint_paths = {"a", s.model_checkpoint_path};
  s.all_model_checkpoint_timestamps = {1e16, 1.5e-05};
  s.last_preserved_timestamp = 1712345678.0;
  auto parsed = ParseCheckpointStateText(CheckpointStateToText(s));
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, s);
}

TEST(CheckpointStateText, ParserAcceptsGeneralTextFormat) {
  auto parsed = ParseCheckpointStateText(
      "# a comment\n"
      "last_preserved_timestamp: 1e5  # trailing comment\n"
      "all_model_checkpoint_timestamps: [1, 2.5, -3]\n"
      "all_model_checkpoint_paths: ['a', \"b\" 'c'];\n"
      "model_checkpoint_path: 'first'\n"
      "model_checkpoint_path: \"x\\101\\n\"\n");  // a singular field twice: last wins
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->model_checkpoint_path, "xA\n");
  EXPECT_EQ(parsed->all_model_checkpoint_paths, (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(parsed->all_model_checkpoint_timestamps, (std::vector<double>{1, 2.5, -3}));
  EXPECT_EQ(parsed->last_preserved_timestamp, 100000.0);

  auto special = ParseCheckpointStateText("model_checkpoint_path: \"m\" all_model_checkpoint_timestamps: inf "
                                          "all_model_checkpoint_timestamps: -inf last_preserved_timestamp: nan");
  ASSERT_OK(special);
  EXPECT_TRUE(std::isinf(special->all_model_checkpoint_timestamps[0]));
  EXPECT_LT(special->all_model_checkpoint_timestamps[1], 0);
  EXPECT_TRUE(std::isnan(special->last_preserved_timestamp));
}

TEST(CheckpointStateText, ParserRejectsBadInputWithPosition) {
  auto unknown = ParseCheckpointStateText("model_checkpoint_path: \"x\"\nbogus: 1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(unknown.status().message().find("2:"), std::string::npos) << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("bogus"), std::string::npos) << unknown.status().message();

  EXPECT_EQ(ParseCheckpointStateText("model_checkpoint_path: \"x").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointStateText("model_checkpoint_path \"x\"").status().code(), StatusCode::kDataLoss);
  // Bytes that are not UTF-8, raw or spelled with escapes (Python rejects both).
  EXPECT_EQ(ParseCheckpointStateText("model_checkpoint_path: \"\xe9\"").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointStateText("# \xff\nmodel_checkpoint_path: \"x\"").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointStateText("model_checkpoint_path: \"\\351\"").status().code(), StatusCode::kDataLoss);
}

TEST(CheckpointStateText, Utf8Validation) {
  using ckpt::FindInvalidUtf8;
  constexpr size_t kOk = std::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8("plain"), kOk);
  EXPECT_EQ(FindInvalidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), kOk);
  EXPECT_EQ(FindInvalidUtf8("ab\xc3"), 2u);              // truncated
  EXPECT_EQ(FindInvalidUtf8("\xc0\x80"), 0u);            // overlong
  EXPECT_EQ(FindInvalidUtf8("\xed\xa0\x80"), 0u);        // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\xf4\x90\x80\x80"), 1u);   // > U+10FFFF
}

// ---------------------------------------------------------------------------
// GenerateCheckpointState

TEST(CheckpointStateGenerate, ST03_ModelPathAppendedUnlessLast) {
  auto a = GenerateCheckpointState("/d", "/d/model-1");
  ASSERT_OK(a);
  EXPECT_EQ(a->all_model_checkpoint_paths, (std::vector<std::string>{"/d/model-1"}));

  auto b = GenerateCheckpointState("/d", "/d/model-3", {.all_paths = {"/d/model-2"}});
  ASSERT_OK(b);
  EXPECT_EQ(b->all_model_checkpoint_paths, (std::vector<std::string>{"/d/model-2", "/d/model-3"}));

  auto c = GenerateCheckpointState("/d", "/d/model-3", {.all_paths = {"/d/model-3", "/d/model-2", "/d/model-3"}});
  ASSERT_OK(c);
  EXPECT_EQ(c->all_model_checkpoint_paths.size(), 3u);
}

TEST(CheckpointStateGenerate, ST04_RelativeSaveDirRewritesRelativePaths) {
  auto r = GenerateCheckpointState("train", "train/model-0", {.all_paths = {"/abs/model-x", "train/model-0"}});
  ASSERT_OK(r);
  EXPECT_EQ(r->model_checkpoint_path, "model-0");
  EXPECT_EQ(r->all_model_checkpoint_paths, (std::vector<std::string>{"/abs/model-x", "model-0"}));

  auto up = GenerateCheckpointState("a/b", "a/c/m");
  ASSERT_OK(up);
  EXPECT_EQ(up->model_checkpoint_path, "../c/m");
  auto same = GenerateCheckpointState("train/", "./train//x/../");
  ASSERT_OK(same);
  EXPECT_EQ(same->model_checkpoint_path, ".");

  // An absolute save_dir rewrites nothing (ST-04, testAbsPath).
  auto abs = GenerateCheckpointState("/d", "train/model-0", {.all_paths = {"./x"}});
  ASSERT_OK(abs);
  EXPECT_EQ(abs->model_checkpoint_path, "train/model-0");
  EXPECT_EQ(abs->all_model_checkpoint_paths, (std::vector<std::string>{"./x", "train/model-0"}));

  // Python's os.path.relpath("") fails.
  auto empty = GenerateCheckpointState("train", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(), "no path specified");
}

TEST(CheckpointStateGenerate, ST05_TimestampCountMustMatchPathsAfterAppend) {
  auto bad = GenerateCheckpointState("/d", "c", {.all_paths = {"a", "b"}, .timestamps = {1.0, 2.0}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "Checkpoint timestamps, if provided, must match checkpoint paths (got paths ['a', 'b', 'c'] and "
            "timestamps [1.0, 2.0])");

  auto ok = GenerateCheckpointState("/d", "c", {.all_paths = {"a", "b"}, .timestamps = {1.0, 2.0, 3.5},
                                                .last_preserved_timestamp = 0.5});
  ASSERT_OK(ok);
  EXPECT_EQ(ok->all_model_checkpoint_timestamps, (std::vector<double>{1.0, 2.0, 3.5}));
  EXPECT_EQ(ok->last_preserved_timestamp, 0.5);

  EXPECT_OK(GenerateCheckpointState("/d", "c", {.all_paths = {"a", "b"}, .timestamps = {}}));  // empty: no check
}

TEST(CheckpointStateGenerate, ST07_SaveRelativePathsRelativisesAbsolutePaths) {
  auto r = GenerateCheckpointState("/tmp/s", "/tmp/s/model-2",
                                   {.all_paths = {"/tmp/s/model-0", "other/m", "/tmp/s/model-2"},
                                    .save_relative_paths = true});
  ASSERT_OK(r);
  EXPECT_EQ(r->model_checkpoint_path, "model-2");
  EXPECT_EQ(r->all_model_checkpoint_paths, (std::vector<std::string>{"model-0", "other/m", "model-2"}));

  auto outside = GenerateCheckpointState("/tmp/s", "/elsewhere/m", {.save_relative_paths = true});
  ASSERT_OK(outside);
  EXPECT_EQ(outside->model_checkpoint_path, "../../elsewhere/m");

  // With a relative save_dir, rule ST-04 is applied on top (as TF does).
  const std::string abs = Cwd() + "/train/model-2";
  auto both = GenerateCheckpointState("train", abs, {.all_paths = {abs}, .save_relative_paths = true});
  ASSERT_OK(both);
  EXPECT_EQ(both->model_checkpoint_path, "../model-2");
}

// ---------------------------------------------------------------------------
// UpdateCheckpointState

TEST(CheckpointStateUpdate, ST01_WritesTextToDefaultOrNamedFile) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/m-2", {.all_paths = {"/d/m-1", "/d/m-2"},
                                                     .timestamps = {1712345678.0, 1.5},
                                                     .last_preserved_timestamp = 1e-05, .fs = fs.get()})
                  .ok());
  EXPECT_EQ(ReadFile(fs.get(), "/d/checkpoint"),
            "model_checkpoint_path: \"/d/m-2\"\n"
            "all_model_checkpoint_paths: \"/d/m-1\"\n"
            "all_model_checkpoint_paths: \"/d/m-2\"\n"
            "all_model_checkpoint_timestamps: 1712345678.0\n"
            "all_model_checkpoint_timestamps: 1.5\n"
            "last_preserved_timestamp: 1e-05\n");

  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/m-3", {.latest_filename = "other_state", .save_relative_paths = true,
                                                     .fs = fs.get()}).ok());
  EXPECT_EQ(ReadFile(fs.get(), "/d/other_state"),
            "model_checkpoint_path: \"m-3\"\nall_model_checkpoint_paths: \"m-3\"\n");
}

TEST(CheckpointStateUpdate, ST08_ConflictWithStateFilePath) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  Status s = UpdateCheckpointState("/d", "/d/checkpoint", {.fs = fs.get()});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "Save path '/d/checkpoint' conflicts with path used for checkpoint state.  Please use a different save "
            "path.");
  EXPECT_EQ(fs->FileExists("/d/checkpoint").code(), StatusCode::kNotFound);
  // After relativisation the paths differ, so there is no conflict.
  EXPECT_OK(UpdateCheckpointState("/d", "/d/checkpoint", {.save_relative_paths = true, .fs = fs.get()}));
}

TEST(CheckpointStateUpdate, ST05_ErrorWritesNothing) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  Status s = UpdateCheckpointState("/d", "/d/c", {.all_paths = {"/d/a"}, .timestamps = {1.0}, .fs = fs.get()});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  auto children = fs->GetChildren("/d");
  ASSERT_OK(children);
  EXPECT_TRUE(children->empty());
}

TEST(CheckpointStateUpdate, MissingDirectoryIsNotFound) {
  auto fs = NewMemoryFileSystem();
  EXPECT_EQ(UpdateCheckpointState("/nope", "/nope/m", {.fs = fs.get()}).code(),
            StatusCode::kNotFound);
}


TEST(CheckpointStateUpdate, ST02_AtomicDurableProtocolOrder) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  test::LoggingFileSystem fs(mem.get());
  ASSERT_OK(UpdateCheckpointState("/d", "/d/m-1", {.fs = &fs}));
  EXPECT_EQ(fs.LogWithTempOf("/d/checkpoint"), (std::vector<std::string>{"create T", "append", "sync", "close",
                                                                        "rename T -> /d/checkpoint", "syncdir /d"}));
  EXPECT_EQ(ReadFile(mem.get(), "/d/checkpoint"),
            "model_checkpoint_path: \"/d/m-1\"\nall_model_checkpoint_paths: \"/d/m-1\"\n");
}

TEST(CheckpointStateUpdate, ST02_FailureBeforeRenameKeepsOldFileAndRemovesTemp) {
  for (const std::string step : {"append", "sync", "close", "rename"}) {
    auto mem = test::MemoryFileSystemWithDir("/d");
    WriteFile(mem.get(), "/d/checkpoint", "model_checkpoint_path: \"old\"\n");
    test::LoggingFileSystem fs(mem.get());
    fs.fail = step;
    Status s = UpdateCheckpointState("/d", "/d/m-1", {.fs = &fs});
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << step;
    EXPECT_NE(s.message().find("/d/checkpoint"), std::string::npos) << s.message();
    EXPECT_EQ(ReadFile(mem.get(), "/d/checkpoint"), "model_checkpoint_path: \"old\"\n") << step;
    auto children = mem->GetChildren("/d");
    ASSERT_OK(children);
    EXPECT_EQ(*children, std::vector<std::string>{"checkpoint"}) << step;
  }
}

TEST(CheckpointStateUpdate, ST02_DirSyncFailureIsReportedAfterPublish) {
  auto mem = test::MemoryFileSystemWithDir("/d");
  test::LoggingFileSystem fs(mem.get());
  fs.fail = "syncdir";
  EXPECT_EQ(UpdateCheckpointState("/d", "/d/m-1", {.fs = &fs}).code(),
            StatusCode::kUnavailable);
  EXPECT_OK(mem->FileExists("/d/checkpoint"));
}

TEST(CheckpointStateUpdate, ST02_PosixLeavesNoTemporaryFiles) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ckpt_state_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string d = dir.string();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(UpdateCheckpointState(d, d + "/m-" + std::to_string(i)));
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"checkpoint"});
  auto state = GetCheckpointState(d);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->model_checkpoint_path, d + "/m-2");
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------
// GetCheckpointState

TEST(CheckpointStateGet, ST09_NoFileIsNullopt) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  auto r = GetCheckpointState("/d", "checkpoint", fs.get());
  ASSERT_OK(r);
  EXPECT_FALSE(r->has_value());
  auto missing_dir = GetCheckpointState("/nope", "checkpoint", fs.get());
  ASSERT_OK(missing_dir);
  EXPECT_FALSE(missing_dir->has_value());
}

TEST(CheckpointStateGet, ST10_EmptyOrModelPathlessFileIsInvalidArgument) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  for (const char* text : {"", "all_model_checkpoint_paths: \"m\"\n", "model_checkpoint_path: \"\"\n"}) {
    WriteFile(fs.get(), "/d/checkpoint", text);
    auto r = GetCheckpointState("/d", "checkpoint", fs.get());
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "Invalid checkpoint state loaded from /d");
  }
}

TEST(CheckpointStateGet, ST11_ParseErrorIsDataLossNotSilentNone) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/checkpoint", "this is not a checkpoint state\n");
  auto r = GetCheckpointState("/d", "checkpoint", fs.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("/d/checkpoint: cannot parse checkpoint state: 1:"), std::string::npos)
      << r.status().message();
  // An unreadable state file (here: a directory) reports the I/O error.
  ASSERT_OK(fs->CreateDir("/d/dirstate"));
  EXPECT_FALSE(GetCheckpointState("/d", "dirstate", fs.get()).ok());
}

TEST(CheckpointStateGet, ST12_RelativePathsJoinedWithoutNormalisation) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/checkpoint",
            "model_checkpoint_path: \"./model.ckpt-687529\"\n"
            "all_model_checkpoint_paths: \"./model.ckpt-687500\"\n"
            "all_model_checkpoint_paths: \"/abs/m\"\n"
            "all_model_checkpoint_paths: \"../up\"\n"
            "all_model_checkpoint_timestamps: 1.0\n");
  auto r = GetCheckpointState("/d", "checkpoint", fs.get());
  ASSERT_TRUE(r.ok() && r->has_value()) << r.status().ToString();
  EXPECT_EQ((*r)->model_checkpoint_path, "/d/./model.ckpt-687529");
  EXPECT_EQ((*r)->all_model_checkpoint_paths,
            (std::vector<std::string>{"/d/./model.ckpt-687500", "/abs/m", "/d/../up"}));
  EXPECT_EQ((*r)->all_model_checkpoint_timestamps, std::vector<double>{1.0});
  // A trailing slash on the directory is not doubled.
  auto slash = GetCheckpointState("/d/", "checkpoint", fs.get());
  ASSERT_TRUE(slash.ok() && slash->has_value());
  EXPECT_EQ((*slash)->model_checkpoint_path, "/d/./model.ckpt-687529");
}

TEST(CheckpointStateGet, ST07_RelativeFileReadBackAsAbsolute) {
  auto fs = test::MemoryFileSystemWithDir("/s");
  ASSERT_TRUE(UpdateCheckpointState("/s", "/s/model-2", {.all_paths = {"/s/model-0", "/s/model-2"},
                                                         .save_relative_paths = true, .fs = fs.get()})
                  .ok());
  EXPECT_EQ(ReadFile(fs.get(), "/s/checkpoint"),
            "model_checkpoint_path: \"model-2\"\n"
            "all_model_checkpoint_paths: \"model-0\"\n"
            "all_model_checkpoint_paths: \"model-2\"\n");
  auto r = GetCheckpointState("/s", "checkpoint", fs.get());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->model_checkpoint_path, "/s/model-2");
  EXPECT_EQ((*r)->all_model_checkpoint_paths, (std::vector<std::string>{"/s/model-0", "/s/model-2"}));
}

// ---------------------------------------------------------------------------
// LatestCheckpoint

TEST(CheckpointStateLatest, ST14_RequiresExistingFilesAndUsesModelPath) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  auto none = LatestCheckpoint("/d", "checkpoint", fs.get());
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());

  // The model path, not the last list element.
  WriteFile(fs.get(), "/d/checkpoint",
            "model_checkpoint_path: \"a\"\nall_model_checkpoint_paths: \"a\"\nall_model_checkpoint_paths: \"b\"\n");
  WriteFile(fs.get(), "/d/b.index", "x");
  auto missing = LatestCheckpoint("/d", "checkpoint", fs.get());
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());

  WriteFile(fs.get(), "/d/a.index", "x");
  auto found = LatestCheckpoint("/d", "checkpoint", fs.get());
  ASSERT_OK(found);
  EXPECT_EQ(found->value_or("<none>"), "/d/a");

  // V1: the prefix itself.
  WriteFile(fs.get(), "/d/checkpoint", "model_checkpoint_path: \"v1file\"\n");
  WriteFile(fs.get(), "/d/v1file", "x");
  EXPECT_EQ(LatestCheckpoint("/d", "checkpoint", fs.get())->value_or("<none>"), "/d/v1file");
}

TEST(CheckpointStateLatest, ST15_V1ShardedPatternReturnedVerbatim) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/checkpoint", "model_checkpoint_path: \"/d/sharded_basics-????\?-of-00002\"\n");
  WriteFile(fs.get(), "/d/sharded_basics-00000-of-00002", "x");
  auto r = LatestCheckpoint("/d", "checkpoint", fs.get());
  ASSERT_OK(r);
  EXPECT_EQ(r->value_or("<none>"), "/d/sharded_basics-????\?-of-00002");
}

TEST(CheckpointStateLatest, ST17_LatestFilenameSelectsStateFile) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/a.index", "x");
  WriteFile(fs.get(), "/d/b.index", "x");
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/a", {.latest_filename = "checkpoint", .save_relative_paths = true,
                                                   .fs = fs.get()}).ok());
  ASSERT_TRUE(UpdateCheckpointState("/d", "/d/b", {.latest_filename = "mystate", .save_relative_paths = true,
                                                   .fs = fs.get()}).ok());
  EXPECT_EQ(LatestCheckpoint("/d", "checkpoint", fs.get())->value_or(""), "/d/a");
  EXPECT_EQ(LatestCheckpoint("/d", "mystate", fs.get())->value_or(""), "/d/b");
}

TEST(CheckpointStateLatest, ST11_ErrorsPropagate) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/checkpoint", "{{{");
  EXPECT_EQ(LatestCheckpoint("/d", "checkpoint", fs.get()).status().code(), StatusCode::kDataLoss);
  WriteFile(fs.get(), "/d/checkpoint", "");
  EXPECT_EQ(LatestCheckpoint("/d", "checkpoint", fs.get()).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// CheckpointExists, GetCheckpointMtimes

TEST(CheckpointStateExists, ST18_V2IndexOrV1Path) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  EXPECT_FALSE(CheckpointExists("/d/m-1", fs.get()));
  WriteFile(fs.get(), "/d/m-1.index", "x");
  EXPECT_TRUE(CheckpointExists("/d/m-1", fs.get()));
  WriteFile(fs.get(), "/d/v1-00000-of-00002", "x");
  EXPECT_TRUE(CheckpointExists("/d/v1-????\?-of-00002", fs.get()));
  EXPECT_FALSE(CheckpointExists("/d/v1", fs.get()));
}

TEST(CheckpointStateExists, ST19_AnyExistingPathCounts) {
  auto fs = test::MemoryFileSystemWithDir("/d/sub");
  WriteFile(fs.get(), "/d/m.index", "x");
  EXPECT_TRUE(CheckpointExists("/d/sub", fs.get()));
  EXPECT_TRUE(CheckpointExists("/d/m.index", fs.get()));
}

TEST(CheckpointStateMtimes, ST20_OnePerExistingPrefixInSeconds) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/a.index", "x");
  WriteFile(fs.get(), "/d/b", "x");
  WriteFile(fs.get(), "/d/c.index", "x");
  auto mt = GetCheckpointMtimes({"/d/a", "/d/missing", "/d/b", "/d/c"}, fs.get());
  ASSERT_EQ(mt.size(), 3u);
  EXPECT_EQ(mt[0], *fs->GetModificationTime("/d/a.index"));
  EXPECT_EQ(mt[1], *fs->GetModificationTime("/d/b"));
  EXPECT_EQ(mt[2], *fs->GetModificationTime("/d/c.index"));
  EXPECT_LE(mt[0], mt[2]);
  EXPECT_GT(mt[0], 1e9);  // seconds since the epoch, not microseconds
  EXPECT_LT(mt[0], 1e11);
  EXPECT_TRUE(GetCheckpointMtimes({}, fs.get()).empty());
}

// ---------------------------------------------------------------------------
// RemoveCheckpoint, MetaGraphFilename

std::vector<std::string> Children(FileSystem* fs, const std::string& dir) {
  auto c = fs->GetChildren(dir);
  EXPECT_OK(c);
  std::vector<std::string> v = c.ok() ? *c : std::vector<std::string>{};
  std::sort(v.begin(), v.end());
  return v;
}

TEST(CheckpointStateRemove, ST21_V2DeletesMetaIndexAndDataShards) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  for (const char* f : {"m-1.meta", "m-1.index", "m-1.data-00000-of-00002", "m-1.data-00001-of-00002",
                        "m-10.index", "m-1.data-0-of-2", "m-1.extra", "checkpoint"}) {
    WriteFile(fs.get(), std::string("/d/") + f, "x");
  }
  ASSERT_OK(RemoveCheckpoint("/d/m-1", CheckpointFormat::kV2, "meta", fs.get()));
  EXPECT_EQ(Children(fs.get(), "/d"),
            (std::vector<std::string>{"checkpoint", "m-1.data-0-of-2", "m-1.extra", "m-10.index"}));
  EXPECT_FALSE(CheckpointExists("/d/m-1", fs.get()));
  // Nothing left to delete: still OK.
  EXPECT_OK(RemoveCheckpoint("/d/m-1", CheckpointFormat::kV2, "meta", fs.get()));
  EXPECT_OK(RemoveCheckpoint("/nodir/m", CheckpointFormat::kV2, "meta", fs.get()));
}

TEST(CheckpointStateRemove, ST21_V1DeletesMetaAndPrefixGlob) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  for (const char* f : {"s-00000-of-00002", "s-00001-of-00002", "s.meta", "s-00000-of-00002.index"}) {
    WriteFile(fs.get(), std::string("/d/") + f, "x");
  }
  ASSERT_OK(RemoveCheckpoint("/d/s-????\?-of-00002", CheckpointFormat::kV1, "meta", fs.get()));
  EXPECT_EQ(Children(fs.get(), "/d"), std::vector<std::string>{"s-00000-of-00002.index"});
}

TEST(CheckpointStateRemove, ST21_CustomMetaSuffix) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  WriteFile(fs.get(), "/d/m.meta", "x");
  WriteFile(fs.get(), "/d/m.mg", "x");
  ASSERT_OK(RemoveCheckpoint("/d/m", CheckpointFormat::kV2, "mg", fs.get()));
  EXPECT_EQ(Children(fs.get(), "/d"), std::vector<std::string>{"m.meta"});
}

TEST(CheckpointStateRemove, ST23_GlobCharactersInPrefixWidenTheMatch) {
  auto fs = test::MemoryFileSystemWithDir("/d");
  for (const char* f : {"a1.index", "a2.index", "b1.index", "a1.data-00000-of-00001"}) {
    WriteFile(fs.get(), std::string("/d/") + f, "x");
  }
  ASSERT_OK(RemoveCheckpoint("/d/a*", CheckpointFormat::kV2, "meta", fs.get()));
  EXPECT_EQ(Children(fs.get(), "/d"), std::vector<std::string>{"b1.index"});
}

TEST(CheckpointStateRemove, ST22_MetaGraphFilename) {
  EXPECT_EQ(MetaGraphFilename("model.ckpt-123456-????\?-of-00005"), "model.ckpt-123456.meta");
  EXPECT_EQ(MetaGraphFilename("model.ckpt-123456-00001-of-00002"), "model.ckpt-123456.meta");
  EXPECT_EQ(MetaGraphFilename("m-00001-of-00002"), "m.meta");
  EXPECT_EQ(MetaGraphFilename("s1"), "s1.meta");
  EXPECT_EQ(MetaGraphFilename("/d/ckpt-7", "mg"), "/d/ckpt-7.mg");
  EXPECT_EQ(MetaGraphFilename("a-1-of-2-of-3"), "a-1-of.meta");
  EXPECT_EQ(MetaGraphFilename("model-1-2-of-3"), "model-1.meta");
  EXPECT_EQ(MetaGraphFilename("m-1-of-"), "m-1-of-.meta");
  EXPECT_EQ(MetaGraphFilename("m--of-2"), "m--of-2.meta");
  EXPECT_EQ(MetaGraphFilename("m-1-of-2x"), "m-1-of-2x.meta");
  EXPECT_EQ(MetaGraphFilename("a-1-of-2\n"), "a\n.meta");  // Python's `$` before a final newline
  EXPECT_EQ(MetaGraphFilename(""), ".meta");
}

}  // namespace
}  // namespace ckpt
