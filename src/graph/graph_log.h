// Warnings the graph layer logs where TF logs them (unused checkpoint values,
// inconsistent references, name-based restores). One line per message on
// stderr, prefixed like Python's logging: "WARNING:ckpt:<message>".
#pragma once

#include <string_view>

namespace ckpt::graph {

void LogWarning(std::string_view message);

}  // namespace ckpt::graph
