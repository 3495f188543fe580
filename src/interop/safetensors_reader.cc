// TensorSources over a .safetensors file and over a sharded set named by a
// *.safetensors.index.json. Headers are validated up front (see
// ParseSafetensorsHeader); tensor bytes are read on demand into a new Tensor.
#include <algorithm>
#include <map>

#include "ckpt/status_macros.h"
#include "interop/json_value.h"
#include "interop/safetensors.h"
#include "interop/tensor_files.h"

namespace ckpt::interop {
namespace {

struct Located {
  size_t file = 0;  // index into the source's files
  SafetensorsTensor tensor;
};

// One or more safetensors files; each entry knows which file holds it.
class SafetensorsSource : public TensorSource {
 public:
  SafetensorsSource(TensorFileFormat format, std::string path, FileSystem* fs)
      : format_(format), path_(std::move(path)), fs_(fs) {}

  // Adds `file`'s tensors; `only` (when non-null) restricts them to the names it maps to this file.
  Status AddFile(const std::string& file_path, std::unique_ptr<RandomAccessFile> file, const SafetensorsHeader& h) {
    const size_t index = files_.size();
    files_.push_back(std::move(file));
    data_start_.push_back(h.data_start);
    for (const SafetensorsTensor& t : h.tensors) located_[t.name] = Located{index, t};
    return OkStatus();
  }

  void Finalize() {
    for (const auto& [name, loc] : located_) {  // std::map: sorted by key
      TensorEntry e;
      e.key = name;
      e.dtype = loc.tensor.dtype;
      e.shape = loc.tensor.shape;
      e.byte_size = static_cast<int64_t>(loc.tensor.end - loc.tensor.begin);
      e.unsupported = loc.tensor.unsupported;
      entries_.push_back(std::move(e));
    }
  }

  std::map<std::string, Located>& located() { return located_; }

  TensorFileFormat format() const override { return format_; }
  const std::string& path() const override { return path_; }
  const std::vector<TensorEntry>& entries() const override { return entries_; }

  Result<Tensor> Read(std::string_view key) const override {
    auto it = located_.find(std::string(key));
    if (it == located_.end()) return NotFoundError("Key " + std::string(key) + " not found in " + path_);
    const SafetensorsTensor& t = it->second.tensor;
    if (!t.unsupported.empty()) return UnimplementedError("cannot read " + std::string(key) + ": " + t.unsupported);
    CKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::MakeUninitialized(t.dtype, t.shape));
    const size_t f = it->second.file;
    if (out.byte_size() > 0) CKPT_RETURN_IF_ERROR(files_[f]->Read(data_start_[f] + t.begin, out.byte_size(), out.data()));
    return out;
  }

 private:
  TensorFileFormat format_;
  std::string path_;
  FileSystem* fs_;
  std::vector<std::unique_ptr<RandomAccessFile>> files_;
  std::vector<uint64_t> data_start_;
  std::map<std::string, Located> located_;
  std::vector<TensorEntry> entries_;
};

Result<std::pair<std::unique_ptr<RandomAccessFile>, SafetensorsHeader>> OpenOne(const std::string& path, FileSystem* fs) {
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->NewRandomAccessFile(path));
  CKPT_ASSIGN_OR_RETURN(SafetensorsHeader h, ReadSafetensorsHeader(*file));
  return std::make_pair(std::move(file), std::move(h));
}

}  // namespace

Result<std::unique_ptr<TensorSource>> OpenSafetensorsSource(const std::string& path, FileSystem* fs) {
  auto src = std::make_unique<SafetensorsSource>(TensorFileFormat::kSafetensors, path, fs);
  CKPT_ASSIGN_OR_RETURN(auto opened, OpenOne(path, fs));
  CKPT_RETURN_IF_ERROR(src->AddFile(path, std::move(opened.first), opened.second));
  src->Finalize();
  return std::unique_ptr<TensorSource>(std::move(src));
}

Result<std::unique_ptr<TensorSource>> OpenShardedSafetensorsSource(const std::string& index_path, FileSystem* fs) {
  CKPT_ASSIGN_OR_RETURN(const uint64_t size, fs->GetFileSize(index_path));
  if (size > kMaxSafetensorsHeader) return DataLossError("safetensors index too large: " + index_path);
  CKPT_ASSIGN_OR_RETURN(const std::string text, fs->ReadFileToString(index_path));
  auto bad = [&](const std::string& what) { return DataLossError("invalid safetensors index " + index_path + ": " + what); };
  auto doc = ParseJson(text);
  if (!doc.ok()) return bad(doc.status().message());
  const JsonValue* map = doc->is_object() ? doc->Find("weight_map") : nullptr;
  if (map == nullptr || !map->is_object()) return bad("no \"weight_map\" object");
  // Shards are plain file names in the index's directory.
  std::map<std::string, std::vector<std::string>> by_file;
  for (const auto& [name, file] : map->object) {
    if (!file.is_string()) return bad("weight_map value of \"" + name + "\" is not a string");
    const std::string& f = file.text;
    if (f.empty() || f == "." || f == ".." || f.find('/') != std::string::npos || f.find('\0') != std::string::npos) {
      return bad("shard name \"" + f + "\" is not a plain file name");
    }
    by_file[f].push_back(name);
  }
  auto src = std::make_unique<SafetensorsSource>(TensorFileFormat::kSafetensorsSharded, index_path, fs);
  const std::string dir(Dirname(index_path));
  for (const auto& [file, names] : by_file) {
    const std::string shard_path = dir.empty() ? file : JoinPath(dir, file);
    CKPT_ASSIGN_OR_RETURN(auto opened, OpenOne(shard_path, fs));
    SafetensorsHeader& h = opened.second;
    // Only what the weight map assigns to this shard (as Hugging Face loads it).
    std::map<std::string, const SafetensorsTensor*> in_shard;
    for (const auto& t : h.tensors) in_shard[t.name] = &t;
    SafetensorsHeader kept;
    kept.data_start = h.data_start;
    for (const std::string& n : names) {
      auto it = in_shard.find(n);
      if (it == in_shard.end()) return bad("tensor \"" + n + "\" is not in its shard " + file);
      kept.tensors.push_back(*it->second);
    }
    CKPT_RETURN_IF_ERROR(src->AddFile(shard_path, std::move(opened.first), kept));
  }
  src->Finalize();
  return std::unique_ptr<TensorSource>(std::move(src));
}

}  // namespace ckpt::interop
