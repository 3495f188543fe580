// ForwardingFileSystem: the base of every FileSystem that wraps another one
// (the file:// view, the fault-injecting file system, test recorders).
//
// It overrides every virtual method of FileSystem by calling the same method
// of `target`, so a wrapper overrides only the calls it changes and all the
// others reach the wrapped file system -- including the virtuals that have a
// default in FileSystem (NewReadOnlyMemoryRegion, LockFile), which a wrapper
// deriving from FileSystem directly would silently replace with the default
// (no mmap, a lock private to the wrapper). forwarding_file_system_test.cc
// fails when FileSystem gains a virtual this class does not forward.
//
// Thread-safety: as thread-safe as `target`. The target must outlive the
// wrapper and every file, region and lock obtained through it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ckpt/file_system.h"

namespace ckpt::io {

class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(FileSystem* target) : target_(target) {}

  // The wrapped file system.
  FileSystem* target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options = {}) override {
    return target_->NewWritableFile(path, options);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<ReadOnlyMemoryRegion>> NewReadOnlyMemoryRegion(const std::string& path) override {
    return target_->NewReadOnlyMemoryRegion(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override { return target_->LockFile(path); }
  Status FileExists(const std::string& path) override { return target_->FileExists(path); }
  Result<uint64_t> GetFileSize(const std::string& path) override { return target_->GetFileSize(path); }
  Result<double> GetModificationTime(const std::string& path) override {
    return target_->GetModificationTime(path);
  }
  bool IsDirectory(const std::string& path) override { return target_->IsDirectory(path); }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return target_->GetChildren(dir);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status DeleteFile(const std::string& path) override { return target_->DeleteFile(path); }
  Status CreateDir(const std::string& path) override { return target_->CreateDir(path); }
  Status DeleteDir(const std::string& path) override { return target_->DeleteDir(path); }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }

 private:
  FileSystem* target_;
};

}  // namespace ckpt::io
