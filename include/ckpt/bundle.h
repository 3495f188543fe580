// Tensor bundles: TensorFlow's V2 checkpoint files, read and written.
//
// A bundle is named by a prefix P and consists of
//   P.index                      a LevelDB table: header under "", then one
//                                BundleEntryProto per tensor key (sorted)
//   P.data-SSSSS-of-NNNNN        tensor bytes, concatenated
// TensorFlow (tf.train.load_checkpoint, RestoreV2, tf.train.Checkpoint)
// reads what BundleWriter writes, and BundleReader reads what TensorFlow
// writes, bit for bit.
//
// Errors: NotFound (no P.index, unknown key, or the bundle deleted -- index
// and data file gone -- while this reader was reading it), InvalidArgument (bad key,
// dtype/shape mismatch with the caller's buffer), DataLoss (anything in the
// files that is corrupt or truncated; the message names the file, the key and
// the byte range), Unimplemented (big-endian bundles, variant tensors).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt {

// "P.index".
CKPT_EXPORT std::string MetaFilename(std::string_view prefix);
// "P.data-00003-of-00010".
CKPT_EXPORT std::string DataFilename(std::string_view prefix, int32_t shard, int32_t num_shards);

struct BundleWriterOptions {
  // Where to write; nullptr means FileSystem::Default().
  FileSystem* fs = nullptr;
  // Pad so every tensor starts at a multiple of this many bytes (TF's
  // data_alignment; 1 = densely packed, TF's default). TF reads either.
  // Aligned bundles let readers hand out zero-copy views.
  int64_t data_alignment = 1;
  // fsync data file, index file and directory before publishing the index
  // (TensorFlow does not). Turn off only for scratch output.
  bool sync = true;
  // Write the data file with O_DIRECT where the filesystem supports it.
  bool direct_io = true;
};

// A tensor (or one slice of one) whose bytes arrive in pieces, already in
// TF's on-disk encoding: fixed-size dtypes as their raw little-endian
// elements; DT_STRING as the varint lengths, the masked crc32c of the
// lengths, then the bytes (what BundleWriter::Add writes for it). A save
// with an io rank writes the other ranks' values this way as their bytes
// arrive, without holding a whole tensor.
struct EncodedTensor {
  DType dtype = DType::kInvalid;
  TensorShape shape;  // the tensor's (for a slice: the slice's own shape)
  uint64_t size = 0;  // bytes of the encoding
  // The unmasked crc32c the index records, computed by the encoder. For
  // fixed-size dtypes it is the crc of the bytes, and the writer checks it
  // (DataLoss on a mismatch); for strings (crc of the lengths as 8-byte
  // integers, then of the rest) it is taken as given.
  uint32_t crc32c = 0;
  // The next piece (not empty), valid until the next call. Called until
  // `size` bytes have been delivered; an error stops the writer.
  std::function<Result<std::string_view>()> next;
};

// Writes one bundle (one data shard). Tensors are written to the data file
// as they are added (with direct_io, copied through reused, pre-faulted
// buffers while earlier ones are written); the caller's buffer is not read
// after Add returns; the index is written
// by Finish(). Until Finish() succeeds no file appears under the final names
// (temporary "<name>.tmp<random hex>" names are used and removed on failure).
// Rewriting an existing bundle: Finish() first removes the old `<prefix>.index`
// (durably), so readers and a power cut find the old bundle, none, or the new
// one -- never the old index with new data. A Finish() that fails after that
// leaves no bundle at `prefix`.
//
// Not thread-safe. The first error is sticky: later calls return it.
class CKPT_EXPORT BundleWriter {
 public:
  static Result<std::unique_ptr<BundleWriter>> Create(std::string prefix, BundleWriterOptions options = {});
  // An unfinished writer abandons its files.
  ~BundleWriter();
  BundleWriter(const BundleWriter&) = delete;
  BundleWriter& operator=(const BundleWriter&) = delete;

  // Adds a whole tensor. `key` must be non-empty and not added before.
  // Fixed-size dtypes read view.data; DT_STRING reads view.strings.
  Status Add(std::string_view key, const TensorView& view);
  Status Add(std::string_view key, const Tensor& tensor) { return Add(key, tensor.view()); }

  // Adds one slice of a partitioned tensor `full_key` of shape `full_shape`.
  // `view` holds the slice's own data (shape = slice.SliceShape(full_shape)).
  // Stored as TF does: the full key gets an entry listing its slices, the
  // data goes under the encoded slice key. A slice covering the whole tensor
  // (every extent full, or spelled out as 0,dim) is stored as a plain tensor
  // under full_key, as TF does.
  Status AddSlice(std::string_view full_key, const TensorShape& full_shape, const TensorSlice& slice,
                  const TensorView& view);

  // Add / AddSlice with the bytes delivered in pieces (EncodedTensor). The
  // same entry, byte for byte, as Add/AddSlice of the decoded value.
  Status AddEncoded(std::string_view key, const EncodedTensor& tensor);
  Status AddEncodedSlice(std::string_view full_key, const TensorShape& full_shape, const TensorSlice& slice,
                         const EncodedTensor& tensor);

  // Writes the index and publishes the bundle (see the protocol in
  // bundle_writer.cc). Returns the first error of the writer's life.
  Status Finish();
  // Stops and removes every file this writer created. Idempotent.
  void Abandon();

  // Bytes written to the data file so far (including alignment padding).
  uint64_t data_bytes() const;
  const std::string& prefix() const;

 private:
  class Impl;  // opaque: defined inside the library
  explicit BundleWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What the index says about one key.
struct TensorInfo {
  std::string key;
  DType dtype = DType::kInvalid;
  TensorShape shape;
  // Non-empty for a partitioned tensor: the slices stored for it.
  std::vector<TensorSlice> slices;
  // Where the bytes are (meaningless when `slices` is non-empty).
  int32_t shard_id = 0;
  int64_t offset = 0;
  int64_t size = 0;
  uint32_t masked_crc32c = 0;
};

struct BundleReaderOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // Check each tensor's crc32c when it is read (TF always does).
  bool verify_checksums = true;
};

// Reads a bundle. Open() reads and checks the whole index (every entry's
// dtype, shape and byte range against the data files); tensor bytes are read
// on demand, straight into the destination buffer.
//
// Thread-safe: concurrent reads from several threads are allowed.
class CKPT_EXPORT BundleReader {
 public:
  static Result<std::unique_ptr<BundleReader>> Open(std::string prefix, BundleReaderOptions options = {});
  ~BundleReader();
  BundleReader(const BundleReader&) = delete;
  BundleReader& operator=(const BundleReader&) = delete;

  const std::string& prefix() const;
  int32_t num_shards() const;

  // Every tensor key in sorted (byte) order, without the encoded slice keys of
  // partitioned tensors (their full keys are listed).
  std::vector<std::string> Keys() const;
  // Info for every listed key, sorted.
  std::vector<TensorInfo> List() const;
  // True when `key` is a listed key (TF's has_tensor; encoded slice keys are
  // not listed).
  bool HasTensor(std::string_view key) const;
  // NotFound "Key <key> not found in checkpoint" when absent.
  Result<TensorInfo> Lookup(std::string_view key) const;

  // Reads a fixed-size tensor into the caller's buffer, whose dtype and
  // shape must equal the stored ones (InvalidArgument naming both otherwise).
  // Partitioned tensors are assembled from their slices.
  Status ReadInto(std::string_view key, const MutableTensorView& dst) const;
  // Reads into a new Tensor (any storable dtype, strings included).
  Result<Tensor> Read(std::string_view key) const;
  // Reads the elements of a DT_STRING tensor.
  Result<std::vector<std::string>> ReadStrings(std::string_view key) const;

  // Reads the part `slice` of tensor `key` (TF's LookupSlice): assembled from
  // whichever stored slices intersect it, any dtype (ReadSlice also strings).
  // Only the overlapping byte ranges are read, straight into the destination
  // or through one bounded window (never a copy of a whole stored slice);
  // with verify_checksums every byte of each intersecting stored slice is
  // read, since its crc covers all of it. InvalidArgument with TF's text
  // "Does not have sufficient slices for partitioned tensor <key> to restore
  // in slice_spec: <slice>" when the stored slices don't cover it.
  Status ReadSliceInto(std::string_view key, const TensorSlice& slice, const MutableTensorView& dst) const;
  Result<Tensor> ReadSlice(std::string_view key, const TensorSlice& slice) const;

  // Zero-copy access: a read-only view of a fixed-size, unpartitioned tensor
  // straight out of the memory-mapped data file, valid while this reader
  // lives. FailedPrecondition when the tensor's offset is not aligned for
  // its element type (bundles written with data_alignment >= 8 always are),
  // Unimplemented when the file system cannot map files. With
  // verify_checksums on, the crc is checked first (touching every page once).
  Result<TensorView> MapTensor(std::string_view key) const;

  // MapTensor whose caller shares ownership of the mapping: `view.data`
  // stays valid while `mapping` (or a copy of it) lives, also after this
  // reader is destroyed; the data file may be deleted meanwhile (the
  // mapping keeps its bytes). Same errors as MapTensor; the crc is checked
  // once, here. Thread-safe like every other read; the bytes are read-only
  // (writing through them faults).
  struct MappedTensor {
    TensorView view;
    std::shared_ptr<const void> mapping;
  };
  Result<MappedTensor> MapTensorShared(std::string_view key) const;

  // Reads every tensor (every stored slice) and checks its checksum and
  // encoding. Returns the first problem, naming file, key and byte range.
  Status VerifyAll() const;

 private:
  class Impl;  // opaque: defined inside the library
  explicit BundleReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct MergeOptions {
  FileSystem* fs = nullptr;
  // After merging, remove the (now empty) directories of inputs that live
  // in a different directory than the output (TF's delete_old_dirs).
  bool delete_old_dirs = true;
  // Skip inputs whose .index is missing instead of failing.
  bool allow_missing_files = false;
  // fsync the new index and the directory.
  bool sync = true;
  // List the slices of each partitioned tensor by start offset (dimension by
  // dimension, then by length) instead of TF's input order, so that the
  // same blocks give the same index whichever input held which block (the
  // distributed save sets it). TF's order (false) is what MergeV2Checkpoints
  // writes; for TF's own one-axis partitions in ascending order both agree.
  bool canonical_slice_order = false;
};

// TensorFlow's MergeV2Checkpoints: merges the bundles `inputs` (each usually
// one shard of a sharded save) into one bundle at `output_prefix`. Data files
// are renamed, not copied; slice lists of partitioned tensors are unioned;
// a key present in two inputs (other than as slices) is InvalidArgument
// "duplicate tensor". Nothing changes on disk until every input has been read
// and checked; then the input indexes (and an existing `output_prefix`
// index) are removed durably before any data file moves, so no index ever
// names a data file that has been renamed away: after a failure or a power
// cut from then on, neither the inputs nor the output exist (their data
// files stay, unindexed).
CKPT_EXPORT Status MergeBundles(std::span<const std::string> inputs, const std::string& output_prefix,
                                const MergeOptions& options = {});

}  // namespace ckpt
