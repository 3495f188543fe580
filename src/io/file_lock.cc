// FileSystem::LockFile's default: an in-process lock table keyed by
// (file system, path). File systems that can lock across processes (POSIX)
// override it.
#include <mutex>
#include <set>
#include <utility>

#include "ckpt/file_system.h"

namespace ckpt {
namespace {

class LockTable {
 public:
  static LockTable& Get() {
    static LockTable* table = new LockTable;  // never destroyed: locks may outlive statics
    return *table;
  }
  bool TryAcquire(const FileSystem* fs, const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return held_.emplace(fs, path).second;
  }
  void Release(const FileSystem* fs, const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    held_.erase({fs, path});
  }

 private:
  std::mutex mu_;
  std::set<std::pair<const FileSystem*, std::string>> held_;
};

class InProcessLock final : public FileLock {
 public:
  InProcessLock(const FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~InProcessLock() override { LockTable::Get().Release(fs_, path_); }

 private:
  const FileSystem* fs_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<FileLock>> FileSystem::LockFile(const std::string& path) {
  if (!LockTable::Get().TryAcquire(this, path)) {
    return FailedPreconditionError(path + ": lock is held by another user in this process");
  }
  return std::unique_ptr<FileLock>(std::make_unique<InProcessLock>(this, path));
}

}  // namespace ckpt
