// LevelDB-format tables (a bundle's .index file) for the structure-aware
// mutators: writing tables with chosen block options, and recomputing block
// checksums after byte edits so that mutations reach block parsing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "format/index_table.h"

namespace ckpt::fuzz {

using KeyValues = std::vector<format::KeyValue>;

// Recomputes the trailer crc of the metaindex, index and every data block
// the (possibly mutated) footer and index block point at.
void FixTableCrcs(std::string* t);

// Writes a table with LevelDB's builder and the given options (keys sorted
// and deduplicated first).
std::string BuildTable(KeyValues kvs, size_t block_size, int restart_interval, bool snappy);

// Writes a table with our own writer (format::WriteIndexTable), as bundles do.
std::string WriteTfTable(KeyValues kvs);

}  // namespace ckpt::fuzz
