#include "testing/call_recording_file_system.h"

namespace ckpt::test {

Status CallRecordingFileSystem::Record(const std::string& method, const std::string& args) {
  std::lock_guard<std::mutex> l(mu_);
  calls_.push_back(method + " " + args);
  return UnimplementedError(method + " reached the target");
}

std::vector<std::string> CallRecordingFileSystem::calls() const {
  std::lock_guard<std::mutex> l(mu_);
  return calls_;
}

std::vector<std::string> CallRecordingFileSystem::methods() const {
  std::vector<std::string> out;
  for (const std::string& c : calls()) out.push_back(c.substr(0, c.find(' ')));
  return out;
}

Result<std::unique_ptr<WritableFile>> CallRecordingFileSystem::NewWritableFile(const std::string& path,
                                                                               const WritableFileOptions& options) {
  return Record("NewWritableFile", path + " direct_io=" + (options.direct_io ? "1" : "0"));
}
Result<std::unique_ptr<RandomAccessFile>> CallRecordingFileSystem::NewRandomAccessFile(const std::string& path) {
  return Record("NewRandomAccessFile", path);
}
Result<std::unique_ptr<ReadOnlyMemoryRegion>> CallRecordingFileSystem::NewReadOnlyMemoryRegion(
    const std::string& path) {
  return Record("NewReadOnlyMemoryRegion", path);
}
Result<std::unique_ptr<FileLock>> CallRecordingFileSystem::LockFile(const std::string& path) {
  return Record("LockFile", path);
}
Status CallRecordingFileSystem::FileExists(const std::string& path) { return Record("FileExists", path); }
Result<uint64_t> CallRecordingFileSystem::GetFileSize(const std::string& path) { return Record("GetFileSize", path); }
Result<double> CallRecordingFileSystem::GetModificationTime(const std::string& path) {
  return Record("GetModificationTime", path);
}
bool CallRecordingFileSystem::IsDirectory(const std::string& path) {
  Record("IsDirectory", path).IgnoreError();
  return false;
}
Result<std::vector<std::string>> CallRecordingFileSystem::GetChildren(const std::string& dir) {
  return Record("GetChildren", dir);
}
Status CallRecordingFileSystem::RenameFile(const std::string& from, const std::string& to) {
  return Record("RenameFile", from + " " + to);
}
Status CallRecordingFileSystem::DeleteFile(const std::string& path) { return Record("DeleteFile", path); }
Status CallRecordingFileSystem::CreateDir(const std::string& path) { return Record("CreateDir", path); }
Status CallRecordingFileSystem::DeleteDir(const std::string& path) { return Record("DeleteDir", path); }
Status CallRecordingFileSystem::SyncDir(const std::string& dir) { return Record("SyncDir", dir); }

std::vector<std::string> CallEveryVirtual(FileSystem* fs, const std::string& path) {
  WritableFileOptions direct;
  direct.direct_io = true;
  fs->NewWritableFile(path, direct).status().IgnoreError();
  fs->NewRandomAccessFile(path).status().IgnoreError();
  fs->NewReadOnlyMemoryRegion(path).status().IgnoreError();
  fs->LockFile(path).status().IgnoreError();
  fs->FileExists(path).IgnoreError();
  fs->GetFileSize(path).status().IgnoreError();
  fs->GetModificationTime(path).status().IgnoreError();
  (void)fs->IsDirectory(path);
  fs->GetChildren(path).status().IgnoreError();
  fs->RenameFile(path, path + ".to").IgnoreError();
  fs->DeleteFile(path).IgnoreError();
  fs->CreateDir(path).IgnoreError();
  fs->DeleteDir(path).IgnoreError();
  fs->SyncDir(path).IgnoreError();
  return {"NewWritableFile", "NewRandomAccessFile", "NewReadOnlyMemoryRegion", "LockFile", "FileExists",
          "GetFileSize", "GetModificationTime", "IsDirectory", "GetChildren", "RenameFile",
          "DeleteFile", "CreateDir", "DeleteDir", "SyncDir"};
}

}  // namespace ckpt::test
