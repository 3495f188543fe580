// A corrupted byte in a large tensor is reported as DataLoss whichever path
// reads it: page cache (warm, two-thread split), O_DIRECT in place, O_DIRECT
// through bounce buffers, a file only half in the page cache, and the
// read-ahead of the next tensor during a cold restore.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "ckpt/bundle.h"
#include "ckpt/tensor.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace ckpt {
namespace {

constexpr int64_t kElems = (int64_t{9} << 20) / 4 + 5;  // a little over 9 MiB of float32

void Evict(const std::string& path, off_t from, off_t len) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::posix_fadvise(fd, from, len, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
}

void Warm(const std::string& path) {
  auto s = FileSystem::Default()->ReadFileToString(path);
  ASSERT_OK(s);
}

using PageBuffer = std::unique_ptr<char, decltype(&std::free)>;

// At least `bytes` of page-aligned memory (aligned_alloc wants a size that is
// a multiple of the alignment).
PageBuffer NewPageBuffer(size_t bytes) {
  return PageBuffer(static_cast<char*>(std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096)), &std::free);
}

class BundleLargeReadTest : public ::testing::TestWithParam<int> {};

TEST_P(BundleLargeReadTest, RoundTripsAndDetectsCorruptionOnEveryPath) {
  const int cache = GetParam();  // 0 cold, 1 warm, 2 first half evicted
  auto dir = test::TempDir::Create();
  ASSERT_OK(dir);
  const std::string prefix = dir->Join("big");
  auto t = Tensor::Make(DType::kFloat, TensorShape({kElems}));
  ASSERT_OK(t);
  float* f = t->flat<float>().data();
  for (int64_t i = 0; i < kElems; ++i) f[i] = static_cast<float>(i % 1000) * 0.5f;
  {
    BundleWriterOptions o;
    o.data_alignment = 1;
    auto w = BundleWriter::Create(prefix, o);
    ASSERT_OK(w);
    auto small = Tensor::Make(DType::kInt8, TensorShape({3}));  // shifts the big tensor to offset 3
    ASSERT_OK(small);
    std::memset(small->data(), 1, 3);
    ASSERT_OK((*w)->Add("a_small", *small));
    ASSERT_OK((*w)->Add("big", *t));
    ASSERT_OK((*w)->Finish());
  }
  const std::string data = DataFilename(prefix, 0, 1);
  auto prepare = [&] {
    if (cache == 0) Evict(data, 0, 0);
    if (cache == 1) Warm(data);
    if (cache == 2) {
      Warm(data);
      Evict(data, 0, 5 << 20);
    }
  };
  const size_t n = static_cast<size_t>(kElems) * 4;
  // Reads "big" with the file in the cache state under test into a buffer
  // `misalign` bytes past a page; the bytes land in *buf.
  auto read_big = [&](size_t misalign, PageBuffer* buf) -> Status {
    prepare();
    auto r = BundleReader::Open(prefix);
    if (!r.ok()) return r.status();
    *buf = NewPageBuffer(n + 4096);
    MutableTensorView v = t->mutable_view();
    v.data = buf->get() + misalign;
    return (*r)->ReadInto("big", v);
  };
  for (size_t misalign : {size_t{0}, size_t{3}, size_t{16}}) {
    PageBuffer buf = NewPageBuffer(0);
    ASSERT_OK(read_big(misalign, &buf));
    EXPECT_EQ(std::memcmp(buf.get() + misalign, t->data(), n), 0) << "misalign " << misalign;
  }
  // Flip one byte in each half (the two threads / two segments).
  for (off_t at : {off_t{3 + 100}, off_t{3 + (7 << 20)}}) {
    const int fd = ::open(data.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    char c;
    ASSERT_EQ(::pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    ASSERT_EQ(::pwrite(fd, &c, 1, at), 1);
    ASSERT_EQ(::fsync(fd), 0);
    ::close(fd);
    for (size_t misalign : {size_t{0}, size_t{3}, size_t{16}}) {
      SCOPED_TRACE("byte " + std::to_string(at) + " misalign " + std::to_string(misalign));
      PageBuffer buf = NewPageBuffer(0);
      EXPECT_CODE(read_big(misalign, &buf), StatusCode::kDataLoss);
    }
    // Put it back so the next flip is the only corruption.
    const int fd2 = ::open(data.c_str(), O_RDWR);
    ASSERT_EQ(::pread(fd2, &c, 1, at), 1);
    c ^= 0x40;
    ASSERT_EQ(::pwrite(fd2, &c, 1, at), 1);
    ::close(fd2);
  }
}

// A cold restore reads the next tensor's first segment ahead while it hashes
// the current one: corruption there is DataLoss too, for that tensor only.
TEST(BundleReadAheadTest, DetectsCorruptionInTheReadAheadBytes) {
  auto dir = test::TempDir::Create();
  ASSERT_OK(dir);
  const std::string prefix = dir->Join("two");
  constexpr int64_t kFive = (int64_t{5} << 20) / 4 + 3;  // 5 MiB + 12 bytes: the second starts unaligned
  auto t = Tensor::Make(DType::kFloat, TensorShape({kFive}));
  ASSERT_OK(t);
  float* f = t->flat<float>().data();
  for (int64_t i = 0; i < kFive; ++i) f[i] = static_cast<float>(i % 977) * 0.25f;
  {
    auto w = BundleWriter::Create(prefix);
    ASSERT_OK(w);
    ASSERT_OK((*w)->Add("t1", *t));
    ASSERT_OK((*w)->Add("t2", *t));
    ASSERT_OK((*w)->Finish());
  }
  const std::string data = DataFilename(prefix, 0, 1);
  const size_t n = static_cast<size_t>(kFive) * 4;
  auto read_both = [&](size_t misalign, Status* s1, Status* s2) {
    Evict(data, 0, 0);
    auto r = BundleReader::Open(prefix);
    ASSERT_OK(r);
    PageBuffer buf = NewPageBuffer(n + 4096);
    MutableTensorView v = t->mutable_view();
    v.data = buf.get() + misalign;
    *s1 = (*r)->ReadInto("t1", v);
    if (s1->ok()) EXPECT_EQ(std::memcmp(v.data, t->data(), n), 0);
    *s2 = (*r)->ReadInto("t2", v);
    if (s2->ok()) EXPECT_EQ(std::memcmp(v.data, t->data(), n), 0);
  };
  for (size_t misalign : {size_t{0}, size_t{16}}) {
    Status s1, s2;
    read_both(misalign, &s1, &s2);
    EXPECT_OK(s1);
    EXPECT_OK(s2);
  }
  // A byte in t2's first 4 MiB segment, past its unaligned head.
  const off_t at = static_cast<off_t>(n + (1 << 20));
  const int fd = ::open(data.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(::pread(fd, &c, 1, at), 1);
  c ^= 0x08;
  ASSERT_EQ(::pwrite(fd, &c, 1, at), 1);
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
  for (size_t misalign : {size_t{0}, size_t{16}}) {
    SCOPED_TRACE("misalign " + std::to_string(misalign));
    Status s1, s2;
    read_both(misalign, &s1, &s2);
    EXPECT_OK(s1);
    EXPECT_CODE(s2, StatusCode::kDataLoss);
  }
}

INSTANTIATE_TEST_SUITE_P(Cache, BundleLargeReadTest, ::testing::Values(0, 1, 2),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(i.param == 0 ? "Cold" : i.param == 1 ? "Warm" : "HalfEvicted");
                         });

}  // namespace
}  // namespace ckpt
