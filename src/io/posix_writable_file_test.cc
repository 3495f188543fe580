// The POSIX writable file's copy engine: whatever the source address, the
// file offset and the sizes, the file holds exactly the appended bytes.
// Runs on the real disk (TempDir), where O_DIRECT is honoured, and again with
// buffered I/O. The cases cover each path: coalescing small appends, bounce
// copies of large unaligned sources (several buffers in flight), large
// sources written straight from the caller's memory (aligned, and lined up
// with a file offset that is not, via the head copy), Sync between appends,
// and tails that are not whole blocks.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ckpt/file_system.h"
#include "io/bounce_pool.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace ckpt {
using io::BouncePool;
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMiB = size_t{1} << 20;

// A page-aligned source of `size` bytes starting `skew` bytes past a page,
// filled with a pattern that differs per byte position and per seed.
class Source {
 public:
  Source(size_t size, size_t skew, uint32_t seed) : mem_(size + skew + 2 * kPage), skew_(skew) {
    base_ = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(mem_.data()) + kPage - 1) / kPage * kPage);
    uint32_t x = seed * 2654435761u + 7;
    for (size_t i = 0; i < size; ++i) {
      x = x * 1664525u + 1013904223u;
      base_[skew + i] = static_cast<char>(x >> 24);
    }
    size_ = size;
  }
  const char* data() const { return base_ + skew_; }
  size_t size() const { return size_; }
  std::string str() const { return std::string(data(), size_); }

 private:
  std::vector<char> mem_;
  char* base_;
  size_t skew_;
  size_t size_ = 0;
};

struct Piece {
  size_t size;
  size_t skew;  // source address modulo 4096
  bool sync_after = false;
};

// Appends every piece to a fresh file, closes it, and compares the file's bytes.
void WriteAndCheck(const std::vector<Piece>& pieces, bool direct_io, const std::string& what) {
  auto dir = test::TempDir::Create();
  ASSERT_OK(dir);
  FileSystem* fs = FileSystem::Default();
  const std::string path = dir->Join("f");
  WritableFileOptions o;
  o.direct_io = direct_io;
  auto f = fs->NewWritableFile(path, o);
  ASSERT_OK(f);
  std::string want;
  uint32_t seed = 1;
  for (const Piece& p : pieces) {
    Source src(p.size, p.skew, seed++);
    { SCOPED_TRACE(what); ASSERT_OK((*f)->Append(src.data(), src.size())); }
    want += src.str();
    if (p.sync_after) { SCOPED_TRACE(what); ASSERT_OK((*f)->Sync()); }
    ASSERT_EQ((*f)->Size(), want.size()) << what;
  }
  { SCOPED_TRACE(what); ASSERT_OK((*f)->Close()); }
  auto got = fs->ReadFileToString(path);
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), want.size()) << what;
  if (*got != want) {
    size_t i = 0;
    while ((*got)[i] == want[i]) ++i;
    FAIL() << what << ": first differing byte at offset " << i;
  }
}

std::string Name(const std::vector<Piece>& pieces, bool direct_io) {
  std::string s = direct_io ? "direct:" : "buffered:";
  for (const Piece& p : pieces) {
    s += " " + std::to_string(p.size) + "@+" + std::to_string(p.skew) + (p.sync_after ? "+sync" : "");
  }
  return s;
}

class PosixWritableFileTest : public testing::TestWithParam<bool> {};

// One append of every small size at every interesting source alignment,
// after a prefix that leaves the file offset aligned or not.
TEST_P(PosixWritableFileTest, SmallAppendsAtEveryAlignment) {
  for (size_t prefix : {size_t{0}, size_t{16}, kPage}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}}) {
      for (size_t skew : {size_t{0}, size_t{1}, size_t{16}, size_t{64}, size_t{4095}}) {
        std::vector<Piece> pieces;
        if (prefix > 0) pieces.push_back({prefix, 0});
        pieces.push_back({size, skew});
        WriteAndCheck(pieces, GetParam(), Name(pieces, GetParam()));
      }
    }
  }
}

// Large appends (the bounce path with several buffers queued, and the
// straight-from-memory path) at source alignments relative to the file offset.
TEST_P(PosixWritableFileTest, LargeAppendsAtEveryAlignment) {
  const size_t large = 2 * BouncePool::kBufferSize + 4097;  // more than two bounce buffers, ragged end
  for (size_t prefix : {size_t{0}, size_t{16}, size_t{4097}}) {
    for (size_t skew : {size_t{0}, size_t{16}, size_t{64}, prefix % kPage}) {
      std::vector<Piece> pieces;
      if (prefix > 0) pieces.push_back({prefix, 0});
      pieces.push_back({large, skew});
      pieces.push_back({4 * kMiB + 1, skew});
      WriteAndCheck(pieces, GetParam(), Name(pieces, GetParam()));
    }
  }
}

// Mixed sizes, and Sync (which writes a ragged tail and leaves O_DIRECT) in
// the middle, with more appends after it.
TEST_P(PosixWritableFileTest, MixedAppendsWithSyncBetween) {
  const std::vector<Piece> pieces = {
      {100, 3},        {5 * kMiB, 0, true}, {4 * kMiB + 4096, 100},
      {1, 0},          {9 * kMiB + 7, 16},  {4095, 64, true},
      {12 * kMiB, 0},  {0, 5},              {3 * kMiB, 1},
  };
  WriteAndCheck(pieces, GetParam(), Name(pieces, GetParam()));
}

// The head-copy path: a large source whose address lines up with a file
// offset that is not block-aligned (written mostly straight from memory).
TEST_P(PosixWritableFileTest, SourceLinedUpWithUnalignedFileOffset) {
  for (size_t prefix : {size_t{1}, size_t{100}, size_t{4095}, 8 * kMiB + 100}) {
    const std::vector<Piece> pieces = {{prefix, 0}, {6 * kMiB + 3, prefix % kPage}, {5 * kMiB, 0}};
    WriteAndCheck(pieces, GetParam(), Name(pieces, GetParam()));
  }
}

INSTANTIATE_TEST_SUITE_P(DirectAndBuffered, PosixWritableFileTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& i) { return i.param ? "Direct" : "Buffered"; });

// A write error on the writer thread reaches the caller (at a later Append
// or at Close), and nothing hangs. /dev/full fails every write with ENOSPC.
TEST(PosixWritableFileErrorTest, WriterThreadErrorIsReported) {
  if (!FileSystem::Default()->FileExists("/dev/full").ok()) GTEST_SKIP() << "n/a: no /dev/full";
  WritableFileOptions o;
  o.direct_io = true;
  auto f = FileSystem::Default()->NewWritableFile("/dev/full", o);
  ASSERT_OK(f);
  Source src(kMiB, 16, 3);
  Status first;
  for (int i = 0; i < 40 && first.ok(); ++i) first = (*f)->Append(src.data(), src.size());
  const Status close = (*f)->Close();
  EXPECT_CODE(first.ok() ? close : first, StatusCode::kResourceExhausted);
}

// Bounce buffers go back to the pool for the next file (up to its cap).
TEST(BouncePoolTest, BuffersAreRecycledAcrossFiles) {
  auto dir = test::TempDir::Create();
  ASSERT_OK(dir);
  WritableFileOptions o;
  o.direct_io = true;
  for (int i = 0; i < 2; ++i) {
    auto f = FileSystem::Default()->NewWritableFile(dir->Join("f" + std::to_string(i)), o);
    ASSERT_OK(f);
    Source src(3 * BouncePool::kBufferSize, 16, 1);
    ASSERT_OK((*f)->Append(src.data(), src.size()));
    ASSERT_OK((*f)->Close());
    EXPECT_GE(BouncePool::Global().free_buffers(), 1u);
    EXPECT_LE(BouncePool::Global().free_buffers(), BouncePool::kMaxFreeBuffers);
  }
  auto b = BouncePool::Global().Acquire();
  ASSERT_OK(b);
  EXPECT_EQ(b->size(), BouncePool::kBufferSize);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % kPage, 0u);
  BouncePool::Global().Release(*std::move(b));
}

}  // namespace
}  // namespace ckpt
