// Read access to the tensors of a file in any format ckpt knows: a
// TensorFlow checkpoint or a foreign tensor file (safetensors, npz).
// ckpt/convert.h writes them; ckpt/diff.h compares them.
//
// Formats:
//   * kCheckpoint: a TensorFlow checkpoint: a V2 bundle prefix (read and
//     written), or a V1 checkpoint (read only, through CheckpointReader).
//   * kSafetensors: one Hugging Face `.safetensors` file.
//   * kSafetensorsSharded: a `*.safetensors.index.json` (as Hugging Face
//     writes it: {"metadata": {"total_size": N}, "weight_map": {name: file}})
//     plus the shard files it names, in the same directory.
//   * kNpz: a NumPy `.npz` archive (a zip of one `.npy` file per tensor,
//     ZIP64 when large). Stored and deflate-compressed members are read.
//
// Errors: nothing read from a file is trusted. Headers, indexes and zip
// directories are checked against the file sizes before anything is
// allocated: DataLoss for a corrupt or truncated file, NotFound for a
// missing file or key, Unimplemented for an entry that is listed but cannot
// be read (TensorEntry::unsupported says why).
//
// Threading: a TensorSource is used by one thread at a time. The free
// functions keep no state and may be called from several threads.
//
// Ownership: OpenTensorSource returns a source that owns its open files.
// The FileSystem passed in is borrowed and must outlive the source (nullptr
// means FileSystem::Default(), which lives forever).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt {

enum class TensorFileFormat { kAuto, kCheckpoint, kSafetensors, kSafetensorsSharded, kNpz };

// "auto", "checkpoint", "safetensors", "safetensors-sharded", "npz".
CKPT_EXPORT std::string_view TensorFileFormatName(TensorFileFormat format);
// Inverse of TensorFileFormatName; also "tf" and "bundle" for kCheckpoint.
CKPT_EXPORT std::optional<TensorFileFormat> TensorFileFormatFromName(std::string_view name);

// The format an existing `path` is in: by name (".safetensors",
// ".safetensors.index.json" / ".index.json", ".npz"), for a directory by its
// contents (model.safetensors.index.json, model.safetensors, otherwise a
// checkpoint directory), for another existing file by its first bytes (zip
// magic -> npz, a safetensors header -> safetensors); kCheckpoint otherwise.
CKPT_EXPORT TensorFileFormat DetectTensorFileFormat(const std::string& path, FileSystem* fs = nullptr);
// The format to write to `path` (by name only): kSafetensorsSharded for
// "*.index.json", kSafetensors for "*.safetensors", kNpz for "*.npz",
// kCheckpoint otherwise (a bundle prefix).
CKPT_EXPORT TensorFileFormat OutputTensorFileFormat(std::string_view path);

// One tensor of a TensorSource.
struct TensorEntry {
  std::string key;
  DType dtype = DType::kInvalid;
  TensorShape shape;
  // Bytes of a fixed-size tensor (-1 for strings).
  int64_t byte_size = -1;
  // Non-empty when the entry is listed in the file but cannot be read as a
  // TensorFlow tensor (a safetensors F8_E8M0 tensor, a pickled npy, a
  // variant tensor); says why. dtype is kInvalid unless the file names a
  // TensorFlow dtype (DT_VARIANT).
  std::string unsupported;
};

// The tensors of one opened file. Entries are sorted by key (byte order).
// Read() returns one whole tensor (a partitioned checkpoint tensor is
// assembled); only that tensor is in memory, so callers can stream a file
// of any size one tensor at a time. Implementations are not required to be
// thread-safe.
class CKPT_EXPORT TensorSource {
 public:
  virtual ~TensorSource();
  virtual TensorFileFormat format() const = 0;
  // What was opened (the resolved checkpoint prefix, the index.json, ...).
  virtual const std::string& path() const = 0;
  virtual const std::vector<TensorEntry>& entries() const = 0;
  // NotFound for an unknown key, Unimplemented for an unsupported entry,
  // DataLoss when the bytes on disk do not match what the header promised.
  virtual Result<Tensor> Read(std::string_view key) const = 0;
  // The bundle behind a V2 checkpoint source, nullptr otherwise; owned by
  // the source.
  virtual const BundleReader* bundle_reader() const { return nullptr; }
  bool HasTensor(std::string_view key) const;
  // The entry for `key`; NotFound "Key <key> not found in <path>" when absent.
  Result<TensorEntry> Lookup(std::string_view key) const;
};

// Opens `path` as `format` (kAuto: DetectTensorFileFormat). A checkpoint may
// be named by its prefix, its .index file, or a directory with a
// `checkpoint` state file (its latest checkpoint). Headers and directories
// are validated against the file sizes before anything is allocated:
// DataLoss for a corrupt or truncated file, NotFound for a missing one.
CKPT_EXPORT Result<std::unique_ptr<TensorSource>> OpenTensorSource(const std::string& path,
                                                                   TensorFileFormat format = TensorFileFormat::kAuto,
                                                                   FileSystem* fs = nullptr);

}  // namespace ckpt
