// ResolveCheckpointPath: PREFIX, PREFIX.index or a directory -> what to open.
#include <gtest/gtest.h>

#include "ckpt/checkpoint_reader.h"
#include "ckpt/file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

class ResolveCheckpointPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(fs_->CreateDir("/d"));
    Put("/d/ckpt-1.index");
    Put("/d/ckpt-1.data-00000-of-00001");
    Put("/d/v1-model.ckpt");
  }
  void Put(const std::string& path, const std::string& bytes = "") {
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(bytes));
    ASSERT_OK((*f)->Close());
  }
  // The resolved path, "<none>" for nullopt, "<error: CODE>" for an error.
  std::string Resolve(const std::string& path) {
    auto r = ResolveCheckpointPath(path, fs_.get());
    if (!r.ok()) return "<error: " + std::string(StatusCodeName(r.status().code())) + ">";
    return r->value_or("<none>");
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

TEST_F(ResolveCheckpointPathTest, PrefixAndIndexFileNameTheBundle) {
  EXPECT_EQ(Resolve("/d/ckpt-1"), "/d/ckpt-1");
  EXPECT_EQ(Resolve("/d/ckpt-1.index"), "/d/ckpt-1");
}

TEST_F(ResolveCheckpointPathTest, DirectoryGivesItsLatestCheckpoint) {
  EXPECT_EQ(Resolve("/d"), "<none>");  // no state file
  Put("/d/checkpoint", "model_checkpoint_path: \"ckpt-1\"\n");
  EXPECT_EQ(Resolve("/d"), "/d/ckpt-1");
  Put("/d/checkpoint", "model_checkpoint_path: \"ckpt-2\"\n");
  EXPECT_EQ(Resolve("/d"), "<none>");  // names a checkpoint that is gone
  Put("/d/checkpoint", "model_checkpoint_path: [");
  EXPECT_EQ(Resolve("/d"), "<error: DATA_LOSS>");
}

TEST_F(ResolveCheckpointPathTest, ABundlePrefixWinsOverADirectoryOfTheSameName) {
  ASSERT_OK(fs_->CreateDir("/d/ckpt-1"));
  EXPECT_EQ(Resolve("/d/ckpt-1"), "/d/ckpt-1");
}

TEST_F(ResolveCheckpointPathTest, AnythingElseIsUnchanged) {
  EXPECT_EQ(Resolve("/d/v1-model.ckpt"), "/d/v1-model.ckpt");
  EXPECT_EQ(Resolve("/d/model.ckpt-*-of-00002"), "/d/model.ckpt-*-of-00002");
  EXPECT_EQ(Resolve("/d/missing"), "/d/missing");
  EXPECT_EQ(Resolve("/d/missing.index"), "/d/missing.index");  // strips only an existing file's suffix
  Put(".index");
  EXPECT_EQ(Resolve(".index"), ".index");  // an empty prefix is no prefix
  ASSERT_OK(fs_->CreateDir("/d/dir.index"));
  EXPECT_EQ(Resolve("/d/dir.index"), "<none>");  // a directory, not an index file
}

}  // namespace
}  // namespace ckpt
