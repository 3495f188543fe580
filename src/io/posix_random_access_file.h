// The POSIX RandomAccessFile: reads what the page cache holds through it and
// the rest with O_DIRECT, optionally computing the crc32c on the way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ckpt/file_system.h"

namespace ckpt::io {

// Takes ownership of `fd` (opened O_RDONLY on `path`, `size` bytes long).
std::unique_ptr<RandomAccessFile> NewPosixRandomAccessFile(std::string path, int fd, uint64_t size);

}  // namespace ckpt::io
