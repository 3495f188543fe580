// Restore by intersection: N stored slices of a tensor, read back as M other
// slices, compared element by element with a brute-force reference; the
// bytes read and the largest read are checked against what the overlap needs.
#include "format/slice_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "ckpt/bundle.h"
#include "format/string_encoding.h"
#include "testing/status_matchers.h"

namespace ckpt::format {
namespace {

// A file in memory that counts what is read from it.
class CountingFile final : public RandomAccessFile {
 public:
  explicit CountingFile(std::string data) : data_(std::move(data)) {}
  Status Read(uint64_t offset, size_t n, void* dst) const override {
    if (offset > data_.size() || n > data_.size() - offset) return OutOfRangeError("read past the end");
    std::memcpy(dst, data_.data() + offset, n);
    bytes_ += n;
    ++reads_;
    largest_ = std::max(largest_, n);
    return OkStatus();
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }
  std::string data_;
  std::string path_ = "mem";
  mutable uint64_t bytes_ = 0, reads_ = 0;
  mutable size_t largest_ = 0;
};

// Random grid of slices: each axis cut into 1..max_cuts pieces.
std::vector<TensorSlice> RandomGrid(const TensorShape& full, std::mt19937& rng, int max_cuts) {
  std::vector<std::vector<TensorSlice::Extent>> axes(full.rank());
  for (int d = 0; d < full.rank(); ++d) {
    int64_t start = 0;
    const int cuts = 1 + static_cast<int>(rng() % max_cuts);
    while (start < full.dim(d)) {
      int64_t len = std::max<int64_t>(1, full.dim(d) / cuts + static_cast<int64_t>(rng() % 3) - 1);
      len = std::min(len, full.dim(d) - start);
      // Sometimes a full extent for a whole axis.
      axes[d].push_back(start == 0 && len == full.dim(d) && rng() % 2 ? TensorSlice::Extent{}
                                                                      : TensorSlice::Extent{start, len});
      start += len;
    }
  }
  std::vector<TensorSlice> out;
  std::vector<size_t> idx(full.rank(), 0);
  while (true) {
    std::vector<TensorSlice::Extent> ext;
    for (int d = 0; d < full.rank(); ++d) ext.push_back(axes[d][idx[d]]);
    out.emplace_back(ext);
    int d = full.rank() - 1;
    while (d >= 0 && ++idx[d] == axes[d].size()) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

// Element (flat index i) of the reference tensor as bytes of `esize`.
void RefElement(int64_t i, size_t esize, char* out) {
  for (size_t b = 0; b < esize; ++b) out[b] = static_cast<char>((i * 7 + static_cast<int64_t>(b) * 13) & 0xff);
}
std::string RefString(int64_t i) { return std::string(static_cast<size_t>(i % 5), static_cast<char>('a' + i % 26)) + std::to_string(i); }

// Flat indices (in the full tensor) of the elements of `s`, row-major.
std::vector<int64_t> Elements(const TensorSlice& s, const TensorShape& full) {
  const TensorShape shape = s.SliceShape(full);
  std::vector<int64_t> out;
  std::vector<int64_t> idx(full.rank(), 0);
  for (int64_t i = 0; i < shape.num_elements(); ++i) {
    int64_t flat = 0;
    for (int d = 0; d < full.rank(); ++d) flat = flat * full.dim(d) + (s.IsFullAt(d) ? 0 : s.start(d)) + idx[d];
    out.push_back(flat);
    for (int d = full.rank() - 1; d >= 0 && ++idx[d] == shape.dim(d); --d) idx[d] = 0;
  }
  return out;
}

Tensor MakeSlice(DType dt, const TensorShape& full, const TensorSlice& s) {
  const auto elems = Elements(s, full);
  if (dt == DType::kString) {
    std::vector<std::string> v;
    for (int64_t i : elems) v.push_back(RefString(i));
    return Tensor::FromStrings(s.SliceShape(full), std::move(v));
  }
  Tensor t = *Tensor::Make(dt, s.SliceShape(full));
  const size_t es = DTypeSize(dt);
  for (size_t k = 0; k < elems.size(); ++k) RefElement(elems[k], es, static_cast<char*>(t.data()) + k * es);
  return t;
}

class SliceReaderTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }
  BundleReaderOptions ROpts() {
    BundleReaderOptions o;
    o.fs = fs_.get();
    o.verify_checksums = GetParam();
    return o;
  }
  void Save(const std::string& prefix, DType dt, const TensorShape& full, const std::vector<TensorSlice>& pieces) {
    BundleWriterOptions o;
    o.fs = fs_.get();
    o.sync = false;
    o.direct_io = false;
    auto w = *BundleWriter::Create(prefix, o);
    for (const TensorSlice& s : pieces) ASSERT_OK(w->AddSlice("t", full, s, MakeSlice(dt, full, s).view()));
    ASSERT_OK(w->Finish());
  }
  std::unique_ptr<FileSystem> fs_;
};

// N saved pieces -> M wanted pieces, every dtype size (float16 included) and strings.
TEST_P(SliceReaderTest, RandomSlicingsMatchTheReference) {
  std::mt19937 rng(GetParam() ? 1 : 2);
  const DType dtypes[] = {DType::kHalf, DType::kInt8, DType::kFloat, DType::kDouble, DType::kComplex128,
                          DType::kUInt16, DType::kUInt64, DType::kBool, DType::kString};
  int cases = 0;
  for (int iter = 0; iter < 160; ++iter) {
    const DType dt = dtypes[iter % std::size(dtypes)];
    const int rank = 1 + static_cast<int>(rng() % 3);
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) dims.push_back(1 + static_cast<int64_t>(rng() % 9));
    const TensorShape full(dims);
    const auto saved = RandomGrid(full, rng, 4);
    const std::string prefix = "/r/" + std::to_string(iter);
    Save(prefix, dt, full, saved);
    auto reader = BundleReader::Open(prefix, ROpts());
    ASSERT_OK(reader);
    for (const TensorSlice& want : RandomGrid(full, rng, 4)) {
      const Tensor expect = MakeSlice(dt, full, want);
      if (dt == DType::kString) {
        auto got = (*reader)->ReadSlice("t", want);
        ASSERT_OK(got);
        EXPECT_EQ(got->strings(), expect.strings()) << want.ToString();
      } else {
        Tensor got = *Tensor::Make(dt, want.SliceShape(full));
        ASSERT_OK((*reader)->ReadSliceInto("t", want, got.mutable_view()));
        EXPECT_TRUE(got.Equals(expect)) << "dtype " << DTypeName(dt) << " full " << full.ToString() << " want "
                                        << want.ToString();
      }
      ++cases;
    }
    // And the whole tensor.
    auto whole = (*reader)->Read("t");
    ASSERT_OK(whole);
    EXPECT_TRUE(whole->Equals(MakeSlice(dt, full, TensorSlice::Full(rank))));
  }
  EXPECT_GT(cases, 500);
}

TEST_P(SliceReaderTest, MissingCoverageIsTfsError) {
  const TensorShape full{10, 4};
  Save("/r/gap", DType::kHalf, full, {*TensorSlice::Parse("0,4:-"), *TensorSlice::Parse("6,4:-")});
  auto reader = *BundleReader::Open("/r/gap", ROpts());
  Tensor got = *Tensor::Make(DType::kHalf, {4, 4});
  const Status s = reader->ReadSliceInto("t", *TensorSlice::Parse("3,4:-"), got.mutable_view());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("Does not have sufficient slices for partitioned tensor t to restore in slice_spec: 3,4:-",
                              0),
            0u)
      << s.ToString();
  // What is covered still reads.
  Tensor ok = *Tensor::Make(DType::kHalf, {2, 4});
  EXPECT_OK(reader->ReadSliceInto("t", *TensorSlice::Parse("1,2:-"), ok.mutable_view()));
}

TEST_P(SliceReaderTest, CorruptBytesOfAPartialOverlapAreDataLossWhenVerifying) {
  const TensorShape full{8, 8};
  Save("/r/bad", DType::kFloat, full, {*TensorSlice::Parse("0,4:-"), *TensorSlice::Parse("4,4:-")});
  // The first part (rows 0..3) is first in the data file; flip a byte of row 0.
  const std::string data = "/r/bad.data-00000-of-00001";
  const uint64_t size = *fs_->GetFileSize(data);
  std::string bytes(size, '\0');
  ASSERT_OK((*fs_->NewRandomAccessFile(data))->Read(0, size, bytes.data()));
  bytes[0] ^= 0x55;
  {
    auto f = *fs_->NewWritableFile(data);
    ASSERT_OK(f->Append(bytes));
    ASSERT_OK(f->Close());
  }
  auto reader = *BundleReader::Open("/r/bad", ROpts());
  const TensorSlice want = *TensorSlice::Parse("2,2:-");  // rows 2..3: the flipped byte is not among them
  Tensor got = *Tensor::Make(DType::kFloat, want.SliceShape(full));
  const Status s = reader->ReadSliceInto("t", want, got.mutable_view());
  if (GetParam()) {
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();  // the part's crc covers every byte
  } else {
    ASSERT_OK(s);
    EXPECT_TRUE(got.Equals(MakeSlice(DType::kFloat, full, want)));
  }
}

INSTANTIATE_TEST_SUITE_P(Verify, SliceReaderTest, ::testing::Bool());

// ---- the streaming core: bytes read and buffer sizes ----

StoredPart PartOf(const CountingFile& f, const std::string& spec, bool verify, crc32c::Crc crc = {}) {
  StoredPart p{&f, 0, f.Size(), *TensorSlice::Parse(spec)};
  p.verify = verify;
  p.expected_crc = crc;
  return p;
}

TEST(SliceReaderStreamTest, RowBlocksAreOneDirectReadIntoTheDestination) {
  // A stored [64, 4096] int8 part, rows 10..49 wanted: one contiguous 160 KiB run.
  const TensorShape full{64, 4096};
  Tensor stored = MakeSlice(DType::kInt8, full, TensorSlice::Full(2));
  CountingFile f(std::string(static_cast<const char*>(stored.data()), stored.byte_size()));
  const TensorSlice want = *TensorSlice::Parse("10,40:-");
  Tensor got = *Tensor::Make(DType::kInt8, want.SliceShape(full));
  ASSERT_OK(ReadOverlap(PartOf(f, "-:-", false), want, full, 1, got.data()));
  EXPECT_TRUE(got.Equals(MakeSlice(DType::kInt8, full, want)));
  EXPECT_EQ(f.reads_, 1u);
  EXPECT_EQ(f.bytes_, 40u * 4096);
}

TEST(SliceReaderStreamTest, NarrowColumnsReadThroughABoundedWindowAndSkipFarGaps) {
  // [512, 65536] uint8 (32 MiB) stored whole; want columns 0..15 of rows 0..511:
  // 16-byte runs 64 KiB apart: every gap is skipped, each run read on its own window.
  const TensorShape full{512, 65536};
  std::string data(static_cast<size_t>(full.num_elements()), '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
  CountingFile f(data);
  const TensorSlice want = *TensorSlice::Parse("-:0,16");
  std::vector<char> got(512 * 16);
  ASSERT_OK(ReadOverlap(PartOf(f, "-:-", false), want, full, 1, got.data()));
  for (int r = 0; r < 512; ++r) {
    ASSERT_EQ(std::memcmp(got.data() + r * 16, data.data() + static_cast<size_t>(r) * 65536, 16), 0) << r;
  }
  EXPECT_LE(f.largest_, kWindowBytes);
  // Far less than the 32 MiB stored: at most the runs plus a skip distance each.
  EXPECT_LT(f.bytes_, 512 * (16 + kSkipBytes) + 1);
  // With verification every byte is hashed, through the window (never one big read).
  CountingFile g(data);
  const crc32c::Crc crc = crc32c::Value(data.data(), data.size());
  ASSERT_OK(ReadOverlap(PartOf(g, "-:-", true, crc), want, full, 1, got.data()));
  EXPECT_EQ(g.bytes_, data.size());
  EXPECT_LE(g.largest_, kWindowBytes);
  // A wrong crc is DataLoss naming the range.
  CountingFile h(data);
  const Status bad = ReadOverlap(PartOf(h, "-:-", true, crc32c::Crc{crc.value ^ 1}), want, full, 1, got.data());
  EXPECT_EQ(bad.code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.message().find("mem bytes [0, 33554432)"), std::string::npos) << bad.ToString();
}

TEST(SliceReaderStreamTest, CloseRunsShareWindows) {
  // [4096, 64] float32 rows of 256 bytes; want columns 8..39: 128-byte runs with
  // 128-byte gaps, gathered into few window reads.
  const TensorShape full{4096, 64};
  Tensor stored = MakeSlice(DType::kFloat, full, TensorSlice::Full(2));
  CountingFile f(std::string(static_cast<const char*>(stored.data()), stored.byte_size()));
  const TensorSlice want = *TensorSlice::Parse("-:8,32");
  Tensor got = *Tensor::Make(DType::kFloat, want.SliceShape(full));
  ASSERT_OK(ReadOverlap(PartOf(f, "-:-", false), want, full, 4, got.data()));
  EXPECT_TRUE(got.Equals(MakeSlice(DType::kFloat, full, want)));
  // Without verification a window stops a skip distance past the run it
  // starts at: 1 MiB in reads of up to 64 KiB.
  EXPECT_LE(f.reads_, (4096u * 256) / kSkipBytes + 1);
  EXPECT_LE(f.largest_, kWindowBytes);
}

TEST(SliceReaderStreamTest, StringElementsAreReadWithoutTheWholePart) {
  // 2000 strings of 1000 bytes; want elements 100..109.
  const TensorShape full{2000};
  std::vector<std::string> values;
  std::vector<std::string_view> views;
  for (int i = 0; i < 2000; ++i) values.push_back(std::string(1000, static_cast<char>('a' + i % 26)) + std::to_string(i));
  for (auto& v : values) views.push_back(v);
  auto fs = NewMemoryFileSystem();
  auto w = *fs->NewWritableFile("/s");
  uint64_t written;
  crc32c::Crc crc;
  ASSERT_OK(WriteStringTensor(w.get(), views, &written, &crc));
  ASSERT_OK(w->Close());
  std::string bytes(written, '\0');
  ASSERT_OK((*fs->NewRandomAccessFile("/s"))->Read(0, written, bytes.data()));
  for (bool verify : {false, true}) {
    CountingFile f(bytes);
    std::vector<std::string> got(10);
    ASSERT_OK(ReadStringOverlap(PartOf(f, "-", verify, crc), *TensorSlice::Parse("100,10"), full, &got));
    for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i], values[100 + i]);
    if (!verify) {
      EXPECT_LT(f.bytes_, MaxStringHeaderBytes(2000) + 10 * 1005 + kSkipBytes);
    } else {
      EXPECT_LE(f.largest_, std::max<uint64_t>(kWindowBytes, MaxStringHeaderBytes(2000)));
    }
  }
}

}  // namespace
}  // namespace ckpt::format
