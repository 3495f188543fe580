#include "async/staging_buffer.h"

#include <cstdlib>
#include <cstring>

#include "ckpt/status_macros.h"

namespace ckpt::async {
namespace {
constexpr size_t kValueAlign = 64;
constexpr size_t kArenaAlign = 4096;

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }
}  // namespace

void StagingBuffer::Free::operator()(std::byte* p) const { std::free(p); }

Status StagingBuffer::Reserve(size_t bytes) {
  if (bytes <= capacity_) return OkStatus();
  // Grow by at least 1/8 so a model that grows a little each time does not
  // reallocate on every save.
  size_t want = AlignUp(std::max(bytes, capacity_ + capacity_ / 8), kArenaAlign);
  void* p = std::aligned_alloc(kArenaAlign, want);
  if (p == nullptr) {
    return ResourceExhaustedError("cannot allocate " + std::to_string(want) + " bytes of async staging memory");
  }
  arena_.reset(static_cast<std::byte*>(p));
  capacity_ = want;
  return OkStatus();
}

Status StagingBuffer::Stage(std::span<const NamedView> values) {
  staged_.clear();
  strings_.clear();
  string_views_.clear();
  used_ = 0;
  size_t total = 0;
  for (const NamedView& v : values) {
    if (v.view.dtype != DType::kString) total = AlignUp(total, kValueAlign) + v.view.byte_size();
  }
  CKPT_RETURN_IF_ERROR(Reserve(total));
  staged_.reserve(values.size());
  for (const NamedView& v : values) {
    NamedView out{v.key, TensorView{}, v.slice};
    out.view.dtype = v.view.dtype;
    out.view.shape = v.view.shape;
    if (v.view.dtype == DType::kString) {
      auto& owned = strings_.emplace_back(v.view.strings.begin(), v.view.strings.end());
      auto& views = string_views_.emplace_back(owned.begin(), owned.end());
      out.view.strings = std::span<const std::string_view>(views);
    } else {
      used_ = AlignUp(used_, kValueAlign);
      const size_t n = v.view.byte_size();
      std::byte* dst = arena_.get() + used_;
      if (n > 0) std::memcpy(dst, v.view.data, n);
      out.view.data = dst;
      used_ += n;
    }
    staged_.push_back(std::move(out));
  }
  return OkStatus();
}

}  // namespace ckpt::async
