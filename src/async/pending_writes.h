// PendingWrites: which directories have async checkpoint writes in flight,
// process-wide, so a restore from any Checkpoint waits for them (a path an
// async save returned names files that may not exist yet, CO-21).
//
// Directories are compared as strings (Dirname of the prefix): a restore
// through a different spelling of the same directory does not wait.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

namespace ckpt::async {

class PendingWrites {
 public:
  static PendingWrites& Global();

  void Begin(const std::string& dir);
  void End(const std::string& dir);
  // Returns once no write into `dir` is in flight.
  void WaitIdle(const std::string& dir);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;
};

}  // namespace ckpt::async
