// Writes a bundle and reads it back (as a bundle and as a TensorSource)
// through the installed public API only.
#include <ckpt/bundle.h>
#include <ckpt/tensor_source.h>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer PREFIX\n");
    return 2;
  }
  std::vector<float> w = {1.5f, -2.0f, 3.25f};
  auto writer = ckpt::BundleWriter::Create(argv[1]);
  if (!writer.ok()) return std::fprintf(stderr, "%s\n", writer.status().ToString().c_str()), 1;
  ckpt::Status s = (*writer)->Add("w", ckpt::TensorView{ckpt::DType::kFloat, {3}, w.data(), {}});
  if (s.ok()) s = (*writer)->Finish();
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  auto reader = ckpt::BundleReader::Open(argv[1]);
  if (!reader.ok()) return std::fprintf(stderr, "%s\n", reader.status().ToString().c_str()), 1;
  std::vector<float> back(3);
  s = (*reader)->ReadInto("w", {ckpt::DType::kFloat, {3}, back.data()});
  if (!s.ok() || back != w) return std::fprintf(stderr, "round trip failed: %s\n", s.ToString().c_str()), 1;
  // The same checkpoint through the format-neutral reader of ckpt/tensor_source.h.
  auto source = ckpt::OpenTensorSource(argv[1]);
  if (!source.ok()) return std::fprintf(stderr, "%s\n", source.status().ToString().c_str()), 1;
  if ((*source)->format() != ckpt::TensorFileFormat::kCheckpoint || (*source)->Find("w") == nullptr) {
    return std::fprintf(stderr, "OpenTensorSource did not list w\n"), 1;
  }
  std::printf("consumer: find_package(ckpt) build wrote and read %s OK\n", argv[1]);
  return 0;
}
