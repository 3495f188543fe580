// What a failed save leaves in a live manager's directory is cleaned by the
// same manager's next save, not only by the next process (issue 14, found by
// tests/tools/io_error_campaign: a retention deletion failing half-way left
// an old checkpoint's data file without its index until a restart).
// "Async" in a name marks tests that run async code (TSan selection).
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "io/forwarding_file_system.h"
#include "manager/manager_test_fixture.h"
#include "manager/retention.h"
#include "testing/status_matchers.h"

namespace ckpt::testing_manager {
namespace {

// Fails the first deletion of a data file (EIO), forwards everything else.
class FailOneDataDeletion : public io::ForwardingFileSystem {
 public:
  using io::ForwardingFileSystem::ForwardingFileSystem;
  Status DeleteFile(const std::string& path) override {
    if (path.find(".data-") != std::string::npos && !failed_.exchange(true)) {
      return UnknownError("delete " + path + ": Input/output error");
    }
    return io::ForwardingFileSystem::DeleteFile(path);
  }

 private:
  std::atomic<bool> failed_{false};
};

class ManagerLitterTest : public ManagerFixture {
 protected:
  std::vector<std::string> Litter() { return manager::Litter("ckpt", kDefaultStateFilename, Children()); }

  void Run(bool async) {
    FailOneDataDeletion fs(fs_.get());
    CheckpointOptions o;
    o.fs = &fs;
    o.enable_async = async;
    Checkpoint c({{"v", v_.get()}}, o);
    auto m = Make(c, 1, MOpts());
    ASSERT_TRUE(m);
    ASSERT_OK(m->Save());
    ASSERT_OK(m->Sync());
    // Retention deletes ckpt-1.index, then fails on its data file.
    auto second = m->Save();
    const Status failed = second.ok() ? m->Sync() : second.status();
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.message().find("ckpt-1.data-00000-of-00001"), std::string::npos) << failed.ToString();
    EXPECT_EQ(Litter(), std::vector<std::string>{"ckpt-1.data-00000-of-00001"});
    // The same manager's next save cleans it.
    ASSERT_OK(m->Save());
    ASSERT_OK(m->Sync());
    EXPECT_TRUE(Litter().empty()) << Litter().front();
    EXPECT_EQ(m->checkpoints(), std::vector<std::string>{"/d/ckpt-3"});
  }
};

TEST_F(ManagerLitterTest, NextSaveCleansWhatAFailedRetentionLeft) { Run(false); }

TEST_F(ManagerLitterTest, NextSaveCleansWhatAFailedAsyncRetentionLeft) { Run(true); }

}  // namespace
}  // namespace ckpt::testing_manager
