// Checksum fix-ups after mutations of bundle bytes, so that data edits are
// not all stopped by the crc checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "support/index_tables.h"

namespace ckpt::fuzz {

// Recomputes the length checksum of a string tensor's encoding of `n`
// elements in *bytes, and *entry_crc, the crc of the whole entry.
void FixStringEncoding(std::string* bytes, int64_t n, crc32c::Crc* entry_crc);

// Recomputes the crc32c of every unpartitioned entry of the index `kvs`
// over its bytes in the data shards `data` (and string length checksums).
void FixEntryCrcs(KeyValues* kvs, std::vector<std::string>* data);

}  // namespace ckpt::fuzz
