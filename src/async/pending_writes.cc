#include "async/pending_writes.h"

namespace ckpt::async {

PendingWrites& PendingWrites::Global() {
  static PendingWrites* pending = new PendingWrites;  // outlives writer threads at exit
  return *pending;
}

uint64_t PendingWrites::Begin(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t id = ++last_id_;
  in_flight_[dir].insert(id);
  return id;
}

void PendingWrites::End(const std::string& dir, uint64_t id) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = in_flight_.find(dir);
    if (it != in_flight_.end()) {
      it->second.erase(id);
      if (it->second.empty()) in_flight_.erase(it);
    }
  }
  cv_.notify_all();
}

void PendingWrites::WaitIdle(const std::string& dir) {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t mark = last_id_;  // writes begun from now on are not waited for
  cv_.wait(l, [&] {
    auto it = in_flight_.find(dir);
    return it == in_flight_.end() || *it->second.begin() > mark;
  });
}

}  // namespace ckpt::async
