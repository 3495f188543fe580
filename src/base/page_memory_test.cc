// base::PageBuffer / base::Prefault: alignment, contents kept, and the
// fallback and error paths of pre-faulting.
#include "base/page_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>

#include "testing/status_matchers.h"

namespace ckpt::base {
namespace {

TEST(PageBufferTest, ZeroSizeOwnsNothing) {
  auto b = PageBuffer::Allocate(0);
  ASSERT_OK(b);
  EXPECT_EQ(b->data(), nullptr);
  EXPECT_EQ(b->size(), 0u);
}

TEST(PageBufferTest, SizesRoundUpToPagesAndLargeBuffersStartOnAHugePage) {
  for (size_t n : {size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, (size_t{2} << 20) + 1}) {
    auto b = PageBuffer::Allocate(n);
    ASSERT_OK(b);
    EXPECT_EQ(b->size() % 4096, 0u) << n;
    EXPECT_GE(b->size(), n);
    EXPECT_LT(b->size(), n + 4096);
    const auto addr = reinterpret_cast<uintptr_t>(b->data());
    EXPECT_EQ(addr % (n >= (size_t{2} << 20) ? (size_t{2} << 20) : 4096), 0u) << n;
    // Zero-filled and writable to the last byte.
    EXPECT_EQ(b->data()[0], std::byte{0});
    EXPECT_EQ(b->data()[b->size() - 1], std::byte{0});
    b->data()[b->size() - 1] = std::byte{7};
  }
}

TEST(PageBufferTest, MoveTransfersOwnership) {
  auto a = PageBuffer::Allocate(8192);
  ASSERT_OK(a);
  std::byte* p = a->data();
  PageBuffer b = *std::move(a);
  EXPECT_EQ(b.data(), p);
  PageBuffer c;
  c = std::move(b);
  EXPECT_EQ(c.data(), p);
  EXPECT_EQ(b.data(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  c.Reset();
  EXPECT_EQ(c.data(), nullptr);
}

// Both methods, on aligned and unaligned sub-ranges, keep what is there.
TEST(PrefaultTest, KeepsContentsWithEitherMethod) {
  for (PrefaultMethod m : {PrefaultMethod::kAuto, PrefaultMethod::kTouch}) {
    auto b = PageBuffer::Allocate(size_t{3} << 20);
    ASSERT_OK(b);
    std::byte* p = b->data();
    for (size_t i = 0; i < b->size(); i += 4093) p[i] = std::byte(i % 251);
    EXPECT_OK(Prefault(p, b->size(), m));
    EXPECT_OK(Prefault(p + 17, 100000, m));  // starts and ends inside pages
    EXPECT_OK(Prefault(p + 4095, 1, m));
    for (size_t i = 0; i < b->size(); i += 4093) ASSERT_EQ(p[i], std::byte(i % 251)) << i;
  }
}

TEST(PrefaultTest, ZeroBytesIsANoOp) {
  EXPECT_OK(Prefault(nullptr, 0));
  EXPECT_OK(Prefault(nullptr, 0, PrefaultMethod::kTouch));
}

TEST(PrefaultTest, AutoPopulatesMemoryThatWasNeverTouched) {
  auto b = PageBuffer::Allocate(size_t{4} << 20);
  ASSERT_OK(b);
  ASSERT_OK(Prefault(b->data(), b->size()));
  std::vector<unsigned char> resident(b->size() / 4096);
  ASSERT_EQ(::mincore(b->data(), b->size(), resident.data()), 0);
  for (size_t i = 0; i < resident.size(); ++i) ASSERT_TRUE(resident[i] & 1) << "page " << i;
}

// A range a write would fault on is an error for kAuto (never a crash).
TEST(PrefaultTest, AutoRefusesReadOnlyMemory) {
  void* m = ::mmap(nullptr, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(m, MAP_FAILED);
  const Status s = Prefault(m, 8192);
  ::munmap(m, 8192);
#ifdef MADV_POPULATE_WRITE
  EXPECT_CODE(s, StatusCode::kInvalidArgument);
#else
  GTEST_SKIP() << "n/a: built without MADV_POPULATE_WRITE, kAuto is kTouch";
#endif
}

}  // namespace
}  // namespace ckpt::base
