// BouncePool: the process's reusable O_DIRECT bounce buffers.
//
// A save from memory O_DIRECT cannot take directly (any array that is not
// 4 KiB-aligned relative to its file offset) copies through aligned buffers.
// Fresh memory costs a page fault per 4 KiB on first touch (slower than the
// disk on VMs), so buffers are allocated once, pre-faulted (huge pages where
// THP allows), and handed from file to file. The pool keeps at most
// kMaxFreeBuffers free buffers; more are unmapped when returned.
//
// Thread-safety: Acquire and Release may be called from any thread.
#pragma once

#include <cstddef>

#include "base/page_memory.h"
#include "ckpt/status.h"

namespace ckpt::io {

class BouncePool {
 public:
  static constexpr size_t kBufferSize = size_t{8} << 20;
  static constexpr size_t kMaxFreeBuffers = 4;

  static BouncePool& Global();

  // A kBufferSize-byte, 4 KiB-aligned, pre-faulted buffer (a recycled one
  // when available). ResourceExhausted when memory cannot be mapped.
  Result<base::PageBuffer> Acquire();
  void Release(base::PageBuffer buffer);
  // Free buffers held now (for tests).
  size_t free_buffers() const;
};

}  // namespace ckpt::io
