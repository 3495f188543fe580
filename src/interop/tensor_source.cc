// TensorSource: format names and detection, OpenTensorSource, and the
// source over TensorFlow checkpoints (CheckpointReader).
#include <algorithm>
#include <cstring>

#include "base/coding.h"
#include "ckpt/status_macros.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/convert.h"
#include "ckpt/status_macros.h"
#include "ckpt/tensor_source.h"
#include "format/checkpoint_path.h"
#include "interop/tensor_files.h"

namespace ckpt {

TensorSource::~TensorSource() = default;

namespace {
const TensorEntry* FindEntry(const std::vector<TensorEntry>& e, std::string_view key) {
  auto it = std::lower_bound(e.begin(), e.end(), key, [](const TensorEntry& a, std::string_view k) { return a.key < k; });
  return it != e.end() && it->key == key ? &*it : nullptr;
}
}  // namespace

bool TensorSource::HasTensor(std::string_view key) const { return FindEntry(entries(), key) != nullptr; }

Result<TensorEntry> TensorSource::Lookup(std::string_view key) const {
  const TensorEntry* e = FindEntry(entries(), key);
  if (e == nullptr) return NotFoundError("Key " + std::string(key) + " not found in " + path());
  return *e;
}

std::string_view TensorFileFormatName(TensorFileFormat format) {
  switch (format) {
    case TensorFileFormat::kAuto: return "auto";
    case TensorFileFormat::kCheckpoint: return "checkpoint";
    case TensorFileFormat::kSafetensors: return "safetensors";
    case TensorFileFormat::kSafetensorsSharded: return "safetensors-sharded";
    case TensorFileFormat::kNpz: return "npz";
  }
  return "unknown";
}

std::optional<TensorFileFormat> TensorFileFormatFromName(std::string_view name) {
  for (auto f : {TensorFileFormat::kAuto, TensorFileFormat::kCheckpoint, TensorFileFormat::kSafetensors,
                 TensorFileFormat::kSafetensorsSharded, TensorFileFormat::kNpz}) {
    if (name == TensorFileFormatName(f)) return f;
  }
  if (name == "tf" || name == "bundle") return TensorFileFormat::kCheckpoint;
  return std::nullopt;
}

namespace {

constexpr std::string_view kHfIndex = "model.safetensors.index.json";
constexpr std::string_view kHfSingle = "model.safetensors";

TensorFileFormat ByName(std::string_view path) {
  if (path.ends_with(".index.json")) return TensorFileFormat::kSafetensorsSharded;
  if (path.ends_with(".safetensors")) return TensorFileFormat::kSafetensors;
  if (path.ends_with(".npz")) return TensorFileFormat::kNpz;
  return TensorFileFormat::kAuto;
}

}  // namespace

TensorFileFormat OutputTensorFileFormat(std::string_view path) {
  const TensorFileFormat f = ByName(path);
  return f == TensorFileFormat::kAuto ? TensorFileFormat::kCheckpoint : f;
}

TensorFileFormat DetectTensorFileFormat(const std::string& path, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  if (const TensorFileFormat f = ByName(path); f != TensorFileFormat::kAuto) return f;
  if (fs->IsDirectory(path)) {
    if (fs->FileExists(JoinPath(path, kHfIndex)).ok()) return TensorFileFormat::kSafetensorsSharded;
    if (fs->FileExists(JoinPath(path, kHfSingle)).ok()) return TensorFileFormat::kSafetensors;
    return TensorFileFormat::kCheckpoint;
  }
  // A bundle prefix has no file of its own; any other existing file is sniffed.
  if (fs->FileExists(MetaFilename(path)).ok() || !fs->FileExists(path).ok()) return TensorFileFormat::kCheckpoint;
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok() || (*file)->Size() < 9) return TensorFileFormat::kCheckpoint;
  char head[9];
  if (!(*file)->Read(0, sizeof(head), head).ok()) return TensorFileFormat::kCheckpoint;
  if (std::memcmp(head, "PK\x03\x04", 4) == 0 || std::memcmp(head, "PK\x05\x06", 4) == 0) return TensorFileFormat::kNpz;
  const uint64_t n = coding::DecodeFixed64(head);
  if (head[8] == '{' && n >= 2 && n <= (*file)->Size() - 8) return TensorFileFormat::kSafetensors;
  return TensorFileFormat::kCheckpoint;
}

Result<std::unique_ptr<TensorSource>> OpenTensorSource(const std::string& path, TensorFileFormat format, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  if (format == TensorFileFormat::kAuto) format = DetectTensorFileFormat(path, fs);
  const bool dir = fs->IsDirectory(path);
  switch (format) {
    case TensorFileFormat::kSafetensors:
      return interop::OpenSafetensorsSource(dir ? JoinPath(path, kHfSingle) : path, fs);
    case TensorFileFormat::kSafetensorsSharded:
      return interop::OpenShardedSafetensorsSource(dir ? JoinPath(path, kHfIndex) : path, fs);
    case TensorFileFormat::kNpz:
      return interop::OpenNpzSource(path, fs);
    case TensorFileFormat::kAuto:
    case TensorFileFormat::kCheckpoint:
      break;
  }
  return interop::OpenCheckpointSource(path, fs);
}

namespace interop {
namespace {

class CheckpointSource : public TensorSource {
 public:
  explicit CheckpointSource(std::unique_ptr<CheckpointReader> r) : reader_(std::move(r)) {
    path_ = reader_->path();
    for (const TensorInfo& info : reader_->List()) {
      TensorEntry e;
      e.key = info.key;
      e.dtype = info.dtype;
      e.shape = info.shape;
      if (IsFixedSizeDType(info.dtype)) {
        e.byte_size = info.shape.num_elements() * static_cast<int64_t>(DTypeSize(info.dtype));
      }
      if (!IsStorableDType(info.dtype)) {
        e.unsupported = "dtype " + std::string(DTypeName(info.dtype)) + " cannot be read as a tensor";
      }
      entries_.push_back(std::move(e));
    }
  }
  TensorFileFormat format() const override { return TensorFileFormat::kCheckpoint; }
  const std::string& path() const override { return path_; }
  const std::vector<TensorEntry>& entries() const override { return entries_; }
  Result<Tensor> Read(std::string_view key) const override { return reader_->Read(key); }
  const BundleReader* bundle_reader() const override { return reader_->bundle_reader(); }

 private:
  std::unique_ptr<CheckpointReader> reader_;
  std::string path_;
  std::vector<TensorEntry> entries_;
};

}  // namespace

Result<std::unique_ptr<TensorSource>> OpenCheckpointSource(const std::string& path, FileSystem* fs) {
  // What the user may type for a checkpoint: PREFIX, PREFIX.index, or a
  // directory whose `checkpoint` state file names the latest one.
  CKPT_ASSIGN_OR_RETURN(const std::optional<std::string> resolved, ResolveCheckpointPath(path, fs));
  if (!resolved) return format::NoCheckpointInDirectoryError(path);
  CheckpointReaderOptions options;
  options.fs = fs;
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<CheckpointReader> reader, CheckpointReader::Open(*resolved, options));
  return std::unique_ptr<TensorSource>(new CheckpointSource(std::move(reader)));
}

}  // namespace interop
}  // namespace ckpt
