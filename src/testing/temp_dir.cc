#include "testing/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "ckpt/file_system.h"
#include "io/posix_error.h"

namespace ckpt::test {

Result<TempDir> TempDir::Create(std::string_view prefix) {
  const char* env = std::getenv("TMPDIR");
  std::string root = (env != nullptr && *env != '\0') ? env : "/tmp";
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string pattern = JoinPath(root, std::string(prefix) + "XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return io::ErrnoToStatus(errno, "mkdtemp " + pattern);
  return TempDir(std::string(buf.data()));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, std::string())) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, std::string());
  }
  return *this;
}

TempDir::~TempDir() { Remove(); }

std::string TempDir::Join(std::string_view name) const { return JoinPath(path_, name); }

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ec;  // best effort: never throw from a destructor
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

}  // namespace ckpt::test
