// The legacy V1 checkpoint format: TensorFlow's TensorSliceWriter /
// TensorSliceReader tables (what Saver(write_version=V1) and the SaveSlices
// op write). See docs/saver-layer.md and docs/tf-format.md (V1).
//
// A V1 checkpoint is one or more files, each a LevelDB table (same table
// format as a bundle's .index, uncompressed):
//   key ""                 SavedTensorSlices{meta}: for every tensor in this
//                          file its name, full shape, dtype and the slices
//                          stored here (sorted by name), plus versions
//                          {producer: 1}
//   key EncodeTensorNameSlice(name, slice)
//                          SavedTensorSlices{data}: name, slice and the
//                          elements in the typed repeated field of a
//                          TensorProto (float_val, int_val, ...), dtype and
//                          shape unset
// An unpartitioned tensor is stored as one slice with every extent full.
// Sharded checkpoints are several such files, `P-00000-of-00002`, ...,
// read through the glob pattern `P-?????-of-00002`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::format {

// TF_CHECKPOINT_VERSION, the producer version V1 writers record.
inline constexpr int32_t kV1CheckpointVersion = 1;

// The element types TensorFlow's V1 writer and reader support: bool, float,
// double, complex64, complex128, int8/16/32/64, uint8/16/32/64, half,
// qint8, quint8, quint16, qint32 and string. (Not bfloat16, float8, int4,
// qint16: TF's SaveSlices fails with "Saving data type ... not yet
// supported".)
bool IsV1StorableDType(DType dtype);

// One tensor of a V1 checkpoint: its full shape and where its slices are.
struct V1TensorInfo {
  std::string name;
  DType dtype = DType::kInvalid;
  TensorShape shape;
  std::vector<TensorSlice> slices;  // in the order the files list them
  std::vector<int> slice_files;     // index into V1Reader::files(), per slice
};

// Reads every file matching a pattern (or one plain file name). Open() reads
// each table completely and validates its metadata (versions, dtypes,
// shapes, slices fitting their shapes, one shape/dtype per name across
// files). Tensor data is decoded on demand, checked against the metadata.
//
// Thread-safe after Open (all methods are const).
class V1Reader {
 public:
  // Errors (TensorFlow's texts): NotFound "Failed to find any matching files
  // for <pattern>"; the matching error wrapped as InvalidArgument "Failed to
  // get matching files on <pattern>: ..."; DataLoss "Unable to open table
  // file <f>: ..." for a file that is not a table (bad magic, bad crc) or
  // whose "" entry is missing or unparsable; FailedPrecondition for a
  // version check failure.
  static Result<std::unique_ptr<V1Reader>> Open(const std::string& filepattern, FileSystem* fs = nullptr);
  ~V1Reader();

  const std::string& filepattern() const;
  const std::vector<std::string>& files() const;

  // Every tensor, sorted by name.
  const std::vector<V1TensorInfo>& List() const;
  bool HasTensor(std::string_view name) const;
  // NotFound "<name> not found in checkpoint file <pattern>" when absent.
  Result<V1TensorInfo> Lookup(std::string_view name) const;

  // Reads the whole tensor, assembled from all its slices (TensorFlow's
  // CheckpointReader refuses tensors stored in more than one slice with
  // Unimplemented "Sliced checkpoints are not supported"; we assemble them).
  // NotFound "<name> not found in checkpoint file" when absent.
  Result<Tensor> Read(std::string_view name) const;
  // Reads part `slice` (fitting the stored full shape) from whichever stored
  // slices intersect it; NotFound "Does not have sufficient slices ..." when
  // they do not cover it.
  Result<Tensor> ReadSlice(std::string_view name, const TensorSlice& slice) const;

  // Decodes every stored slice of every tensor: parse, name/slice agreement
  // with its key, element count. Returns the first problem.
  Status VerifyAll() const;

  class Impl;

 private:
  explicit V1Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes one V1 file (TensorFlow's TensorSliceWriter): slices are encoded
// as they are added and kept in memory; Finish() publishes the table as
// `filename` through io::AtomicFile (temporary name, rename). The parent
// directory is not created (as in TensorFlow: a missing directory is
// NotFound at Finish()). Not thread-safe; the first error is sticky.
class V1Writer {
 public:
  struct Options {
    FileSystem* fs = nullptr;
    bool sync = true;  // fsync the file and the directory (TF does not)
  };
  static Result<std::unique_ptr<V1Writer>> Create(std::string filename, Options options);
  ~V1Writer();

  // Adds the part `slice` of tensor `name` (full shape `full_shape`);
  // `view` holds the slice's own elements. Pass TensorSlice::Full(rank) for
  // a whole tensor. InvalidArgument for: an unsupported dtype ("Saving data
  // type <t> not yet supported"), a slice not fitting the shape, a shape or
  // dtype differing from an earlier Add of the same name ("Mismatching
  // shape"/"Mismatching type"), a slice overlapping one added before
  // ("Overlapping slices").
  Status Add(std::string_view name, const TensorShape& full_shape, const TensorSlice& slice,
             const TensorView& view);
  Status Finish();
  void Abandon();

  class Impl;

 private:
  explicit V1Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "<filename>-00003-of-00010": the name of one shard of a V1 save (TF's
// ShardedFilename op).
std::string V1ShardedFilename(std::string_view filename, int shard, int num_shards);
// "<filename>-?????-of-00010": the pattern naming all of them (TF's
// ShardedFilespec op); what a sharded V1 save returns.
std::string V1ShardedFilespec(std::string_view filename, int num_shards);

}  // namespace ckpt::format
