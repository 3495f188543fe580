// RunTensorFile / ForeignSeeds (support/tensor_files.h).
#include "support/tensor_files.h"

#include <algorithm>

#include "ckpt/bundle.h"
#include "ckpt/diff.h"
#include "ckpt/file_system.h"
#include "engine/checks.h"
#include "support/memory_files.h"
#include "testing/pattern_tensor.h"
#include "support/seed_bundles.h"

namespace ckpt::fuzz {

std::string RunTensorFile(const std::string& input, TensorFileFormat format, const std::string& name) {
  auto fs = NewMemoryFileSystem();
  PutFile(fs.get(), name, input);
  auto expected_error = [](const Status& st) {
    return (st.code() == StatusCode::kDataLoss || st.code() == StatusCode::kUnimplemented ||
            st.code() == StatusCode::kResourceExhausted) &&
           !st.message().empty();
  };
  auto src = OpenTensorSource(name, format, fs.get());
  if (!src.ok()) {
    FUZZ_CHECK(expected_error(src.status()), "open: " + src.status().ToString());
    return Sig(src.status(), 30);
  }
  int readable = 0;
  for (const TensorEntry& e : (*src)->entries()) {
    auto t = (*src)->Read(e.key);
    if (!t.ok()) {
      FUZZ_CHECK(expected_error(t.status()), "read " + e.key + ": " + t.status().ToString());
      continue;
    }
    FUZZ_CHECK(e.unsupported.empty(), "an unsupported entry read fine: " + e.key);
    FUZZ_CHECK(t->dtype() == e.dtype && t->shape() == e.shape, "read tensor disagrees with its entry: " + e.key);
    if (e.byte_size >= 0) FUZZ_CHECK(static_cast<int64_t>(t->byte_size()) == e.byte_size, "byte size of " + e.key);
    ++readable;
  }
  auto self = DiffTensorSources(**src, **src);
  if (self.ok()) {
    for (const auto& d : self->common) {
      FUZZ_CHECK(d.kind == TensorDiff::Kind::kEqual || d.kind == TensorDiff::Kind::kUnreadable,
                 "a tensor differs from itself: " + d.key);
    }
  } else {
    FUZZ_CHECK(expected_error(self.status()), "self diff: " + self.status().ToString());
  }
  ConvertOptions o;
  o.fs = fs.get();
  o.from = format;
  o.sync = false;
  auto conv = ConvertTensorFile(name, "out", o);
  if (conv.ok()) {
    auto back = OpenTensorSource("out", TensorFileFormat::kCheckpoint, fs.get());
    FUZZ_CHECK(back.ok(), "converted bundle does not open: " + back.status().ToString());
    FUZZ_CHECK(static_cast<int64_t>((*back)->entries().size()) == conv->tensors_written, "converted tensor count");
  } else {
    FUZZ_CHECK(expected_error(conv.status()), "convert: " + conv.status().ToString());
  }
  return "OK:" + std::to_string(std::min(readable, 3)) + ":" + std::to_string(std::min<size_t>((*src)->entries().size(), 3));
}

std::vector<std::string> ForeignSeeds(const char* out_name, bool zip64) {
  auto fs = NewMemoryFileSystem();
  {
    BundleWriterOptions wo;
    wo.fs = fs.get();
    auto w = *BundleWriter::Create("src", wo);
    (void)w->Add("a/f32", test::PatternTensor(DType::kFloat, TensorShape{2, 3}, 1));
    (void)w->Add("b/bf16", test::PatternTensor(DType::kBFloat16, TensorShape{4}, 2));
    (void)w->Add("c/bool", test::PatternTensor(DType::kBool, TensorShape{3}, 3));
    (void)w->Add("d/i64", test::PatternTensor(DType::kInt64, TensorShape{}, 4));
    (void)w->Add("e/empty", test::PatternTensor(DType::kHalf, TensorShape{0, 2}, 5));
    (void)w->Add("f/s", Tensor::FromStrings(TensorShape{2}, {"xy", ""}));
    (void)w->Add("g/q", test::PatternTensor(DType::kQInt8, TensorShape{2}, 6));
    (void)w->Finish();
  }
  ConvertOptions o;
  o.fs = fs.get();
  o.sync = false;
  o.force_zip64 = zip64;
  std::vector<std::string> out;
  if (ConvertTensorFile("src", out_name, o).ok()) out.push_back(*fs->ReadFileToString(out_name));
  return out;
}

}  // namespace ckpt::fuzz
