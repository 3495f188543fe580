// The POSIX WritableFile (O_DIRECT where the filesystem allows it).
#pragma once

#include <memory>
#include <string>

#include "ckpt/file_system.h"

namespace ckpt::io {

// Takes ownership of `fd` (open for writing at offset 0). `direct` says the
// descriptor was opened with O_DIRECT.
std::unique_ptr<WritableFile> NewPosixWritableFile(std::string path, int fd, bool direct);

}  // namespace ckpt::io
