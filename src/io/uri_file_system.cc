#include "io/uri_file_system.h"

namespace ckpt::io {

std::string StripFileScheme(std::string_view path) {
  constexpr std::string_view kScheme = "file://";
  if (path.substr(0, kScheme.size()) == kScheme) path.remove_prefix(kScheme.size());
  return std::string(path);
}

Result<std::unique_ptr<WritableFile>> FileUriFileSystem::NewWritableFile(const std::string& path,
                                                                         const WritableFileOptions& options) {
  return base_->NewWritableFile(StripFileScheme(path), options);
}
Result<std::unique_ptr<RandomAccessFile>> FileUriFileSystem::NewRandomAccessFile(const std::string& path) {
  return base_->NewRandomAccessFile(StripFileScheme(path));
}
Result<std::unique_ptr<ReadOnlyMemoryRegion>> FileUriFileSystem::NewReadOnlyMemoryRegion(const std::string& path) {
  return base_->NewReadOnlyMemoryRegion(StripFileScheme(path));
}
Result<std::unique_ptr<FileLock>> FileUriFileSystem::LockFile(const std::string& path) {
  return base_->LockFile(StripFileScheme(path));
}
Status FileUriFileSystem::FileExists(const std::string& path) { return base_->FileExists(StripFileScheme(path)); }
Result<uint64_t> FileUriFileSystem::GetFileSize(const std::string& path) {
  return base_->GetFileSize(StripFileScheme(path));
}
Result<double> FileUriFileSystem::GetModificationTime(const std::string& path) {
  return base_->GetModificationTime(StripFileScheme(path));
}
bool FileUriFileSystem::IsDirectory(const std::string& path) { return base_->IsDirectory(StripFileScheme(path)); }
Result<std::vector<std::string>> FileUriFileSystem::GetChildren(const std::string& dir) {
  return base_->GetChildren(StripFileScheme(dir));
}
Status FileUriFileSystem::RenameFile(const std::string& from, const std::string& to) {
  return base_->RenameFile(StripFileScheme(from), StripFileScheme(to));
}
Status FileUriFileSystem::DeleteFile(const std::string& path) { return base_->DeleteFile(StripFileScheme(path)); }
Status FileUriFileSystem::CreateDir(const std::string& path) { return base_->CreateDir(StripFileScheme(path)); }
Status FileUriFileSystem::DeleteDir(const std::string& path) { return base_->DeleteDir(StripFileScheme(path)); }
Status FileUriFileSystem::SyncDir(const std::string& dir) { return base_->SyncDir(StripFileScheme(dir)); }

}  // namespace ckpt::io
