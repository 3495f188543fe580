// StagingBuffer: library-owned copies of the values of one async save.
//
// An async save must not read the caller's variables after Save() returns,
// so their bytes are copied here first; this copy is the only part of an
// async save the caller waits for. The buffer is reused from save to save:
// fixed-size values are packed into one page-aligned arena that only grows
// (no allocation, and no page faults, once it is big enough), each value at
// a 64-byte aligned offset so the writer's large appends stay aligned.
//
// Growing (the first save, or a model that grew): fresh memory costs a page
// fault per page on first touch, slower than the copy itself on VMs. The
// arena is mapped with huge pages where THP allows (base::PageBuffer) and a
// helper thread pre-faults it (MADV_POPULATE_WRITE) in chunks ahead of the
// copy, which waits only for chunks not yet populated; Prepare() does the
// whole thing ahead of time when the size is known.
//
// Thread-safety: none; one save at a time stages into a buffer, and the
// writer reads it only after Stage() returned and before the next Stage().
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/named_view.h"
#include "base/page_memory.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt::async {

using ckpt::NamedView;

class StagingBuffer {
 public:
  StagingBuffer() = default;
  ~StagingBuffer() { FinishPopulating(); }
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;

  // Copies every value (a state of 64 MiB or more on the calling thread and
  // one helper thread, joined before returning). Afterwards values() lists the same keys, dtypes and
  // shapes with views into this buffer; the inputs may change at once.
  // ResourceExhausted when the arena cannot grow. Previous views die.
  Status Stage(std::span<const NamedView> values);

  // Grows the arena to hold `bytes` and pre-faults it on the calling thread,
  // so a later Stage() of at most that many bytes takes no page faults.
  // ResourceExhausted when the arena cannot grow.
  Status Prepare(size_t bytes);
  // Like Prepare, but returns once the arena is mapped: a helper thread
  // pre-faults it meanwhile (at the calling thread's priority), and a
  // Stage() that comes before it has finished copies into the part already
  // populated and waits only for the rest, as for a first Stage() that grows
  // the arena itself. ResourceExhausted when the arena cannot grow.
  Status StartPrepare(size_t bytes);
  // Bytes Stage() needs for these values (the arena size to Prepare()).
  static size_t ArenaBytes(std::span<const NamedView> values);

  const std::vector<NamedView>& values() const { return staged_; }
  // Bytes of fixed-size values the arena holds now, and can hold.
  size_t staged_bytes() const { return used_; }
  size_t capacity() const { return capacity_; }

 private:
  // Maps a larger arena when needed. A new arena is populated by a helper
  // thread (PopulateAhead); CopyIn waits for the part it copies into.
  Status Reserve(size_t bytes);
  void CopyIn(size_t offset, const void* src, size_t n);
  void FinishPopulating();

  base::PageBuffer arena_;
  size_t capacity_ = 0;
  std::atomic<size_t> populated_{0};  // arena bytes the helper has pre-faulted
  std::thread populator_;
  size_t used_ = 0;
  std::vector<NamedView> staged_;
  // String values: owned copies and the views handed out.
  std::vector<std::vector<std::string>> strings_;
  std::vector<std::vector<std::string_view>> string_views_;
};

}  // namespace ckpt::async
