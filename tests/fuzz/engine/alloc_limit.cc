// The allocation limit of ckpt_fuzz: a single allocation above 256 MiB is a
// finding (a size taken from corrupt input), not an out-of-memory kill.
// With ASan, max_allocation_size_mb does it for every allocator. Without,
// operator new is replaced here and the library's own calls of
// malloc/aligned_alloc are wrapped at link time (-Wl,--wrap=malloc
// -Wl,--wrap=aligned_alloc in tests/fuzz/CMakeLists.txt).
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "engine/crash.h"
#include "engine/sanitizers.h"

#if CKPT_FUZZ_ASAN
// Huge single allocations are a finding, not an out-of-memory kill.
extern "C" const char* __asan_default_options() {
  return "max_allocation_size_mb=256:allocator_may_return_null=0:detect_leaks=1";
}
#else
namespace {

constexpr size_t kAllocLimit = size_t{256} << 20;

void CheckAllocSize(size_t n) {
  if (n > kAllocLimit) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "\nckpt_fuzz: allocation of %zu bytes exceeds the %zu byte limit\n", n,
                  kAllocLimit);
    ckpt::fuzz::WriteStderr(buf);
    std::abort();
  }
}
void* NewImpl(size_t n) {
  CheckAllocSize(n);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* NewAlignedImpl(size_t n, std::align_val_t a) {
  CheckAllocSize(n);
  const size_t al = static_cast<size_t>(a);
  void* p = std::aligned_alloc(al, (std::max<size_t>(n, 1) + al - 1) / al * al);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace
void* operator new(size_t n) { return NewImpl(n); }
void* operator new[](size_t n) { return NewImpl(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (n > kAllocLimit) CheckAllocSize(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  if (n > kAllocLimit) CheckAllocSize(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n, std::align_val_t a) { return NewAlignedImpl(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return NewAlignedImpl(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

extern "C" {
void* __real_malloc(size_t n);
void* __real_aligned_alloc(size_t a, size_t n);
void* __wrap_malloc(size_t n) {
  CheckAllocSize(n);
  return __real_malloc(n);
}
void* __wrap_aligned_alloc(size_t a, size_t n) {
  CheckAllocSize(n);
  return __real_aligned_alloc(a, n);
}
}
#endif
