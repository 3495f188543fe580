#include "graph/graph_log.h"

#include <cstdio>
#include <string>

namespace ckpt::graph {

void LogWarning(std::string_view message) {
  // One fwrite per line so concurrent writers do not interleave mid-line.
  std::string line = "WARNING:ckpt:";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ckpt::graph
