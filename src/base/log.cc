#include "base/log.h"

#include <cstdio>
#include <string>

namespace ckpt {
namespace {
void Emit(std::string_view level, std::string_view message) {
  // One fwrite per line so concurrent writers do not interleave mid-line.
  std::string line(level);
  line += ":ckpt:";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

void LogInfo(std::string_view message) { Emit("INFO", message); }
void LogWarning(std::string_view message) { Emit("WARNING", message); }
void LogError(std::string_view message) { Emit("ERROR", message); }

}  // namespace ckpt
