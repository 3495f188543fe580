// Reading the overlap of a stored slice and a wanted slice straight into the
// destination: the bytes of the stored part that the wanted block needs are
// read from the data file into their final place, through at most one
// bounded window buffer (never a copy of the whole stored part).
//
// Byte ranges: overlap runs of at least kDirectBytes are read directly into
// the destination; smaller runs are gathered through a window of at most
// kWindowBytes, which also reads gaps shorter than kSkipBytes (fewer, larger
// reads); longer gaps are skipped. With checksum verification on, every byte
// of the stored part is read (the crc covers all of it), still through the
// window or directly into the destination, never into a whole-part buffer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt::format {

inline constexpr uint64_t kDirectBytes = 64 << 10;
inline constexpr uint64_t kSkipBytes = 64 << 10;
inline constexpr uint64_t kWindowBytes = 1 << 20;

// One stored part: its data file range and its place in the full tensor.
struct StoredPart {
  const RandomAccessFile* file;
  uint64_t offset;  // of the entry's bytes in the file
  uint64_t size;    // entry size
  TensorSlice slice;
  // When `verify`, the crc of all the entry's bytes must equal expected_crc.
  bool verify = false;
  crc32c::Crc expected_crc;
  // Names the part in errors ("<file>: tensor \"<key>\" bytes [a, b)"); empty:
  // the file and the byte range.
  std::string description;
};

// Fixed-size dtypes: copies the overlap of part.slice and `want` (both slices
// of `full`) into `dst`, the row-major buffer of `want` (esize-byte elements).
// DataLoss on a checksum mismatch (the message names the file range).
Status ReadOverlap(const StoredPart& part, const TensorSlice& want, const TensorShape& full, size_t esize,
                   void* dst);

// DT_STRING: fills the elements of `dst` (the row-major elements of `want`)
// that the stored part covers. DataLoss for a malformed entry or checksum.
Status ReadStringOverlap(const StoredPart& part, const TensorSlice& want, const TensorShape& full,
                         std::vector<std::string>* dst);

}  // namespace ckpt::format
