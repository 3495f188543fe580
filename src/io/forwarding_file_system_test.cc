// ForwardingFileSystem passes every virtual call to its target, and fails
// here when FileSystem gains a virtual that it (or this test) does not cover.
#include "io/forwarding_file_system.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testing/call_recording_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt::io {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(CKPT_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << "cannot read " << relative;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The body of `class <head> {` ... `};` in `text`.
std::string ClassBody(const std::string& text, const std::string& head) {
  const size_t start = text.find(head + " {");
  if (start == std::string::npos) return "";
  const size_t end = text.find("\n};", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Names of the methods declared `virtual` in a class body (not the destructor).
std::set<std::string> VirtualMethods(const std::string& body) {
  static const std::regex re(R"(virtual\s+[^;{}]*?(~?\w+)\s*\()");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    if (name[0] != '~') out.insert(name);
  }
  return out;
}

// Names of the methods a class body declares with `override`.
std::set<std::string> OverriddenMethods(const std::string& body) {
  static const std::regex re(R"((\w+)\s*\([^;]*?\)\s*(const\s*)?override)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

TEST(ForwardingFileSystem, EveryVirtualReachesTheTarget) {
  test::CallRecordingFileSystem target;
  ForwardingFileSystem wrapper(&target);
  EXPECT_EQ(wrapper.target(), &target);
  const std::vector<std::string> called = test::CallEveryVirtual(&wrapper, "/p");
  EXPECT_EQ(target.methods(), called);
  const std::vector<std::string> expected = {
      "NewWritableFile /p direct_io=1", "NewRandomAccessFile /p", "NewReadOnlyMemoryRegion /p", "LockFile /p",
      "FileExists /p", "GetFileSize /p", "GetModificationTime /p", "IsDirectory /p", "GetChildren /p",
      "RenameFile /p /p.to", "DeleteFile /p", "CreateDir /p", "DeleteDir /p", "SyncDir /p"};
  EXPECT_EQ(target.calls(), expected);
}

TEST(ForwardingFileSystem, ResultsComeFromTheTarget) {
  test::CallRecordingFileSystem target;
  ForwardingFileSystem wrapper(&target);
  const auto region = wrapper.NewReadOnlyMemoryRegion("/p");
  EXPECT_EQ(region.status().message(), "NewReadOnlyMemoryRegion reached the target");
  const auto lock = wrapper.LockFile("/p");
  EXPECT_EQ(lock.status().message(), "LockFile reached the target");
}

// A wrapper overrides what it changes; everything else still reaches the target.
TEST(ForwardingFileSystem, AWrapperOverridingOneCallForwardsTheRest) {
  class HidesFiles final : public ForwardingFileSystem {
   public:
    using ForwardingFileSystem::ForwardingFileSystem;
    Status FileExists(const std::string& path) override { return NotFoundError(path + " is hidden"); }
  };
  test::CallRecordingFileSystem target;
  HidesFiles wrapper(&target);
  const std::vector<std::string> called = test::CallEveryVirtual(&wrapper, "/p");
  std::vector<std::string> expected;
  for (const std::string& m : called) {
    if (m != "FileExists") expected.push_back(m);
  }
  EXPECT_EQ(target.methods(), expected);
}

// In-process locks through a wrapper are the target's: two wrappers of one
// file system contend, as two handles on one POSIX file system would.
TEST(ForwardingFileSystem, LocksAreTheTargetsLocks) {
  auto mem = NewMemoryFileSystem();
  ForwardingFileSystem a(mem.get()), b(mem.get());
  auto held = a.LockFile("/lock");
  ASSERT_OK(held);
  EXPECT_EQ(b.LockFile("/lock").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(mem->LockFile("/lock").status().code(), StatusCode::kFailedPrecondition);
  held->reset();
  EXPECT_OK(b.LockFile("/lock"));
}

// The guard: every virtual of FileSystem is forwarded by ForwardingFileSystem,
// overridden by the recording target, and called by CallEveryVirtual.
TEST(ForwardingFileSystem, CoversEveryVirtualOfFileSystem) {
  const std::set<std::string> declared =
      VirtualMethods(ClassBody(ReadSource("include/ckpt/file_system.h"), "class CKPT_EXPORT FileSystem"));
  ASSERT_GE(declared.size(), 14u) << "could not parse FileSystem's virtual methods";
  const std::set<std::string> forwarded = OverriddenMethods(
      ClassBody(ReadSource("src/io/forwarding_file_system.h"), "class ForwardingFileSystem : public FileSystem"));
  EXPECT_EQ(forwarded, declared) << "ForwardingFileSystem must forward every virtual of FileSystem";
  const std::set<std::string> recorded = OverriddenMethods(ClassBody(
      ReadSource("src/testing/call_recording_file_system.h"), "class CallRecordingFileSystem final : public FileSystem"));
  EXPECT_EQ(recorded, declared) << "CallRecordingFileSystem must record every virtual of FileSystem";
  test::CallRecordingFileSystem target;
  const std::vector<std::string> called = test::CallEveryVirtual(&target, "/p");
  EXPECT_EQ(std::set<std::string>(called.begin(), called.end()), declared)
      << "CallEveryVirtual must call every virtual of FileSystem";
  EXPECT_EQ(target.methods(), called);
}

}  // namespace
}  // namespace ckpt::io
