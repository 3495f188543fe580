#include "io/bounce_pool.h"

#include <mutex>
#include <vector>

#include "ckpt/status_macros.h"

namespace ckpt::io {
namespace {
std::mutex mu;
std::vector<base::PageBuffer>& FreeList() {
  static auto* list = new std::vector<base::PageBuffer>();  // never destroyed: used until exit
  return *list;
}
}  // namespace

BouncePool& BouncePool::Global() {
  static BouncePool pool;
  return pool;
}

Result<base::PageBuffer> BouncePool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& list = FreeList();
    if (!list.empty()) {
      base::PageBuffer b = std::move(list.back());
      list.pop_back();
      return b;
    }
  }
  CKPT_ASSIGN_OR_RETURN(base::PageBuffer b, base::PageBuffer::Allocate(kBufferSize));
  CKPT_RETURN_IF_ERROR(base::Prefault(b.data(), b.size()));
  return b;
}

void BouncePool::Release(base::PageBuffer buffer) {
  if (buffer.size() != kBufferSize) return;
  std::lock_guard<std::mutex> lock(mu);
  auto& list = FreeList();
  if (list.size() < kMaxFreeBuffers) list.push_back(std::move(buffer));
}

size_t BouncePool::free_buffers() const {
  std::lock_guard<std::mutex> lock(mu);
  return FreeList().size();
}

}  // namespace ckpt::io
