// The library's side of resolving user-typed checkpoint paths
// (ResolveCheckpointPath in ckpt/checkpoint_reader.h).
#pragma once

#include <string>

#include "ckpt/status.h"

namespace ckpt::format {

// What a reader opened from a directory reports when the directory holds no
// checkpoint: TensorFlow's load_checkpoint wording (RD-01), InvalidArgument
// "Couldn't find 'checkpoint' file or checkpoints in given directory <dir>".
Status NoCheckpointInDirectoryError(const std::string& dir);

}  // namespace ckpt::format
