// CallRecordingFileSystem: a FileSystem that does nothing but note each
// virtual call it receives, for tests that check a wrapper passes every call
// through (and which paths it passes). Every method records
// "<Method> <path>" ("RenameFile <from> <to>", "NewWritableFile <path>
// direct_io=<0|1>") and fails with Unimplemented "<Method> reached the
// target"; IsDirectory records and returns false.
//
// CallEveryVirtual calls each virtual method of FileSystem once, so a test of
// a wrapper reads as: CallEveryVirtual(&wrapper, p), then look at calls().
// forwarding_file_system_test.cc checks that the two cover every virtual
// declared in include/ckpt/file_system.h.
//
// Thread-safety: calls may come from several threads.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "ckpt/file_system.h"

namespace ckpt::test {

class CallRecordingFileSystem final : public FileSystem {
 public:
  // The calls received so far, in order.
  std::vector<std::string> calls() const;
  // Method names (the first word of each call), in order.
  std::vector<std::string> methods() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options = {}) override;
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

 private:
  Status Record(const std::string& method, const std::string& args);

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

// Calls every virtual method of FileSystem once on `fs` (through the
// FileSystem interface), with `path` as each path argument; RenameFile goes
// from `path` to `path` + ".to", NewWritableFile asks for direct_io. Returns
// the names of the methods called, in declaration order.
std::vector<std::string> CallEveryVirtual(FileSystem* fs, const std::string& path);

}  // namespace ckpt::test
