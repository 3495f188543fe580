// Writing .npz: one stored "<key>.npy" member per tensor, in the order added.
#include <algorithm>

#include "ckpt/status_macros.h"
#include "format/json_value.h"
#include "format/npy.h"
#include "format/tensor_files.h"
#include "format/zip_archive.h"

namespace ckpt::format {
namespace {

class NpzSink : public TensorSink {
 public:
  NpzSink(std::string path, FileSystem* fs, bool force_zip64) : path_(std::move(path)), fs_(fs), zip64_(force_zip64) {}
  ~NpzSink() override { Abandon(); }

  Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) override {
    return std::vector<std::string>{path_};
  }

  Status Begin() override {
    tmp_ = TempPathFor(path_);
    CKPT_ASSIGN_OR_RETURN(file_, fs_->NewWritableFile(tmp_));
    zip_ = std::make_unique<ZipWriter>(file_.get(), zip64_);
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
    CKPT_RETURN_IF_ERROR(file_->Sync());
    CKPT_RETURN_IF_ERROR(file_->Close());
    file_.reset();
    CKPT_RETURN_IF_ERROR(fs_->RenameFile(tmp_, path_));
    tmp_.clear();
    return OkStatus();
  }

  void Abandon() override {
    zip_.reset();
    file_.reset();
    if (!tmp_.empty()) fs_->DeleteFile(tmp_).IgnoreError();
    tmp_.clear();
  }

 private:
  std::string path_, tmp_;
  FileSystem* fs_;
  bool zip64_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<ZipWriter> zip_;
};

}  // namespace

std::unique_ptr<TensorSink> NewNpzSink(std::string path, FileSystem* fs, bool force_zip64) {
  return std::make_unique<NpzSink>(std::move(path), fs, force_zip64);
}

}  // namespace ckpt::format
