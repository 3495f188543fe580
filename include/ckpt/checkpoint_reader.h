// CheckpointReader: read any TensorFlow checkpoint, V2 bundle or legacy V1
// tensor-slice files, through one interface (TensorFlow's CheckpointReader /
// tf.train.load_checkpoint, list_variables, load_variable). Behaviour items
// are cited as RD-xx (see docs/behaviours/rd.md).
//
// Which format: as TensorFlow decides. If `<path>.index` matches a file the
// path is a V2 prefix and a BundleReader serves it; otherwise `path` is
// taken as a V1 file name or glob pattern (`model.ckpt`,
// `model.ckpt-?????-of-00002`, or one shard file) and every matching file
// is read as a V1 table.
//
//   auto reader = ckpt::CheckpointReader::Open("/train/model.ckpt-1000");
//   for (const auto& t : (*reader)->List()) ...   // key, dtype, shape
//   ckpt::Result<ckpt::Tensor> w = (*reader)->Read("dense/kernel");
//
// Thread-safety: a reader is immutable after Open; concurrent reads are fine.
//
// Deliberate differences from TensorFlow:
//   * A V1 tensor stored as several slices is assembled on Read();
//     TensorFlow's CheckpointReader fails with Unimplemented "Sliced
//     checkpoints are not supported" (its restore ops do assemble them).
//   * A V1 file is read and its metadata validated completely at Open, and
//     V1 element counts are checked against the metadata (DataLoss).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt {

struct CheckpointReaderOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // V2 only: check each tensor's crc32c when read (TF always does).
  bool verify_checksums = true;
};

class CKPT_EXPORT CheckpointReader {
 public:
  // Opens `path` (a V2 prefix, or a V1 file name / glob pattern).
  // Errors: NotFound "Unsuccessful TensorSliceReader constructor: Failed to
  // find any matching files for <path>" when neither format matches;
  // InvalidArgument "Unsuccessful TensorSliceReader constructor: Failed to
  // get matching files on <path>: ..." when the directory cannot be listed
  //; DataLoss "Unable to open table file <f>: ..." for a file that is
  // not a checkpoint table, e.g. a .meta file; the BundleReader's
  // errors for a V2 bundle.
  static Result<std::unique_ptr<CheckpointReader>> Open(const std::string& path,
                                                        const CheckpointReaderOptions& options = {});
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  // kV2 or kV1.
  CheckpointFormat format() const;
  // The path given to Open.
  const std::string& path() const;
  // V1: every file that matched the pattern (sorted). V2: `<prefix>.index`
  // followed by the data files.
  std::vector<std::string> files() const;

  // Every tensor: key, dtype and full shape, sorted by key (byte order, so
  // "_CHECKPOINTABLE_OBJECT_GRAPH" sorts after uppercase and before
  // lowercase keys). `slices` is non-empty for a tensor stored as
  // partial slices. The V2-only location fields are zero for V1.
  // (get_variable_to_shape_map / get_variable_to_dtype_map.)
  std::vector<TensorInfo> List() const;
  // has_tensor: true when `key` is one of the listed tensors.
  bool HasTensor(std::string_view key) const;
  // NotFound "Key <key> not found in checkpoint" (V2) or "<key> not
  // found in checkpoint file <path>" (V1) when absent.
  Result<TensorInfo> Lookup(std::string_view key) const;

  // get_tensor: the whole tensor, any storable dtype (strings as
  // their bytes). Partitioned tensors are assembled. A corrupted V2 data
  // file gives DataLoss "... Checksum does not match ...".
  Result<Tensor> Read(std::string_view key) const;
  // The part `slice` of tensor `key` (restore of a partitioned variable).
  Result<Tensor> ReadSlice(std::string_view key, const TensorSlice& slice) const;

  // Reads and checks every tensor; returns the first problem.
  Status VerifyAll() const;

  // The underlying bundle reader for a V2 checkpoint (nullptr for V1).
  const BundleReader* bundle_reader() const;

 private:
  class Impl;  // opaque: defined inside the library
  explicit CheckpointReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// tf.train.load_checkpoint: a directory is resolved with
// LatestCheckpoint(dir) and InvalidArgument "Couldn't find 'checkpoint' file
// or checkpoints in given directory <dir>" when that finds none (TF raises
// ValueError); any other path is opened as is.
CKPT_EXPORT Result<std::unique_ptr<CheckpointReader>> LoadCheckpoint(const std::string& dir_or_path,
                                                                     const CheckpointReaderOptions& options = {});

// What a user types to name a checkpoint, resolved to the path to open: the
// rule of the `ckpt` tool and of OpenTensorSource (LoadCheckpoint keeps
// TensorFlow's rule, which resolves directories only):
//   * "P.index" naming an existing file -> P, the bundle's prefix;
//   * a prefix P whose "P.index" exists -> P, even when P is also a directory;
//   * a directory -> the latest checkpoint its `checkpoint` state file names
//     (LatestCheckpoint); std::nullopt when there is no state file or the
//     checkpoint it names is gone, for the caller to report in its own words;
//   * anything else unchanged: a V1 file name or pattern, or a path that
//     CheckpointReader::Open will report as missing.
// Errors: LatestCheckpoint's (an unreadable or malformed state file). Only
// reads through `fs` (nullptr: FileSystem::Default()); thread-safe.
CKPT_EXPORT Result<std::optional<std::string>> ResolveCheckpointPath(const std::string& path,
                                                                     FileSystem* fs = nullptr);

// tf.train.list_variables: (key, shape) pairs sorted by key.
CKPT_EXPORT Result<std::vector<std::pair<std::string, TensorShape>>> ListVariables(
    const std::string& dir_or_path, const CheckpointReaderOptions& options = {});

// tf.train.load_variable: a copy of one tensor; a trailing ":0" in
// `name` is stripped first ("v:0" reads key "v").
CKPT_EXPORT Result<Tensor> LoadVariable(const std::string& dir_or_path, std::string_view name,
                                        const CheckpointReaderOptions& options = {});

}  // namespace ckpt
