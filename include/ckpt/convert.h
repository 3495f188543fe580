// Tensor files in other formats, and conversion between them and TensorFlow
// checkpoints.
//
// Formats:
//   * kCheckpoint: a TensorFlow checkpoint: a V2 bundle prefix (read and
//     written), or a V1 checkpoint (read only, through CheckpointReader).
//   * kSafetensors: one Hugging Face `.safetensors` file.
//   * kSafetensorsSharded: a `*.safetensors.index.json` (as Hugging Face
//     writes it: {"metadata": {"total_size": N}, "weight_map": {name: file}})
//     plus the shard files it names, in the same directory.
//   * kNpz: a NumPy `.npz` archive (a zip of one `.npy` file per tensor,
//     ZIP64 when large). Stored and deflate-compressed members are read;
//     members are written stored (uncompressed).
//
// What each format can hold (anything else is reported, never guessed):
//   safetensors: bool, int8..int64, uint8..uint64, float16 (F16), bfloat16
//     (BF16), float32, float64, complex64 (C64), float8_e5m2 (F8_E5M2),
//     float8_e4m3fn (F8_E4M3), float8_e4m3fnuz (F8_E4M3FNUZ), float8_e5m2fnuz
//     (F8_E5M2FNUZ). Not: strings, complex128, quantized types,
//     int4/uint4/int2/uint2, float4_e2m1fn (safetensors packs F4 two per
//     byte; TF stores one per byte), float8_e4m3b11fnuz, keys that are not
//     UTF-8, the key "__metadata__". Read-only gaps: F8_E8M0 and F4/F6
//     tensors in a safetensors file are listed but cannot be read.
//   npz: every fixed-size TensorFlow dtype, and strings. Dtypes numpy has
//     (bool, ints, float16/32/64, complex64/128) are stored as themselves.
//     Dtypes numpy lacks (bfloat16, float8_*, int4/uint4/int2/uint2,
//     float4_e2m1fn, qint8/quint8/qint16/quint16/qint32) are stored as their
//     raw bits in a one-field structured dtype named after the TensorFlow
//     dtype, e.g. bfloat16 -> dtype([('bfloat16', '<u2')]): np.load reads it
//     without pickle, `a.view(ml_dtypes.bfloat16)` gives the values, and ckpt
//     reads it back as the original dtype (bit-exact round trip). A plain
//     '<V2' array (what np.save writes for an ml_dtypes bfloat16 array) is
//     read as bfloat16. Strings are stored as numpy bytes ('|S<n>', padded
//     with NULs), so an element ending in a NUL byte cannot be represented.
//     Keys must be UTF-8.
//
// Conversion streams: one tensor is read, written and dropped before the
// next, so peak memory stays near the largest tensor (a deflated npz member
// needs its compressed bytes too). Outputs appear atomically: files are
// written under temporary names and renamed when complete.
#pragma once

#include <cstdint>
#include <functional>
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

// Read access to the tensors of a file in any supported format. Entries are
// sorted by key (byte order). Read() returns one whole tensor (a partitioned
// checkpoint tensor is assembled). Not required to be thread-safe.
class CKPT_EXPORT TensorSource {
 public:
  virtual ~TensorSource();
  virtual TensorFileFormat format() const = 0;
  // What was opened (the resolved checkpoint prefix, the index.json, ...).
  virtual const std::string& path() const = 0;
  virtual const std::vector<TensorEntry>& entries() const = 0;
  virtual Result<Tensor> Read(std::string_view key) const = 0;
  // The bundle behind a V2 checkpoint source, nullptr otherwise.
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

// ---- conversion ----

struct ConvertProgress {
  int64_t tensors_done = 0;
  int64_t tensors_total = 0;
  int64_t bytes_done = 0;  // tensor bytes written so far (strings: their lengths)
  int64_t bytes_total = 0;
  std::string_view key;  // the tensor just written
};

struct ConvertOptions {
  TensorFileFormat from = TensorFileFormat::kAuto;  // kAuto: DetectTensorFileFormat(src)
  TensorFileFormat to = TensorFileFormat::kAuto;    // kAuto: OutputTensorFileFormat(dst)
  FileSystem* fs = nullptr;                         // nullptr: FileSystem::Default()
  // Tensors the output format cannot hold: skipped and listed in the report
  // (true), or the conversion fails with InvalidArgument listing every one of
  // them before anything is written (false).
  bool skip_unrepresentable = true;
  // Replace existing output files (otherwise AlreadyExists).
  bool overwrite = false;
  // Plan only: report what would be written, write nothing.
  bool dry_run = false;
  // Sharded safetensors: the most tensor bytes per shard (a larger tensor
  // gets a shard of its own). 0 with kSafetensorsSharded: 5 GB (10^9 bytes
  // * 5, Hugging Face's default). With to == kAuto and dst "*.safetensors",
  // a value > 0 selects sharded output.
  int64_t max_shard_bytes = 0;
  // npz: write ZIP64 records for every member even when not needed (they are
  // written whenever a size or offset needs them).
  bool force_zip64 = false;
  // Bundle output: fsync before publishing (see BundleWriterOptions::sync).
  bool sync = true;
  // Called after each tensor is written (on the converting thread).
  std::function<void(const ConvertProgress&)> progress;
};

// A tensor of the source that the output does not contain.
struct ConvertSkip {
  std::string key;
  DType dtype = DType::kInvalid;
  std::string reason;
};

// A tensor that was written but in a form a reader of the output format may
// not expect (npz raw-bits dtypes).
struct ConvertNote {
  std::string key;
  DType dtype = DType::kInvalid;
  std::string note;
};

struct ConvertReport {
  TensorFileFormat from = TensorFileFormat::kAuto;
  TensorFileFormat to = TensorFileFormat::kAuto;
  std::string source;                // the path opened (resolved prefix, index.json, ...)
  std::vector<std::string> outputs;  // files written (or that would be, for dry_run)
  int64_t tensors_written = 0;
  int64_t bytes_written = 0;  // tensor bytes (not counting headers)
  std::vector<ConvertSkip> skipped;
  std::vector<ConvertNote> notes;
};

// Converts the tensors of `src` into a new file (set) `dst`. Every tensor is
// copied with its key, dtype and shape, bit for bit; see the format list at
// the top for what each format can hold.
CKPT_EXPORT Result<ConvertReport> ConvertTensorFile(const std::string& src, const std::string& dst,
                                                    const ConvertOptions& options = {});

// Why `entry` cannot be stored in `format` ("" when it can).
CKPT_EXPORT std::string UnrepresentableReason(const TensorEntry& entry, TensorFileFormat format);

}  // namespace ckpt
