// Seed bundles (support/seed_bundles.h).
#include "support/seed_bundles.h"

#include <cstring>
#include <functional>

#include "ckpt/bundle.h"
#include "ckpt/file_system.h"
#include "ckpt/tensor_slice.h"
#include "engine/checks.h"
#include "support/memory_files.h"
#include "testing/pattern_tensor.h"

namespace ckpt::fuzz {

namespace {

Tensor RowsOf(const Tensor& full, int64_t row0, int64_t rows) {
  std::vector<int64_t> dims = full.shape().dims();
  const size_t row_bytes = full.byte_size() / static_cast<size_t>(dims[0]);
  dims[0] = rows;
  Tensor t = *Tensor::Make(full.dtype(), TensorShape(dims));
  std::memcpy(t.data(), static_cast<const char*>(full.data()) + row0 * row_bytes, t.byte_size());
  return t;
}

void AddRowSlices(BundleWriter* w, const std::string& key, const Tensor& full, std::vector<int64_t> cuts) {
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::vector<TensorSlice::Extent> ex(static_cast<size_t>(full.shape().rank()));
    ex[0] = {cuts[i], cuts[i + 1] - cuts[i]};
    Tensor piece = RowsOf(full, cuts[i], cuts[i + 1] - cuts[i]);
    Status s = w->AddSlice(key, full.shape(), TensorSlice(ex), piece.view());
    FUZZ_CHECK(s.ok(), s.ToString());
  }
}

}  // namespace

std::vector<BundleFiles> SeedBundles() {
  std::vector<BundleFiles> out;
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/s").ok(), "mkdir");
  int counter = 0;
  auto write = [&](int64_t alignment, const std::function<void(BundleWriter*)>& fill) {
    const std::string prefix = "/s/b" + std::to_string(counter++);
    BundleWriterOptions wo;
    wo.fs = fs.get();
    wo.data_alignment = alignment;
    auto w = BundleWriter::Create(prefix, wo);
    FUZZ_CHECK(w.ok(), w.status().ToString());
    fill(w->get());
    Status s = (*w)->Finish();
    FUZZ_CHECK(s.ok(), s.ToString());
    out.push_back({GetFile(fs.get(), MetaFilename(prefix)), {GetFile(fs.get(), DataFilename(prefix, 0, 1))}});
    return prefix;
  };
  auto mixed = [](BundleWriter* w) {
    FUZZ_CHECK(w->Add("a/float", test::PatternTensor(DType::kFloat, {2, 3}, 1)).ok(), "add");
    FUZZ_CHECK(w->Add("b/int64", test::PatternTensor(DType::kInt64, {4}, 2)).ok(), "add");
    FUZZ_CHECK(w->Add("c/uint8", test::PatternTensor(DType::kUInt8, {5}, 3)).ok(), "add");
    FUZZ_CHECK(w->Add("d/bool", test::PatternTensor(DType::kBool, {3}, 4)).ok(), "add");
    FUZZ_CHECK(w->Add("e/scalar", test::PatternTensor(DType::kDouble, {}, 5)).ok(), "add");
    FUZZ_CHECK(w->Add("f/empty", test::PatternTensor(DType::kFloat, {0, 3}, 6)).ok(), "add");
    std::string binary("\0\xff\x80z", 4);
    FUZZ_CHECK(w->Add("g/strings", Tensor::FromStrings({2, 2}, {"", "hello", std::string(130, 'x'), binary})).ok(),
               "add");
    FUZZ_CHECK(w->Add("h/no_strings", Tensor::FromStrings({0}, {})).ok(), "add");
    AddRowSlices(w, "part", test::PatternTensor(DType::kFloat, {4, 3}, 7), {0, 2, 4});
  };
  write(1, mixed);
  write(8, mixed);
  write(1, [](BundleWriter*) {});  // empty bundle
  write(1, [](BundleWriter* w) {
    Tensor x = *Tensor::Make(DType::kFloat, {});
    x.flat<float>()[0] = 1.0f;
    FUZZ_CHECK(w->Add("x", x).ok(), "add");
  });
  write(1, [](BundleWriter* w) {  // 3-D partitioned tensors, several dtypes
    AddRowSlices(w, "p3", test::PatternTensor(DType::kInt32, {5, 2, 2}, 9), {0, 1, 3, 5});
    AddRowSlices(w, "q/half", test::PatternTensor(DType::kHalf, {4}, 10), {0, 3, 4});
    FUZZ_CHECK(w->Add("r/c128", test::PatternTensor(DType::kComplex128, {1}, 11)).ok(), "add");
    FUZZ_CHECK(w->Add("s/bf16", test::PatternTensor(DType::kBFloat16, {2}, 12)).ok(), "add");
  });
  // A merged two-shard bundle whose partitioned tensor has a slice in each.
  {
    const Tensor full = test::PatternTensor(DType::kFloat, {4, 2}, 13);
    const std::string a = write(1, [&](BundleWriter* w) {
      AddRowSlices(w, "m/part", full, {0, 1});
      FUZZ_CHECK(w->Add("m/a", test::PatternTensor(DType::kInt16, {3}, 14)).ok(), "add");
    });
    const std::string b = write(1, [&](BundleWriter* w) {
      AddRowSlices(w, "m/part", full, {1, 4});
      FUZZ_CHECK(w->Add("m/b", Tensor::FromStrings({1}, {"b"})).ok(), "add");
    });
    out.pop_back();
    out.pop_back();
    MergeOptions mo;
    mo.fs = fs.get();
    const std::vector<std::string> inputs = {a, b};
    Status s = MergeBundles(inputs, "/s/merged", mo);
    FUZZ_CHECK(s.ok(), s.ToString());
    out.push_back({GetFile(fs.get(), "/s/merged.index"),
                   {GetFile(fs.get(), DataFilename("/s/merged", 0, 2)), GetFile(fs.get(), DataFilename("/s/merged", 1, 2))}});
  }
  return out;
}

}  // namespace ckpt::fuzz
