// BackgroundWriter: stage on the caller's thread, commit on a writer thread.
//
// Submit() is what an async save costs its caller:
//   1. wait until one of the staging buffers is free (with one buffer: until
//      the previous job finished; never longer than that);
//   2. report (and clear) the first error of an earlier job, if any, without
//      queueing anything (TF re-raises a background error at the next save);
//   3. copy the values into the free buffer (StagingBuffer::Stage);
//   4. queue the job and return its ticket.
// The writer thread (started on first use; from its first job on at a lower
// CPU and I/O priority than the caller: async/thread_priority.h; a Prepare()
// before that runs at the caller's priority) runs jobs one at a time in
// submission order; a job gets the staging buffer it was submitted with,
// which becomes free again when the job returns. A job's error is kept until
// Submit(), Sync() or TakeError() reports it; later jobs still run.
//
// The destructor waits for every queued job and logs an error nobody took.
//
// Thread-safety: all methods may be called from any thread, but jobs must
// not call Submit/WaitFor/Sync on their own writer (they would wait for
// themselves); OnWriterThread() tells a caller that it is inside a job.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "async/staging_buffer.h"
#include "ckpt/status.h"

namespace ckpt::async {

class BackgroundWriter {
 public:
  using Job = std::function<Status(const StagingBuffer& staged)>;

  explicit BackgroundWriter(int staging_buffers = 1);
  ~BackgroundWriter();
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Steps 1-4 above. Tickets start at 1 and increase by one per job.
  Result<uint64_t> Submit(std::span<const NamedView> values, Job job);
  // Grows every staging buffer to hold `bytes` and pre-faults it, on the
  // writer thread (started if needed), so the first Submit of a state of
  // at most that size copies into ready memory. Returns at once. A Submit
  // that needs a buffer being prepared waits until its arena is mapped, then
  // copies behind the pre-faulting (StagingBuffer::StartPrepare). Not a job:
  // tickets, Sync() and idle() do not see it.
  void Prepare(size_t bytes);
  // True while a Prepare() is queued or mapping its arenas (pre-faulting
  // may go on afterwards).
  bool preparing() const;
  // Waits until job `ticket` (and so every earlier one) has finished.
  void WaitFor(uint64_t ticket);
  // Waits for every job submitted before the call (not for jobs other
  // threads submit meanwhile: a Sync from another thread than a saver that
  // never pauses would never return); returns (and clears) the first
  // unreported error.
  Status Sync();
  // Returns (and clears) the first unreported error without waiting.
  Status TakeError();
  // True when no job is queued or running.
  bool idle() const;
  // True on this writer's thread (inside one of its jobs).
  bool OnWriterThread() const;
  // True on any BackgroundWriter's thread.
  static bool OnAnyWriterThread();

 private:
  struct Pending {
    uint64_t ticket;
    int buffer;
    Job job;
  };
  void Run();
  // Runs a pending Prepare() on the writer thread (unlocks `l` meanwhile).
  void PrepareBuffers(std::unique_lock<std::mutex>& l);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<StagingBuffer>> buffers_;
  std::vector<bool> busy_;
  std::deque<Pending> queue_;
  uint64_t next_ticket_ = 1;
  uint64_t finished_ = 0;  // every ticket <= finished_ is done
  Status error_;
  bool stop_ = false;
  size_t prepare_bytes_ = 0;  // a Prepare() the writer thread has not started yet
  bool prepare_running_ = false;
  std::thread thread_;
};

}  // namespace ckpt::async
