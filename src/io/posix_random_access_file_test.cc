// The POSIX RandomAccessFile's large-read paths: page cache, O_DIRECT in
// place, O_DIRECT through bounce buffers, two-thread split, and files only
// partly in the page cache, at every alignment of file offset and
// destination, with and without the fused crc32c.
#include "io/posix_random_access_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/file_system.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace ckpt::io {
namespace {

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kFileSize = 13 * kMiB + 12345;

enum class Cache { kCold, kWarm, kFirstHalfEvicted, kSecondHalfEvicted };

class PosixReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = test::TempDir::Create();
    ASSERT_OK(dir);
    dir_ = std::make_unique<test::TempDir>(*std::move(dir));
    path_ = dir_->Join("data");
    want_.resize(kFileSize);
    uint32_t x = 12345;
    for (char& c : want_) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, want_.data(), want_.size()), static_cast<ssize_t>(want_.size()));
    ASSERT_EQ(::fsync(fd), 0);
    ::close(fd);
    auto f = FileSystem::Default()->NewRandomAccessFile(path_);
    ASSERT_OK(f);
    file_ = *std::move(f);
  }

  void SetCache(Cache c) {
    const int fd = ::open(path_.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    const off_t half = static_cast<off_t>(kFileSize / 2);
    ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    if (c != Cache::kCold) {
      std::vector<char> all(kFileSize);
      ASSERT_EQ(::pread(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
    }
    if (c == Cache::kFirstHalfEvicted) ASSERT_EQ(::posix_fadvise(fd, 0, half, POSIX_FADV_DONTNEED), 0);
    if (c == Cache::kSecondHalfEvicted) ASSERT_EQ(::posix_fadvise(fd, half, 0, POSIX_FADV_DONTNEED), 0);
    ::close(fd);
  }

  // Reads [offset, offset + n) into a buffer `misalign` bytes past a page
  // and checks bytes, the guard bytes around them, and the crc.
  void Check(uint64_t offset, size_t n, size_t misalign, bool with_crc) {
    SCOPED_TRACE("offset " + std::to_string(offset) + " n " + std::to_string(n) + " misalign " +
                 std::to_string(misalign) + (with_crc ? " crc" : ""));
    const size_t cap = (misalign + n + 64 + 4095) / 4096 * 4096;
    std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char*>(std::aligned_alloc(4096, cap)), &std::free);
    std::memset(buf.get(), 0x5a, cap);
    char* dst = buf.get() + misalign;
    if (with_crc) {
      uint32_t crc = 1;
      ASSERT_OK(file_->ReadWithCrc32c(offset, n, dst, &crc));
      EXPECT_EQ(crc, crc32c::Value(want_.data() + offset, n).value);
    } else {
      ASSERT_OK(file_->Read(offset, n, dst));
    }
    EXPECT_EQ(std::memcmp(dst, want_.data() + offset, n), 0);
    for (size_t i = 0; i < misalign; ++i) ASSERT_EQ(buf.get()[i], 0x5a) << "byte before dst written";
    for (size_t i = misalign + n; i < cap; ++i) ASSERT_EQ(buf.get()[i], 0x5a) << "byte after dst written";
  }

  std::unique_ptr<test::TempDir> dir_;
  std::string path_;
  std::string want_;
  std::unique_ptr<RandomAccessFile> file_;
};

TEST_F(PosixReadTest, SmallReadsAtEveryAlignment) {
  for (Cache c : {Cache::kCold, Cache::kWarm}) {
    SetCache(c);
    for (size_t n : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}}) {
      for (uint64_t offset : {uint64_t{0}, uint64_t{1}, uint64_t{4095}, uint64_t{4096}, uint64_t{kFileSize - n}}) {
        for (size_t misalign : {size_t{0}, size_t{1}, size_t{16}, size_t{64}}) {
          Check(offset, n, misalign, true);
          Check(offset, n, misalign, false);
        }
      }
    }
  }
}

// 4 MiB - 1 stays buffered; 4 MiB takes one segment; 8 MiB + 4097 splits in
// two / pipelines several segments; the whole file ends unaligned.
TEST_F(PosixReadTest, LargeReadsCachedUncachedAndPartlyCached) {
  const size_t sizes[] = {4 * kMiB - 1, 4 * kMiB, 8 * kMiB + 4097, kFileSize - 4113};
  for (Cache c : {Cache::kCold, Cache::kWarm, Cache::kFirstHalfEvicted, Cache::kSecondHalfEvicted}) {
    for (size_t n : sizes) {
      for (uint64_t offset : {uint64_t{0}, uint64_t{4096 + 17}}) {
        if (offset + n > kFileSize) continue;
        for (size_t misalign : {size_t{0}, size_t{16}, size_t{17}}) {
          // misalign 17 with offset 4113 lines dst up with the file (in place).
          SetCache(c);
          Check(offset, n, misalign, true);
        }
      }
    }
  }
  SetCache(Cache::kCold);
  Check(4096 + 17, 8 * kMiB + 4097, 16, false);
  SetCache(Cache::kWarm);
  Check(4096 + 17, 8 * kMiB + 4097, 16, false);
}

TEST_F(PosixReadTest, ReadPastTheEndIsOutOfRange) {
  std::vector<char> buf(8 * kMiB);
  uint32_t crc = 0;
  EXPECT_CODE(file_->ReadWithCrc32c(kFileSize - 4 * kMiB, 4 * kMiB + 1, buf.data(), &crc), StatusCode::kOutOfRange);
  EXPECT_CODE(file_->Read(kFileSize + 1, 0, buf.data()), StatusCode::kOutOfRange);
}

// Threads share the process-wide bounce buffers: concurrent unaligned cold
// reads of different ranges must not see one another's bytes.
TEST_F(PosixReadTest, ConcurrentBounceReads) {
  SetCache(Cache::kCold);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      const uint64_t offset = static_cast<uint64_t>(t) * kMiB + 4096;
      std::vector<char> buf(8 * kMiB + 64);
      uint32_t crc = 0;
      ASSERT_OK(file_->ReadWithCrc32c(offset, 8 * kMiB, buf.data() + 16, &crc));
      EXPECT_EQ(std::memcmp(buf.data() + 16, want_.data() + offset, 8 * kMiB), 0);
      EXPECT_EQ(crc, crc32c::Value(want_.data() + offset, 8 * kMiB).value);
    });
  }
  for (auto& t : threads) t.join();
}

// A restore reads tensor after tensor: each cold read starts the O_DIRECT
// read of the next one's first segment (read-ahead) before it returns. Every
// mix of alignments, with the next range cold, cached or half cached.
TEST_F(PosixReadTest, SequentialReadsConsumeTheReadAhead) {
  const size_t sizes[] = {4 * kMiB, 4 * kMiB + 3, 5 * kMiB - 4096};
  for (Cache c : {Cache::kCold, Cache::kFirstHalfEvicted, Cache::kSecondHalfEvicted}) {
    for (uint64_t start : {uint64_t{0}, uint64_t{3}, uint64_t{4096}}) {
      for (size_t misalign : {size_t{0}, size_t{16}}) {
        SetCache(c);
        auto f = FileSystem::Default()->NewRandomAccessFile(path_);  // fresh read-ahead state
        ASSERT_OK(f);
        file_ = *std::move(f);
        uint64_t offset = start;
        for (size_t i = 0; offset + sizes[i % 3] <= kFileSize; ++i) {
          Check(offset, sizes[i % 3], misalign, i % 2 == 0);
          offset += sizes[i % 3];
        }
      }
    }
  }
}

// A read-ahead that the next read does not start at is dropped, whatever
// that read is: elsewhere, overlapping it, or small.
TEST_F(PosixReadTest, UnusedReadAheadIsDropped) {
  SetCache(Cache::kCold);
  Check(0, 4 * kMiB, 16, true);                // reads ahead [4 MiB, 8 MiB)
  Check(5 * kMiB, 4 * kMiB + 1, 16, true);     // elsewhere
  Check(9 * kMiB + 1, 4 * kMiB, 0, true);      // reads ahead from 13 MiB + 1: less than 4 MiB left, none
  Check(4 * kMiB + 4096, 4 * kMiB, 16, true);  // inside the dropped range
  Check(0, 4 * kMiB, 0, false);
  Check(4 * kMiB, 100, 16, true);  // small: buffered, leaves the read-ahead alone
  Check(4 * kMiB, 4 * kMiB, 16, true);
  SetCache(Cache::kWarm);
  Check(8 * kMiB, 4 * kMiB, 16, true);
}

// Cold reads of many segments from more threads than there are read
// workers, each thread sequential (so each leaves a read-ahead that another
// thread may take or drop): every byte and crc right, and no thread waits
// forever for a ring reader queued behind the others' (ctest's timeout
// would show a hang).
TEST_F(PosixReadTest, ManyThreadsOfSequentialColdReads) {
  SetCache(Cache::kCold);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([this, t] {
      std::vector<char> buf(6 * kMiB + 64);
      for (int round = 0; round < 3; ++round) {
        for (uint64_t offset = static_cast<uint64_t>(t) * 4096; offset + 6 * kMiB <= kFileSize; offset += 6 * kMiB) {
          uint32_t crc = 0;
          ASSERT_OK(file_->ReadWithCrc32c(offset, 6 * kMiB, buf.data() + 16 * (t % 2), &crc));
          ASSERT_EQ(std::memcmp(buf.data() + 16 * (t % 2), want_.data() + offset, 6 * kMiB), 0);
          ASSERT_EQ(crc, crc32c::Value(want_.data() + offset, 6 * kMiB).value);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

// The ring's reader fails on a later segment after earlier ones were
// copied out and their buffers reused: DataLoss, and the file stays usable.
TEST_F(PosixReadTest, ColdReadFailingInALaterSegmentIsDataLoss) {
  ASSERT_EQ(::truncate(path_.c_str(), static_cast<off_t>(10 * kMiB)), 0);
  SetCache(Cache::kCold);
  std::vector<char> buf(13 * kMiB);
  uint32_t crc = 0;
  EXPECT_CODE(file_->ReadWithCrc32c(0, 13 * kMiB, buf.data() + 16, &crc), StatusCode::kDataLoss);
  ASSERT_OK(file_->ReadWithCrc32c(kMiB, 8 * kMiB, buf.data(), &crc));
  EXPECT_EQ(std::memcmp(buf.data(), want_.data() + kMiB, 8 * kMiB), 0);
  EXPECT_EQ(crc, crc32c::Value(want_.data() + kMiB, 8 * kMiB).value);
}

// A file that is shorter than when it was opened: every path reports
// DataLoss instead of returning stale or missing bytes.
TEST_F(PosixReadTest, FileThatShrankIsDataLoss) {
  ASSERT_EQ(::truncate(path_.c_str(), static_cast<off_t>(6 * kMiB)), 0);
  std::vector<char> buf(8 * kMiB + 64);
  uint32_t crc = 0;
  for (bool warm : {false, true}) {
    for (size_t misalign : {size_t{0}, size_t{16}}) {
      const int fd = ::open(path_.c_str(), O_RDONLY);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
      if (warm) ASSERT_EQ(::pread(fd, buf.data(), 8 * kMiB, 0), static_cast<ssize_t>(6 * kMiB));
      ::close(fd);
      EXPECT_CODE(file_->ReadWithCrc32c(4 * kMiB, 4 * kMiB, buf.data() + misalign, &crc), StatusCode::kDataLoss);
      EXPECT_CODE(file_->Read(0, 8 * kMiB, buf.data() + misalign), StatusCode::kDataLoss);
    }
  }
}

}  // namespace
}  // namespace ckpt::io
