// LoggingFileSystem: forwards to a base file system and logs every call a
// publishing protocol makes, so a test can check the order of its steps and
// fail any one of them.
//
// The log holds "create <path>", "append", "sync", "close",
// "rename <from> -> <to>", "delete <path>" and "syncdir <dir>". Setting
// `fail` to one of "create", "append", "sync", "close", "rename" or
// "syncdir" makes the first call of that kind return Unavailable
// ("injected <kind> failure") without reaching the base.
//
// Thread-safety: none (one test thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/forwarding_file_system.h"

namespace ckpt::test {

class LoggingFileSystem final : public io::ForwardingFileSystem {
 public:
  explicit LoggingFileSystem(FileSystem* base) : ForwardingFileSystem(base), base_(base) {}

  std::vector<std::string> log;
  std::string fail;
  std::vector<bool> direct_io;  // one per NewWritableFile, as asked for

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options = {}) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  // Unavailable when `kind` is the one to fail and has not failed yet.
  Status Maybe(const std::string& kind);

  // The log with each temporary name of `path` (io::TempFileName's
  // "<path>.tmp" + 32 hex digits) written as "T", so a test compares the
  // protocol's steps with a literal list; a differently spelled temp name
  // stays as it is and fails that comparison.
  std::vector<std::string> LogWithTempOf(const std::string& path) const;

 private:
  FileSystem* base_;
  bool failed_ = false;
};

// An in-memory file system holding the directory `dir` (and its parents):
// where the publishing-protocol tests start.
std::unique_ptr<FileSystem> MemoryFileSystemWithDir(const std::string& dir);

}  // namespace ckpt::test
