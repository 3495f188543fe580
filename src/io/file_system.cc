// The FileSystem helpers shared by every implementation.
#include <fnmatch.h>

#include <algorithm>

#include "base/crc32c.h"
#include "ckpt/status_macros.h"
#include "ckpt/file_system.h"
#include "ckpt/status_macros.h"

namespace ckpt {

Status RandomAccessFile::ReadWithCrc32c(uint64_t offset, size_t n, void* dst, uint32_t* crc32c) const {
  CKPT_RETURN_IF_ERROR(Read(offset, n, dst));
  *crc32c = crc32c::Value(dst, n).value;
  return OkStatus();
}

Result<std::unique_ptr<ReadOnlyMemoryRegion>> FileSystem::NewReadOnlyMemoryRegion(const std::string& path) {
  return UnimplementedError("this file system cannot map " + path + " into memory");
}

Status FileSystem::RecursivelyCreateDir(const std::string& path) {
  if (path.empty() || FileExists(path).ok()) {
    if (!path.empty() && !IsDirectory(path)) {
      return FailedPreconditionError(path + ": exists and is not a directory");
    }
    return OkStatus();
  }
  const std::string parent(Dirname(path));
  if (!parent.empty() && parent != path) CKPT_RETURN_IF_ERROR(RecursivelyCreateDir(parent));
  Status s = CreateDir(path);
  if (s.code() == StatusCode::kAlreadyExists && IsDirectory(path)) return OkStatus();
  return s;
}

Result<std::string> FileSystem::ReadFileToString(const std::string& path) {
  CKPT_ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
  std::string out;
  out.resize(file->Size());
  CKPT_RETURN_IF_ERROR(file->Read(0, out.size(), out.data()));
  return out;
}

Result<std::vector<std::string>> FileSystem::GetMatchingPaths(const std::string& pattern) {
  const std::string dir(Dirname(pattern));
  const std::string base(Basename(pattern));
  std::vector<std::string> out;
  const bool has_wildcard = base.find_first_of("*?[") != std::string::npos;
  if (!has_wildcard) {
    if (FileExists(pattern).ok()) out.push_back(pattern);
    return out;
  }
  auto children = GetChildren(dir.empty() ? "." : dir);
  if (!children.ok()) {
    if (children.status().code() == StatusCode::kNotFound) return out;
    return children.status();
  }
  for (const std::string& name : *children) {
    if (fnmatch(base.c_str(), name.c_str(), FNM_PERIOD) == 0) {
      out.push_back(dir.empty() ? name : JoinPath(dir, name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ckpt
