#include "io/read_workers.h"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ckpt::io {
namespace {

constexpr int kWorkers = 2;

class ReadWorkers {
 public:
  ReadWorkers() {
    for (int i = 0; i < kWorkers; ++i) std::thread([this] { Loop(); }).detach();
  }

  std::future<Status> Run(std::function<Status()> task) {
    std::packaged_task<Status()> t(std::move(task));
    std::future<Status> f = t.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(t));
    }
    cv_.notify_one();
    return f;
  }

 private:
  void Loop() {
    for (;;) {
      std::packaged_task<Status()> t;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        t = std::move(queue_.front());
        queue_.pop_front();
      }
      t();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<Status()>> queue_;
};

}  // namespace

std::future<Status> RunOnReadWorker(std::function<Status()> task) {
  // Never destroyed (reads may run during exit); replaced in a forked child,
  // where the parent's threads do not exist.
  static std::mutex mu;
  static ReadWorkers* workers = nullptr;
  static pid_t owner = 0;
  ReadWorkers* w;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (workers == nullptr || owner != ::getpid()) {
      workers = new ReadWorkers();
      owner = ::getpid();
    }
    w = workers;
  }
  return w->Run(std::move(task));
}

}  // namespace ckpt::io
