#include "base/page_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace ckpt::base {
namespace {
constexpr size_t kPage = 4096;
constexpr size_t kHugePage = size_t{2} << 20;

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

void Touch(void* p, size_t n) {
  volatile char* c = static_cast<char*>(p);
  // Start at the first page boundary inside the range (and the first byte).
  if (n > 0) c[0] = c[0];
  const size_t first = AlignUp(reinterpret_cast<uintptr_t>(p), kPage) - reinterpret_cast<uintptr_t>(p);
  for (size_t i = first; i < n; i += kPage) c[i] = c[i];
}

#ifdef MADV_POPULATE_WRITE
// Whether this kernel knows MADV_POPULATE_WRITE (asked once, on a page of our own).
bool PopulateWriteSupported() {
  static const bool supported = [] {
    void* m = ::mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return false;
    const bool ok = ::madvise(m, kPage, MADV_POPULATE_WRITE) == 0;
    ::munmap(m, kPage);
    return ok;
  }();
  return supported;
}
#endif
}  // namespace

Status Prefault(void* p, size_t n, PrefaultMethod method) {
  if (n == 0) return OkStatus();
  if (method == PrefaultMethod::kAuto) {
#ifdef MADV_POPULATE_WRITE
    // madvise wants a page-aligned start; widen the range to whole pages.
    const uintptr_t start = reinterpret_cast<uintptr_t>(p) / kPage * kPage;
    const uintptr_t end = AlignUp(reinterpret_cast<uintptr_t>(p) + n, kPage);
    if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE) == 0) return OkStatus();
    const int err = errno;
    if (err == EINVAL && !PopulateWriteSupported()) {
      // A kernel without MADV_POPULATE_WRITE (< 5.14): touching each page has the same effect.
    } else if (err == ENOMEM) {
      return ResourceExhaustedError("cannot populate " + std::to_string(n) + " bytes of memory: " +
                                    std::strerror(err));
    } else {
      // EINVAL from a kernel that knows the advice (read-only or special
      // mapping), EFAULT, EPERM...: a write would fault, so touching would crash.
      return InvalidArgumentError("cannot populate " + std::to_string(n) + " bytes of memory for writing: " +
                                  std::strerror(err));
    }
#endif
  }
  Touch(p, n);
  return OkStatus();
}

Result<PageBuffer> PageBuffer::Allocate(size_t size) {
  PageBuffer b;
  if (size == 0) return b;
  const size_t want = AlignUp(size, kPage);
  const size_t align = want >= kHugePage ? kHugePage : kPage;
  // Over-allocate by the alignment and trim, so the buffer starts on a huge-page boundary.
  const size_t map = want + (align > kPage ? align : 0);
  void* m = ::mmap(nullptr, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    return ResourceExhaustedError("cannot map " + std::to_string(want) + " bytes: " + std::strerror(errno));
  }
  const uintptr_t begin = reinterpret_cast<uintptr_t>(m);
  const uintptr_t aligned = AlignUp(begin, align);
  if (aligned > begin) ::munmap(m, aligned - begin);
  const uintptr_t end = begin + map;
  if (end > aligned + want) ::munmap(reinterpret_cast<void*>(aligned + want), end - (aligned + want));
#ifdef MADV_HUGEPAGE
  if (align == kHugePage) ::madvise(reinterpret_cast<void*>(aligned), want, MADV_HUGEPAGE);  // advisory only
#endif
  b.p_ = reinterpret_cast<std::byte*>(aligned);
  b.size_ = want;
  return b;
}

void PageBuffer::Reset() {
  if (p_ != nullptr) ::munmap(p_, size_);
  p_ = nullptr;
  size_ = 0;
}

}  // namespace ckpt::base
