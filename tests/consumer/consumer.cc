// Writes a bundle and reads it back through the installed public API only,
// included the way a user would: the umbrella header.
#include <ckpt/ckpt.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

ckpt::Status RoundTrip(const char* prefix) {
  std::vector<float> w = {1.5f, -2.0f, 3.25f};
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<ckpt::BundleWriter> writer, ckpt::BundleWriter::Create(prefix));
  CKPT_RETURN_IF_ERROR(writer->Add("w", ckpt::TensorView{ckpt::DType::kFloat, {3}, w.data(), {}}));
  CKPT_RETURN_IF_ERROR(writer->Finish());
  CKPT_ASSIGN_OR_RETURN(auto reader, ckpt::BundleReader::Open(prefix));
  std::vector<float> back(3);
  CKPT_RETURN_IF_ERROR(reader->ReadInto("w", {ckpt::DType::kFloat, {3}, back.data()}));
  if (back != w) return ckpt::DataLossError("round trip changed the values");
  // The same checkpoint through the format-neutral reader of ckpt/tensor_source.h.
  CKPT_ASSIGN_OR_RETURN(auto source, ckpt::OpenTensorSource(prefix));
  if (source->format() != ckpt::TensorFileFormat::kCheckpoint || !source->HasTensor("w")) {
    return ckpt::InternalError("OpenTensorSource did not list w");
  }
  return ckpt::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer PREFIX\n");
    return 2;
  }
  ckpt::Status s = RoundTrip(argv[1]);
  if (!s.ok()) return std::fprintf(stderr, "round trip failed: %s\n", s.ToString().c_str()), 1;
  std::printf("consumer: find_package(ckpt) %s build wrote and read %s OK\n", CKPT_VERSION_STRING, argv[1]);
  return 0;
}
