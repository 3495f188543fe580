// PosixWritableFile: appends reach the disk in large O_DIRECT writes, and the
// disk is kept busy while bytes are copied.
//
// Two ways a byte gets out:
//   - straight from the caller's memory, when the append is large and its
//     address lines up with its file offset modulo 4 KiB (what O_DIRECT
//     needs): the bytes up to the next 4 KiB file boundary are copied into the
//     current buffer, that buffer is written, and the aligned middle goes out
//     in one write(2) from the caller's memory (in O_DIRECT mode only when
//     kDirectFromCallerMemory is on: off now, see there);
//   - otherwise through bounce buffers (io::BouncePool: pre-faulted, reused
//     from file to file). The caller copies into one buffer while a writer
//     thread (started on the first full buffer) writes the others in FIFO
//     order, so the copy (~15 GB/s) hides behind the disk (~3 GB/s).
// The file is written strictly in order: the caller writes directly only
// after the writer thread has drained its queue, and one thread at a time
// issues write(2) on the shared file offset. In O_DIRECT mode everything
// handed to write(2) before Sync/Close is a whole number of 4 KiB blocks, so
// the file offset stays block-aligned; Sync/Close write the tail after
// switching O_DIRECT off.
#include "io/posix_writable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "ckpt/status_macros.h"
#include "io/bounce_pool.h"
#include "io/posix_error.h"

namespace ckpt::io {
namespace {

constexpr size_t kDirectAlign = 4096;
constexpr size_t kBufferSize = BouncePool::kBufferSize;
// Buffers one file may hold: one being filled, the rest queued or being written.
constexpr size_t kMaxBuffers = 3;
// Appends at least this large are written straight from the caller's memory
// when the alignment allows it (smaller ones are cheaper to coalesce).
constexpr size_t kDirectMin = kBufferSize / 2;
// A single write(2) moves at most this much (Linux caps writes near 2 GiB).
constexpr size_t kMaxWrite = size_t{1} << 30;
// Whether an O_DIRECT file writes a suitably aligned large append straight
// from the caller's memory. Off: the bounce path was faster in 8 of 9
// same-run comparisons on the 2-core VM (0.54-0.88x raw straight from the
// caller vs 0.73-1.68x through the buffers, quiet: 1.00x vs 1.39x), at
// +0.03-0.05 CPU s/GB for the copy. Why: the caller's memory is in 4 KiB
// pages, so the kernel builds virtio requests of at most max_segments pages
// (~1 MiB), where the pool's huge-page buffers give 4 MiB requests; and the
// writer thread issues the next write while the caller still hashes.
constexpr bool kDirectFromCallerMemory = false;

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, std::min(n, kMaxWrite));
    if (w < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoToStatus(errno, "write to " + path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return OkStatus();
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, bool direct) : path_(std::move(path)), fd_(fd), direct_(direct) {}

  ~PosixWritableFile() override {
    if (fd_ >= 0) Close().IgnoreError();
    StopWriter();
    ReleaseBuffers();
  }

  Status Append(const void* data, size_t n) override {
    if (fd_ < 0) return FailedPreconditionError("append to closed file " + path_);
    CKPT_RETURN_IF_ERROR(WriterError());
    const char* p = static_cast<const char*>(data);
    size_ += n;
    while (n > 0) {
      if (n >= kDirectMin) {
        const size_t k = DirectPrefix(p, n);
        if (k > 0) {
          CKPT_RETURN_IF_ERROR(SubmitCurrent());
          CKPT_RETURN_IF_ERROR(Drain());
          CKPT_RETURN_IF_ERROR(WriteAll(fd_, p, k, path_));
          written_ += k;
          p += k;
          n -= k;
          continue;
        }
      }
      CKPT_RETURN_IF_ERROR(EnsureCurrent());
      const size_t k = std::min(n, kBufferSize - len_);
      std::memcpy(cur_ + len_, p, k);
      len_ += k;
      p += k;
      n -= k;
      if (len_ == kBufferSize) CKPT_RETURN_IF_ERROR(SubmitCurrent());
    }
    return OkStatus();
  }

  Status Sync() override {
    if (fd_ < 0) return FailedPreconditionError("sync of closed file " + path_);
    CKPT_RETURN_IF_ERROR(FlushAll());
    if (::fdatasync(fd_) != 0) return io::ErrnoToStatus(errno, "fdatasync " + path_);
    return OkStatus();
  }

  Status Close() override {
    if (fd_ < 0) return OkStatus();
    Status s = FlushAll();
    if (::close(fd_) != 0 && s.ok()) s = io::ErrnoToStatus(errno, "close " + path_);
    fd_ = -1;
    StopWriter();
    ReleaseBuffers();
    return s;
  }

  uint64_t Size() const override { return size_; }

 private:
  // How many leading bytes of [p, p + n) can be written straight from p,
  // after the bytes that bring the file position to a block boundary have
  // been copied into the current buffer (done here). 0: copy instead.
  size_t DirectPrefix(const char*& p, size_t& n) {
    if (!direct_) {
      // Buffered I/O takes any address; just keep the file in order.
      return n;
    }
    if (!kDirectFromCallerMemory) return 0;
    const uint64_t pos = written_ + len_;  // file offset of p
    if ((reinterpret_cast<uintptr_t>(p) - pos) % kDirectAlign != 0) return 0;
    const size_t head = (kDirectAlign - pos % kDirectAlign) % kDirectAlign;
    if (n - head < kDirectAlign) return 0;
    if (head > 0) {
      if (!EnsureCurrent().ok()) return 0;  // the copy path reports the error
      // The buffer has room: len_ < kBufferSize and both are block-aligned
      // offsets apart by less than a block from the next boundary.
      std::memcpy(cur_ + len_, p, head);
      len_ += head;
      p += head;
      n -= head;
    }
    return n - n % kDirectAlign;
  }

  // A buffer to copy into (len_ bytes of it already used).
  Status EnsureCurrent() {
    if (cur_ != nullptr) return OkStatus();
    std::unique_lock<std::mutex> lock(mu_);
    if (free_.empty() && owned_.size() < kMaxBuffers) {
      lock.unlock();
      CKPT_ASSIGN_OR_RETURN(base::PageBuffer b, BouncePool::Global().Acquire());
      lock.lock();
      free_.push_back(reinterpret_cast<char*>(b.data()));
      owned_.push_back(std::move(b));
    }
    cv_.wait(lock, [&] { return !free_.empty() || !error_.ok(); });
    if (!error_.ok()) return error_;
    cur_ = free_.back();
    free_.pop_back();
    len_ = 0;
    return OkStatus();
  }

  // Queues the current buffer (a whole number of blocks in O_DIRECT mode,
  // which Append guarantees) for the writer thread.
  Status SubmitCurrent() {
    if (cur_ == nullptr || len_ == 0) return OkStatus();
    char* full = cur_;
    const size_t n = len_;
    cur_ = nullptr;
    len_ = 0;
    Queue(full, n);
    return OkStatus();
  }

  // Hands bytes [buf, buf + n) to the writer thread, which returns buf to
  // free_ when written (n == 0: returns it at once).
  void Queue(char* buf, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (n == 0) {
      free_.push_back(buf);
      cv_.notify_all();
      return;
    }
    if (!writer_.joinable()) writer_ = std::thread([this, fd = fd_] { RunWriter(fd); });
    queue_.push_back({buf, n});
    written_ += n;
    cv_.notify_all();
  }

  // Waits until the writer thread has written everything queued.
  Status Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return (queue_.empty() && !writing_) || !error_.ok(); });
    return error_;
  }

  Status WriterError() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

  void RunWriter(int fd) {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ with nothing left
      const Job job = queue_.front();
      queue_.pop_front();
      writing_ = true;
      const bool skip = !error_.ok();  // after an error nothing more is written
      lock.unlock();
      Status s = skip ? OkStatus() : WriteAll(fd, job.p, job.n, path_);
      lock.lock();
      writing_ = false;
      if (!s.ok() && error_.ok()) error_ = s;
      free_.push_back(job.p);
      cv_.notify_all();
    }
  }

  void StopWriter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (writer_.joinable()) writer_.join();
  }

  void ReleaseBuffers() {
    cur_ = nullptr;
    len_ = 0;
    free_.clear();
    for (base::PageBuffer& b : owned_) BouncePool::Global().Release(std::move(b));
    owned_.clear();
  }

  // Writes everything, including a tail that is not a whole block: the
  // aligned part goes through the writer thread; once it has drained,
  // O_DIRECT is switched off and the tail is written from the same buffer
  // (the writer never changes a buffer's bytes).
  Status FlushAll() {
    if (cur_ == nullptr || len_ == 0) return Drain();
    char* buf = cur_;
    const size_t total = len_;
    const size_t aligned = direct_ ? total - total % kDirectAlign : total;
    cur_ = nullptr;
    len_ = 0;
    Queue(buf, aligned);
    CKPT_RETURN_IF_ERROR(Drain());
    if (aligned == total) return OkStatus();
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
      return io::ErrnoToStatus(errno, "fcntl(O_DIRECT off) " + path_);
    }
    direct_ = false;
    CKPT_RETURN_IF_ERROR(WriteAll(fd_, buf + aligned, total - aligned, path_));
    written_ += total - aligned;
    return OkStatus();
  }

  struct Job {
    char* p;
    size_t n;
  };

  const std::string path_;
  int fd_;
  bool direct_;
  uint64_t size_ = 0;     // bytes appended
  uint64_t written_ = 0;  // bytes handed to write(2) or queued for it
  char* cur_ = nullptr;   // buffer being filled (not in free_ or queue_)
  size_t len_ = 0;        // bytes used in cur_

  std::vector<base::PageBuffer> owned_;  // every buffer this file holds
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<char*> free_;  // guarded by mu_
  std::deque<Job> queue_;    // guarded by mu_
  bool writing_ = false;     // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  Status error_;             // guarded by mu_: first write error of the writer thread
  std::thread writer_;
};

}  // namespace

std::unique_ptr<WritableFile> NewPosixWritableFile(std::string path, int fd, bool direct) {
  return std::make_unique<PosixWritableFile>(std::move(path), fd, direct);
}

}  // namespace ckpt::io
