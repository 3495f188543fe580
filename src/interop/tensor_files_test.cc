// Unit tests of the foreign tensor formats (JSON, zip, npy, safetensors),
// ConvertTensorFile and DiffTensors, on the in-memory file system.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "base/coding.h"
#include "ckpt/bundle.h"
#include "ckpt/convert.h"
#include "ckpt/diff.h"
#include "interop/json_value.h"
#include "interop/npy.h"
#include "interop/safetensors.h"
#include "interop/zip_archive.h"
#include "testing/pattern_tensor.h"
#include "testing/status_matchers.h"

namespace ckpt::interop {
namespace {

TEST(JsonTest, ParsesAndRejects) {
  auto v = ParseJson(R"( {"a": [1, 18446744073709551615, -2, 1.5e3], "s": "x\u00e9\ud83d\ude00\n", "t": true} )");
  ASSERT_OK(v);
  EXPECT_EQ(*v->Find("a")->array[1].AsUint64(), UINT64_MAX);
  EXPECT_FALSE(v->Find("a")->array[2].AsUint64());
  EXPECT_FALSE(v->Find("a")->array[3].AsUint64());
  EXPECT_EQ(v->Find("s")->text, "x\xc3\xa9\xf0\x9f\x98\x80\n");
  for (const char* bad : {"", "{", "{\"a\":1,\"a\":2}", "[1,]", "01", "\"\\ud800\"", "{} x", "\"\x01\"", "[1 2]"}) {
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseJson(std::string(100, '[') + std::string(100, ']')).ok());  // depth limit
  EXPECT_FALSE(ParseJson("18446744073709551616").value().AsUint64());            // overflow
}

TEST(ZipTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(ZipCrc32(0, "123456789", 9), 0xCBF43926u);
  EXPECT_EQ(ZipCrc32(ZipCrc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

TEST(ZipTest, WritesAndReadsStoredMembersWithAndWithoutZip64) {
  for (bool zip64 : {false, true}) {
    auto fs = NewMemoryFileSystem();
    {
      auto f = *fs->NewWritableFile("a.zip");
      ZipWriter w(f.get(), zip64);
      ASSERT_OK(w.AddStored("one.npy", {"hello ", "world"}));
      ASSERT_OK(w.AddStored("d\xc3\xa9j\xc3\xa0.npy", {""}));
      ASSERT_OK(w.Finish());
      ASSERT_OK(f->Close());
    }
    auto zip = ZipReader::Open(*fs->NewRandomAccessFile("a.zip"));
    ASSERT_OK(zip);
    ASSERT_EQ((*zip)->members().size(), 2u);
    EXPECT_EQ((*zip)->members()[0].name, "one.npy");
    EXPECT_EQ(*(*zip)->ReadAll((*zip)->members()[0]), "hello world");
    EXPECT_EQ(*(*zip)->ReadPrefix((*zip)->members()[0], 5), "hello");
    EXPECT_EQ(*(*zip)->ReadAll((*zip)->members()[1]), "");
  }
}

TEST(ZipTest, RejectsEveryTruncation) {
  auto fs = NewMemoryFileSystem();
  {
    auto f = *fs->NewWritableFile("a.zip");
    ZipWriter w(f.get(), true);
    ASSERT_OK(w.AddStored("x.npy", {"0123456789"}));
    ASSERT_OK(w.Finish());
    ASSERT_OK(f->Close());
  }
  const std::string whole = *fs->ReadFileToString("a.zip");
  for (size_t n = 0; n < whole.size(); ++n) {
    auto f = *fs->NewWritableFile("t.zip");
    ASSERT_OK(f->Append(whole.substr(0, n)));
    ASSERT_OK(f->Close());
    auto zip = ZipReader::Open(*fs->NewRandomAccessFile("t.zip"));
    if (zip.ok()) {  // only possible if the directory survived; then the data must not
      ADD_FAILURE() << "truncated to " << n << " bytes still opens";
    } else {
      EXPECT_EQ(zip.status().code(), StatusCode::kDataLoss) << zip.status().ToString();
    }
  }
}

TEST(NpyTest, HeaderRoundTripAndDescrs) {
  bool raw_bits;
  EXPECT_EQ(NpyDescr(DType::kFloat, &raw_bits), "<f4");
  EXPECT_FALSE(raw_bits);
  EXPECT_EQ(NpyDescr(DType::kBFloat16, &raw_bits), "[('bfloat16', '<u2')]");
  EXPECT_TRUE(raw_bits);
  EXPECT_EQ(NpyDescr(DType::kString, &raw_bits), "");
  for (DType dt : {DType::kFloat, DType::kBool, DType::kComplex128, DType::kBFloat16, DType::kQInt16, DType::kInt4}) {
    const std::string h = MakeNpyHeader(NpyDescr(dt, &raw_bits), TensorShape{2, 3});
    EXPECT_EQ(h.size() % 64, 0u);
    EXPECT_EQ(h.back(), '\n');
    auto parsed = ParseNpyHeader(h);
    ASSERT_OK(parsed);
    EXPECT_EQ(parsed->dtype, dt);
    EXPECT_EQ(parsed->shape, (TensorShape{2, 3}));
    EXPECT_EQ(parsed->data_size, 6 * DTypeSize(dt));
  }
  auto scalar = ParseNpyHeader(MakeNpyHeader("<f8", TensorShape{}));
  ASSERT_OK(scalar);
  EXPECT_EQ(scalar->shape.rank(), 0);
}

TEST(NpyTest, RejectsMalformedHeaders) {
  auto with_dict = [](std::string dict) {
    std::string h = "\x93NUMPY\x01";
    h += '\0';
    coding::PutFixed16(&h, static_cast<uint16_t>(dict.size()));
    return h + dict;
  };
  EXPECT_TRUE(ParseNpyHeader(with_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")).ok());
  for (const char* bad : {"{'descr': '<f4', 'shape': (2,)}", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
                          "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "[1, 2]",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999)}",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}"}) {
    EXPECT_FALSE(ParseNpyHeader(with_dict(bad)).ok()) << bad;
  }
  auto obj = ParseNpyHeader(with_dict("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"));
  ASSERT_OK(obj);
  EXPECT_NE(obj->unsupported.find("pickle"), std::string::npos);
  EXPECT_FALSE(NpyHeaderSize("\x93NUMPX\x01\x00\x10\x00").ok());
}

TEST(NpyTest, FortranOrderAndByteSwap) {
  NpyHeader h;
  h.dtype = DType::kInt16;
  h.shape = TensorShape{2, 3};
  h.fortran_order = true;
  h.big_endian = true;
  Tensor t = *Tensor::Make(DType::kInt16, h.shape);
  // Fortran order of [[0,1,2],[3,4,5]] is 0,3,1,4,2,5; stored big-endian.
  const int16_t f[] = {0, 3, 1, 4, 2, 5};
  auto* p = static_cast<uint8_t*>(t.data());
  for (int i = 0; i < 6; ++i) {
    p[2 * i] = static_cast<uint8_t>(f[i] >> 8);
    p[2 * i + 1] = static_cast<uint8_t>(f[i] & 0xff);
  }
  ASSERT_OK(FinishNpyFixed(h, &t));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.flat<int16_t>()[static_cast<size_t>(i)], i);
}

TEST(SafetensorsTest, HeaderValidation) {
  auto ok = ParseSafetensorsHeader(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})", 4);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->tensors[0].dtype, DType::kBFloat16);
  EXPECT_EQ(ok->metadata[0].second, "pt");
  auto e8 = ParseSafetensorsHeader(R"({"a":{"dtype":"F8_E8M0","shape":[2],"data_offsets":[0,2]}})", 2);
  ASSERT_OK(e8);
  EXPECT_FALSE(e8->tensors[0].unsupported.empty());
  for (const char* bad : {
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})",           // 8 bytes needed
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",           // beyond the data
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})",           // reversed
           R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",          // negative dim
           R"({"a":{"dtype":"F32","shape":[1]}})",                                // no offsets
           R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}})",  // overflow
           R"({"__metadata__":{"k":1}})", R"([])"}) {
    EXPECT_FALSE(ParseSafetensorsHeader(bad, 4).ok()) << bad;
  }
  const std::string h = MakeSafetensorsHeader({{"w", DType::kHalf, TensorShape{3}, 6}});
  EXPECT_EQ(h.size() % 8, 0u);
  const uint64_t n = coding::DecodeFixed64(h.data());
  auto parsed = ParseSafetensorsHeader(h.substr(8, n), 6);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->tensors[0].st_dtype, "F16");
}

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = *BundleWriter::Create("src", {.fs = fs_.get()});
    for (DType dt : {DType::kFloat, DType::kBFloat16, DType::kFloat8E4M3FN, DType::kBool, DType::kComplex128,
                     DType::kQInt8, DType::kUInt64}) {
      const Tensor t = test::PatternTensor(dt, TensorShape{2, 3}, static_cast<uint8_t>(dt));
      ASSERT_OK(w->Add("t/" + std::string(DTypeName(dt)), t));
    }
    ASSERT_OK(w->Add("s", Tensor::FromStrings(TensorShape{2}, {"a", "bc"})));
    ASSERT_OK(w->Finish());
  }
  ConvertOptions Opts() {
    ConvertOptions o;
    o.fs = fs_.get();
    return o;
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

TEST_F(ConvertTest, RoundTripsThroughEveryFormat) {
  int round = 0;
  for (const char* mid : {"m.safetensors", "m.npz", "sh/model.safetensors.index.json"}) {
    const bool sharded = std::string(mid).starts_with("sh/");
    if (sharded) ASSERT_OK(fs_->CreateDir("sh"));
    ConvertOptions o = Opts();
    if (sharded) o.max_shard_bytes = 40;  // several shards
    auto r = ConvertTensorFile("src", mid, o);
    ASSERT_TRUE(r.ok()) << mid << ": " << r.status().ToString();
    if (sharded) EXPECT_GT(r->outputs.size(), 3u);
    auto back = ConvertTensorFile(mid, "back_" + std::to_string(round++), Opts());
    ASSERT_OK(back);
    auto a = *OpenTensorSource("src", TensorFileFormat::kAuto, fs_.get());
    auto b = *OpenTensorSource(back->outputs[0].substr(0, back->outputs[0].size() - 6), TensorFileFormat::kAuto, fs_.get());
    auto d = DiffTensorSources(*a, *b);
    ASSERT_OK(d);
    EXPECT_TRUE(d->only_in_b.empty());
    EXPECT_EQ(d->num_changed(), 0) << mid;
    EXPECT_EQ(d->only_in_a.size(), r->skipped.size()) << mid;
    for (const auto& e : b->entries()) EXPECT_EQ(e.dtype, a->Lookup(e.key)->dtype) << mid << " " << e.key;
  }
}

TEST_F(ConvertTest, ReportsWhatSafetensorsCannotHold) {
  ConvertOptions o = Opts();
  o.skip_unrepresentable = false;
  auto r = ConvertTensorFile("src", "x.safetensors", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("t/complex128"), std::string::npos);
  EXPECT_NE(r.status().message().find("t/qint8"), std::string::npos);
  EXPECT_FALSE(fs_->FileExists("x.safetensors").ok());
  auto skipped = ConvertTensorFile("src", "x.safetensors", Opts());
  ASSERT_OK(skipped);
  EXPECT_EQ(skipped->skipped.size(), 3u);  // complex128, qint8, the string tensor
  EXPECT_EQ(skipped->tensors_written, 5);
}

TEST_F(ConvertTest, ProgressAndOverwrite) {
  ConvertOptions o = Opts();
  std::vector<int64_t> done;
  o.progress = [&](const ConvertProgress& p) { done.push_back(p.tensors_done); };
  ASSERT_OK(fs_->CreateDir("out"));
  ASSERT_OK(ConvertTensorFile("src", "out/p.npz", o));
  EXPECT_EQ(done, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  auto again = ConvertTensorFile("src", "out/p.npz", Opts());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  o.overwrite = true;
  EXPECT_OK(ConvertTensorFile("src", "out/p.npz", o));
  auto children = *fs_->GetChildren("out");
  EXPECT_EQ(children, (std::vector<std::string>{"p.npz"}));
  for (const auto& c : children) EXPECT_EQ(c.find(".tmp"), std::string::npos) << c;  // io::TempFileName
}

TEST(DiffTest, NumericSemantics) {
  auto f32 = [](std::vector<float> v) {
    Tensor t = *Tensor::Make(DType::kFloat, TensorShape{static_cast<int64_t>(v.size())});
    std::memcpy(t.data(), v.data(), t.byte_size());
    return t;
  };
  auto d = DiffTensors("k", f32({0.0f, NAN, 1.0f, INFINITY}), f32({-0.0f, NAN, 1.0f, INFINITY}));
  EXPECT_EQ(d.kind, TensorDiff::Kind::kEqual);
  d = DiffTensors("k", f32({1.0f, 2.0f}), f32({1.5f, 2.0f}));
  EXPECT_EQ(d.kind, TensorDiff::Kind::kValues);
  EXPECT_EQ(d.num_different, 1);
  EXPECT_DOUBLE_EQ(d.max_abs_diff, 0.5);
  EXPECT_DOUBLE_EQ(d.max_rel_diff, 0.5 / 1.5);
  d = DiffTensors("k", f32({1.0f}), f32({NAN}));
  EXPECT_TRUE(std::isinf(d.max_abs_diff));
  d = DiffTensors("k", f32({1.0f, 2.0f}), f32({1.5f, 2.0f}), {.atol = 0.5});
  EXPECT_EQ(d.kind, TensorDiff::Kind::kEqual);
  // bfloat16 1.0 (0x3f80) against float32 1.0: a dtype change with equal values.
  Tensor bf = *Tensor::Make(DType::kBFloat16, TensorShape{1});
  bf.flat<uint16_t>()[0] = 0x3f80;
  d = DiffTensors("k", bf, f32({1.0f}));
  EXPECT_EQ(d.kind, TensorDiff::Kind::kDType);
  EXPECT_TRUE(d.compared);
  EXPECT_EQ(d.num_different, 0);
  d = DiffTensors("k", f32({1.0f, 2.0f}), f32({1.0f}));
  EXPECT_EQ(d.kind, TensorDiff::Kind::kShape);
  EXPECT_FALSE(d.compared);
  d = DiffTensors("k", Tensor::FromStrings(TensorShape{2}, {"a", "b"}), Tensor::FromStrings(TensorShape{2}, {"a", "c"}));
  EXPECT_EQ(d.num_different, 1);
  EXPECT_FALSE(d.numeric);
}

}  // namespace
}  // namespace ckpt::interop
