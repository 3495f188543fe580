// ResolveCheckpointPath: PREFIX, PREFIX.index or a directory -> what to open.
#include "format/checkpoint_path.h"

#include <string_view>

#include "ckpt/checkpoint_reader.h"

namespace ckpt {

Result<std::optional<std::string>> ResolveCheckpointPath(const std::string& path, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  constexpr std::string_view kIndexSuffix = ".index";
  if (path.size() > kIndexSuffix.size() && path.ends_with(kIndexSuffix) && fs->FileExists(path).ok() &&
      !fs->IsDirectory(path)) {
    return std::optional<std::string>(path.substr(0, path.size() - kIndexSuffix.size()));
  }
  if (fs->FileExists(MetaFilename(path)).ok()) return std::optional<std::string>(path);
  if (fs->IsDirectory(path)) return LatestCheckpoint(path, kDefaultStateFilename, fs);
  return std::optional<std::string>(path);
}

namespace format {

Status NoCheckpointInDirectoryError(const std::string& dir) {
  return InvalidArgumentError("Couldn't find 'checkpoint' file or checkpoints in given directory " + dir);
}

}  // namespace format
}  // namespace ckpt
