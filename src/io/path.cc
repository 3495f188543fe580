#include <string>
#include <string_view>

#include "ckpt/file_system.h"

namespace ckpt {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty() || IsAbsolutePath(b)) return std::string(b);
  std::string r(a);
  if (r.back() != '/') r += '/';
  r += b;
  return r;
}

std::string_view Dirname(std::string_view path) {
  const size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return {};
  if (pos == 0) return path.substr(0, 1);
  // Strip repeated separators ("a//b" -> "a"), as Python's os.path.dirname does.
  size_t end = pos;
  while (end > 0 && path[end - 1] == '/') --end;
  return end == 0 ? path.substr(0, 1) : path.substr(0, end);
}

std::string_view Basename(std::string_view path) {
  const size_t pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path[0] == '/'; }

}  // namespace ckpt
