// Conversion between TensorFlow checkpoints and tensor files in other formats.
//
// The formats are those of ckpt/tensor_source.h (which also opens them);
// npz members are written stored (uncompressed).
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
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor_source.h"

namespace ckpt {

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
