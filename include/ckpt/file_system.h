// FileSystem: the only way ckpt touches storage.
//
// Three implementations exist: POSIX (the default, with O_DIRECT writes where
// the filesystem allows them), in-memory (NewMemoryFileSystem, for tests and
// for users who want bundles in RAM), and a fault-injecting wrapper used by
// the crash tests. All pass one conformance test.
//
// Paths are plain strings with '/' separators. Errors carry the path and
// TensorFlow's error codes: NotFound for a missing file, PermissionDenied,
// ResourceExhausted for a full disk, DataLoss for a short read, ...
//
// Thread-safety: a FileSystem may be used from several threads at once.
// A WritableFile is used by one thread at a time; a RandomAccessFile may be
// read concurrently from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/status.h"

namespace ckpt {

class CKPT_EXPORT WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends n bytes. Large appends may be written straight from `data`
  // without an intermediate copy.
  virtual Status Append(const void* data, size_t n) = 0;
  // Makes appended bytes durable (fsync / fdatasync).
  virtual Status Sync() = 0;
  // Writes what is buffered and closes. Called implicitly (errors ignored)
  // by the destructor when the caller did not.
  virtual Status Close() = 0;
  // Bytes appended so far.
  virtual uint64_t Size() const = 0;
  Status Append(std::string_view s) { return Append(s.data(), s.size()); }
};

class CKPT_EXPORT RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly n bytes at offset into dst. A read past the end of the
  // file is OutOfRange naming the path and the range.
  virtual Status Read(uint64_t offset, size_t n, void* dst) const = 0;
  // Read, and sets *crc32c to the CRC-32C (Castagnoli, unmasked; 0 for no
  // bytes) of the bytes read. Same errors as Read; *crc32c is unspecified
  // on error. The POSIX file hashes while the bytes are still in cache; the
  // default reads, then hashes dst in one more pass.
  virtual Status ReadWithCrc32c(uint64_t offset, size_t n, void* dst, uint32_t* crc32c) const;
  // Size of the file when it was opened.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A read-only mapping of a whole file (mmap on POSIX). The bytes stay valid
// for the lifetime of the region, even if the file is later renamed or
// deleted.
class CKPT_EXPORT ReadOnlyMemoryRegion {
 public:
  virtual ~ReadOnlyMemoryRegion() = default;
  virtual const void* data() const = 0;
  virtual uint64_t size() const = 0;
};

// An exclusive advisory lock on a file, held until destroyed. See
// FileSystem::LockFile.
class CKPT_EXPORT FileLock {
 public:
  virtual ~FileLock() = default;
};

struct WritableFileOptions {
  // Bypass the page cache (O_DIRECT) where the filesystem supports it; falls
  // back to buffered writes silently where it does not.
  bool direct_io = false;
};

class CKPT_EXPORT FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The process-wide POSIX file system. Never null; never deleted.
  static FileSystem* Default();

  // Creates or truncates `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, const WritableFileOptions& options = {}) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;
  // Maps `path` read-only. The default is Unimplemented (file systems that
  // cannot map); callers fall back to RandomAccessFile::Read.
  virtual Result<std::unique_ptr<ReadOnlyMemoryRegion>> NewReadOnlyMemoryRegion(const std::string& path);

  // Takes an exclusive lock named by `path`, creating the file if needed (it
  // is left on disk afterwards; only the lock goes away). Fails at once with
  // FailedPrecondition when someone else holds it: on POSIX another process
  // or another LockFile call in this process (flock on a fresh descriptor).
  // The default implementation (in-memory and wrapping file systems) locks
  // within this process only, per (file system, path), and creates no file.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path);

  // OK if `path` exists (file or directory), NotFound otherwise.
  virtual Status FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Modification time in seconds since the epoch (sub-second precision).
  virtual Result<double> GetModificationTime(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, excluding "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;

  // Atomically replaces `to` with `from` (POSIX rename semantics).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  // Creates one directory level. AlreadyExists if it is there.
  virtual Status CreateDir(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status DeleteDir(const std::string& path) = 0;
  // Makes the directory's entries (creations, renames, deletions) durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Helpers built on the calls above.
  Status RecursivelyCreateDir(const std::string& path);
  Result<std::string> ReadFileToString(const std::string& path);
  // Paths matching a glob pattern. Wildcards (* ? [...]) are honoured in the
  // last path component only; the directory part is taken literally.
  Result<std::vector<std::string>> GetMatchingPaths(const std::string& pattern);
};

// A fresh, empty in-memory file system. Durability calls are no-ops.
CKPT_EXPORT std::unique_ptr<FileSystem> NewMemoryFileSystem();

// Path helpers ('/' separated, no normalisation, like Python's os.path).
CKPT_EXPORT std::string JoinPath(std::string_view a, std::string_view b);
CKPT_EXPORT std::string_view Dirname(std::string_view path);   // "a/b" -> "a", "b" -> ""
CKPT_EXPORT std::string_view Basename(std::string_view path);  // "a/b" -> "b"
CKPT_EXPORT bool IsAbsolutePath(std::string_view path);

}  // namespace ckpt
