// Internal pieces of ckpt/tensor_source.h and ckpt/convert.h: one
// TensorSource per input format and one TensorSink per output format.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_source.h"

namespace ckpt::interop {

Result<std::unique_ptr<TensorSource>> OpenCheckpointSource(const std::string& path, FileSystem* fs);
Result<std::unique_ptr<TensorSource>> OpenSafetensorsSource(const std::string& path, FileSystem* fs);
Result<std::unique_ptr<TensorSource>> OpenShardedSafetensorsSource(const std::string& index_path, FileSystem* fs);
Result<std::unique_ptr<TensorSource>> OpenNpzSource(const std::string& path, FileSystem* fs);

// Where converted tensors go. Protocol: Plan (names the files, writes
// nothing), Begin, then Add for every planned entry in plan order (a tensor
// the sink refused via Refuse() may be left out), then Finish (files appear
// under their final names) -- or Abandon (everything written is removed).
class TensorSink {
 public:
  virtual ~TensorSink() = default;
  // `entries` holds only representable entries (UnrepresentableReason empty).
  virtual Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) = 0;
  virtual Status Begin() = 0;
  // Content-dependent refusal (npz strings ending in NUL): the reason, or "".
  // Only sinks that can skip an entry mid-stream return non-empty.
  virtual std::string Refuse(const TensorEntry& entry, const Tensor& t) const { return ""; }
  virtual Status Add(const TensorEntry& entry, const Tensor& t) = 0;
  virtual Status Finish() = 0;
  virtual void Abandon() = 0;
};

std::unique_ptr<TensorSink> NewBundleSink(std::string prefix, FileSystem* fs, bool sync);
std::unique_ptr<TensorSink> NewSafetensorsSink(std::string path, FileSystem* fs);
// `index_path` ends in ".index.json"; shards go next to it.
std::unique_ptr<TensorSink> NewShardedSafetensorsSink(std::string index_path, int64_t max_shard_bytes, FileSystem* fs);
std::unique_ptr<TensorSink> NewNpzSink(std::string path, FileSystem* fs, bool force_zip64);

}  // namespace ckpt::interop
