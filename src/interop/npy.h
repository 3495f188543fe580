// The .npy array format (NumPy's NEP 1): header parsing and writing, and the
// mapping between numpy dtype descriptors and TensorFlow dtypes.
//
// Layout: "\x93NUMPY", major, minor, header length (u16 LE for 1.x, u32 LE
// for 2.x/3.x), then a Python dict literal {'descr', 'fortran_order',
// 'shape'} padded with spaces and '\n' to a multiple of 64 bytes, then the
// raw elements.
//
// Dtypes numpy lacks are stored as raw bits in a one-field structured dtype
// named after the TensorFlow dtype (see ckpt/convert.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/dtype.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt::interop {

// What the bytes after the header hold.
struct NpyHeader {
  enum class Kind { kFixed, kBytes, kUnicode };
  Kind kind = Kind::kFixed;
  DType dtype = DType::kInvalid;  // kString for kBytes / kUnicode
  bool big_endian = false;        // elements (or UCS-4 code units) stored big-endian
  bool fortran_order = false;
  bool raw_bits = false;          // a TF dtype numpy lacks, stored as a structured bits field
  int64_t itemsize = 0;           // bytes per element ('S7': 7, 'U7': 28)
  TensorShape shape;
  uint64_t header_size = 0;       // bytes before the data
  uint64_t data_size = 0;         // itemsize * elements
  // Set (and dtype kInvalid) when the header is well-formed but its dtype has
  // no TensorFlow equivalent: says which.
  std::string unsupported;
};

// Bytes the magic + version + length prefix occupies (enough to call NpyHeaderSize).
inline constexpr size_t kNpyPrefixSize = 12;
// Upper bound on the header we accept (numpy's own limit is 10000 bytes by
// default; ours is generous but stops absurd allocations).
inline constexpr uint64_t kMaxNpyHeaderSize = uint64_t{1} << 20;

// From the first min(kNpyPrefixSize, file size) bytes: the total header size
// (prefix + dict). DataLoss for a file that is not .npy.
Result<uint64_t> NpyHeaderSize(std::string_view prefix);
// Parses the whole header (NpyHeaderSize bytes).
Result<NpyHeader> ParseNpyHeader(std::string_view header);

// `t` holds the raw elements as stored (dtype h.dtype, shape h.shape, read
// straight from the file): fixes the byte order in place and, for Fortran
// order, replaces it with the C-order transpose.
Status FinishNpyFixed(const NpyHeader& h, Tensor* t);
// Decodes a bytes ('S') or unicode ('U', to UTF-8) array; trailing NULs of
// each element are dropped, as numpy does.
Result<Tensor> DecodeNpyStrings(const NpyHeader& h, std::string_view raw);

// The numpy descr for a fixed-size TF dtype ("<f4", "[('bfloat16', '<u2')]"),
// and whether it is a raw-bits encoding. Empty for dtypes with no encoding.
std::string NpyDescr(DType dtype, bool* raw_bits);

// The complete header for a fixed-size tensor (`descr` from NpyDescr) or a
// bytes tensor ("|S<width>").
std::string MakeNpyHeader(std::string_view descr, const TensorShape& shape);

}  // namespace ckpt::interop
