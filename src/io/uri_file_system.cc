#include "io/uri_file_system.h"

namespace ckpt::io {

std::string StripFileScheme(std::string_view path) {
  constexpr std::string_view kScheme = "file://";
  if (path.substr(0, kScheme.size()) == kScheme) path.remove_prefix(kScheme.size());
  return std::string(path);
}

Result<std::unique_ptr<WritableFile>> FileUriFileSystem::NewWritableFile(const std::string& path,
                                                                         const WritableFileOptions& options) {
  return target()->NewWritableFile(StripFileScheme(path), options);
}
Result<std::unique_ptr<RandomAccessFile>> FileUriFileSystem::NewRandomAccessFile(const std::string& path) {
  return target()->NewRandomAccessFile(StripFileScheme(path));
}
Result<std::unique_ptr<ReadOnlyMemoryRegion>> FileUriFileSystem::NewReadOnlyMemoryRegion(const std::string& path) {
  return target()->NewReadOnlyMemoryRegion(StripFileScheme(path));
}
Result<std::unique_ptr<FileLock>> FileUriFileSystem::LockFile(const std::string& path) {
  return target()->LockFile(StripFileScheme(path));
}
Status FileUriFileSystem::FileExists(const std::string& path) { return target()->FileExists(StripFileScheme(path)); }
Result<uint64_t> FileUriFileSystem::GetFileSize(const std::string& path) {
  return target()->GetFileSize(StripFileScheme(path));
}
Result<double> FileUriFileSystem::GetModificationTime(const std::string& path) {
  return target()->GetModificationTime(StripFileScheme(path));
}
bool FileUriFileSystem::IsDirectory(const std::string& path) { return target()->IsDirectory(StripFileScheme(path)); }
Result<std::vector<std::string>> FileUriFileSystem::GetChildren(const std::string& dir) {
  return target()->GetChildren(StripFileScheme(dir));
}
Status FileUriFileSystem::RenameFile(const std::string& from, const std::string& to) {
  return target()->RenameFile(StripFileScheme(from), StripFileScheme(to));
}
Status FileUriFileSystem::DeleteFile(const std::string& path) { return target()->DeleteFile(StripFileScheme(path)); }
Status FileUriFileSystem::CreateDir(const std::string& path) { return target()->CreateDir(StripFileScheme(path)); }
Status FileUriFileSystem::DeleteDir(const std::string& path) { return target()->DeleteDir(StripFileScheme(path)); }
Status FileUriFileSystem::SyncDir(const std::string& dir) { return target()->SyncDir(StripFileScheme(dir)); }

}  // namespace ckpt::io
