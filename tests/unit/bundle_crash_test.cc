// Crash safety of BundleWriter, MergeBundles and the state file: power is cut
// after every mutating file-system step of a save, and what survives must be
// either nothing (no P.index) or the complete, verifiable bundle — and an
// earlier bundle in the same directory is never damaged.
#include <gtest/gtest.h>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint_state.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

Tensor Filled(DType dt, TensorShape shape, uint8_t seed) {
  Tensor t = *Tensor::Make(dt, std::move(shape));
  auto* p = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < t.byte_size(); ++i) p[i] = static_cast<uint8_t>(i * 31 + seed);
  return t;
}

struct Saved {
  std::vector<std::pair<std::string, Tensor>> tensors;
};

Saved MakeContent(uint8_t seed) {
  Saved s;
  s.tensors.emplace_back("a", Filled(DType::kFloat, {64, 33}, seed));
  s.tensors.emplace_back("b", Filled(DType::kInt64, {7}, seed));
  s.tensors.emplace_back("s", Tensor::FromStrings({2}, {"x", std::string(100, char('a' + seed % 26))}));
  return s;
}

Status Save(FileSystem* fs, const std::string& prefix, const Saved& content) {
  BundleWriterOptions o;
  o.fs = fs;
  auto w = BundleWriter::Create(prefix, o);
  if (!w.ok()) return w.status();
  for (const auto& [k, t] : content.tensors) {
    if (Status s = (*w)->Add(k, t); !s.ok()) return s;
  }
  return (*w)->Finish();
}

// OK when the bundle at prefix is either absent or complete and equal to content.
void ExpectAbsentOrComplete(FileSystem* fs, const std::string& prefix, const Saved& content, uint64_t step) {
  BundleReaderOptions ro;
  ro.fs = fs;
  auto r = BundleReader::Open(prefix, ro);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << "step " << step << ": " << r.status().ToString();
    return;
  }
  EXPECT_TRUE((*r)->VerifyAll().ok()) << "step " << step;
  for (const auto& [k, t] : content.tensors) {
    auto got = (*r)->Read(k);
    ASSERT_TRUE(got.ok()) << "step " << step << " key " << k << ": " << got.status().ToString();
    EXPECT_TRUE(got->Equals(t)) << "step " << step << " key " << k;
  }
}

TEST(BundleCrashTest, PowerCutAfterEveryStepLeavesNothingOrTheWholeBundle) {
  const Saved old_content = MakeContent(1), new_content = MakeContent(2);
  // Count the steps of one save.
  uint64_t steps = 0;
  {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    ASSERT_OK(fs.SyncDir("/"));
    ASSERT_OK(Save(&fs, "/d/old", old_content));
    const uint64_t before = fs.mutating_calls();
    ASSERT_OK(Save(&fs, "/d/new", new_content));
    steps = fs.mutating_calls() - before;
  }
  ASSERT_GT(steps, 5u);
  for (uint64_t k = 1; k <= steps + 1; ++k) {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    ASSERT_OK(fs.SyncDir("/"));
    ASSERT_OK(Save(&fs, "/d/old", old_content));
    fs.CrashAfter(k);
    Status s = Save(&fs, "/d/new", new_content);
    ASSERT_OK(fs.SimulateCrash());
    ExpectAbsentOrComplete(&fs, "/d/new", new_content, k);
    // A finished save is durable: it must survive the crash.
    if (s.ok()) EXPECT_TRUE(BundleReader::Open("/d/new", {&fs, true}).ok()) << "step " << k;
    // The earlier bundle is untouched whatever happened.
    auto old = BundleReader::Open("/d/old", {&fs, true});
    ASSERT_TRUE(old.ok()) << "step " << k << ": " << old.status().ToString();
    EXPECT_TRUE((*old)->VerifyAll().ok()) << "step " << k;
  }
}

TEST(BundleCrashTest, StateFileUpdateIsAllOrNothing) {
  uint64_t steps = 0;
  {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    ASSERT_OK(UpdateCheckpointState("/d", "/d/ckpt-1", {.save_relative_paths = true, .fs = &fs}));
    const uint64_t before = fs.mutating_calls();
    ASSERT_TRUE(UpdateCheckpointState("/d", "/d/ckpt-2", {.all_paths = {"/d/ckpt-1"}, .save_relative_paths = true,
                                                          .fs = &fs}).ok());
    steps = fs.mutating_calls() - before;
  }
  for (uint64_t k = 1; k <= steps + 1; ++k) {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    ASSERT_OK(fs.SyncDir("/"));
    ASSERT_OK(UpdateCheckpointState("/d", "/d/ckpt-1", {.save_relative_paths = true, .fs = &fs}));
    fs.CrashAfter(k);
    Status s = UpdateCheckpointState("/d", "/d/ckpt-2", {.all_paths = {"/d/ckpt-1"}, .save_relative_paths = true,
                                                         .fs = &fs});
    ASSERT_OK(fs.SimulateCrash());
    auto state = GetCheckpointState("/d", kDefaultStateFilename, &fs);
    ASSERT_TRUE(state.ok()) << "step " << k << ": " << state.status().ToString();
    ASSERT_TRUE(state->has_value()) << "step " << k;
    const std::string& latest = (*state)->model_checkpoint_path;
    EXPECT_TRUE(latest == "/d/ckpt-1" || latest == "/d/ckpt-2") << "step " << k << ": " << latest;
    if (s.ok()) EXPECT_EQ(latest, "/d/ckpt-2") << "step " << k;
  }
}

TEST(BundleCrashTest, WriteErrorsAtEveryStepLeaveNoFilesBehind) {
  const Saved content = MakeContent(3);
  for (uint64_t k = 1; k <= 12; ++k) {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    fs.FailAfter(k, StatusCode::kResourceExhausted);
    Status s = Save(&fs, "/d/p", content);
    fs.ClearFaults();
    if (s.ok()) continue;  // the fault hit a best-effort step
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << "step " << k << ": " << s.ToString();
    auto children = fs.GetChildren("/d");
    ASSERT_OK(children);
    EXPECT_TRUE(children->empty()) << "step " << k << ": " << (children->empty() ? "" : children->front());
  }
}

}  // namespace
}  // namespace ckpt
