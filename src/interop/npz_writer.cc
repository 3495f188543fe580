// Writing .npz: one stored "<key>.npy" member per tensor, in the order added.
#include <algorithm>

#include "ckpt/status_macros.h"
#include "interop/json_value.h"
#include "interop/npy.h"
#include "interop/tensor_files.h"
#include "interop/zip_archive.h"
#include "io/atomic_file.h"

namespace ckpt::interop {
namespace {

class NpzSink : public TensorSink {
 public:
  NpzSink(std::string path, FileSystem* fs, bool force_zip64) : path_(std::move(path)), fs_(fs), zip64_(force_zip64) {}
  ~NpzSink() override { Abandon(); }

  Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) override {
    return std::vector<std::string>{path_};
  }

  Status Begin() override {
    CKPT_ASSIGN_OR_RETURN(out_, io::AtomicFile::Create(fs_, path_));
    zip_ = std::make_unique<ZipWriter>(out_->file(), zip64_);
    return OkStatus();
  }

  std::string Refuse(const TensorEntry& e, const Tensor& t) const override {
    if (t.dtype() != DType::kString) return "";
    for (const std::string& s : t.strings()) {
      if (!s.empty() && s.back() == '\0') {
        return "an element ends in a NUL byte, which numpy's fixed-width bytes type drops";
      }
    }
    return "";
  }

  Status Add(const TensorEntry& e, const Tensor& t) override {
    const std::string name = e.key + ".npy";
    if (t.dtype() == DType::kString) {
      size_t width = 1;  // numpy has no zero-width bytes type
      for (const std::string& s : t.strings()) width = std::max(width, s.size());
      std::string data(width * t.strings().size(), '\0');
      for (size_t i = 0; i < t.strings().size(); ++i) {
        std::copy(t.strings()[i].begin(), t.strings()[i].end(), data.begin() + static_cast<std::ptrdiff_t>(i * width));
      }
      const std::string header = MakeNpyHeader("|S" + std::to_string(width), t.shape());
      return zip_->AddStored(name, {header, data});
    }
    bool raw_bits;
    const std::string descr = NpyDescr(t.dtype(), &raw_bits);
    if (descr.empty()) return InternalError("npz writer: no numpy encoding for " + std::string(DTypeName(t.dtype())));
    const std::string header = MakeNpyHeader(descr, t.shape());
    return zip_->AddStored(name, {header, std::string_view(static_cast<const char*>(t.data()), t.byte_size())});
  }

  Status Finish() override {
    CKPT_RETURN_IF_ERROR(zip_->Finish());
    zip_.reset();  // it points into the file Commit() closes
    return out_->Commit();
  }

  void Abandon() override {
    zip_.reset();
    if (out_) out_->Abandon();
  }

 private:
  std::string path_;
  FileSystem* fs_;
  bool zip64_;
  std::unique_ptr<io::AtomicFile> out_;
  std::unique_ptr<ZipWriter> zip_;
};

}  // namespace

std::unique_ptr<TensorSink> NewNpzSink(std::string path, FileSystem* fs, bool force_zip64) {
  return std::make_unique<NpzSink>(std::move(path), fs, force_zip64);
}

}  // namespace ckpt::interop
