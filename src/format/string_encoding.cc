#include "format/string_encoding.h"

#include "base/coding.h"
#include "ckpt/status_macros.h"

namespace ckpt::format {
namespace {

// Extends `crc` by a string length the way TF hashes it.
crc32c::Crc ExtendLength(crc32c::Crc crc, uint64_t len) {
  char buf[8];
  if (len <= 0xffffffffu) {
    coding::EncodeFixed32(buf, static_cast<uint32_t>(len));
    return crc32c::Extend(crc, buf, 4);
  }
  coding::EncodeFixed64(buf, len);
  return crc32c::Extend(crc, buf, 8);
}

}  // namespace

std::string EncodeStringTensorHeader(std::span<const std::string_view> strings, crc32c::Crc* crc) {
  std::string header;
  crc32c::Crc lengths_crc;
  for (std::string_view s : strings) {
    coding::PutVarint64(&header, s.size());
    lengths_crc = ExtendLength(lengths_crc, s.size());
  }
  const crc32c::MaskedCrc masked = crc32c::Mask(lengths_crc);
  coding::PutFixed32(&header, masked.value);
  *crc = crc32c::Extend(lengths_crc, header.data() + header.size() - 4, 4);
  return header;
}

Status WriteStringTensor(WritableFile* file, std::span<const std::string_view> strings, uint64_t* bytes_written,
                         crc32c::Crc* crc_out) {
  crc32c::Crc crc;
  const std::string header = EncodeStringTensorHeader(strings, &crc);
  CKPT_RETURN_IF_ERROR(file->Append(header));
  uint64_t total = header.size();
  for (std::string_view s : strings) {
    crc = crc32c::Extend(crc, s.data(), s.size());
    CKPT_RETURN_IF_ERROR(file->Append(s.data(), s.size()));
    total += s.size();
  }
  *bytes_written = total;
  *crc_out = crc;
  return OkStatus();
}

Result<std::vector<std::string>> DecodeStringTensor(std::string_view data, int64_t n,
                                                    const crc32c::Crc* expected_crc) {
  // Every element needs at least one varint byte, plus 4 checksum bytes: this
  // bounds n by the entry size before anything is allocated.
  if (n < 0 || static_cast<uint64_t>(n) > data.size() || data.size() - static_cast<uint64_t>(n) < 4) {
    return DataLossError("string tensor of " + std::to_string(n) + " elements cannot fit in " +
                         std::to_string(data.size()) + " bytes");
  }
  const char* p = data.data();
  const char* limit = data.data() + data.size();
  std::vector<uint64_t> lengths(static_cast<size_t>(n));
  crc32c::Crc lengths_crc;
  uint64_t total = 0;
  for (auto& len : lengths) {
    if (!coding::GetVarint64(&p, limit, &len)) return DataLossError("truncated or malformed string length varint");
    lengths_crc = ExtendLength(lengths_crc, len);
    if (len > data.size() || total + len > data.size()) {
      return DataLossError("string lengths exceed the entry's " + std::to_string(data.size()) + " bytes");
    }
    total += len;
  }
  if (limit - p < 4) return DataLossError("string tensor is missing its length checksum");
  const crc32c::MaskedCrc stored{coding::DecodeFixed32(p)};
  if (!(crc32c::Unmask(stored) == lengths_crc)) {
    return DataLossError("string length checksum mismatch");
  }
  crc32c::Crc crc = crc32c::Extend(lengths_crc, p, 4);
  p += 4;
  if (static_cast<uint64_t>(limit - p) != total) {
    return DataLossError("string bytes (" + std::to_string(total) + ") do not match the entry size (" +
                         std::to_string(limit - p) + " bytes left)");
  }
  std::vector<std::string> out;
  out.reserve(lengths.size());
  for (uint64_t len : lengths) {
    out.emplace_back(p, static_cast<size_t>(len));
    p += len;
  }
  if (expected_crc != nullptr) {
    crc = crc32c::Extend(crc, limit - total, static_cast<size_t>(total));
    if (!(crc == *expected_crc)) {
      return DataLossError("checksum does not match: stored " + std::to_string(crc32c::Mask(*expected_crc).value) +
                           " vs. calculated on the restored bytes " + std::to_string(crc32c::Mask(crc).value));
    }
  }
  return out;
}

Result<StringTensorHeader> DecodeStringTensorHeader(std::string_view prefix, int64_t n, uint64_t entry_size) {
  if (n < 0 || static_cast<uint64_t>(n) > entry_size || entry_size - static_cast<uint64_t>(n) < 4) {
    return DataLossError("string tensor of " + std::to_string(n) + " elements cannot fit in " +
                         std::to_string(entry_size) + " bytes");
  }
  const char* p = prefix.data();
  const char* limit = prefix.data() + prefix.size();
  StringTensorHeader h;
  h.lengths.resize(static_cast<size_t>(n));
  uint64_t total = 0;
  for (auto& len : h.lengths) {
    if (!coding::GetVarint64(&p, limit, &len)) return DataLossError("truncated or malformed string length varint");
    h.crc = ExtendLength(h.crc, len);
    if (len > entry_size || total + len > entry_size) {
      return DataLossError("string lengths exceed the entry's " + std::to_string(entry_size) + " bytes");
    }
    total += len;
  }
  if (limit - p < 4) return DataLossError("string tensor is missing its length checksum");
  const crc32c::MaskedCrc stored{coding::DecodeFixed32(p)};
  if (!(crc32c::Unmask(stored) == h.crc)) return DataLossError("string length checksum mismatch");
  h.crc = crc32c::Extend(h.crc, p, 4);
  p += 4;
  h.data_offset = static_cast<uint64_t>(p - prefix.data());
  if (entry_size - h.data_offset != total) {
    return DataLossError("string bytes (" + std::to_string(total) + ") do not match the entry size (" +
                         std::to_string(entry_size - h.data_offset) + " bytes left)");
  }
  return h;
}

}  // namespace ckpt::format
