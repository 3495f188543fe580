// Writing safetensors: one file, or shards plus a Hugging Face
// model.safetensors.index.json. The header (with every offset) is computed
// from the plan before any data, so tensors stream straight to the file.
#include <cstdio>
#include <map>

#include "ckpt/status_macros.h"
#include "interop/json_value.h"
#include "interop/safetensors.h"
#include "interop/tensor_files.h"
#include "io/atomic_file.h"

namespace ckpt::interop {
namespace {

class SafetensorsSink : public TensorSink {
 public:
  SafetensorsSink(std::string path, FileSystem* fs) : path_(std::move(path)), fs_(fs) {}
  ~SafetensorsSink() override { Abandon(); }

  Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) override {
    plan_.clear();
    for (const TensorEntry& e : entries) {
      plan_.push_back({e.key, e.dtype, e.shape, static_cast<uint64_t>(e.byte_size)});
    }
    return std::vector<std::string>{path_};
  }

  Status Begin() override {
    CKPT_ASSIGN_OR_RETURN(out_, io::AtomicFile::Create(fs_, path_));
    return out_->file()->Append(MakeSafetensorsHeader(plan_));
  }

  Status Add(const TensorEntry& e, const Tensor& t) override {
    if (next_ >= plan_.size() || plan_[next_].name != e.key || t.byte_size() != plan_[next_].byte_size) {
      return InternalError("safetensors writer: tensor " + e.key + " does not match the plan");
    }
    ++next_;
    return t.byte_size() == 0 ? OkStatus() : out_->file()->Append(t.data(), t.byte_size());
  }

  Status Finish() override {
    if (next_ != plan_.size()) return InternalError("safetensors writer: not every planned tensor was written");
    return out_->Commit();
  }

  void Abandon() override {
    if (out_) out_->Abandon();
  }

  bool published() const { return out_ && out_->published(); }
  size_t planned() const { return plan_.size(); }
  bool complete() const { return next_ == plan_.size(); }

 private:
  std::string path_;
  FileSystem* fs_;
  std::vector<SafetensorsPlanEntry> plan_;
  size_t next_ = 0;
  std::unique_ptr<io::AtomicFile> out_;
};

class ShardedSafetensorsSink : public TensorSink {
 public:
  ShardedSafetensorsSink(std::string index_path, int64_t max_shard_bytes, FileSystem* fs)
      : index_path_(std::move(index_path)), max_(max_shard_bytes), fs_(fs) {}
  ~ShardedSafetensorsSink() override { Abandon(); }

  Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) override {
    // Greedy, in key order: a shard is closed when the next tensor would push
    // it past the limit (a tensor larger than the limit gets its own shard).
    std::vector<std::vector<TensorEntry>> groups;
    int64_t bytes = 0;
    for (const TensorEntry& e : entries) {
      if (groups.empty() || (bytes > 0 && bytes + e.byte_size > max_)) {
        groups.emplace_back();
        bytes = 0;
      }
      groups.back().push_back(e);
      bytes += e.byte_size;
      total_ += e.byte_size;
    }
    if (groups.empty()) groups.emplace_back();  // still one (empty) shard, so the index names a file
    std::string stem(Basename(index_path_));
    for (std::string_view suffix : {".safetensors.index.json", ".index.json"}) {
      if (stem.ends_with(suffix)) {
        stem.resize(stem.size() - suffix.size());
        break;
      }
    }
    const std::string dir(Dirname(index_path_));
    std::vector<std::string> outputs;
    for (size_t i = 0; i < groups.size(); ++i) {
      char name[64];
      std::snprintf(name, sizeof(name), "-%05zu-of-%05zu.safetensors", i + 1, groups.size());
      const std::string file = stem + name;
      const std::string path = dir.empty() ? file : JoinPath(dir, file);
      auto shard = std::make_unique<SafetensorsSink>(path, fs_);
      CKPT_RETURN_IF_ERROR(shard->Plan(groups[i]).status());
      for (const TensorEntry& e : groups[i]) {
        shard_of_[e.key] = i;
        weight_map_[e.key] = file;
      }
      shards_.push_back(std::move(shard));
      shard_paths_.push_back(path);
      outputs.push_back(path);
    }
    outputs.push_back(index_path_);
    return outputs;
  }

  Status Begin() override { return OkStatus(); }  // shards are opened one at a time

  Status Add(const TensorEntry& e, const Tensor& t) override {
    auto it = shard_of_.find(e.key);
    if (it == shard_of_.end()) return InternalError("sharded safetensors writer: unplanned tensor " + e.key);
    // Shards fill in order; only the current one is open.
    while (current_ < it->second) CKPT_RETURN_IF_ERROR(FinishShard());
    if (!open_) {
      CKPT_RETURN_IF_ERROR(shards_[current_]->Begin());
      open_ = true;
    }
    return shards_[current_]->Add(e, t);
  }

  Status Finish() override {
    while (current_ < shards_.size()) CKPT_RETURN_IF_ERROR(FinishShard());
    // The index, as Hugging Face writes it (sorted keys, 2-space indent).
    std::string json = "{\n  \"metadata\": {\n    \"total_size\": " + std::to_string(total_) + "\n  },\n  \"weight_map\": {";
    bool first = true;
    for (const auto& [key, file] : weight_map_) {
      json += first ? "\n    " : ",\n    ";
      first = false;
      AppendJsonString(&json, key);
      json += ": ";
      AppendJsonString(&json, file);
    }
    json += first ? "}\n}\n" : "\n  }\n}\n";
    CKPT_ASSIGN_OR_RETURN(std::unique_ptr<io::AtomicFile> out, io::AtomicFile::Create(fs_, index_path_));
    CKPT_RETURN_IF_ERROR(out->file()->Append(json));
    Status st = out->Commit();
    done_ = out->published();  // the index is out: the shards it names stay
    return st;
  }

  void Abandon() override {
    if (done_) return;
    for (auto& s : shards_) s->Abandon();
    for (size_t i = 0; i < published_; ++i) fs_->DeleteFile(shard_paths_[i]).IgnoreError();
    published_ = 0;
  }

 private:
  Status FinishShard() {
    if (!open_) CKPT_RETURN_IF_ERROR(shards_[current_]->Begin());  // an empty shard
    Status s = shards_[current_]->Finish();
    // A shard whose directory sync failed is out under its name: delete it too on Abandon().
    if (shards_[current_]->published()) published_ = current_ + 1;
    CKPT_RETURN_IF_ERROR(s);
    open_ = false;
    ++current_;
    return OkStatus();
  }

  std::string index_path_;
  int64_t max_;
  FileSystem* fs_;
  int64_t total_ = 0;
  std::vector<std::unique_ptr<SafetensorsSink>> shards_;
  std::vector<std::string> shard_paths_;
  std::map<std::string, size_t> shard_of_;
  std::map<std::string, std::string> weight_map_;
  size_t current_ = 0, published_ = 0;
  bool open_ = false, done_ = false;
};

}  // namespace

std::unique_ptr<TensorSink> NewSafetensorsSink(std::string path, FileSystem* fs) {
  return std::make_unique<SafetensorsSink>(std::move(path), fs);
}

std::unique_ptr<TensorSink> NewShardedSafetensorsSink(std::string index_path, int64_t max_shard_bytes, FileSystem* fs) {
  return std::make_unique<ShardedSafetensorsSink>(std::move(index_path), max_shard_bytes, fs);
}

}  // namespace ckpt::interop
