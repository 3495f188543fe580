#include "format/variant_encoding.h"

#include "base/coding.h"

namespace ckpt::format {

Status VerifyVariantTensor(std::string_view data, int64_t n, const crc32c::Crc* expected_crc) {
  // Each element takes at least 1 length byte + 4 checksum bytes.
  if (n < 0 || static_cast<uint64_t>(n) > data.size() / 5) {
    return DataLossError("variant tensor of " + std::to_string(n) + " elements cannot fit in " +
                         std::to_string(data.size()) + " bytes");
  }
  const char* p = data.data();
  const char* limit = p + data.size();
  crc32c::Crc crc;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t len;
    if (!coding::GetVarint64(&p, limit, &len)) return DataLossError("malformed variant element length");
    if (len > static_cast<uint64_t>(limit - p) || static_cast<uint64_t>(limit - p) - len < 4) {
      return DataLossError("variant element " + std::to_string(i) + " of " + std::to_string(len) +
                           " bytes runs past the end of the entry");
    }
    char len_bytes[8];
    coding::EncodeFixed64(len_bytes, len);
    crc = crc32c::Extend(crc, len_bytes, 8);
    crc = crc32c::Extend(crc, p, static_cast<size_t>(len));
    p += len;
    const crc32c::MaskedCrc stored{coding::DecodeFixed32(p)};
    if (!(crc32c::Unmask(stored) == crc)) {
      return DataLossError("checksum of variant element " + std::to_string(i) + " does not match");
    }
    crc = crc32c::Extend(crc, p, 4);
    p += 4;
  }
  if (p != limit) return DataLossError("variant tensor has " + std::to_string(limit - p) + " trailing bytes");
  if (expected_crc != nullptr && !(crc == *expected_crc)) {
    return DataLossError("checksum does not match: stored " + std::to_string(expected_crc->value) +
                         " vs. calculated on the restored bytes " + std::to_string(crc.value));
  }
  return OkStatus();
}

}  // namespace ckpt::format
