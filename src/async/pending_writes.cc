#include "async/pending_writes.h"

namespace ckpt::async {

PendingWrites& PendingWrites::Global() {
  static PendingWrites* pending = new PendingWrites;  // outlives writer threads at exit
  return *pending;
}

void PendingWrites::Begin(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  ++in_flight_[dir];
}

void PendingWrites::End(const std::string& dir) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = in_flight_.find(dir);
    if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  }
  cv_.notify_all();
}

void PendingWrites::WaitIdle(const std::string& dir) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return in_flight_.find(dir) == in_flight_.end(); });
}

}  // namespace ckpt::async
