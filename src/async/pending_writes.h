// PendingWrites: which directories have async checkpoint writes in flight,
// process-wide, so a restore from any Checkpoint waits for them (a path an
// async save returned names files that may not exist yet, CO-21).
//
// Directories are compared as strings (Dirname of the prefix): a restore
// through a different spelling of the same directory does not wait.
//
// A waiter waits for the writes begun before it started waiting, not for
// later ones: a trainer saving back to back keeps some write in flight at
// every moment, and a restore that waited for the directory to fall idle
// would never return.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace ckpt::async {

class PendingWrites {
 public:
  static PendingWrites& Global();

  // A write into `dir` starts; returns its id for End.
  uint64_t Begin(const std::string& dir);
  void End(const std::string& dir, uint64_t id);
  // Returns once every write into `dir` begun before this call has ended.
  void WaitIdle(const std::string& dir);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t last_id_ = 0;
  std::map<std::string, std::set<uint64_t>> in_flight_;  // ids of the writes in flight, by directory
};

}  // namespace ckpt::async
