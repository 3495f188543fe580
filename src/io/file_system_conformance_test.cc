// One conformance suite for every FileSystem: POSIX (in a fresh temp dir),
// in-memory, and the fault-injecting wrapper over in-memory. Each check names
// the status code it expects, not just !ok(). The large-write tests pin the
// POSIX O_DIRECT paths byte for byte: straight from an aligned caller buffer,
// through the bounce buffer from misaligned pointers, and buffered after Sync
// has switched O_DIRECT off for an unaligned tail.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/file_system.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace ckpt {
namespace {

using test::StatusOf;

#define SKIP_IF_KNOWN_GAP(flag, what) \
  if (TypeParam::flag) GTEST_SKIP() << "known gap of the in-memory file system: " << what

// ---- environments -------------------------------------------------------
//
// kGap* flags mark known departures from POSIX behaviour of the in-memory file
// system (src/io/memory_file_system.cc); the affected tests are skipped, with
// the reason, for those environments. Flip a flag to false once fixed.

class PosixEnv {
 public:
  static constexpr const char* kName = "Posix";
  static constexpr bool kGapRenameOntoDirectory = false;
  static constexpr bool kGapDeleteFileOfDirectory = false;
  static constexpr bool kGapDeleteDirOfFile = false;
  static constexpr bool kGapAppendKeepsMtime = false;
  static constexpr bool kGapSyncDirOfMissingDir = false;
  Status Init() {
    auto dir = test::TempDir::Create("ckpt_fs_conformance_");
    if (!dir.ok()) return dir.status();
    dir_.emplace(*std::move(dir));
    root_ = dir_->path();
    return OkStatus();
  }
  FileSystem* fs() { return FileSystem::Default(); }
  const std::string& root() const { return root_; }

 private:
  std::optional<test::TempDir> dir_;
  std::string root_;
};

class MemoryEnv {
 public:
  static constexpr const char* kName = "Memory";
  static constexpr bool kGapRenameOntoDirectory = false;
  static constexpr bool kGapDeleteFileOfDirectory = false;
  static constexpr bool kGapDeleteDirOfFile = false;
  static constexpr bool kGapAppendKeepsMtime = false;
  static constexpr bool kGapSyncDirOfMissingDir = false;
  Status Init() { return fs_->CreateDir(root_); }
  FileSystem* fs() { return fs_.get(); }
  const std::string& root() const { return root_; }

 private:
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
  std::string root_ = "/conformance";
};

class FaultInjectionEnv {
 public:
  static constexpr const char* kName = "FaultInjection";
  // The wrapper checks renames onto directories and SyncDir targets itself;
  // the rest comes from the in-memory file system underneath.
  static constexpr bool kGapRenameOntoDirectory = false;
  static constexpr bool kGapDeleteFileOfDirectory = false;
  static constexpr bool kGapDeleteDirOfFile = false;
  static constexpr bool kGapAppendKeepsMtime = false;
  static constexpr bool kGapSyncDirOfMissingDir = false;
  Status Init() { return fs_.CreateDir(root_); }
  FileSystem* fs() { return &fs_; }
  const std::string& root() const { return root_; }

 private:
  test::FaultInjectionFileSystem fs_{NewMemoryFileSystem()};
  std::string root_ = "/conformance";
};

struct EnvNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

// ---- helpers -------------------------------------------------------------

// A byte stream with no short period, so a block written at the wrong offset shows.
uint8_t PatternByte(uint64_t offset, uint64_t seed) {
  uint64_t x = (offset + 1) * 0x9E3779B97F4A7C15ull ^ seed;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return static_cast<uint8_t>(x);
}

// First offset where a and b differ (std::string::npos if equal, including sizes).
size_t FirstMismatch(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return i;
  }
  return a.size() == b.size() ? std::string::npos : n;
}

struct AlignedFree {
  void operator()(char* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char, AlignedFree>;
AlignedBuffer AllocAligned(size_t n) {
  const size_t rounded = (n + 4095) / 4096 * 4096;
  return AlignedBuffer(static_cast<char*>(std::aligned_alloc(4096, rounded)));
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A chunk of a write plan: `size` bytes appended from a pointer `misalign`
// bytes past a 4096-byte boundary, then optionally Sync().
struct Chunk {
  size_t size;
  size_t misalign;
  bool sync_after;
};

template <typename Env>
class FileSystemConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(env_.Init());
    fs_ = env_.fs();
  }

  std::string P(std::string_view name) const { return JoinPath(env_.root(), name); }

  void Write(const std::string& path, const std::string& contents) {
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(contents));
    ASSERT_OK((*f)->Close());
  }

  std::string Read(const std::string& path) {
    auto s = fs_->ReadFileToString(path);
    EXPECT_OK(s);
    return s.ok() ? *s : std::string();
  }

  // Appends `plan` to `path` and checks every byte read back.
  void WriteAndVerify(const std::string& path, bool direct_io, const std::vector<Chunk>& plan, uint64_t seed) {
    size_t max_chunk = 0;
    for (const Chunk& c : plan) max_chunk = std::max(max_chunk, c.size + c.misalign);
    AlignedBuffer stage = AllocAligned(max_chunk);
    ASSERT_NE(stage, nullptr);

    WritableFileOptions options;
    options.direct_io = direct_io;
    auto f = fs_->NewWritableFile(path, options);
    ASSERT_OK(f);
    std::string expected;
    for (size_t i = 0; i < plan.size(); ++i) {
      const Chunk& c = plan[i];
      char* p = stage.get() + c.misalign;
      for (size_t j = 0; j < c.size; ++j) p[j] = static_cast<char>(PatternByte(expected.size() + j, seed));
      ASSERT_OK((*f)->Append(p, c.size));
      expected.append(p, c.size);
      ASSERT_EQ((*f)->Size(), expected.size()) << "after chunk " << i;
      if (c.sync_after) ASSERT_OK((*f)->Sync());
    }
    ASSERT_OK((*f)->Close());
    f->reset();

    auto size = fs_->GetFileSize(path);
    ASSERT_OK(size);
    EXPECT_EQ(*size, expected.size());
    const std::string got = Read(path);
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_EQ(FirstMismatch(got, expected), std::string::npos) << "first differing byte";

    // Random-access reads that straddle chunk and block boundaries, into misaligned memory.
    auto r = fs_->NewRandomAccessFile(path);
    ASSERT_OK(r);
    ASSERT_EQ((*r)->Size(), expected.size());
    AlignedBuffer dst = AllocAligned(3 * 4096 + 64);
    uint64_t offset = 0;
    for (const Chunk& c : plan) {
      offset += c.size;
      for (const int64_t delta : {-4099, -1, 0, 1}) {
        const int64_t start = static_cast<int64_t>(offset) + delta;
        const size_t n = 2 * 4096 + 3;
        if (start < 0 || static_cast<uint64_t>(start) + n > expected.size()) continue;
        char* out = dst.get() + 17;
        ASSERT_OK((*r)->Read(static_cast<uint64_t>(start), n, out));
        EXPECT_EQ(std::memcmp(out, expected.data() + start, n), 0) << "read at " << start;
      }
    }
  }

  Env env_;
  FileSystem* fs_ = nullptr;
};

using Envs = ::testing::Types<PosixEnv, MemoryEnv, FaultInjectionEnv>;
TYPED_TEST_SUITE(FileSystemConformanceTest, Envs, EnvNames);

constexpr size_t kMiB = size_t{1} << 20;

// ---- writing and reading ------------------------------------------------

TYPED_TEST(FileSystemConformanceTest, SmallRoundTrip) {
  const std::string path = this->P("small");
  auto f = this->fs_->NewWritableFile(path);
  ASSERT_OK(f);
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_OK((*f)->Append("hello, "));
  ASSERT_OK((*f)->Append(std::string_view("world")));
  ASSERT_OK((*f)->Append(nullptr, 0));
  EXPECT_EQ((*f)->Size(), 12u);
  ASSERT_OK((*f)->Sync());
  ASSERT_OK((*f)->Close());
  EXPECT_EQ(this->Read(path), "hello, world");
  auto size = this->fs_->GetFileSize(path);
  ASSERT_OK(size);
  EXPECT_EQ(*size, 12u);
}

TYPED_TEST(FileSystemConformanceTest, EmptyFile) {
  for (const bool direct : {false, true}) {
    const std::string path = this->P(direct ? "empty_direct" : "empty");
    WritableFileOptions o;
    o.direct_io = direct;
    auto f = this->fs_->NewWritableFile(path, o);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Sync());
    ASSERT_OK((*f)->Close());
    EXPECT_EQ(this->Read(path), "");
    auto r = this->fs_->NewRandomAccessFile(path);
    ASSERT_OK(r);
    EXPECT_EQ((*r)->Size(), 0u);
    char c;
    EXPECT_OK((*r)->Read(0, 0, &c));
    EXPECT_CODE((*r)->Read(0, 1, &c), StatusCode::kOutOfRange);
  }
}

TYPED_TEST(FileSystemConformanceTest, LargeUnalignedAppendsDirect) {
  // With O_DIRECT on POSIX: chunk 0 goes straight from the aligned caller
  // buffer (6 MiB) with a 100-byte tail buffered; chunk 1 tops the file up to
  // a block boundary so Sync flushes aligned and keeps O_DIRECT on; chunk 2 is
  // large but misaligned (bounce buffer); chunk 3 overflows the 8 MiB buffer;
  // small odd chunks follow; an aligned 8 MiB chunk arrives while bytes are
  // pending (buffered); Sync then flushes an unaligned tail and turns O_DIRECT
  // off; the rest is buffered or written straight with O_DIRECT off.
  const std::vector<Chunk> plan = {
      {6 * kMiB + 100, 0, false},
      {4096 - 100, 1, true},
      {5 * kMiB + 3, 123, false},
      {9 * kMiB + 17, 4095, false},
      {1, 2048, false},
      {4095, 4094, false},
      {4097, 3, false},
      {8 * kMiB, 0, true},
      {4 * kMiB + 5, 0, false},
      {3, 2, true},
      {4 * kMiB + 4096, 0, false},
      {12345, 77, false},
  };
  this->WriteAndVerify(this->P("large_direct"), /*direct_io=*/true, plan, 1);
}

TYPED_TEST(FileSystemConformanceTest, LargeUnalignedAppendsBuffered) {
  const std::vector<Chunk> plan = {
      {6 * kMiB + 100, 0, false}, {4096 - 100, 1, true}, {5 * kMiB + 3, 123, false},
      {9 * kMiB + 17, 4095, true}, {1, 2048, false},     {8 * kMiB, 0, false},
  };
  this->WriteAndVerify(this->P("large_buffered"), /*direct_io=*/false, plan, 2);
}

TYPED_TEST(FileSystemConformanceTest, DirectWriteOfWholeBlocksOnly) {
  // Nothing unaligned ever reaches Close(): O_DIRECT stays on throughout.
  const std::vector<Chunk> plan = {{8 * kMiB, 0, false}, {4096, 0, true}, {16 * kMiB + 8192, 0, false}};
  this->WriteAndVerify(this->P("blocks_direct"), /*direct_io=*/true, plan, 3);
}

TYPED_TEST(FileSystemConformanceTest, ManySmallAppendsFromMisalignedPointers) {
  std::vector<Chunk> plan;
  for (size_t i = 0; i < 20000; ++i) plan.push_back({1 + i % 37, (i * 131) % 4096, i % 5000 == 4999});
  this->WriteAndVerify(this->P("small_direct"), /*direct_io=*/true, plan, 4);
  this->WriteAndVerify(this->P("small_buffered"), /*direct_io=*/false, plan, 5);
}

TYPED_TEST(FileSystemConformanceTest, ReadPastEndIsOutOfRangeNamingThePath) {
  const std::string path = this->P("ten");
  this->Write(path, "0123456789");
  auto r = this->fs_->NewRandomAccessFile(path);
  ASSERT_OK(r);
  EXPECT_EQ((*r)->path(), path);
  EXPECT_EQ((*r)->Size(), 10u);
  char buf[16];
  EXPECT_OK((*r)->Read(10, 0, buf));
  ASSERT_OK((*r)->Read(3, 7, buf));
  EXPECT_EQ(std::string(buf, 7), "3456789");
  for (const auto& [offset, n] : std::vector<std::pair<uint64_t, size_t>>{{9, 2}, {0, 11}, {11, 0}, {100, 1}}) {
    const Status s = (*r)->Read(offset, n, buf);
    EXPECT_CODE(s, StatusCode::kOutOfRange);
    EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  }
  // Offsets near 2^64 must not wrap around into a valid range.
  EXPECT_CODE((*r)->Read(~uint64_t{0}, 2, buf), StatusCode::kOutOfRange);
  EXPECT_CODE((*r)->Read(5, ~size_t{0}, buf), StatusCode::kOutOfRange);
}

TYPED_TEST(FileSystemConformanceTest, ConcurrentReadsOfOneFile) {
  const std::string path = this->P("shared");
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(PatternByte(i, 9));
  this->Write(path, data);
  auto r = this->fs_->NewRandomAccessFile(path);
  ASSERT_OK(r);
  const RandomAccessFile* file = r->get();
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string buf(4099, '\0');
      for (size_t off = t * 1000; off + buf.size() <= data.size(); off += 40000) {
        if (!file->Read(off, buf.size(), buf.data()).ok() || std::memcmp(buf.data(), data.data() + off, buf.size()) != 0) {
          ++bad[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
}

TYPED_TEST(FileSystemConformanceTest, NewWritableFileTruncates) {
  const std::string path = this->P("f");
  this->Write(path, "a much longer first version");
  this->Write(path, "short");
  EXPECT_EQ(this->Read(path), "short");
}

TYPED_TEST(FileSystemConformanceTest, ClosedWritableFileRefusesWrites) {
  auto f = this->fs_->NewWritableFile(this->P("closed"));
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("x"));
  ASSERT_OK((*f)->Close());
  EXPECT_CODE((*f)->Append("y"), StatusCode::kFailedPrecondition);
  EXPECT_CODE((*f)->Sync(), StatusCode::kFailedPrecondition);
  EXPECT_OK((*f)->Close());  // closing twice is harmless
  EXPECT_EQ(this->Read(this->P("closed")), "x");
}

TYPED_TEST(FileSystemConformanceTest, DestructorClosesAndFlushes) {
  {
    WritableFileOptions o;
    o.direct_io = true;
    auto f = this->fs_->NewWritableFile(this->P("implicit"), o);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(std::string(10000, 'z')));
  }
  EXPECT_EQ(this->Read(this->P("implicit")), std::string(10000, 'z'));
}

TYPED_TEST(FileSystemConformanceTest, OpenReaderSurvivesDeleteAndRename) {
  this->Write(this->P("a"), "alpha");
  this->Write(this->P("b"), "bravo");
  auto ra = this->fs_->NewRandomAccessFile(this->P("a"));
  auto rb = this->fs_->NewRandomAccessFile(this->P("b"));
  ASSERT_OK(ra);
  ASSERT_OK(rb);
  ASSERT_OK(this->fs_->DeleteFile(this->P("a")));
  ASSERT_OK(this->fs_->RenameFile(this->P("b"), this->P("c")));
  char buf[5];
  ASSERT_OK((*ra)->Read(0, 5, buf));
  EXPECT_EQ(std::string(buf, 5), "alpha");
  ASSERT_OK((*rb)->Read(0, 5, buf));
  EXPECT_EQ(std::string(buf, 5), "bravo");
}

// ---- missing things ----------------------------------------------------

TYPED_TEST(FileSystemConformanceTest, MissingFilesAreNotFoundNamingThePath) {
  FileSystem* fs = this->fs_;
  const std::string missing = this->P("no_such_file");
  const std::string in_missing_dir = this->P("no_such_dir/f");
  auto named = [&](const Status& s, const std::string& path) {
    EXPECT_CODE(s, StatusCode::kNotFound);
    EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  };
  named(StatusOf(fs->NewRandomAccessFile(missing)), missing);
  named(StatusOf(fs->ReadFileToString(missing)), missing);
  named(fs->FileExists(missing), missing);
  named(StatusOf(fs->GetFileSize(missing)), missing);
  named(StatusOf(fs->GetModificationTime(missing)), missing);
  named(fs->DeleteFile(missing), missing);
  named(fs->DeleteDir(missing), missing);
  named(StatusOf(fs->GetChildren(missing)), missing);
  named(fs->RenameFile(missing, this->P("x")), missing);
  named(StatusOf(fs->NewWritableFile(in_missing_dir)), in_missing_dir);
  named(fs->CreateDir(in_missing_dir), in_missing_dir);
  EXPECT_FALSE(fs->IsDirectory(missing));
}

// ---- names ---------------------------------------------------------------

TYPED_TEST(FileSystemConformanceTest, RenameReplacesAnExistingFile) {
  FileSystem* fs = this->fs_;
  this->Write(this->P("from"), "new contents");
  this->Write(this->P("to"), "old, longer contents");
  ASSERT_OK(fs->RenameFile(this->P("from"), this->P("to")));
  EXPECT_EQ(this->Read(this->P("to")), "new contents");
  EXPECT_CODE(fs->FileExists(this->P("from")), StatusCode::kNotFound);
  auto children = fs->GetChildren(this->env_.root());
  ASSERT_OK(children);
  EXPECT_EQ(*children, std::vector<std::string>{"to"});
}

TYPED_TEST(FileSystemConformanceTest, RenameEdgeCases) {
  FileSystem* fs = this->fs_;
  this->Write(this->P("f"), "data");
  // To itself: a no-op.
  ASSERT_OK(fs->RenameFile(this->P("f"), this->P("f")));
  EXPECT_EQ(this->Read(this->P("f")), "data");
  // Into a directory that does not exist: NotFound, source intact.
  EXPECT_CODE(fs->RenameFile(this->P("f"), this->P("nodir/f")), StatusCode::kNotFound);
  EXPECT_EQ(this->Read(this->P("f")), "data");
  // Into another directory.
  ASSERT_OK(fs->CreateDir(this->P("d")));
  ASSERT_OK(fs->RenameFile(this->P("f"), this->P("d/g")));
  EXPECT_EQ(this->Read(this->P("d/g")), "data");
  EXPECT_CODE(fs->FileExists(this->P("f")), StatusCode::kNotFound);
}

TYPED_TEST(FileSystemConformanceTest, RenameFileOverADirectoryFails) {
  SKIP_IF_KNOWN_GAP(kGapRenameOntoDirectory, "RenameFile onto a directory succeeds and leaves a file and a directory under one name");
  FileSystem* fs = this->fs_;
  this->Write(this->P("f"), "data");
  ASSERT_OK(fs->CreateDir(this->P("d")));
  EXPECT_CODE(fs->RenameFile(this->P("f"), this->P("d")), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
  EXPECT_EQ(this->Read(this->P("f")), "data");
}

TYPED_TEST(FileSystemConformanceTest, DeleteFile) {
  FileSystem* fs = this->fs_;
  this->Write(this->P("f"), "x");
  ASSERT_OK(fs->DeleteFile(this->P("f")));
  EXPECT_CODE(fs->FileExists(this->P("f")), StatusCode::kNotFound);
  EXPECT_CODE(fs->DeleteFile(this->P("f")), StatusCode::kNotFound);
  auto children = fs->GetChildren(this->env_.root());
  ASSERT_OK(children);
  EXPECT_TRUE(children->empty());
}

TYPED_TEST(FileSystemConformanceTest, DeleteFileOfADirectoryFails) {
  SKIP_IF_KNOWN_GAP(kGapDeleteFileOfDirectory, "DeleteFile of a directory is NotFound, not FailedPrecondition");
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  EXPECT_CODE(fs->DeleteFile(this->P("d")), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
}

TYPED_TEST(FileSystemConformanceTest, DeleteDir) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  this->Write(this->P("d/f"), "x");
  EXPECT_CODE(fs->DeleteDir(this->P("d")), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
  ASSERT_OK(fs->DeleteFile(this->P("d/f")));
  ASSERT_OK(fs->CreateDir(this->P("d/sub")));
  EXPECT_CODE(fs->DeleteDir(this->P("d")), StatusCode::kFailedPrecondition);  // a subdirectory counts
  ASSERT_OK(fs->DeleteDir(this->P("d/sub")));
  ASSERT_OK(fs->DeleteDir(this->P("d")));
  EXPECT_FALSE(fs->IsDirectory(this->P("d")));
  EXPECT_CODE(fs->FileExists(this->P("d")), StatusCode::kNotFound);
  EXPECT_CODE(fs->DeleteDir(this->P("d")), StatusCode::kNotFound);
}

TYPED_TEST(FileSystemConformanceTest, DeleteDirOfAFileFails) {
  SKIP_IF_KNOWN_GAP(kGapDeleteDirOfFile, "DeleteDir of a file is NotFound, not FailedPrecondition");
  FileSystem* fs = this->fs_;
  this->Write(this->P("f"), "x");
  EXPECT_CODE(fs->DeleteDir(this->P("f")), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->Read(this->P("f")), "x");
}

TYPED_TEST(FileSystemConformanceTest, CreateDir) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
  EXPECT_OK(fs->FileExists(this->P("d")));
  EXPECT_CODE(fs->CreateDir(this->P("d")), StatusCode::kAlreadyExists);
  this->Write(this->P("f"), "x");
  EXPECT_CODE(fs->CreateDir(this->P("f")), StatusCode::kAlreadyExists);
  EXPECT_CODE(fs->CreateDir(this->P("a/b")), StatusCode::kNotFound);
}

TYPED_TEST(FileSystemConformanceTest, FilesAndDirectoriesAreDistinguished) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  this->Write(this->P("f"), "x");
  EXPECT_TRUE(fs->IsDirectory(this->env_.root()));
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
  EXPECT_FALSE(fs->IsDirectory(this->P("f")));
  EXPECT_FALSE(fs->IsDirectory(this->P("missing")));
  EXPECT_OK(fs->FileExists(this->P("f")));
  EXPECT_CODE(fs->NewRandomAccessFile(this->P("d")), StatusCode::kFailedPrecondition);
  EXPECT_CODE(fs->NewWritableFile(this->P("d")), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs->IsDirectory(this->P("d")));
}

TYPED_TEST(FileSystemConformanceTest, GetChildren) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  ASSERT_OK(fs->CreateDir(this->P("empty")));
  this->Write(this->P("f1"), "1");
  this->Write(this->P("f2"), "2");
  this->Write(this->P("d/x"), "x");
  auto top = fs->GetChildren(this->env_.root());
  ASSERT_OK(top);
  EXPECT_EQ(Sorted(*top), (std::vector<std::string>{"d", "empty", "f1", "f2"}));
  auto d = fs->GetChildren(this->P("d"));
  ASSERT_OK(d);
  EXPECT_EQ(*d, std::vector<std::string>{"x"});
  auto empty = fs->GetChildren(this->P("empty"));
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());
}

TYPED_TEST(FileSystemConformanceTest, GetMatchingPaths) {
  FileSystem* fs = this->fs_;
  for (const char* name : {"a1.txt", "a2.txt", "b1.txt", "ab.log", ".hidden"}) this->Write(this->P(name), name);
  ASSERT_OK(fs->CreateDir(this->P("sub")));
  this->Write(this->P("sub/a3.txt"), "a3");
  auto match = [&](const std::string& pattern) {
    auto r = fs->GetMatchingPaths(this->P(pattern));
    EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
    std::vector<std::string> names;
    if (r.ok()) {
      for (const std::string& p : *r) {
        EXPECT_EQ(p.rfind(this->env_.root() + "/", 0), 0u) << p << " is not under the root";
        names.push_back(p.substr(this->env_.root().size() + 1));
      }
    }
    return names;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(match("*.txt"), (V{"a1.txt", "a2.txt", "b1.txt"}));
  EXPECT_EQ(match("a?.txt"), (V{"a1.txt", "a2.txt"}));
  EXPECT_EQ(match("[ab]1.txt"), (V{"a1.txt", "b1.txt"}));
  EXPECT_EQ(match("[!a]*"), (V{"b1.txt", "sub"}));
  EXPECT_EQ(match("*"), (V{"a1.txt", "a2.txt", "ab.log", "b1.txt", "sub"}));  // sorted; no dotfiles
  EXPECT_EQ(match(".*"), (V{".hidden"}));
  EXPECT_EQ(match("a1.txt"), (V{"a1.txt"}));  // no wildcard: the path if it exists
  EXPECT_EQ(match("zz.txt"), V{});
  EXPECT_EQ(match("sub/*.txt"), (V{"sub/a3.txt"}));
  EXPECT_EQ(match("missing_dir/*"), V{});
}

TYPED_TEST(FileSystemConformanceTest, RecursivelyCreateDir) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->RecursivelyCreateDir(this->P("x/y/z")));
  EXPECT_TRUE(fs->IsDirectory(this->P("x")));
  EXPECT_TRUE(fs->IsDirectory(this->P("x/y")));
  EXPECT_TRUE(fs->IsDirectory(this->P("x/y/z")));
  EXPECT_OK(fs->RecursivelyCreateDir(this->P("x/y/z")));  // idempotent
  EXPECT_OK(fs->RecursivelyCreateDir(this->P("x/y/w")));
  this->Write(this->P("file"), "x");
  EXPECT_CODE(fs->RecursivelyCreateDir(this->P("file")), StatusCode::kFailedPrecondition);
  EXPECT_CODE(fs->RecursivelyCreateDir(this->P("file/sub")), StatusCode::kFailedPrecondition);
}

TYPED_TEST(FileSystemConformanceTest, ModificationTimesAreOrderedAndRecent) {
  FileSystem* fs = this->fs_;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  this->Write(this->P("first"), "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  this->Write(this->P("second"), "2");
  auto t1 = fs->GetModificationTime(this->P("first"));
  auto t2 = fs->GetModificationTime(this->P("second"));
  ASSERT_OK(t1);
  ASSERT_OK(t2);
  EXPECT_LT(*t1, *t2);
  EXPECT_NEAR(*t1, now, 60.0);
  // A rename keeps the file's time.
  ASSERT_OK(fs->RenameFile(this->P("first"), this->P("renamed")));
  auto t3 = fs->GetModificationTime(this->P("renamed"));
  ASSERT_OK(t3);
  EXPECT_EQ(*t3, *t1);
}

TYPED_TEST(FileSystemConformanceTest, AppendingUpdatesModificationTime) {
  SKIP_IF_KNOWN_GAP(kGapAppendKeepsMtime, "Append does not update the modification time");
  FileSystem* fs = this->fs_;
  auto early = fs->NewWritableFile(this->P("early"));
  ASSERT_OK(early);
  ASSERT_OK((*early)->Append("a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  this->Write(this->P("middle"), "m");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_OK((*early)->Append(std::string(100, 'b')));
  ASSERT_OK((*early)->Close());
  auto te = fs->GetModificationTime(this->P("early"));
  auto tm = fs->GetModificationTime(this->P("middle"));
  ASSERT_OK(te);
  ASSERT_OK(tm);
  EXPECT_GT(*te, *tm) << "the last write to 'early' came after 'middle' was written";
}

TYPED_TEST(FileSystemConformanceTest, SyncDir) {
  FileSystem* fs = this->fs_;
  ASSERT_OK(fs->CreateDir(this->P("d")));
  this->Write(this->P("d/f"), "x");
  EXPECT_OK(fs->SyncDir(this->P("d")));
  EXPECT_OK(fs->SyncDir(this->env_.root()));
  SKIP_IF_KNOWN_GAP(kGapSyncDirOfMissingDir, "SyncDir of a missing directory is OK, not NotFound");
  EXPECT_CODE(fs->SyncDir(this->P("missing")), StatusCode::kNotFound);
  this->Write(this->P("f"), "x");
  EXPECT_CODE(fs->SyncDir(this->P("f")), StatusCode::kFailedPrecondition);
}

// ---- the TempDir helper the POSIX environment runs in ----------------------

// Sets $TMPDIR for one scope.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& value) {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_ = old;
    ::setenv("TMPDIR", value.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(FileSystemTestHelpers, TempDirIsFreshUnderTmpdirAndRemovedRecursively) {
  FileSystem* fs = FileSystem::Default();
  auto outer = test::TempDir::Create("ckpt_outer_");
  ASSERT_OK(outer);
  std::string inner_path;
  {
    ScopedTmpdir env(outer->path() + "/");
    auto a = test::TempDir::Create();
    auto b = test::TempDir::Create();
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_NE(a->path(), b->path());
    EXPECT_EQ(std::string(Dirname(a->path())), outer->path());
    EXPECT_EQ(Basename(a->path()).rfind("ckpt_test_", 0), 0u) << a->path();
    EXPECT_TRUE(fs->IsDirectory(a->path()));
    EXPECT_EQ(a->Join("x"), a->path() + "/x");
    ASSERT_OK(fs->RecursivelyCreateDir(a->Join("d/e")));
    auto f = fs->NewWritableFile(a->Join("d/e/f"));
    ASSERT_OK(f);
    ASSERT_OK((*f)->Close());
    test::TempDir moved = *std::move(a);  // the moved-from `a` removes nothing
    EXPECT_TRUE(fs->IsDirectory(moved.path()));
    inner_path = moved.path();
  }
  EXPECT_CODE(fs->FileExists(inner_path), StatusCode::kNotFound);
  ScopedTmpdir missing(outer->path() + "/no_such_dir");
  EXPECT_CODE(test::TempDir::Create(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ckpt
