// V1 (TensorSliceWriter) tables and CheckpointReader: byte-exact writing
// against files TensorFlow wrote, reading the TF-written V1 test
// vectors, slices, shards and corruption. Items: RD-01..RD-10, SV-13, SV-14.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "ckpt/checkpoint_reader.h"
#include "ckpt/proto/saved_tensor_slice.pb.h"
#include "format/index_table.h"
#include "format/slice_key.h"
#include "format/v1_table.h"
#include "testing/temp_dir.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using format::V1Reader;
using format::V1Writer;

const std::string kTestdata = CKPT_TESTDATA_DIR;

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

// Written by TensorFlow 2.21 (tf.compat.v1.train.Saver(write_version=V1),
// graph mode) for the 13 variables of AllDTypesByteExact below.
const char* const kTfV1AllDtypes =
      "0000ed010aea010a090a01611200180122000a150a016212081202080212020803180222040a000a000a0f0a016312041202"
      "0803180322020a000a120a0463313238120412020801181222020a000a0f0a0164120412020802180a22020a000a0f0a0165"
      "120412020802181322020a000a0f0a0166120412020802180822020a000a0f0a0168120412020802180922020a000a110a03"
      "693136120412020802180522020a000a100a026938120412020802180622020a000a0f0a0173120412020802180722020a00"
      "0a110a03753136120412020801181122020a000a100a027538120412020802180422020a001202080100050f006100010012"
      "0d0a016112001a062a040000003f01093f6200010102807f807f123d0a016212040a000a001a323230000000000000000000"
      "0000000000f03f00000000000000400000000000000840000000000000104000000000000014400107196300010101807f12"
      "170a016312020a001a0e3a0c01feffffffffffffffff010302092031323800010101807f121e0a046331323812020a001a12"
      "6210000000000000f03f000000000000004001070f6400010101807f120d0a016412020a001a045a02010001071265000101"
      "01807f12100a016512020a001a076a05807c80810301071d6600010101807f121b0a016612020a001a124a100000803f0000"
      "004000004040000080c00107186800010101807f12160a016812020a001a0d520b07f8ffffffffffffffff0101091a693136"
      "00010101807f12180a0369313612020a001a0d3a0bd4fdffffffffffffff01020207193800010101807f12170a0269381202"
      "0a001a0d3a0bffffffffffffffffff01020107127300010101807f12100a017312020a001a074201784202797a0109127531"
      "3600010101807f12100a0375313612020a001a053a03ffff030207113800010101807f120f0a02753812020a001a053a03ff"
      "0102000000000100000000f40f3059000000000100000000c0f2a1b00001030100c605000000000100000000b18cc481cb05"
      "08d8050f0000000000000000000000000000000000000000000000000000000000000000000057fb808b247547db";

template <typename T>
Tensor Make(DType dt, TensorShape shape, std::vector<T> values) {
  Tensor t = *Tensor::Make(dt, std::move(shape));
  std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  return t;
}

class V1Test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(fs_->CreateDir("/ck")); }
  V1Writer::Options WOpts() {
    V1Writer::Options o;
    o.fs = fs_.get();
    return o;
  }
  std::string Bytes(const std::string& path) { return *fs_->ReadFileToString(path); }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

// SV-13: the bytes of a non-sharded V1 save equal TensorFlow's, for every
// dtype the V1 format supports (values placed in TensorProto's typed fields).
TEST_F(V1Test, AllDTypesByteExact) {
  auto w = *V1Writer::Create("/ck/v1all", WOpts());
  auto add = [&](const char* name, const Tensor& t) {
    ASSERT_TRUE(w->Add(name, t.shape(), TensorSlice::Full(t.shape().rank()), t.view()).ok()) << name;
  };
  // Added in the Saver's order: sorted by name.
  add("a", Make<float>(DType::kFloat, {}, {0.5f}));
  add("b", Make<double>(DType::kDouble, {2, 3}, {0, 1, 2, 3, 4, 5}));
  add("c", Make<int32_t>(DType::kInt32, {3}, {1, -2, 3}));
  add("c128", Make<double>(DType::kComplex128, {1}, {1, 2}));
  add("d", Make<uint8_t>(DType::kBool, {2}, {1, 0}));
  add("e", Make<uint16_t>(DType::kHalf, {2}, {0x3E00, 0xC080}));
  add("f", Make<float>(DType::kComplex64, {2}, {1, 2, 3, -4}));
  add("h", Make<int64_t>(DType::kInt64, {2}, {7, -8}));
  add("i16", Make<int16_t>(DType::kInt16, {2}, {-300, 2}));
  add("i8", Make<int8_t>(DType::kInt8, {2}, {-1, 2}));
  add("s", Tensor::FromStrings({2}, {"x", "yz"}));
  add("u16", Make<uint16_t>(DType::kUInt16, {1}, {65535}));
  add("u8", Make<uint8_t>(DType::kUInt8, {2}, {255, 2}));
  ASSERT_OK(w->Finish());
  EXPECT_EQ(Bytes("/ck/v1all"), Unhex(kTfV1AllDtypes));

  // And it reads back (RD-07) value for value.
  auto r = *V1Reader::Open("/ck/v1all", fs_.get());
  ASSERT_EQ(r->List().size(), 13u);
  EXPECT_TRUE(r->Read("b")->Equals(Make<double>(DType::kDouble, {2, 3}, {0, 1, 2, 3, 4, 5})));
  EXPECT_TRUE(r->Read("i8")->Equals(Make<int8_t>(DType::kInt8, {2}, {-1, 2})));
  EXPECT_TRUE(r->Read("u8")->Equals(Make<uint8_t>(DType::kUInt8, {2}, {255, 2})));
  EXPECT_TRUE(r->Read("e")->Equals(Make<uint16_t>(DType::kHalf, {2}, {0x3E00, 0xC080})));
  EXPECT_TRUE(r->Read("f")->Equals(Make<float>(DType::kComplex64, {2}, {1, 2, 3, -4})));
  EXPECT_TRUE(r->Read("d")->Equals(Make<uint8_t>(DType::kBool, {2}, {1, 0})));
  EXPECT_EQ(r->Read("s")->strings(), (std::vector<std::string>{"x", "yz"}));
  EXPECT_OK(r->VerifyAll());
}

// The TF-written V1 vectors (tests/data/tf) are reproduced byte for byte.
TEST_F(V1Test, SessionBundleFileByteExact) {
  auto w = *V1Writer::Create("/ck/export-00000-of-00001", WOpts());
  Tensor a = Make<float>(DType::kFloat, {}, {0.5f}), b = Make<float>(DType::kFloat, {}, {2.0f});
  ASSERT_OK(w->Add("a", {}, TensorSlice(), a.view()));
  ASSERT_OK(w->Add("b", {}, TensorSlice(), b.view()));
  ASSERT_OK(w->Finish());
  EXPECT_EQ(Bytes("/ck/export-00000-of-00001"),
            ReadHostFile(kTestdata + "/serving/v1_session_bundle_half_plus_two/export-00000-of-00001"));

  auto w2 = *V1Writer::Create("/ck/export", WOpts());
  ASSERT_OK(w2->Add("Variable", {}, TensorSlice(), a.view()));
  ASSERT_OK(w2->Add("Variable_1", {}, TensorSlice(), b.view()));
  ASSERT_OK(w2->Finish());
  EXPECT_EQ(Bytes("/ck/export"), ReadHostFile(kTestdata + "/serving/v1_bad_half_plus_two/export"));
}

// RD-04/RD-07 over the real V1 files: keys, dtypes, shapes, values.
TEST(V1TestData, ReadsTfWrittenFiles) {
  {
    auto r = CheckpointReader::Open(kTestdata + "/serving/v1_session_bundle_half_plus_two/export-????\?-of-00001");
    ASSERT_OK(r);
    EXPECT_EQ((*r)->format(), CheckpointFormat::kV1);
    auto list = (*r)->List();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].key, "a");
    EXPECT_EQ(list[0].dtype, DType::kFloat);
    EXPECT_EQ(list[0].shape, TensorShape{});
    EXPECT_TRUE(list[0].slices.empty());
    EXPECT_EQ((*r)->Read("a")->flat<float>()[0], 0.5f);
    EXPECT_EQ((*r)->Read("b")->flat<float>()[0], 2.0f);
    EXPECT_OK((*r)->VerifyAll());
  }
  {
    auto r = CheckpointReader::Open(kTestdata + "/serving/v1_bad_half_plus_two/export");
    ASSERT_OK(r);
    EXPECT_EQ((*r)->Read("Variable")->flat<float>()[0], 0.5f);
    EXPECT_EQ((*r)->Read("Variable_1")->flat<float>()[0], 2.0f);
    EXPECT_TRUE((*r)->HasTensor("Variable_1"));
    EXPECT_FALSE((*r)->HasTensor("Variable_2"));
    auto missing = (*r)->Read("Variable_2");
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
    EXPECT_NE(missing.status().message().find("not found in checkpoint"), std::string::npos);  // RD-06/RD-08
  }
  {
    auto r = CheckpointReader::Open(kTestdata + "/nxt-tensorflow/v1_model_ckpt/model.ckpt");
    ASSERT_OK(r);
    auto list = (*r)->List();
    ASSERT_EQ(list.size(), 14u);
    EXPECT_EQ(list[0].key, "beta1_power");
    auto w = (*r)->Lookup("mweight");
    ASSERT_OK(w);
    EXPECT_EQ(w->shape, (TensorShape{4, 10}));
    auto t = (*r)->Read("mweight");
    ASSERT_OK(t);
    EXPECT_NEAR(t->flat<float>()[0], 0.5439513f, 1e-6);
    EXPECT_NEAR(t->flat<float>()[1], -0.432654f, 1e-6);
    auto part = (*r)->ReadSlice("mweight", *TensorSlice::Parse("1,2:0,3"));
    ASSERT_OK(part);
    EXPECT_EQ(part->shape(), (TensorShape{2, 3}));
    EXPECT_EQ(part->flat<float>()[0], t->flat<float>()[10]);
    EXPECT_EQ(part->flat<float>()[5], t->flat<float>()[22]);
    EXPECT_OK((*r)->VerifyAll());
  }
}

// RD-01/RD-02: directories resolve through the state file; missing paths
// carry TF's texts.
TEST(V1TestData, LoadCheckpointErrors) {
  // The state file of v1_bad_half_plus_two names /tmp/bad_half_plus_two/...,
  // which does not exist here: latest_checkpoint is None.
  auto r = LoadCheckpoint(kTestdata + "/serving/v1_bad_half_plus_two");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("Couldn't find 'checkpoint' file or checkpoints in given directory"),
            std::string::npos);
  auto missing = CheckpointReader::Open(kTestdata + "/nope/model.ckpt-1");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "Unsuccessful TensorSliceReader constructor: Failed to find any matching files for " +
                                            kTestdata + "/nope/model.ckpt-1");
  // RD-10: a file that is not a table.
  auto dir = *test::TempDir::Create();
  std::ofstream(dir.Join("x.meta")) << "this is not an sstable, it is a meta graph file.........................";
  auto bad = CheckpointReader::Open(dir.Join("x.meta"));
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("Unable to open table file"), std::string::npos);
  // RD-05: load_variable strips ":0"; a V2 directory resolves to its latest.
  auto v = LoadVariable(kTestdata + "/tensorflow-onnx/regression_checkpoint", "W:0");
  ASSERT_OK(v);
  EXPECT_NEAR(v->flat<float>()[0], 0.21396178f, 1e-7);
  auto vars = ListVariables(kTestdata + "/tensorflow-onnx/regression_checkpoint");
  ASSERT_OK(vars);
  ASSERT_EQ(vars->size(), 2u);
  EXPECT_EQ((*vars)[0].first, "W");
}

// V2 through the same front: keys, shards, VerifyAll.
TEST(V1TestData, CheckpointReaderOverV2) {
  auto r = CheckpointReader::Open(kTestdata + "/tfx/estimator_tf1_12_two_shards/model.ckpt-10000");
  ASSERT_OK(r);
  EXPECT_EQ((*r)->format(), CheckpointFormat::kV2);
  EXPECT_EQ((*r)->files().size(), 3u);
  auto gs = (*r)->Read("global_step");
  ASSERT_OK(gs);
  EXPECT_EQ(gs->flat<int64_t>()[0], 10000);
  EXPECT_OK((*r)->VerifyAll());
  auto missing = (*r)->Read("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("Key nope not found in checkpoint"), std::string::npos);
}

// SV-14 / SV-51: partitioned tensors over two shard files, read through the
// pattern, assembled, re-sliced; one shard alone lacks slices.
TEST_F(V1Test, ShardedPartitionedTensor) {
  const TensorShape full{4, 3};
  std::vector<float> all(12);
  for (int i = 0; i < 12; ++i) all[i] = static_cast<float>(i) * 1.5f;
  const TensorSlice top = *TensorSlice::Parse("0,2:-"), bottom = *TensorSlice::Parse("2,2:-");
  Tensor t_top = Make<float>(DType::kFloat, {2, 3}, std::vector<float>(all.begin(), all.begin() + 6));
  Tensor t_bot = Make<float>(DType::kFloat, {2, 3}, std::vector<float>(all.begin() + 6, all.end()));
  Tensor s_top = Tensor::FromStrings({2, 3}, {"a", "b", "c", "d", "e", "f"});
  Tensor s_bot = Tensor::FromStrings({2, 3}, {"g", "h", "i", "j", "k", "l"});
  {
    auto w = *V1Writer::Create(format::V1ShardedFilename("/ck/p", 0, 2), WOpts());
    ASSERT_OK(w->Add("w", full, top, t_top.view()));
    ASSERT_OK(w->Add("s", full, top, s_top.view()));
    ASSERT_OK(w->Finish());
    auto w1 = *V1Writer::Create(format::V1ShardedFilename("/ck/p", 1, 2), WOpts());
    ASSERT_OK(w1->Add("w", full, bottom, t_bot.view()));
    ASSERT_OK(w1->Add("s", full, bottom, s_bot.view()));
    ASSERT_OK(w1->Finish());
  }
  EXPECT_EQ(format::V1ShardedFilespec("/ck/p", 2), "/ck/p-????\?-of-00002");
  auto r = V1Reader::Open("/ck/p-????\?-of-00002", fs_.get());
  ASSERT_OK(r);
  EXPECT_EQ((*r)->files().size(), 2u);
  auto whole = (*r)->Read("w");
  ASSERT_OK(whole);
  EXPECT_TRUE(whole->Equals(Make<float>(DType::kFloat, full, all)));
  auto mid = (*r)->ReadSlice("w", *TensorSlice::Parse("1,2:1,2"));
  ASSERT_OK(mid);
  EXPECT_TRUE(mid->Equals(Make<float>(DType::kFloat, {2, 2}, {all[4], all[5], all[7], all[8]})));
  auto strs = (*r)->ReadSlice("s", *TensorSlice::Parse("1,2:1,2"));
  ASSERT_OK(strs);
  EXPECT_EQ(strs->strings(), (std::vector<std::string>{"e", "f", "h", "i"}));
  EXPECT_EQ((*r)->Read("s")->strings().size(), 12u);

  // One shard only: the tensor is listed but cannot be read whole.
  auto one = V1Reader::Open("/ck/p-00000-of-00002", fs_.get());
  ASSERT_OK(one);
  EXPECT_EQ((*one)->Read("w").status().code(), StatusCode::kNotFound);
  EXPECT_NE((*one)->Read("w").status().message().find("Does not have sufficient slices"), std::string::npos);
  EXPECT_TRUE((*one)->ReadSlice("w", top)->Equals(t_top));

  // The CheckpointReader lists the partitioned tensor with its slices.
  CheckpointReaderOptions o;
  o.fs = fs_.get();
  auto cr = CheckpointReader::Open("/ck/p-????\?-of-00002", o);
  ASSERT_OK(cr);
  EXPECT_EQ((*cr)->Lookup("w")->slices.size(), 2u);
}

TEST_F(V1Test, WriterRejectsWhatTfRejects) {
  auto w = *V1Writer::Create("/ck/x", WOpts());
  Tensor bf = *Tensor::Make(DType::kBFloat16, {2});
  Status s = w->Add("bf", {2}, TensorSlice::Full(1), bf.view());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Saving data type bfloat16 not yet supported"), std::string::npos);

  auto w2 = *V1Writer::Create("/ck/y", WOpts());
  Tensor t = Make<float>(DType::kFloat, {2, 3}, std::vector<float>(6, 1.f));
  ASSERT_OK(w2->Add("w", {4, 3}, *TensorSlice::Parse("0,2:-"), t.view()));
  EXPECT_NE(w2->Add("w", {4, 3}, *TensorSlice::Parse("1,2:-"), t.view()).message().find("Overlapping slices"),
            std::string::npos);
  auto w3 = *V1Writer::Create("/ck/z", WOpts());
  ASSERT_OK(w3->Add("w", {4, 3}, *TensorSlice::Parse("0,2:-"), t.view()));
  EXPECT_NE(w3->Add("w", {6, 3}, *TensorSlice::Parse("2,2:-"), t.view()).message().find("Mismatching shapes"),
            std::string::npos);
  // Sticky error: Finish reports it and leaves no file.
  EXPECT_FALSE(w3->Finish().ok());
  EXPECT_FALSE(fs_->FileExists("/ck/z").ok());
  // A missing directory is NotFound at Finish (TF's writer creates none).
  auto w4 = *V1Writer::Create("/nodir/x", WOpts());
  ASSERT_OK(w4->Add("w", {2, 3}, TensorSlice::Full(2), t.view()));
  EXPECT_EQ(w4->Finish().code(), StatusCode::kNotFound);
}

// A record whose element count disagrees with the metadata is DataLoss.
TEST_F(V1Test, CorruptRecordIsDataLoss) {
  proto::SavedTensorSlices meta;
  auto* m = meta.mutable_meta()->add_tensor();
  m->set_name("w");
  m->mutable_shape()->add_dim()->set_size(3);
  m->set_type(static_cast<int>(DType::kFloat));
  m->add_slice()->add_extent();
  proto::SavedTensorSlices data;
  data.mutable_data()->set_name("w");
  data.mutable_data()->mutable_slice()->add_extent();
  data.mutable_data()->mutable_data()->add_float_val(1.f);  // 1 value, 3 expected
  std::vector<format::KeyValue> kvs = {{"", meta.SerializeAsString()},
                                       {format::EncodeTensorNameSlice("w", TensorSlice::Full(1)), data.SerializeAsString()}};
  {
    auto f = *fs_->NewWritableFile("/ck/bad");
    ASSERT_OK(format::WriteIndexTable(f.get(), kvs));
    ASSERT_OK(f->Close());
  }
  auto r = V1Reader::Open("/ck/bad", fs_.get());
  ASSERT_OK(r);
  EXPECT_EQ((*r)->Read("w").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ((*r)->VerifyAll().code(), StatusCode::kDataLoss);
  // A meta naming a slice whose record is missing.
  kvs.pop_back();
  {
    auto f = *fs_->NewWritableFile("/ck/bad2");
    ASSERT_OK(format::WriteIndexTable(f.get(), kvs));
    ASSERT_OK(f->Close());
  }
  auto r2 = V1Reader::Open("/ck/bad2", fs_.get());
  ASSERT_OK(r2);
  EXPECT_EQ((*r2)->Read("w").status().code(), StatusCode::kDataLoss);
  // A table without the "" entry.
  {
    auto f = *fs_->NewWritableFile("/ck/bad3");
    ASSERT_OK(format::WriteIndexTable(f.get(), {{"a", "b"}}));
    ASSERT_OK(f->Close());
  }
  auto r3 = V1Reader::Open("/ck/bad3", fs_.get());
  EXPECT_EQ(r3.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r3.status().message().find("Failed to find the saved tensor slices"), std::string::npos);
}

}  // namespace
}  // namespace ckpt
