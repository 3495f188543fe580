// StagingBuffer: library-owned copies of the values of one async save.
//
// An async save must not read the caller's variables after Save() returns,
// so their bytes are copied here first; this copy is the only part of an
// async save the caller waits for. The buffer is reused from save to save:
// fixed-size values are packed into one page-aligned arena that only grows
// (no allocation, and no page faults, once it is big enough), each value at
// a 64-byte aligned offset so the writer's large appends stay aligned.
//
// Thread-safety: none; one save at a time stages into a buffer, and the
// writer reads it only after Stage() returned and before the next Stage().
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/named_view.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt::async {

using ckpt::NamedView;

class StagingBuffer {
 public:
  StagingBuffer() = default;
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;

  // Copies every value. Afterwards values() lists the same keys, dtypes and
  // shapes with views into this buffer; the inputs may change at once.
  // ResourceExhausted when the arena cannot grow. Previous views die.
  Status Stage(std::span<const NamedView> values);

  const std::vector<NamedView>& values() const { return staged_; }
  // Bytes of fixed-size values the arena holds now, and can hold.
  size_t staged_bytes() const { return used_; }
  size_t capacity() const { return capacity_; }

 private:
  struct Free {
    void operator()(std::byte* p) const;
  };
  Status Reserve(size_t bytes);

  std::unique_ptr<std::byte, Free> arena_;
  size_t capacity_ = 0;
  size_t used_ = 0;
  std::vector<NamedView> staged_;
  // String values: owned copies and the views handed out.
  std::vector<std::vector<std::string>> strings_;
  std::vector<std::vector<std::string_view>> string_views_;
};

}  // namespace ckpt::async
