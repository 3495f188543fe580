#include "async/background_writer.h"

#include <algorithm>

#include "async/thread_priority.h"
#include "base/log.h"

namespace ckpt::async {
namespace {
// The writer whose thread this is (set once, when the thread starts).
thread_local const BackgroundWriter* this_thread_writer = nullptr;
}  // namespace

BackgroundWriter::BackgroundWriter(int staging_buffers) {
  const int n = std::max(1, staging_buffers);
  for (int i = 0; i < n; ++i) buffers_.push_back(std::make_unique<StagingBuffer>());
  busy_.assign(n, false);
}

BackgroundWriter::~BackgroundWriter() {
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return queue_.empty() && finished_ + 1 == next_ticket_; });
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!error_.ok()) LogError("an asynchronous checkpoint write failed and nobody asked: " + error_.ToString());
}

Result<uint64_t> BackgroundWriter::Submit(std::span<const NamedView> values, Job job) {
  int buffer = -1;
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return std::find(busy_.begin(), busy_.end(), false) != busy_.end(); });
    if (!error_.ok()) return std::exchange(error_, OkStatus());
    buffer = static_cast<int>(std::find(busy_.begin(), busy_.end(), false) - busy_.begin());
    busy_[buffer] = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  // Staging runs outside the lock: the writer may be busy with another buffer.
  Status staged = buffers_[buffer]->Stage(values);
  std::lock_guard<std::mutex> l(mu_);
  if (!staged.ok()) {
    busy_[buffer] = false;
    cv_.notify_all();
    return staged;
  }
  const uint64_t ticket = next_ticket_++;
  queue_.push_back(Pending{ticket, buffer, std::move(job)});
  cv_.notify_all();
  return ticket;
}

void BackgroundWriter::Prepare(size_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  prepare_bytes_ = std::max(prepare_bytes_, bytes);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_all();
}

void BackgroundWriter::PrepareBuffers(std::unique_lock<std::mutex>& l) {
  const size_t bytes = std::exchange(prepare_bytes_, 0);
  prepare_running_ = true;
  for (size_t i = 0; i < buffers_.size(); ++i) {
    if (busy_[i]) continue;  // a save is using it (and growing it itself)
    busy_[i] = true;
    l.unlock();
    // A failure (no memory) is left for the save that needs the memory to report.
    // Only the mapping holds the buffer: a save that comes before the memory
    // is pre-faulted copies behind the populator instead of waiting for all of it.
    buffers_[i]->StartPrepare(bytes).IgnoreError();
    l.lock();
    busy_[i] = false;
    cv_.notify_all();
  }
  prepare_running_ = false;
}

bool BackgroundWriter::preparing() const {
  std::lock_guard<std::mutex> l(mu_);
  return prepare_bytes_ > 0 || prepare_running_;
}

void BackgroundWriter::Run() {
  this_thread_writer = this;
  // The training thread comes first; the write only has to finish before the
  // next save. But only from the first job on: a Prepare() that runs before
  // it keeps the caller's priority (its populator threads inherit it), since
  // a save that needs the buffer waits for the preparation, and at nice +10
  // on a busy machine preparing 1 GiB took 10-76 s, so the "prepared" first
  // save stalled longer than an unprepared one.
  bool lowered = false;
  for (;;) {
    Pending p;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty() || prepare_bytes_ > 0; });
      if (prepare_bytes_ > 0 && !stop_) {
        PrepareBuffers(l);
        continue;
      }
      if (queue_.empty()) return;  // stop_ and nothing left
      p = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!lowered) {
      LowerCurrentThreadPriority();  // best effort
      lowered = true;
    }
    Status s = p.job(*buffers_[p.buffer]);
    p.job = nullptr;  // drop captured state before anyone is told we are done
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!s.ok() && error_.ok()) error_ = std::move(s);
      busy_[p.buffer] = false;
      finished_ = p.ticket;
    }
    cv_.notify_all();
  }
}

void BackgroundWriter::WaitFor(uint64_t ticket) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return finished_ >= ticket; });
}

Status BackgroundWriter::Sync() {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t last = next_ticket_ - 1;  // the newest job submitted so far
  cv_.wait(l, [&] { return finished_ >= last; });
  return std::exchange(error_, OkStatus());
}

Status BackgroundWriter::TakeError() {
  std::lock_guard<std::mutex> l(mu_);
  return std::exchange(error_, OkStatus());
}

bool BackgroundWriter::idle() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.empty() && finished_ + 1 == next_ticket_;
}

bool BackgroundWriter::OnWriterThread() const { return this_thread_writer == this; }

bool BackgroundWriter::OnAnyWriterThread() { return this_thread_writer != nullptr; }

}  // namespace ckpt::async
