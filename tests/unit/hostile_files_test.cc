// Crafted hostile checkpoint files: index entries and V1 metadata that claim
// huge shapes (2^60 elements, element counts whose product overflows
// int64), huge string counts, huge slice counts, and data offsets/sizes
// past the end of the file. Every read must fail cleanly with an error that
// names the file and the tensor, and memory must stay bounded by the file
// size: nothing may be allocated for a claimed size before the claim is
// checked against the bytes that exist. Each read runs under a memory cap
// (RunCapped): in a child process with RLIMIT_AS (plain builds), or with
// the sanitizer allocator's hooks counting live bytes (ASan builds, where
// RLIMIT_AS would break the shadow memory).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/bundle.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/file_system.h"
#include "ckpt/proto/saved_tensor_slice.pb.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/saver.h"
#include "ckpt/status_macros.h"
#include "ckpt/tensor_slice.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_key.h"
#include "format/v1_table.h"
#include "testing/status_matchers.h"

#if defined(__SANITIZE_ADDRESS__)
#define CKPT_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CKPT_HOSTILE_ASAN 1
#endif
#endif
#ifndef CKPT_HOSTILE_ASAN
#define CKPT_HOSTILE_ASAN 0
#endif
#if CKPT_HOSTILE_ASAN
// The sanitizer allocator's hooks (sanitizer/allocator_interface.h, which
// gcc does not install).
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, size_t),
                                              void (*free_hook)(const volatile void*));
size_t __sanitizer_get_allocated_size(const volatile void* p);
}
#endif

namespace ckpt {
namespace {

// New memory a read of these (tiny) files may use: far below any claimed size.
constexpr size_t kCap = size_t{64} << 20;

#if CKPT_HOSTILE_ASAN
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_live{0}, g_peak{0};

void OnMalloc(const volatile void*, size_t size) {
  if (!g_counting.load(std::memory_order_relaxed)) return;
  const int64_t now = g_live.fetch_add(static_cast<int64_t>(size)) + static_cast<int64_t>(size);
  int64_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
}
void OnFree(const volatile void* p) {
  if (!g_counting.load(std::memory_order_relaxed) || p == nullptr) return;
  g_live.fetch_sub(static_cast<int64_t>(__sanitizer_get_allocated_size(p)));
}
#endif

// Runs `fn` allowing it kCap bytes of new memory; returns its status.
// *within_cap is false when it needed more (or died trying).
Status RunCapped(const std::function<Status()>& fn, bool* within_cap) {
#if CKPT_HOSTILE_ASAN
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(OnMalloc, OnFree) != 0;
  if (!installed) {
    *within_cap = false;
    return InternalError("cannot install the allocator hooks");
  }
  g_live = 0;
  g_peak = 0;
  g_counting = true;
  Status s = fn();
  g_counting = false;
  *within_cap = g_peak.load() <= static_cast<int64_t>(kCap);
  if (!*within_cap) std::fprintf(stderr, "peak new memory %lld bytes\n", static_cast<long long>(g_peak.load()));
  return s;
#else
  int fds[2];
  if (::pipe(fds) != 0) return InternalError("pipe");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    const rlim_t now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
    const rlimit lim{now + kCap, now + kCap};
    if (pages == 0 || ::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(3);
    Status s;
    try {
      s = fn();
    } catch (...) {  // e.g. std::bad_alloc: the cap was hit; never return into gtest from the child
      ::_exit(5);
    }
    const std::string out = std::to_string(static_cast<int>(s.code())) + " " + std::string(s.message());
    if (::write(fds[1], out.data(), out.size()) < 0) ::_exit(4);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  *within_cap = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
  if (!*within_cap) return InternalError("the capped child died (status " + std::to_string(wstatus) + ")");
  const size_t sp = got.find(' ');
  const auto code = static_cast<StatusCode>(std::stoi(got.substr(0, sp)));
  if (code == StatusCode::kOk) return OkStatus();
  return Status(code, sp == std::string::npos ? "" : got.substr(sp + 1));
#endif
}

// Expects `fn` to fail with DataLoss (or `code`) inside the cap, with a
// message naming `file` and `key`.
void ExpectCleanError(const std::function<Status()>& fn, const std::string& file, const std::string& key,
                      StatusCode code = StatusCode::kDataLoss) {
  bool within = false;
  const Status s = RunCapped(fn, &within);
  EXPECT_TRUE(within) << "memory not bounded by the file size: " << s;
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_NE(s.message().find(file), std::string::npos) << "error does not name " << file << ": " << s;
  EXPECT_NE(s.message().find(key), std::string::npos) << "error does not name " << key << ": " << s;
}

proto::TensorShapeProto Dims(std::vector<int64_t> dims) {
  proto::TensorShapeProto p;
  for (int64_t d : dims) p.add_dim()->set_size(d);
  return p;
}

class HostileFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(fs_->CreateDir("/h")); }

  void Put(const std::string& path, const std::string& bytes) {
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f.status());
    ASSERT_OK((*f)->Append(bytes));
    ASSERT_OK((*f)->Close());
  }
  void PutTable(const std::string& path, std::vector<format::KeyValue> kvs) {
    std::sort(kvs.begin(), kvs.end());
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f.status());
    ASSERT_OK(format::WriteIndexTable(f->get(), kvs));
    ASSERT_OK((*f)->Close());
  }

  // A V2 bundle /h/b: the given entries (key, BundleEntryProto) and a data
  // file of `data_bytes` zero bytes.
  void PutBundle(const std::vector<std::pair<std::string, proto::BundleEntryProto>>& entries, size_t data_bytes = 64) {
    proto::BundleHeaderProto h;
    h.set_num_shards(1);
    h.mutable_version()->set_producer(1);
    std::vector<format::KeyValue> kvs = {{"", h.SerializeAsString()}};
    for (const auto& [k, e] : entries) kvs.emplace_back(k, e.SerializeAsString());
    PutTable("/h/b.index", kvs);
    Put(DataFilename("/h/b", 0, 1), std::string(data_bytes, '\0'));
  }

  Result<std::unique_ptr<BundleReader>> OpenBundle() {
    BundleReaderOptions o;
    o.fs = fs_.get();
    return BundleReader::Open("/h/b", o);
  }
  // Open + Read of `key` through the bundle reader, then through
  // CheckpointReader (the Python package's reader).
  void ExpectBundleReadFails(const std::string& key, const std::string& file) {
    auto read = [&]() -> Status {
      CKPT_ASSIGN_OR_RETURN(auto r, OpenBundle());
      return r->Read(key).status();
    };
    ExpectCleanError(read, file, key);
    auto via_python_reader = [&]() -> Status {
      CheckpointReaderOptions o;
      o.fs = fs_.get();
      CKPT_ASSIGN_OR_RETURN(auto r, CheckpointReader::Open("/h/b", o));
      return r->Read(key).status();
    };
    ExpectCleanError(via_python_reader, file, key);
  }

  // A V1 file /h/v1 whose metadata lists `meta` and whose records are
  // `records` (each one SavedSlice, keyed by its name and slice).
  void PutV1(const std::vector<proto::SavedSliceMeta>& meta, const std::vector<proto::SavedSlice>& records) {
    proto::SavedTensorSlices head;
    head.mutable_meta()->mutable_versions()->set_producer(1);
    for (const auto& m : meta) *head.mutable_meta()->add_tensor() = m;
    std::vector<format::KeyValue> kvs = {{"", head.SerializeAsString()}};
    for (const auto& r : records) {
      proto::SavedTensorSlices sts;
      *sts.mutable_data() = r;
      auto slice = format::SliceFromProto(r.slice());
      ASSERT_OK(slice.status());
      kvs.emplace_back(format::EncodeTensorNameSlice(r.name(), *slice), sts.SerializeAsString());
    }
    PutTable("/h/v1", kvs);
  }
  void ExpectV1ReadFails(const std::string& name, StatusCode code = StatusCode::kDataLoss) {
    auto read = [&]() -> Status {
      CheckpointReaderOptions o;
      o.fs = fs_.get();
      CKPT_ASSIGN_OR_RETURN(auto r, CheckpointReader::Open("/h/v1", o));
      return r->Read(name).status();
    };
    ExpectCleanError(read, "/h/v1", name, code);
  }

  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

proto::BundleEntryProto Entry(DType dtype, std::vector<int64_t> dims, int64_t offset, int64_t size) {
  proto::BundleEntryProto e;
  e.set_dtype(static_cast<int>(dtype));
  *e.mutable_shape() = Dims(std::move(dims));
  e.set_offset(offset);
  e.set_size(size);
  return e;
}

// The cap itself: a read that allocates more than kCap is reported.
TEST_F(HostileFilesTest, TheCapCatchesALargeAllocation) {
  bool within = true;
  const Status s = RunCapped(
      [] {
        std::vector<char> big(2 * kCap, 'x');
        return big.back() == 'x' ? OkStatus() : InternalError("unreachable");
      },
      &within);
  EXPECT_FALSE(within) << s;
}

TEST_F(HostileFilesTest, BundleEntryClaiming2p60Elements) {
  PutBundle({{"huge", Entry(DType::kFloat, {int64_t{1} << 30, int64_t{1} << 30}, 0, 16)}});
  ExpectBundleReadFails("huge", "/h/b.index");
}

TEST_F(HostileFilesTest, BundleEntryWhoseElementCountOverflows) {
  PutBundle({{"over", Entry(DType::kFloat, {int64_t{1} << 32, int64_t{1} << 32, 4}, 0, 16)}});
  ExpectBundleReadFails("over", "/h/b.index");
}

TEST_F(HostileFilesTest, BundleEntryWhoseByteSizeOverflows) {
  // 2^61 doubles: the element count fits int64, the byte count does not.
  PutBundle({{"bytes", Entry(DType::kDouble, {int64_t{1} << 61}, 0, 0)}});
  ExpectBundleReadFails("bytes", "/h/b.index");
}

TEST_F(HostileFilesTest, BundleStringTensorClaimingHugeCount) {
  // 2^40 strings whose claimed bytes lie past the end of a 64-byte file.
  PutBundle({{"strs", Entry(DType::kString, {int64_t{1} << 40}, 0, (int64_t{1} << 40) + 8)}});
  ExpectBundleReadFails("strs", "/h/b.data-00000-of-00001");
  // A million strings claimed inside a file that has 64 bytes.
  PutBundle({{"strs", Entry(DType::kString, {1000000}, 0, 64)}});
  ExpectBundleReadFails("strs", "/h/b.index");
}

TEST_F(HostileFilesTest, BundleDataPastTheEndOfTheFile) {
  PutBundle({{"far", Entry(DType::kFloat, {4}, int64_t{1} << 40, 16)}});
  ExpectBundleReadFails("far", "/h/b.data-00000-of-00001");
  PutBundle({{"tail", Entry(DType::kFloat, {32}, 0, 128)}}, /*data_bytes=*/64);
  ExpectBundleReadFails("tail", "/h/b.data-00000-of-00001");
}

TEST_F(HostileFilesTest, BundlePartitionedTensorClaimingHugeShape) {
  // The full tensor claims 2^40 floats; the one stored slice holds 2.
  proto::BundleEntryProto full = Entry(DType::kFloat, {int64_t{1} << 40}, 0, 0);
  auto* s = full.add_slices()->add_extent();
  s->set_start(0);
  s->set_length(2);
  const TensorSlice part({TensorSlice::Extent{0, 2}});
  proto::BundleEntryProto stored = Entry(DType::kFloat, {2}, 0, 8);
  const std::string zeros(8, '\0');
  stored.set_crc32c(crc32c::Mask(crc32c::Value(zeros.data(), zeros.size())).value);
  PutBundle({{"p", full}, {format::EncodeTensorNameSlice("p", part), stored}});
  bool within = false;
  const Status s1 = RunCapped(
      [&]() -> Status {
        CKPT_ASSIGN_OR_RETURN(auto r, OpenBundle());
        return r->Read("p").status();
      },
      &within);
  EXPECT_TRUE(within) << s1;
  EXPECT_FALSE(s1.ok());
  EXPECT_NE(s1.message().find("p"), std::string::npos) << s1;
  // The stored part itself reads.
  auto r = OpenBundle();
  ASSERT_OK(r.status());
  EXPECT_OK((*r)->ReadSlice("p", part).status());
}

TEST_F(HostileFilesTest, BundlePartitionedTensorWithHugeSliceCount) {
  // 4,000 slices listed (one row each), none stored.
  proto::BundleEntryProto full = Entry(DType::kFloat, {4000}, 0, 0);
  for (int i = 0; i < 4000; ++i) {
    auto* x = full.add_slices()->add_extent();
    x->set_start(i);
    x->set_length(1);
  }
  PutBundle({{"many", full}});
  ExpectBundleReadFails("many", "/h/b");
}

// A tensor of the V1 metadata, stored as one slice with every extent full.
proto::SavedSliceMeta Meta(const std::string& name, DType dtype, std::vector<int64_t> dims) {
  proto::SavedSliceMeta m;
  m.set_name(name);
  m.set_type(static_cast<int>(dtype));
  *m.mutable_shape() = Dims(dims);
  auto* slice = m.add_slice();
  for (size_t d = 0; d < dims.size(); ++d) slice->add_extent();  // no length: full
  return m;
}

// The record of the full slice of a tensor of rank `rank` holding `values` values.
proto::SavedSlice Record(const std::string& name, int rank, int values, DType dtype) {
  proto::SavedSlice r;
  r.set_name(name);
  for (int d = 0; d < rank; ++d) r.mutable_slice()->add_extent();
  for (int i = 0; i < values; ++i) {
    if (dtype == DType::kString) r.mutable_data()->add_string_val("s");
    else r.mutable_data()->add_float_val(1.0f);
  }
  return r;
}

TEST_F(HostileFilesTest, V1TensorClaimingHugeShape) {
  // 2^34 floats (64 GiB) claimed, one value stored.
  PutV1({Meta("w", DType::kFloat, {int64_t{1} << 17, int64_t{1} << 17})}, {Record("w", 2, 1, DType::kFloat)});
  ExpectV1ReadFails("w");
}

TEST_F(HostileFilesTest, V1StringTensorClaimingHugeCount) {
  PutV1({Meta("s", DType::kString, {int64_t{1} << 31})}, {Record("s", 1, 2, DType::kString)});
  ExpectV1ReadFails("s");
}

TEST_F(HostileFilesTest, V1TensorWhoseElementCountOverflows) {
  PutV1({Meta("o", DType::kFloat, {int64_t{1} << 32, int64_t{1} << 32, 4})}, {});
  bool within = false;
  const Status s = RunCapped(
      [&]() -> Status {
        CheckpointReaderOptions o;
        o.fs = fs_.get();
        return CheckpointReader::Open("/h/v1", o).status();
      },
      &within);
  EXPECT_TRUE(within) << s;
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("/h/v1"), std::string::npos) << s;
  EXPECT_NE(s.message().find("\"o\""), std::string::npos) << s;
}

TEST_F(HostileFilesTest, V1TensorWithHugeSliceCount) {
  // 3,000 one-row slices listed, none stored.
  proto::SavedSliceMeta m = Meta("many", DType::kFloat, {3000});
  m.clear_slice();
  for (int i = 0; i < 3000; ++i) {
    auto* x = m.add_slice()->add_extent();
    x->set_start(i);
    x->set_length(1);
  }
  PutV1({m}, {});
  ExpectV1ReadFails("many");
}

}  // namespace
}  // namespace ckpt

namespace ckpt {
namespace {

// A .meta file's SaverDef with a negative max_to_keep (found by the
// saver_def fuzz target): TF would delete each checkpoint right after
// writing it; here it keeps all, as SaverOptions::max_to_keep does.
TEST_F(HostileFilesTest, SaverDefWithNegativeMaxToKeepKeepsItsCheckpoints) {
  auto v = std::make_shared<TensorVariable>("v", *Tensor::Make(DType::kFloat, TensorShape{2}));
  SaverDef def;
  def.filename_tensor_name = "save/Const:0";
  def.save_tensor_name = "save/control_dependency:0";
  def.restore_op_name = "save/restore_all";
  def.max_to_keep = -2;
  def.version = 2;
  SaverOptions o;
  o.fs = fs_.get();
  o.sync = false;
  auto saver = Saver::FromProto(def, "", VarList::List({v}), o);
  ASSERT_OK(saver.status());
  EXPECT_EQ((*saver)->AsSaverDef().max_to_keep, 0);
  std::vector<std::string> paths;
  for (int64_t step = 1; step <= 3; ++step) {
    SaverSaveOptions so;
    so.global_step = step;
    auto p = (*saver)->Save("/h/model", so);
    ASSERT_OK(p.status());
    paths.push_back(**p);
  }
  for (const std::string& p : paths) {
    EXPECT_OK((*saver)->Restore(p));
  }
}

}  // namespace
}  // namespace ckpt
