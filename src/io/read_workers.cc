#include "io/read_workers.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ckpt::io {
namespace {

constexpr int kWorkers = 2;

class ReadWorkers {
 public:
  // Separate from construction so that a pool that loses the race to be
  // installed (below) is deleted before any thread refers to it.
  void Start() {
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

// The pool of one process. Installed with a compare-and-swap, never under a
// lock: a lock held by some parent thread at the moment of a fork() would
// stay held forever in the child, whose first restore would then hang.
struct ProcessPool {
  pid_t pid;
  ReadWorkers workers;
};

}  // namespace

std::future<Status> RunOnReadWorker(std::function<Status()> task) {
  // Never destroyed (reads may run during exit); replaced in a forked child,
  // where the parent's threads do not exist (the parent's pool is leaked
  // there: its mutex may be held by a thread that was not forked).
  static std::atomic<ProcessPool*> pool{nullptr};
  const pid_t me = ::getpid();
  ProcessPool* p = pool.load(std::memory_order_acquire);
  while (p == nullptr || p->pid != me) {
    auto* fresh = new ProcessPool{me, {}};
    if (pool.compare_exchange_strong(p, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      // Tasks queued by other threads before Start() wait in the queue.
      fresh->workers.Start();
      p = fresh;
      break;
    }
    delete fresh;  // another thread installed this process's pool first: p holds it now
  }
  return p->workers.Run(std::move(task));
}

}  // namespace ckpt::io
