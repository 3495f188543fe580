// Round trips and byte-exact layout of BundleWriter / BundleReader / MergeBundles.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

#include "base/crc32c.h"
#include "ckpt/bundle.h"
#include "format/slice_key.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(fs_->CreateDir("/ck")); }
  BundleWriterOptions WOpts() {
    BundleWriterOptions o;
    o.fs = fs_.get();
    return o;
  }
  BundleReaderOptions ROpts() {
    BundleReaderOptions o;
    o.fs = fs_.get();
    return o;
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

Tensor Iota(DType dt, TensorShape shape) {
  Tensor t = *Tensor::Make(dt, std::move(shape));
  auto* p = static_cast<uint8_t*>(t.data());
  for (size_t i = 0; i < t.byte_size(); ++i) p[i] = static_cast<uint8_t>(i * 7 + 3);
  return t;
}

// docs/tf-format.md, Worked examples: the index of a bundle holding one float32 scalar 1.0 under "x"
// is exactly these bytes (and the data file is 00 00 80 3f).
TEST_F(BundleTest, FL01_SingleScalarMatchesWorkedExampleByteForByte) {
  auto w = *BundleWriter::Create("/ck/p", WOpts());
  Tensor x = *Tensor::Make(DType::kFloat, {});
  x.flat<float>()[0] = 1.0f;
  ASSERT_OK(w->Add("x", x));
  ASSERT_OK(w->Finish());
  const std::string expected =
      "00000608011a02080100010b780801120028043581a5da2b000000000100000000385adf39000000000100000000c0f2a1b0000102"
      "790020000000000100000000c24c06422508320e" +
      std::string(72, '0') + "57fb808b247547db";
  EXPECT_EQ(Hex(*fs_->ReadFileToString("/ck/p.index")), expected);
  EXPECT_EQ(Hex(*fs_->ReadFileToString("/ck/p.data-00000-of-00001")), "0000803f");
  // FL-01: exactly two files.
  auto children = *fs_->GetChildren("/ck");
  EXPECT_EQ(children.size(), 2u);
}

TEST_F(BundleTest, EmptyBundleMatchesWorkedExample) {
  auto w = *BundleWriter::Create("/ck/e", WOpts());
  ASSERT_OK(w->Finish());
  const std::string expected =
      "00000608011a020801000000000100000000629457f9000000000100000000c0f2a1b00000020011000000000100000000ccbf8b5d1608"
      "230d" +
      std::string(72, '0') + "57fb808b247547db";
  EXPECT_EQ(Hex(*fs_->ReadFileToString("/ck/e.index")), expected);
  auto r = *BundleReader::Open("/ck/e", ROpts());
  EXPECT_TRUE(r->Keys().empty());
}

TEST_F(BundleTest, EveryFixedSizeDTypeRoundTrips) {
  std::vector<Tensor> tensors;
  auto w = *BundleWriter::Create("/ck/all", WOpts());
  for (int v = 1; v <= 32; ++v) {
    const DType dt = static_cast<DType>(v);
    if (!IsFixedSizeDType(dt)) continue;
    tensors.push_back(Iota(dt, {3, 5}));
    ASSERT_TRUE(w->Add(std::string(DTypeName(dt)), tensors.back()).ok()) << DTypeName(dt);
  }
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/all", ROpts());
  size_t i = 0;
  for (int v = 1; v <= 32; ++v) {
    const DType dt = static_cast<DType>(v);
    if (!IsFixedSizeDType(dt)) continue;
    auto t = r->Read(DTypeName(dt));
    ASSERT_OK(t);
    EXPECT_TRUE(t->Equals(tensors[i++])) << DTypeName(dt);
  }
  EXPECT_OK(r->VerifyAll());
}

TEST_F(BundleTest, DataIsInAddOrderAndIndexIsSorted) {
  auto w = *BundleWriter::Create("/ck/o", WOpts());
  Tensor b = Iota(DType::kInt32, {2}), a = Iota(DType::kInt8, {3});
  ASSERT_OK(w->Add("b", b));
  ASSERT_OK(w->Add("a", a));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/o", ROpts());
  EXPECT_EQ(r->Keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->Lookup("b")->offset, 0);
  EXPECT_EQ(r->Lookup("a")->offset, 8);
}

TEST_F(BundleTest, StringsIncludingEmptyAndBinary) {
  std::vector<std::string> values = {"", "ab", std::string("\0\xff\x80z", 4), std::string(1000, 'q')};
  auto w = *BundleWriter::Create("/ck/s", WOpts());
  ASSERT_OK(w->Add("s", Tensor::FromStrings({2, 2}, values)));
  ASSERT_OK(w->Add("empty", Tensor::FromStrings({0}, {})));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/s", ROpts());
  EXPECT_EQ(*r->ReadStrings("s"), values);
  EXPECT_TRUE(r->ReadStrings("empty")->empty());
  EXPECT_EQ(r->Lookup("empty")->size, 4);
  EXPECT_OK(r->VerifyAll());
}

// docs/tf-format.md worked example: ["ab","c"] -> 02 01 03 71 7c 67 61 62 63, crc field 0x5FD830D5.
TEST_F(BundleTest, StringEncodingMatchesSpecExample) {
  auto w = *BundleWriter::Create("/ck/se", WOpts());
  ASSERT_OK(w->Add("k", Tensor::FromStrings({2}, {"ab", "c"})));
  ASSERT_OK(w->Finish());
  EXPECT_EQ(Hex(*fs_->ReadFileToString("/ck/se.data-00000-of-00001")), "0201037" "17c6761626" "3");
  auto r = *BundleReader::Open("/ck/se", ROpts());
  EXPECT_EQ(r->Lookup("k")->masked_crc32c, 0x5FD830D5u);
}

TEST_F(BundleTest, ScalarsAndEmptyTensors) {
  auto w = *BundleWriter::Create("/ck/z", WOpts());
  Tensor e1 = *Tensor::Make(DType::kFloat, {0});
  Tensor e2 = *Tensor::Make(DType::kDouble, {3, 0});
  Tensor s = Iota(DType::kInt64, {});
  ASSERT_OK(w->Add("e1", e1));
  ASSERT_OK(w->Add("e2", e2));
  ASSERT_OK(w->Add("s", s));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/z", ROpts());
  EXPECT_TRUE(r->Read("e1")->Equals(e1));
  EXPECT_TRUE(r->Read("e2")->Equals(e2));
  EXPECT_TRUE(r->Read("s")->Equals(s));
  EXPECT_EQ(r->Lookup("e1")->masked_crc32c, 0xA282EAD8u);  // mask(0)
}

TEST_F(BundleTest, ReadIntoCallerBufferChecksDtypeAndShape) {
  auto w = *BundleWriter::Create("/ck/r", WOpts());
  Tensor t = Iota(DType::kFloat, {4, 4});
  ASSERT_OK(w->Add("w", t));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/r", ROpts());
  std::vector<float> buf(16);
  ASSERT_OK(r->ReadInto("w", {DType::kFloat, {4, 4}, buf.data()}));
  EXPECT_EQ(std::memcmp(buf.data(), t.data(), 64), 0);
  Status bad_shape = r->ReadInto("w", {DType::kFloat, {16}, buf.data()});
  EXPECT_EQ(bad_shape.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_shape.message().find("[4,4]"), std::string::npos);
  EXPECT_NE(bad_shape.message().find("[16]"), std::string::npos);
  Status bad_type = r->ReadInto("w", {DType::kDouble, {4, 4}, buf.data()});
  EXPECT_EQ(bad_type.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_type.message().find("float64"), std::string::npos);
  EXPECT_EQ(r->Read("nope").status().code(), StatusCode::kNotFound);
  EXPECT_NE(r->Read("nope").status().message().find("Key nope not found in checkpoint"), std::string::npos);
}

TEST_F(BundleTest, WriterRejectsBadInput) {
  auto w = *BundleWriter::Create("/ck/bad", WOpts());
  Tensor t = Iota(DType::kFloat, {2});
  EXPECT_EQ(w->Add("", t).code(), StatusCode::kInvalidArgument);
  // The first error is sticky.
  EXPECT_EQ(w->Add("ok", t).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(w->Finish().ok());
  // Nothing left behind.
  EXPECT_TRUE(fs_->GetChildren("/ck")->empty());
}

TEST_F(BundleTest, DuplicateKeyAndUnstorableDtype) {
  auto w = *BundleWriter::Create("/ck/d", WOpts());
  Tensor t = Iota(DType::kFloat, {2});
  ASSERT_OK(w->Add("k", t));
  EXPECT_EQ(w->Add("k", t).code(), StatusCode::kInvalidArgument);
  auto w2 = *BundleWriter::Create("/ck/d2", WOpts());
  TensorView v{DType::kResource, {}, t.data(), {}};
  EXPECT_EQ(w2->Add("r", v).code(), StatusCode::kInvalidArgument);
}

TEST_F(BundleTest, AbandonedWriterLeavesNoFiles) {
  {
    auto w = *BundleWriter::Create("/ck/a", WOpts());
    ASSERT_OK(w->Add("k", Iota(DType::kFloat, {2})));
  }
  EXPECT_TRUE(fs_->GetChildren("/ck")->empty());
  EXPECT_EQ(BundleReader::Open("/ck/a", ROpts()).status().code(), StatusCode::kNotFound);
}

TEST_F(BundleTest, AlignmentPadsBetweenTensors) {
  auto o = WOpts();
  o.data_alignment = 64;
  auto w = *BundleWriter::Create("/ck/al", o);
  Tensor a = Iota(DType::kUInt8, {3}), b = Iota(DType::kFloat, {5});
  ASSERT_OK(w->Add("a", a));
  ASSERT_OK(w->Add("b", b));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/al", ROpts());
  EXPECT_EQ(r->Lookup("b")->offset, 64);
  EXPECT_EQ(r->Lookup("b")->size, 20);
  EXPECT_TRUE(r->Read("a")->Equals(a));
  EXPECT_TRUE(r->Read("b")->Equals(b));
}

// The slice-key examples of docs/tf-format.md.
TEST(SliceKeyTest, EncodingMatchesSpecExamples) {
  auto s = *TensorSlice::Parse("0,5:-");
  EXPECT_EQ(Hex(format::EncodeTensorNameSlice("foo", s)), "00666f6f00010102808580" "7f");
  EXPECT_EQ(Hex(format::EncodeTensorNameSlice("foo", *TensorSlice::Parse("0,5:0,20"))), "00666f6f0001010280858094");
  EXPECT_EQ(Hex(format::EncodeTensorNameSlice("w", *TensorSlice::Parse("5,5:-"))), "0077000101028585807f");
}

TEST(SliceKeyTest, RoundTripsLargeAndNegativeNumbers) {
  std::vector<int64_t> values = {0, 1, 63, 64, 100, 1000, 8191, 8192, 1 << 20, int64_t{1} << 40,
                                 (int64_t{1} << 62) + 5, INT64_MAX};
  for (int64_t v : values) {
    TensorSlice s({{v, 7}, {0, TensorSlice::kFullExtent}});
    auto d = format::DecodeTensorNameSlice(format::EncodeTensorNameSlice(std::string("a\0\xff", 3), s));
    ASSERT_TRUE(d.ok()) << v;
    EXPECT_EQ(d->name, std::string("a\0\xff", 3));
    EXPECT_EQ(d->slice, s) << v;
  }
}

TEST_F(BundleTest, PartitionedTensorAssemblesAndSlicesRead) {
  // A [6,4] int32 tensor saved as rows 0..2 and 3..5.
  Tensor full = Iota(DType::kInt32, {6, 4});
  auto w = *BundleWriter::Create("/ck/part", WOpts());
  const TensorShape shape{6, 4};
  for (int start : {3, 0}) {
    TensorSlice s({{start, 3}, {0, TensorSlice::kFullExtent}});
    Tensor piece = *Tensor::Make(DType::kInt32, {3, 4});
    std::memcpy(piece.data(), static_cast<char*>(full.data()) + start * 16, 48);
    ASSERT_OK(w->AddSlice("v", shape, s, piece.view()));
  }
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/part", ROpts());
  EXPECT_EQ(r->Keys(), std::vector<std::string>{"v"});
  EXPECT_EQ(r->Lookup("v")->slices.size(), 2u);
  EXPECT_TRUE(r->Read("v")->Equals(full));
  // A slice crossing both stored slices: rows 2..4, columns 1..2.
  auto part = r->ReadSlice("v", *TensorSlice::Parse("2,3:1,2"));
  ASSERT_OK(part);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(part->flat<int32_t>()[i * 2 + j], full.flat<int32_t>()[(i + 2) * 4 + j + 1]);
    }
  }
  EXPECT_OK(r->VerifyAll());
}

TEST_F(BundleTest, InsufficientSlicesIsAnError) {
  auto w = *BundleWriter::Create("/ck/ins", WOpts());
  TensorSlice s({{0, 2}});
  ASSERT_OK(w->AddSlice("v", {4}, s, Iota(DType::kFloat, {2}).view()));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/ins", ROpts());
  auto t = r->Read("v");
  EXPECT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("Does not have sufficient slices"), std::string::npos);
  EXPECT_TRUE(r->ReadSlice("v", s)->Equals(Iota(DType::kFloat, {2})));
}

TEST_F(BundleTest, SliceOfPlainTensor) {
  auto w = *BundleWriter::Create("/ck/ps", WOpts());
  Tensor t = Iota(DType::kInt16, {4, 3});
  ASSERT_OK(w->Add("t", t));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/ps", ROpts());
  auto s = r->ReadSlice("t", *TensorSlice::Parse("1,2:-"));
  ASSERT_OK(s);
  EXPECT_EQ(std::memcmp(s->data(), static_cast<char*>(t.data()) + 6, 12), 0);
}

TEST_F(BundleTest, MergeBundlesRenumbersShardsAndUnionsSlices) {
  ASSERT_OK(fs_->CreateDir("/ck/tmp"));
  Tensor a = Iota(DType::kFloat, {3}), b = Iota(DType::kInt64, {2});
  Tensor lo = Iota(DType::kFloat, {2}), hi = Iota(DType::kFloat, {2});
  {
    auto w = *BundleWriter::Create("/ck/tmp/part-00000-of-00002", WOpts());
    ASSERT_OK(w->Add("a", a));
    ASSERT_OK(w->AddSlice("p", {4}, TensorSlice({{0, 2}}), lo.view()));
    ASSERT_OK(w->Finish());
  }
  {
    auto w = *BundleWriter::Create("/ck/tmp/part-00001-of-00002", WOpts());
    ASSERT_OK(w->Add("b", b));
    ASSERT_OK(w->AddSlice("p", {4}, TensorSlice({{2, 2}}), hi.view()));
    ASSERT_OK(w->Finish());
  }
  std::vector<std::string> inputs = {"/ck/tmp/part-00000-of-00002", "/ck/tmp/part-00001-of-00002"};
  MergeOptions mo;
  mo.fs = fs_.get();
  ASSERT_OK(MergeBundles(inputs, "/ck/m", mo));
  EXPECT_FALSE(fs_->IsDirectory("/ck/tmp"));  // temp dir removed
  EXPECT_OK(fs_->FileExists("/ck/m.data-00000-of-00002"));
  EXPECT_OK(fs_->FileExists("/ck/m.data-00001-of-00002"));
  auto r = *BundleReader::Open("/ck/m", ROpts());
  EXPECT_EQ(r->num_shards(), 2);
  EXPECT_TRUE(r->Read("a")->Equals(a));
  EXPECT_TRUE(r->Read("b")->Equals(b));
  auto p = *r->Read("p");
  EXPECT_EQ(std::memcmp(p.data(), lo.data(), 8), 0);
  EXPECT_EQ(std::memcmp(static_cast<char*>(p.data()) + 8, hi.data(), 8), 0);
  EXPECT_OK(r->VerifyAll());
}

TEST_F(BundleTest, MergeRejectsDuplicateKeys) {
  for (const char* p : {"/ck/x1", "/ck/x2"}) {
    auto w = *BundleWriter::Create(p, WOpts());
    ASSERT_OK(w->Add("same", Iota(DType::kFloat, {1})));
    ASSERT_OK(w->Finish());
  }
  std::vector<std::string> inputs = {"/ck/x1", "/ck/x2"};
  MergeOptions mo;
  mo.fs = fs_.get();
  Status s = MergeBundles(inputs, "/ck/xm", mo);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("duplicate tensor"), std::string::npos);
  // Inputs untouched.
  EXPECT_OK(BundleReader::Open("/ck/x1", ROpts()));
}

TEST_F(BundleTest, ManyTinyTensors) {
  auto w = *BundleWriter::Create("/ck/many", WOpts());
  std::vector<float> v(4);
  for (int i = 0; i < 5000; ++i) {
    v[0] = static_cast<float>(i);
    ASSERT_OK(w->Add("t" + std::to_string(i), TensorView{DType::kFloat, {4}, v.data(), {}}));
  }
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open("/ck/many", ROpts());
  EXPECT_EQ(r->Keys().size(), 5000u);
  EXPECT_EQ(r->Read("t4321")->flat<float>()[0], 4321.0f);
}

TEST(Crc32cTest, KnownValuesAndCombine) {
  EXPECT_EQ(crc32c::Value("123456789", 9).value, 0xE3069283u);
  EXPECT_EQ(crc32c::Value("", 0).value, 0u);
  EXPECT_EQ(crc32c::Mask(crc32c::Crc{0}).value, 0xA282EAD8u);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(crc32c::Crc{0x12345678})).value, 0x12345678u);
  const std::string a = "hello, ", b = "world";
  EXPECT_EQ(crc32c::Combine(crc32c::Value(a.data(), a.size()), crc32c::Value(b.data(), b.size()), b.size()).value,
            crc32c::Value((a + b).data(), 12).value);
}

// FixedCombiner (a precomputed Combine for one length) agrees with Combine.
TEST(Crc32cTest, FixedCombinerMatchesCombine) {
  for (size_t len : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
    const crc32c::FixedCombiner combine(len);
    for (uint32_t a : {0u, 1u, 0xDEADBEEFu, 0xFFFFFFFFu}) {
      for (uint32_t b : {0u, 0x12345678u}) {
        EXPECT_EQ(combine(crc32c::Crc{a}, crc32c::Crc{b}).value, crc32c::Combine(crc32c::Crc{a}, crc32c::Crc{b}, len).value)
            << "len " << len << " a " << a << " b " << b;
      }
    }
  }
}

// Large tensors are hashed in 1 MiB pieces by two threads and joined: the
// stored crc equals a one-pass crc32c for sizes with and without a remainder
// piece (and the data round-trips).
TEST_F(BundleTest, LargeTensorCrcIsTheOnePassCrc) {
  for (int64_t floats : {int64_t{1} << 20, (int64_t{5} << 20) / 4 + 3, (int64_t{6} << 20) / 4}) {
    Tensor t = *Tensor::Make(DType::kFloat, {floats});
    auto* f = t.flat<float>().data();
    for (int64_t i = 0; i < floats; ++i) f[i] = static_cast<float>(i % 9973) * 0.5f;
    auto w = *BundleWriter::Create("/ck/big", WOpts());
    ASSERT_OK(w->Add("t", t));
    ASSERT_OK(w->Finish());
    auto r = *BundleReader::Open("/ck/big", ROpts());
    EXPECT_EQ(r->Lookup("t")->masked_crc32c, crc32c::Mask(crc32c::Value(t.data(), t.byte_size())).value)
        << floats << " floats";
    EXPECT_TRUE(r->Read("t")->Equals(t));
  }
}

// Regression (issue 14, power-cut campaign): a bundle saved again under the
// same prefix used to rename its new data file under the old index; a power
// cut (or a reader) between that rename and the index's saw the old index
// naming new bytes -- a published bundle that fails its checksums. Now the
// old index is retired first: P is the old bundle, nothing, or the new one.
TEST(BundleRewriteTest, PowerCutAtEveryStepOfARewriteLeavesOldNothingOrNew) {
  const Tensor old_a = Iota(DType::kFloat, {40});
  Tensor new_a = Iota(DType::kFloat, {40});
  for (float& x : new_a.flat<float>()) x += 1.0f;  // same layout, other bytes
  auto save = [](FileSystem* fs, const Tensor& t) {
    BundleWriterOptions o;
    o.fs = fs;
    auto w = BundleWriter::Create("/ck/p", o);
    if (!w.ok()) return w.status();
    if (Status s = (*w)->Add("a", t); !s.ok()) return s;
    return (*w)->Finish();
  };
  uint64_t steps = 0;
  for (uint64_t k = 1; steps == 0 || k <= steps + 1; ++k) {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/ck"));
    ASSERT_OK(fs.SyncDir("/"));
    ASSERT_OK(save(&fs, old_a));
    const uint64_t before = fs.mutating_calls();
    if (steps > 0) fs.CrashAfter(k);
    const Status s = save(&fs, new_a);
    if (steps == 0) {
      ASSERT_OK(s);
      steps = fs.mutating_calls() - before;
      continue;
    }
    ASSERT_OK(fs.SimulateCrash());
    auto r = BundleReader::Open("/ck/p", {&fs, true});
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << "step " << k << ": " << r.status().ToString();
      EXPECT_FALSE(s.ok()) << "step " << k;
      continue;
    }
    ASSERT_TRUE((*r)->VerifyAll().ok()) << "step " << k;
    auto a = (*r)->Read("a");
    ASSERT_TRUE(a.ok()) << "step " << k;
    EXPECT_TRUE(a->Equals(old_a) || a->Equals(new_a)) << "step " << k;
    if (s.ok()) EXPECT_TRUE(a->Equals(new_a)) << "step " << k;
  }
}

// Regression (issue 14): MergeBundles moved the inputs' data files before
// deleting their indexes (and never made the deletion durable), so a power
// cut -- or a failure -- in between left input indexes naming data files that
// had been renamed away. Inputs beside the output, cut or failed at every step.
TEST(MergeCrashTest, NoIndexEverNamesAMovedDataFile) {
  auto run = [](FileSystem* fs) {
    std::vector<std::string> inputs;
    for (int i = 0; i < 2; ++i) {
      BundleWriterOptions o;
      o.fs = fs;
      auto w = BundleWriter::Create("/ck/m-part-" + std::to_string(i), o);
      if (!w.ok()) return w.status();
      if (Status s = (*w)->Add("t" + std::to_string(i), Iota(DType::kFloat, {5 + i})); !s.ok()) return s;
      if (Status s = (*w)->Finish(); !s.ok()) return s;
      inputs.push_back("/ck/m-part-" + std::to_string(i));
    }
    MergeOptions mo;
    mo.fs = fs;
    return MergeBundles(inputs, "/ck/m", mo);
  };
  auto every_index_reads = [](FileSystem* fs, const std::string& where) {
    auto children = fs->GetChildren("/ck");
    ASSERT_OK(children);
    for (const std::string& c : *children) {
      if (c.size() < 6 || c.substr(c.size() - 6) != ".index") continue;
      auto r = BundleReader::Open("/ck/" + c.substr(0, c.size() - 6), {fs, true});
      ASSERT_TRUE(r.ok()) << where << ": " << c << ": " << r.status().ToString();
      EXPECT_TRUE((*r)->VerifyAll().ok()) << where << ": " << c;
    }
  };
  uint64_t steps = 0;
  {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/ck"));
    ASSERT_OK(run(&fs));
    steps = fs.mutating_calls();
  }
  for (uint64_t k = 1; k <= steps; ++k) {
    {
      test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
      ASSERT_OK(fs.CreateDir("/ck"));
      ASSERT_OK(fs.SyncDir("/"));
      fs.CrashAfter(k);
      const Status s = run(&fs);
      ASSERT_OK(fs.SimulateCrash());
      every_index_reads(&fs, "cut at step " + std::to_string(k));
      if (s.ok()) EXPECT_TRUE(BundleReader::Open("/ck/m", {&fs, true}).ok()) << "step " << k;
    }
    {
      test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
      ASSERT_OK(fs.CreateDir("/ck"));
      fs.FailAfter(k, StatusCode::kInternal);
      (void)run(&fs);
      every_index_reads(&fs, "failure at step " + std::to_string(k));
    }
  }
}

// Regression (issue 14, readers during writers): a reader that opened a
// bundle which a manager then pruned (index, then data file deleted) got
// DataLoss -- "corrupt" -- for a checkpoint that was merely gone. With the
// index gone too it is NotFound; a missing data file under a present index
// stays DataLoss.
TEST_F(BundleTest, BundleDeletedWhileBeingReadIsNotFound) {
  {
    auto w = *BundleWriter::Create("/ck/p", WOpts());
    ASSERT_OK(w->Add("a", Iota(DType::kFloat, {4})));
    ASSERT_OK(w->Finish());
  }
  {
    auto r = *BundleReader::Open("/ck/p", ROpts());
    ASSERT_OK(fs_->DeleteFile("/ck/p.data-00000-of-00001"));
    EXPECT_EQ(r->Read("a").status().code(), StatusCode::kDataLoss);  // index still there: broken
  }
  {
    auto w = *BundleWriter::Create("/ck/q", WOpts());
    ASSERT_OK(w->Add("a", Iota(DType::kFloat, {4})));
    ASSERT_OK(w->Finish());
  }
  auto r = *BundleReader::Open("/ck/q", ROpts());
  ASSERT_OK(fs_->DeleteFile("/ck/q.index"));
  ASSERT_OK(fs_->DeleteFile("/ck/q.data-00000-of-00001"));
  const Status s = r->Read("a").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("/ck/q was deleted while it was being read"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace ckpt

namespace ckpt {
namespace {

TEST(BundleMapTest, AlignedBundleOffersZeroCopyViews) {
  char tmpl[] = "/tmp/ckpt_map_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string prefix = std::string(tmpl) + "/m";
  BundleWriterOptions o;
  o.data_alignment = 64;
  auto w = *BundleWriter::Create(prefix, o);
  Tensor a = Iota(DType::kUInt8, {3}), b = Iota(DType::kDouble, {7});
  ASSERT_OK(w->Add("a", a));
  ASSERT_OK(w->Add("b", b));
  ASSERT_OK(w->Finish());
  auto r = *BundleReader::Open(prefix);
  auto view = r->MapTensor("b");
  ASSERT_OK(view);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(view->data) % 64, 0u);
  EXPECT_EQ(std::memcmp(view->data, b.data(), b.byte_size()), 0);
  EXPECT_EQ(view->shape, b.shape());

  // An unaligned bundle refuses rather than handing out a misaligned pointer.
  auto w2 = *BundleWriter::Create(prefix + "2");
  ASSERT_OK(w2->Add("a", a));
  ASSERT_OK(w2->Add("b", b));
  ASSERT_OK(w2->Finish());
  auto r2 = *BundleReader::Open(prefix + "2");
  EXPECT_EQ(r2->MapTensor("b").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_OK(r2->MapTensor("a"));
  std::string cmd = "rm -rf " + std::string(tmpl);
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace ckpt
