// Maps errno to a Status with TensorFlow's error codes, naming the path.
#pragma once

#include <string>
#include <string_view>

#include "ckpt/status.h"

namespace ckpt::io {

Status ErrnoToStatus(int err, std::string_view context);

}  // namespace ckpt::io
