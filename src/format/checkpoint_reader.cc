// CheckpointReader: one front for V2 bundles (BundleReader) and V1 tables
// (V1Reader), chosen the way TensorFlow's CheckpointReader chooses.
#include "ckpt/checkpoint_reader.h"

#include "ckpt/status_macros.h"
#include "format/checkpoint_path.h"
#include "format/v1_table.h"

namespace ckpt {
namespace {

constexpr std::string_view kSliceReaderPrefix = "Unsuccessful TensorSliceReader constructor: ";

TensorInfo FromV1(const format::V1TensorInfo& v) {
  TensorInfo info;
  info.key = v.name;
  info.dtype = v.dtype;
  info.shape = v.shape;
  // A single slice covering everything is an ordinary (unpartitioned) tensor.
  const bool whole = v.slices.size() == 1 && v.slices[0].SliceShape(v.shape) == v.shape;
  if (!whole) info.slices = v.slices;
  return info;
}

}  // namespace

class CheckpointReader::Impl {
 public:
  std::string path;
  CheckpointFormat format = CheckpointFormat::kV2;
  std::unique_ptr<BundleReader> v2;
  std::unique_ptr<format::V1Reader> v1;
};

CheckpointReader::CheckpointReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CheckpointReader::~CheckpointReader() = default;

Result<std::unique_ptr<CheckpointReader>> CheckpointReader::Open(const std::string& path,
                                                                 const CheckpointReaderOptions& options) {
  FileSystem* fs = options.fs != nullptr ? options.fs : FileSystem::Default();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  auto v2_index = fs->GetMatchingPaths(MetaFilename(path));
  if (v2_index.ok() && !v2_index->empty()) {
    BundleReaderOptions bo;
    bo.fs = fs;
    bo.verify_checksums = options.verify_checksums;
    CKPT_ASSIGN_OR_RETURN(impl->v2, BundleReader::Open(path, bo));
    impl->format = CheckpointFormat::kV2;
  } else {
    auto v1 = format::V1Reader::Open(path, fs);
    if (!v1.ok()) {
      const Status& s = v1.status();
      if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument) {
        return Status(s.code(), std::string(kSliceReaderPrefix) + s.message());
      }
      return s;
    }
    impl->v1 = *std::move(v1);
    impl->format = CheckpointFormat::kV1;
  }
  return std::unique_ptr<CheckpointReader>(new CheckpointReader(std::move(impl)));
}

CheckpointFormat CheckpointReader::format() const { return impl_->format; }
const std::string& CheckpointReader::path() const { return impl_->path; }
const BundleReader* CheckpointReader::bundle_reader() const { return impl_->v2.get(); }

std::vector<std::string> CheckpointReader::files() const {
  if (impl_->v1) return impl_->v1->files();
  std::vector<std::string> out{MetaFilename(impl_->path)};
  for (int32_t i = 0; i < impl_->v2->num_shards(); ++i) out.push_back(DataFilename(impl_->path, i, impl_->v2->num_shards()));
  return out;
}

std::vector<TensorInfo> CheckpointReader::List() const {
  if (impl_->v2) return impl_->v2->List();
  std::vector<TensorInfo> out;
  for (const auto& v : impl_->v1->List()) out.push_back(FromV1(v));
  return out;
}

bool CheckpointReader::HasTensor(std::string_view key) const {
  return impl_->v2 ? impl_->v2->HasTensor(key) : impl_->v1->HasTensor(key);
}

Result<TensorInfo> CheckpointReader::Lookup(std::string_view key) const {
  if (impl_->v2) return impl_->v2->Lookup(key);
  CKPT_ASSIGN_OR_RETURN(const format::V1TensorInfo v, impl_->v1->Lookup(key));
  return FromV1(v);
}

Result<Tensor> CheckpointReader::Read(std::string_view key) const {
  return impl_->v2 ? impl_->v2->Read(key) : impl_->v1->Read(key);
}

Result<Tensor> CheckpointReader::ReadSlice(std::string_view key, const TensorSlice& slice) const {
  if (impl_->v1) return impl_->v1->ReadSlice(key, slice);
  // Any dtype, strings included: by intersection with the stored slices.
  return impl_->v2->ReadSlice(key, slice);
}

Status CheckpointReader::VerifyAll() const {
  return impl_->v2 ? impl_->v2->VerifyAll() : impl_->v1->VerifyAll();
}

Result<std::unique_ptr<CheckpointReader>> LoadCheckpoint(const std::string& dir_or_path,
                                                         const CheckpointReaderOptions& options) {
  FileSystem* fs = options.fs != nullptr ? options.fs : FileSystem::Default();
  std::string path = dir_or_path;
  if (fs->IsDirectory(dir_or_path)) {
    CKPT_ASSIGN_OR_RETURN(auto latest, LatestCheckpoint(dir_or_path, kDefaultStateFilename, fs));
    if (!latest) return format::NoCheckpointInDirectoryError(dir_or_path);
    path = *latest;
  }
  return CheckpointReader::Open(path, options);
}

Result<std::vector<std::pair<std::string, TensorShape>>> ListVariables(const std::string& dir_or_path,
                                                                        const CheckpointReaderOptions& options) {
  CKPT_ASSIGN_OR_RETURN(auto reader, LoadCheckpoint(dir_or_path, options));
  std::vector<std::pair<std::string, TensorShape>> out;
  for (auto& t : reader->List()) out.emplace_back(std::move(t.key), std::move(t.shape));
  return out;
}

Result<Tensor> LoadVariable(const std::string& dir_or_path, std::string_view name,
                            const CheckpointReaderOptions& options) {
  if (name.size() >= 2 && name.substr(name.size() - 2) == ":0") name.remove_suffix(2);
  CKPT_ASSIGN_OR_RETURN(auto reader, LoadCheckpoint(dir_or_path, options));
  return reader->Read(name);
}

}  // namespace ckpt
