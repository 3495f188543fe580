// Log lines on stderr, prefixed like Python's logging ("WARNING:ckpt:...")
// because TF users grep for that shape. One write per line.
#pragma once

#include <string_view>

namespace ckpt {

void LogInfo(std::string_view message);
void LogWarning(std::string_view message);
void LogError(std::string_view message);

}  // namespace ckpt
