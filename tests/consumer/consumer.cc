// Writes a bundle and reads it back through the installed public API only.
#include <ckpt/bundle.h>

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
  std::printf("consumer: find_package(ckpt) build wrote and read %s OK\n", argv[1]);
  return 0;
}
