// Exhaustive single-byte corruption and truncation of a small bundle.
//
// A bundle holding several dtypes, a multi-element string tensor, a tensor
// stored as two slices, a scalar and an empty tensor is written to an
// in-memory file system. Then, for every byte of the .index file and of the
// data file, the byte is flipped (xor 0xff and xor 0x01), and each file is
// truncated at every length 0..size-1. For every such variant the reader must
// either report an error (a canonical "bad input" code with a message that
// says where the problem is) or, when nothing fails, return exactly the
// original values (only bytes no checksum covers -- alignment padding, the
// footer's zero padding, the never-read metaindex block -- may change
// without an error). It must never crash, hang or return wrong data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/coding.h"
#include "ckpt/bundle.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"
#include "format/slice_key.h"
#include "testing/pattern_tensor.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

constexpr char kDir[] = "/ck";
constexpr char kPrefix[] = "/ck/p";

// Stop reporting after this many problems in one test (one root cause tends
// to show up at hundreds of byte positions).
constexpr int kMaxReportedFailures = 25;

bool AllowedCode(StatusCode c) {
  return c == StatusCode::kDataLoss || c == StatusCode::kNotFound || c == StatusCode::kOutOfRange ||
         c == StatusCode::kInvalidArgument || c == StatusCode::kUnimplemented;
}

// One rows-sliced read that spans both stored slices of "part".
TensorSlice CrossSlice() { return TensorSlice({TensorSlice::Extent{1, 2}, TensorSlice::Extent{}}); }

// One corrupted version of a file: what was done, the bytes, and the byte
// position changed (npos for truncations).
struct Variant {
  std::string what;
  std::string bytes;
  size_t pos = std::string::npos;
};

struct Original {
  std::map<std::string, Tensor> tensors;  // key -> full value
  Tensor cross;                           // value of CrossSlice() of "part"
  std::string index;                      // file bytes
  std::string data;
};

class BundleCorruptionTest : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    ASSERT_OK(fs_->CreateDir(kDir));
    index_path_ = MetaFilename(kPrefix);
    data_path_ = DataFilename(kPrefix, 0, 1);

    auto& t = orig_.tensors;
    t["a/float"] = test::PatternTensor(DType::kFloat, {2, 3}, 1);
    t["b/int64"] = test::PatternTensor(DType::kInt64, {4}, 2);
    t["c/uint8"] = test::PatternTensor(DType::kUInt8, {5}, 3);  // odd size: padding follows when aligned
    t["d/bool"] = test::PatternTensor(DType::kBool, {3}, 4);
    t["e/int16"] = test::PatternTensor(DType::kInt16, {3}, 5);
    t["f/double_scalar"] = test::PatternTensor(DType::kDouble, {}, 6);
    t["g/empty"] = test::PatternTensor(DType::kFloat, {0, 3}, 7);
    std::string binary("\0\xff\x80zz", 5);
    t["h/strings"] = Tensor::FromStrings({2, 3}, {"", "a", "hello", std::string(200, 'x'), binary, "last"});
    t["i/empty_strings"] = Tensor::FromStrings({0}, {});
    t["j/int32_scalar"] = test::PatternTensor(DType::kInt32, {}, 8);
    Tensor part = test::PatternTensor(DType::kFloat, {4, 3}, 9);
    t["part"] = part;

    BundleWriterOptions wo;
    wo.fs = fs_.get();
    wo.data_alignment = GetParam();
    auto w = BundleWriter::Create(kPrefix, wo);
    ASSERT_OK(w);
    for (const auto& [key, value] : t) {
      if (key == "part") continue;
      ASSERT_TRUE((*w)->Add(key, value).ok()) << key;
    }
    // "part" is stored as two row slices: rows [0,2) and [2,4).
    const TensorShape full{4, 3};
    for (int64_t start : {int64_t{2}, int64_t{0}}) {
      TensorSlice s({TensorSlice::Extent{start, 2}, TensorSlice::Extent{}});
      Tensor piece = *Tensor::Make(DType::kFloat, {2, 3});
      std::memcpy(piece.data(), static_cast<const char*>(part.data()) + start * 3 * sizeof(float), piece.byte_size());
      ASSERT_OK((*w)->AddSlice("part", full, s, piece.view()));
    }
    ASSERT_OK((*w)->Finish());

    orig_.cross = *Tensor::Make(DType::kFloat, {2, 3});
    std::memcpy(orig_.cross.data(), static_cast<const char*>(part.data()) + 3 * sizeof(float), orig_.cross.byte_size());
    orig_.index = *fs_->ReadFileToString(index_path_);
    orig_.data = *fs_->ReadFileToString(data_path_);
    RecordProperty("index_bytes", static_cast<int>(orig_.index.size()));
    RecordProperty("data_bytes", static_cast<int>(orig_.data.size()));

    // The pristine bundle must read back exactly (otherwise the rest is moot).
    const std::string problem = Check(/*data_corrupted=*/false);
    ASSERT_EQ(problem, "") << "pristine bundle";
  }

  void Put(const std::string& path, const std::string& bytes) {
    auto f = fs_->NewWritableFile(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(bytes));
    ASSERT_OK((*f)->Close());
  }

  // Checks that a failure is well-formed; returns a description of what is
  // wrong with it, or "" when fine.
  std::string CheckError(const Status& s, const char* where, const std::vector<std::string>& must_name) const {
    if (!AllowedCode(s.code())) return std::string(where) + ": unexpected code: " + s.ToString();
    if (s.message().empty()) return std::string(where) + ": empty error message (" + s.ToString() + ")";
    for (const std::string& n : must_name) {
      if (s.message().find(n) == std::string::npos) {
        return std::string(where) + ": message does not name \"" + n + "\": " + s.ToString();
      }
    }
    return "";
  }

  // Opens the bundle as it is in fs_ now and reads everything. Returns "" if
  // the reader behaved (error or exact values), a description otherwise.
  std::string Check(bool data_corrupted, bool* failed_out = nullptr) const {
    BundleReaderOptions ro;
    ro.fs = fs_.get();
    auto r = BundleReader::Open(kPrefix, ro);
    if (failed_out != nullptr) *failed_out = !r.ok();
    if (!r.ok()) {
      // Open reads only the index; a damaged index must be blamed on it.
      if (data_corrupted) return CheckError(r.status(), "Open", {data_path_});
      return CheckError(r.status(), "Open", {index_path_});
    }
    const BundleReader& reader = **r;
    bool any_failed = false;
    std::string problems;
    auto note = [&](const std::string& p) {
      if (!p.empty()) problems += p + "\n";
    };

    // Every key read on its own.
    for (const auto& [key, want] : orig_.tensors) {
      auto got = reader.Read(key);
      const std::string where = "Read(" + key + ")";
      if (!got.ok()) {
        any_failed = true;
        note(data_corrupted ? CheckError(got.status(), where.c_str(), {data_path_, key})
                            : CheckError(got.status(), where.c_str(), {}));
        continue;
      }
      if (!got->Equals(want)) note(where + ": returned a value different from the one written");
      if (want.dtype() == DType::kString) continue;
      // Fixed-size tensors also through the caller-buffer path.
      Tensor into = *Tensor::Make(want.dtype(), want.shape());
      Status s = reader.ReadInto(key, into.mutable_view());
      if (!s.ok()) {
        any_failed = true;
        note(data_corrupted ? CheckError(s, ("ReadInto(" + key + ")").c_str(), {data_path_, key})
                            : CheckError(s, ("ReadInto(" + key + ")").c_str(), {}));
      } else if (!into.Equals(want)) {
        note("ReadInto(" + key + "): returned a value different from the one written");
      }
    }
    // A slice assembled from both stored slices.
    {
      auto got = reader.ReadSlice("part", CrossSlice());
      if (!got.ok()) {
        any_failed = true;
        note(data_corrupted ? CheckError(got.status(), "ReadSlice(part)", {data_path_, "part"})
                            : CheckError(got.status(), "ReadSlice(part)", {}));
      } else if (!got->Equals(orig_.cross)) {
        note("ReadSlice(part, 1,2:-): returned a value different from the one written");
      }
    }
    // The key list and metadata must be intact if nothing complained.
    std::vector<std::string> want_keys;
    for (const auto& [key, t] : orig_.tensors) want_keys.push_back(key);
    if (reader.Keys() != want_keys) {
      if (!any_failed) note("Keys() differ from the keys written, yet every read succeeded");
    } else {
      for (const auto& [key, want] : orig_.tensors) {
        auto info = reader.Lookup(key);
        if (!info.ok()) {
          note("Lookup(" + key + ") failed for a listed key: " + info.status().ToString());
        } else if (info->dtype != want.dtype() || !(info->shape == want.shape())) {
          if (!any_failed) note("Lookup(" + key + "): dtype/shape differ from the ones written");
        }
      }
    }

    Status v = reader.VerifyAll();
    if (!v.ok()) {
      note(data_corrupted ? CheckError(v, "VerifyAll", {data_path_}) : CheckError(v, "VerifyAll", {}));
      if (data_corrupted) {
        // It must name the tensor it is complaining about.
        bool named = false;
        for (const auto& [key, t] : orig_.tensors) named = named || v.message().find(key) != std::string::npos;
        if (!named) note("VerifyAll: message names no tensor key: " + v.ToString());
      }
    }
    // With an intact index, "some read fails" and "VerifyAll fails" must agree:
    // both see exactly the tensor bytes.
    if (data_corrupted && v.ok() != !any_failed) {
      note(std::string("VerifyAll ") + (v.ok() ? "passed" : "failed") + " but reads " +
           (any_failed ? "failed" : "all passed") + (v.ok() ? "" : ": " + v.ToString()));
    }
    if (failed_out != nullptr) *failed_out = any_failed || !v.ok();
    return problems;
  }

  // Writes each variant over `path`, checks the reader, and restores the
  // original. Returns the positions of flips that changed nothing visible.
  std::vector<size_t> RunVariants(const std::string& path, const std::string& original,
                                  const std::vector<Variant>& variants, bool data_corrupted) {
    int failures = 0;
    std::vector<size_t> harmless;
    for (const Variant& v : variants) {
      Put(path, v.bytes);
      bool failed = false;
      const std::string problem = Check(data_corrupted, &failed);
      if (!failed && v.pos != std::string::npos) harmless.push_back(v.pos);
      if (!problem.empty()) {
        ADD_FAILURE() << Basename(path) << " " << v.what << " (alignment " << GetParam() << "):\n" << problem;
        if (++failures >= kMaxReportedFailures) {
          ADD_FAILURE() << "too many failures; stopping";
          break;
        }
      }
    }
    Put(path, original);
    return harmless;
  }

  static std::vector<Variant> Flips(const std::string& original) {
    std::vector<Variant> out;
    for (size_t i = 0; i < original.size(); ++i) {
      for (unsigned mask : {0xffu, 0x01u}) {
        std::string b = original;
        b[i] = static_cast<char>(static_cast<unsigned char>(b[i]) ^ mask);
        out.push_back({"byte " + std::to_string(i) + " ^ " + std::to_string(mask), std::move(b), i});
      }
    }
    return out;
  }

  static std::vector<Variant> Truncations(const std::string& original) {
    std::vector<Variant> out;
    for (size_t n = 0; n < original.size(); ++n) {
      out.push_back({"truncated to " + std::to_string(n) + " bytes", original.substr(0, n)});
    }
    return out;
  }

  // Byte ranges [begin, end) of every stored tensor in the data file.
  std::vector<std::pair<int64_t, int64_t>> TensorRanges() const {
    BundleReaderOptions ro;
    ro.fs = fs_.get();
    auto r = BundleReader::Open(kPrefix, ro);
    EXPECT_OK(r);
    std::vector<std::pair<int64_t, int64_t>> out;
    if (!r.ok()) return out;
    for (const TensorInfo& info : (*r)->List()) {
      if (info.slices.empty()) {
        out.emplace_back(info.offset, info.offset + info.size);
        continue;
      }
      for (const TensorSlice& s : info.slices) {
        auto e = (*r)->Lookup(format::EncodeTensorNameSlice(info.key, s));
        EXPECT_OK(e);
        if (e.ok()) out.emplace_back(e->offset, e->offset + e->size);
      }
    }
    return out;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
  std::string index_path_, data_path_;
  Original orig_;
};

TEST_P(BundleCorruptionTest, EveryIndexByteFlipIsDetectedOrHarmless) {
  ASSERT_GT(orig_.index.size(), 100u);
  const std::vector<size_t> harmless =
      RunVariants(index_path_, orig_.index, Flips(orig_.index), /*data_corrupted=*/false);
  // Only bytes no checksum covers may change silently: the metaindex block
  // (never read; TF's reader ignores it too) and the footer's handles of it
  // and zero padding. The index handle and the magic must not be among them.
  const size_t footer = orig_.index.size() - 48;
  const char* p = orig_.index.data() + footer;
  const char* limit = orig_.index.data() + orig_.index.size() - 8;
  uint64_t meta_off = 0, meta_size = 0, index_off = 0, index_size = 0;
  ASSERT_TRUE(coding::GetVarint64(&p, limit, &meta_off) && coding::GetVarint64(&p, limit, &meta_size));
  const size_t index_handle_begin = static_cast<size_t>(p - orig_.index.data());
  ASSERT_TRUE(coding::GetVarint64(&p, limit, &index_off) && coding::GetVarint64(&p, limit, &index_size));
  const size_t index_handle_end = static_cast<size_t>(p - orig_.index.data());
  for (size_t pos : harmless) {
    const bool in_meta = pos >= meta_off && pos < meta_off + meta_size + 5;
    const bool in_footer_slack = pos >= footer && pos < orig_.index.size() - 8 &&
                                 !(pos >= index_handle_begin && pos < index_handle_end);
    EXPECT_TRUE(in_meta || in_footer_slack) << "flipping index byte " << pos << " went unnoticed";
  }
  // Sanity: the footer padding really is unchecked, so the harness does see
  // harmless flips (it would not, were it treating everything as an error).
  EXPECT_FALSE(harmless.empty());
}

TEST_P(BundleCorruptionTest, EveryDataByteFlipIsDetectedOrHarmless) {
  ASSERT_GT(orig_.data.size(), 100u);
  const auto ranges = TensorRanges();
  ASSERT_EQ(ranges.size(), orig_.tensors.size() + 1);  // "part" has two slice entries
  const std::vector<size_t> harmless = RunVariants(data_path_, orig_.data, Flips(orig_.data), /*data_corrupted=*/true);
  // Every byte of every tensor is covered by its checksum: only alignment
  // padding may change silently.
  size_t padding = orig_.data.size();
  for (const auto& [b, e] : ranges) padding -= static_cast<size_t>(e - b);
  for (size_t pos : harmless) {
    for (const auto& [b, e] : ranges) {
      EXPECT_FALSE(static_cast<int64_t>(pos) >= b && static_cast<int64_t>(pos) < e)
          << "flipping data byte " << pos << " (inside tensor bytes [" << b << ", " << e << ")) went unnoticed";
    }
  }
  EXPECT_EQ(harmless.size(), 2 * padding);
  if (GetParam() == 1) EXPECT_EQ(padding, 0u);
  else EXPECT_GT(padding, 0u);
}

TEST_P(BundleCorruptionTest, EveryIndexTruncationIsDetected) {
  RunVariants(index_path_, orig_.index, Truncations(orig_.index), /*data_corrupted=*/false);
  // Any truncation of the index loses the footer: Open must fail.
  BundleReaderOptions ro;
  ro.fs = fs_.get();
  for (size_t n = 0; n < orig_.index.size(); ++n) {
    Put(index_path_, orig_.index.substr(0, n));
    auto r = BundleReader::Open(kPrefix, ro);
    EXPECT_FALSE(r.ok()) << "index truncated to " << n << " bytes opened";
    if (!r.ok()) EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
  }
  Put(index_path_, orig_.index);
}

TEST_P(BundleCorruptionTest, EveryDataTruncationIsDetected) {
  RunVariants(data_path_, orig_.data, Truncations(orig_.data), /*data_corrupted=*/true);
  // Every truncation cuts into some tensor's bytes or the final padding;
  // whenever it cuts tensor bytes, VerifyAll must say so.
  BundleReaderOptions ro;
  ro.fs = fs_.get();
  int64_t end_of_tensors = 0;
  for (const auto& [b, e] : TensorRanges()) end_of_tensors = std::max(end_of_tensors, e);
  ASSERT_GT(end_of_tensors, 0);
  for (int64_t n = 0; n < end_of_tensors; ++n) {
    Put(data_path_, orig_.data.substr(0, static_cast<size_t>(n)));
    auto rr = BundleReader::Open(kPrefix, ro);
    if (!rr.ok()) continue;  // checked above
    EXPECT_FALSE((*rr)->VerifyAll().ok()) << "data truncated to " << n << " bytes verified";
  }
  Put(data_path_, orig_.data);
}

// A missing data file is DataLoss naming it, at the first read.
TEST_P(BundleCorruptionTest, MissingDataFileIsDataLoss) {
  ASSERT_OK(fs_->DeleteFile(data_path_));
  BundleReaderOptions ro;
  ro.fs = fs_.get();
  auto r = BundleReader::Open(kPrefix, ro);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
    return;
  }
  auto t = (*r)->Read("a/float");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss) << t.status().ToString();
  EXPECT_NE(t.status().message().find(data_path_), std::string::npos) << t.status().ToString();
  EXPECT_NE(t.status().message().find("a/float"), std::string::npos) << t.status().ToString();
  EXPECT_FALSE((*r)->VerifyAll().ok());
}

INSTANTIATE_TEST_SUITE_P(Alignment, BundleCorruptionTest, ::testing::Values(int64_t{1}, int64_t{8}),
                         [](const ::testing::TestParamInfo<int64_t>& p) {
                           return p.param == 1 ? std::string("Dense") : "Aligned" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace ckpt
