// DT_STRING tensors in a bundle data file:
//   varint64 len[0..n)  uint32 masked_crc(lengths)  bytes str[0] ... str[n-1]
// The lengths checksum hashes each length as a little-endian uint32 (uint64
// when it does not fit). The entry's crc32c covers lengths-as-hashed, the
// stored 4 checksum bytes, then the string bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::format {

// Appends the encoding of `strings` to `file`; returns bytes written and the
// entry's crc (unmasked) via out-params.
Status WriteStringTensor(WritableFile* file, std::span<const std::string_view> strings, uint64_t* bytes_written,
                         crc32c::Crc* crc);

// The front of that encoding (the varint lengths and the masked lengths
// checksum) and, via `crc`, the entry crc over it; the string bytes follow
// (crc32c::Extend the crc over them). WriteStringTensor writes exactly this.
std::string EncodeStringTensorHeader(std::span<const std::string_view> strings, crc32c::Crc* crc);

// Decodes n strings from `data` (the entry's bytes). DataLoss with a
// description of the problem when the encoding is inconsistent; the
// caller adds file/key context. The entry crc is checked when
// `expected_crc` is set.
Result<std::vector<std::string>> DecodeStringTensor(std::string_view data, int64_t n,
                                                    const crc32c::Crc* expected_crc);

// The front of a DT_STRING entry: every element's length and where the
// string bytes start, for readers that fetch only some elements.
struct StringTensorHeader {
  std::vector<uint64_t> lengths;
  uint64_t data_offset = 0;  // bytes before the first string
  crc32c::Crc crc;           // the entry crc over the lengths and the 4 checksum bytes
};

// Upper bound of the header size of an n-element entry (10-byte varints).
inline uint64_t MaxStringHeaderBytes(int64_t n) { return static_cast<uint64_t>(n) * 10 + 4; }

// Decodes the header from `prefix` (the entry's first bytes, at least the
// whole header; pass min(entry_size, MaxStringHeaderBytes(n))). DataLoss as
// DecodeStringTensor, also when the lengths do not add up to entry_size.
// The length checksum is always checked (it is in the bytes read anyway).
Result<StringTensorHeader> DecodeStringTensorHeader(std::string_view prefix, int64_t n, uint64_t entry_size);

}  // namespace ckpt::format
