// A FileSystem view that accepts `file://` URIs (SV-21): TensorFlow's Saver
// takes "file:///tmp/x/model" as a save path and keeps that spelling in the
// paths it returns and records. The Saver keeps the caller's strings too and
// routes every file operation through this view, which drops the scheme
// before calling the wrapped file system. Other paths pass through unchanged.
#pragma once

#include <string>
#include <string_view>

#include "ckpt/file_system.h"
#include "io/forwarding_file_system.h"

namespace ckpt::io {

// "file:///a/b" -> "/a/b", "file://rel" -> "rel"; anything else unchanged.
std::string StripFileScheme(std::string_view path);

// Every call that takes a path is overridden to strip the scheme; the
// forwarding base passes anything else (a future FileSystem virtual) through.
class FileUriFileSystem : public io::ForwardingFileSystem {
 public:
  explicit FileUriFileSystem(FileSystem* base) : ForwardingFileSystem(base) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::unique_ptr<ReadOnlyMemoryRegion>> NewReadOnlyMemoryRegion(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Status FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<double> GetModificationTime(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
};

}  // namespace ckpt::io
