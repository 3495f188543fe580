// The fixture shared by the CheckpointManager unit tests: an in-memory file
// system with /d, an injected clock, one float variable, and helpers to
// build managers and look at what they left on disk. Tests only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "graph/graph_test_helpers.h"

namespace ckpt::testing_manager {

using graph::testing::FloatVar;

class ManagerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemoryFileSystem();
    ASSERT_TRUE(fs_->CreateDir("/d").ok());
  }

  CheckpointOptions Opts() {
    CheckpointOptions o;
    o.fs = fs_.get();
    return o;
  }
  CheckpointOptions AsyncOpts() {
    CheckpointOptions o = Opts();
    o.enable_async = true;
    return o;
  }

  CheckpointManagerOptions MOpts() {
    CheckpointManagerOptions o;
    o.clock = [this] { return now_.load(); };  // read on the writer thread for async saves
    return o;
  }

  std::unique_ptr<CheckpointManager> Make(Checkpoint& c, std::optional<int> max_to_keep, CheckpointManagerOptions o,
                                          const std::string& dir = "/d") {
    auto m = CheckpointManager::Create(c, dir, max_to_keep, std::move(o));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  std::string SaveOk(CheckpointManager& m, std::optional<int64_t> number = std::nullopt) {
    auto r = m.Save(number);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || !*r) return "";
    return **r;
  }

  bool Exists(const std::string& prefix) { return fs_->FileExists(prefix + ".index").ok(); }

  std::vector<std::string> Children(const std::string& dir = "/d") {
    auto c = fs_->GetChildren(dir);
    EXPECT_TRUE(c.ok());
    std::vector<std::string> out = c.ok() ? *c : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    return out;
  }

  CheckpointState State() {
    auto s = GetCheckpointState("/d", kDefaultStateFilename, fs_.get());
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : CheckpointState{};
  }

  float ReadFirst(const std::string& prefix) {
    auto r = graph::testing::OpenBundle(fs_.get(), prefix);
    if (!r) return -1;
    auto t = r->Read("v/.ATTRIBUTES/VARIABLE_VALUE");
    return t.ok() ? t->flat<float>()[0] : -2;
  }

  void WriteStateText(const std::string& text) {
    auto f = fs_->NewWritableFile("/d/checkpoint");
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(text).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  std::unique_ptr<FileSystem> fs_;
  std::atomic<double> now_{3};
  std::unique_ptr<Variable> v_ = FloatVar({1, 2, 3});
};

}  // namespace ckpt::testing_manager
