// Large anonymous buffers that are ready before they are timed: allocated
// straight from mmap, 2 MiB-aligned and advised for transparent huge pages
// (where THP is in "madvise" mode that is what enables them), and pre-faulted
// so the first write into them takes no page faults.
//
// Why: on VMs the first touch of memory runs at 0.3-0.6 GB/s (the host hands
// out pages one fault at a time) against 15 GB/s for memcpy into memory that
// is already mapped. Buffers on a hot path (O_DIRECT bounce buffers, the async
// staging arena) are therefore allocated once, pre-faulted, and reused.
//
// Thread-safety: the functions are reentrant; a PageBuffer is a plain owner.
#pragma once

#include <cstddef>
#include <utility>

#include "ckpt/status.h"

namespace ckpt::base {

// How Prefault brings pages in.
enum class PrefaultMethod {
  kAuto,   // madvise(MADV_POPULATE_WRITE), touching each page where the kernel refuses it
  kTouch,  // write one byte per 4 KiB page (the fallback; also usable on its own)
};

// Makes [p, p + n) resident and writable without changing its contents.
// kAuto falls back to touching when the kernel does not know the advice
// (Linux < 5.14; probed once on a page of our own). Errors (kAuto):
// ResourceExhausted when the memory cannot be populated (ENOMEM),
// InvalidArgument when a write to the range would fault (read-only or
// unmapped). kTouch never fails (on such a range it crashes, like any write
// would). n == 0 is a no-op.
Status Prefault(void* p, size_t n, PrefaultMethod method = PrefaultMethod::kAuto);

// Owns an anonymous private mapping of at least `size` bytes (rounded up to
// 4 KiB), 2 MiB-aligned when size >= 2 MiB, advised MADV_HUGEPAGE (ignored
// where THP is off). Move-only; unmaps on destruction. Contents start zero.
class PageBuffer {
 public:
  PageBuffer() = default;
  // ResourceExhausted when mmap fails. The memory is NOT pre-faulted: call
  // Prefault (on whichever thread should pay for it).
  static Result<PageBuffer> Allocate(size_t size);
  ~PageBuffer() { Reset(); }
  PageBuffer(PageBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  PageBuffer& operator=(PageBuffer&& o) noexcept {
    if (this != &o) {
      Reset();
      p_ = std::exchange(o.p_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  std::byte* data() const { return p_; }
  size_t size() const { return size_; }
  void Reset();

 private:
  std::byte* p_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ckpt::base
