// The .index file: a LevelDB table of (key, serialized proto) pairs.
//
// Writing goes through leveldb::TableBuilder with TensorFlow's options
// (256 KiB blocks, restart interval 16, no compression). Reading goes through
// leveldb::Table after our own bounds check of the footer and of every block
// handle (LevelDB allocates a buffer of whatever size a handle claims, so a
// corrupt handle must never reach it), with checksum verification on.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::format {

using KeyValue = std::pair<std::string, std::string>;

// Writes `entries` (strictly increasing keys) as a table to `file`.
Status WriteIndexTable(WritableFile* file, const std::vector<KeyValue>& entries);

// Reads every (key, value) of the table in `file`, in key order. Corruption
// is DataLoss naming the file.
Result<std::vector<KeyValue>> ReadIndexTable(const RandomAccessFile& file);

}  // namespace ckpt::format
