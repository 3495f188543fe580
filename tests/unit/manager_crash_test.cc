// Crash safety of CheckpointManager::Save (issue 4, acceptance 3): power is
// cut after every mutating file-system step of a save, for several
// configurations ("seeds": max_to_keep, history length, keep-every-N-hours,
// sync or async). After the reboot a new manager must find a
// latest_checkpoint that restores and verifies, every checkpoint that was
// active before the save must still be there unless it was the one retention
// removes *after* the new checkpoint became latest, and the next save must
// leave no more than max_to_keep active checkpoints on disk (a dead run's
// leftovers are pruned in one save).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/variable.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

struct Config {
  int max_to_keep;
  int history;  // saves made before the one that crashes
  bool keep_hours;
  bool async;
};

class World {
 public:
  explicit World(const Config& cfg) : cfg_(cfg), fs_(NewMemoryFileSystem()) {
    EXPECT_OK(fs_.CreateDir("/d"));
    EXPECT_OK(fs_.SyncDir("/"));
    EXPECT_OK(fs_.SyncDir("/d"));
  }

  test::FaultInjectionFileSystem& fs() { return fs_; }

  // A fresh process: new objects, new manager over the same files.
  void Start() {
    manager_.reset();
    checkpoint_.reset();
    var_ = std::make_unique<Variable>(DType::kFloat, TensorShape{256});
    CheckpointOptions o;
    o.fs = &fs_;
    o.enable_async = cfg_.async;
    checkpoint_ = std::make_unique<Checkpoint>(std::vector<std::pair<std::string, Trackable*>>{{"v", var_.get()}}, o);
    CheckpointManagerOptions mo;
    mo.clock = [this] { return now_; };
    if (cfg_.keep_hours) mo.keep_checkpoint_every_n_hours = 1.0;
    auto m = CheckpointManager::Create(*checkpoint_, "/d", cfg_.max_to_keep, mo);
    ASSERT_OK(m);
    manager_ = std::move(*m);
    if (manager_->latest_checkpoint()) {
      auto r = manager_->RestoreOrInitialize();
      ASSERT_OK(r);
    }
  }

  // One save with a value derived from the step; returns the save's status
  // (async: including the background write).
  Status Save() {
    now_ += 1000;  // ~17 minutes apart, so keep_every_n_hours preserves some
    std::fill(var_->flat<float>().begin(), var_->flat<float>().end(), float(now_));
    auto p = manager_->Save();
    if (!p.ok()) return p.status();
    return manager_->Sync();
  }

  std::vector<std::string> Active() { return manager_->checkpoints(); }
  std::optional<std::string> Latest() { return manager_->latest_checkpoint(); }
  void Stop() {
    manager_.reset();
    checkpoint_.reset();
  }

  bool Verifies(const std::string& prefix) {
    auto r = BundleReader::Open(prefix, {&fs_, true});
    return r.ok() && (*r)->VerifyAll().ok();
  }

  std::set<std::string> PrefixesOnDisk() {
    std::set<std::string> out;
    auto children = fs_.GetChildren("/d");
    if (!children.ok()) return out;
    for (const std::string& c : *children) {
      const auto pos = c.find(".index");
      if (pos != std::string::npos && pos + 6 == c.size()) out.insert("/d/" + c.substr(0, pos));
    }
    return out;
  }

 private:
  Config cfg_;
  test::FaultInjectionFileSystem fs_;
  double now_ = 1e6;
  std::unique_ptr<Variable> var_;
  std::unique_ptr<Checkpoint> checkpoint_;
  std::unique_ptr<CheckpointManager> manager_;
};

uint64_t CountSteps(const Config& cfg) {
  World w(cfg);
  w.Start();
  for (int i = 0; i < cfg.history; ++i) EXPECT_OK(w.Save());
  const uint64_t before = w.fs().mutating_calls();
  EXPECT_OK(w.Save());
  const uint64_t steps = w.fs().mutating_calls() - before;
  w.Stop();
  return steps;
}

void RunConfig(const Config& cfg) {
  const uint64_t steps = CountSteps(cfg);
  ASSERT_GT(steps, 8u);
  for (uint64_t k = 1; k <= steps + 1; ++k) {
    SCOPED_TRACE("max_to_keep=" + std::to_string(cfg.max_to_keep) + " history=" + std::to_string(cfg.history) +
                 " keep_hours=" + std::to_string(cfg.keep_hours) + " async=" + std::to_string(cfg.async) +
                 " cut after step " + std::to_string(k) + " of " + std::to_string(steps));
    World w(cfg);
    w.Start();
    for (int i = 0; i < cfg.history; ++i) ASSERT_OK(w.Save());
    const std::vector<std::string> before = w.Active();
    const std::set<std::string> on_disk_before = w.PrefixesOnDisk();
    w.fs().CrashAfter(k);
    Status s = w.Save();
    w.Stop();
    ASSERT_OK(w.fs().SimulateCrash());

    w.Start();
    const std::optional<std::string> latest = w.Latest();
    // No latest only when there was nothing before and this save died.
    ASSERT_TRUE(latest.has_value() || (cfg.history == 0 && !s.ok()));
    if (latest) EXPECT_TRUE(w.Verifies(*latest)) << *latest;
    const bool new_one_is_latest = latest && *latest == "/d/ckpt-" + std::to_string(cfg.history + 1);
    if (s.ok()) EXPECT_TRUE(new_one_is_latest) << "a finished save must survive";
    // Every checkpoint on disk before the save is still there and verifies,
    // unless retention removed it after the new one became latest.
    for (const std::string& p : on_disk_before) {
      const bool may_be_gone = new_one_is_latest && p == before.front() &&
                               static_cast<int>(before.size()) >= cfg.max_to_keep;
      if (!may_be_gone) {
        EXPECT_TRUE(w.Verifies(p)) << p << " lost";
      }
    }
    // Continue: one more save prunes whatever the dead run left beyond
    // max_to_keep, and everything active verifies.
    ASSERT_OK(w.Save());
    const std::vector<std::string> active = w.Active();
    EXPECT_LE(static_cast<int>(active.size()), cfg.max_to_keep);
    for (const std::string& p : active) EXPECT_TRUE(w.Verifies(p)) << p;
    if (!cfg.keep_hours) {
      // Without preservation, the only checkpoints on disk are the active ones.
      std::set<std::string> expected(active.begin(), active.end());
      EXPECT_EQ(w.PrefixesOnDisk(), expected);
    }
    w.Stop();
  }
}

TEST(ManagerCrashTest, PowerCutAtEveryStepSync) {
  RunConfig({2, 0, false, false});
  RunConfig({2, 3, false, false});
  RunConfig({1, 2, false, false});
  RunConfig({3, 3, false, false});
}

TEST(ManagerCrashTest, PowerCutAtEveryStepWithPreservation) {
  RunConfig({2, 4, true, false});
  RunConfig({1, 5, true, false});
}

TEST(ManagerCrashTest, PowerCutAtEveryStepAsync) {
  RunConfig({2, 3, false, true});
  RunConfig({1, 1, true, true});
}

}  // namespace
}  // namespace ckpt
