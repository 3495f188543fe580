// DT_VARIANT tensors in a bundle data file. Each element is
//   varint64 len, len bytes (a serialized VariantTensorDataProto), uint32 checksum
// where a running crc R (from 0) is extended by len as a little-endian uint64
// and by the proto bytes, the element's checksum is mask(R), and R is then
// extended by those 4 stored bytes. The entry's crc32c is mask(R) at the end.
// Decoding the protos needs the writing program's type registry, so ckpt only
// checks the framing and checksums.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/crc32c.h"
#include "ckpt/status.h"

namespace ckpt::format {

// DataLoss describing the problem (the caller adds file/key context).
Status VerifyVariantTensor(std::string_view data, int64_t n, const crc32c::Crc* expected_crc);

}  // namespace ckpt::format
