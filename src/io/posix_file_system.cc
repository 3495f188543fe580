// POSIX FileSystem. Writable files live in posix_writable_file.cc (O_DIRECT
// writes in large aligned chunks, straight from the caller's buffer when its
// address lines up, through reused bounce buffers when it does not); the
// reading side lives in posix_random_access_file.cc.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>

#include "ckpt/file_system.h"
#include "ckpt/status_macros.h"
#include "io/posix_error.h"
#include "io/posix_random_access_file.h"
#include "io/posix_writable_file.h"

namespace ckpt {
namespace {

class PosixMemoryRegion final : public ReadOnlyMemoryRegion {
 public:
  PosixMemoryRegion(void* p, uint64_t n) : p_(p), n_(n) {}
  ~PosixMemoryRegion() override {
    if (p_ != nullptr) ::munmap(p_, n_);
  }
  const void* data() const override { return p_; }
  uint64_t size() const override { return n_; }

 private:
  void* p_;
  uint64_t n_;
};

// A regular file opened read-only, with its size. Directories are refused
// (open() succeeds on them, reads would fail later with a less clear error).
struct OpenedFile {
  int fd;
  uint64_t size;
};

Result<OpenedFile> OpenForReading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io::ErrnoToStatus(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return io::ErrnoToStatus(err, "stat " + path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return FailedPreconditionError(path + " is a directory, not a file");
  }
  return OpenedFile{fd, static_cast<uint64_t>(st.st_size)};
}

// flock() on a descriptor of our own: conflicts with other processes and with
// other descriptors in this process; released when the descriptor closes
// (also when the process dies, so a crashed run never leaves a stale lock).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return io::ErrnoToStatus(errno, "open " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return FailedPreconditionError(path + ": lock is held by another process or another user in this process");
      }
      return io::ErrnoToStatus(err, "flock " + path);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
  }

  Result<std::unique_ptr<ReadOnlyMemoryRegion>> NewReadOnlyMemoryRegion(const std::string& path) override {
    CKPT_ASSIGN_OR_RETURN(OpenedFile f, OpenForReading(path));
    const int fd = f.fd;
    const uint64_t n = f.size;
    void* p = nullptr;
    if (n > 0) {
      p = ::mmap(nullptr, n, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return io::ErrnoToStatus(err, "mmap " + path);
      }
    }
    ::close(fd);  // the mapping keeps the file alive
    return std::unique_ptr<ReadOnlyMemoryRegion>(std::make_unique<PosixMemoryRegion>(p, n));
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options) override {
    const int base_flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    int fd = -1;
    bool direct = false;
    if (options.direct_io) {
      fd = ::open(path.c_str(), base_flags | O_DIRECT, 0644);
      direct = fd >= 0;
    }
    // Filesystems without O_DIRECT (tmpfs, some overlays) refuse with EINVAL.
    if (fd < 0) fd = ::open(path.c_str(), base_flags, 0644);
    if (fd < 0) return io::ErrnoToStatus(errno, "open " + path + " for writing");
    return io::NewPosixWritableFile(path, fd, direct);
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    CKPT_ASSIGN_OR_RETURN(OpenedFile f, OpenForReading(path));
    return io::NewPosixRandomAccessFile(path, f.fd, f.size);
  }

  Status FileExists(const std::string& path) override {
    if (::access(path.c_str(), F_OK) == 0) return OkStatus();
    return io::ErrnoToStatus(errno, path);
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return io::ErrnoToStatus(errno, "stat " + path);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<double> GetModificationTime(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return io::ErrnoToStatus(errno, "stat " + path);
    return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return io::ErrnoToStatus(errno, "list directory " + dir);
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
      const std::string_view name(e->d_name);
      if (name != "." && name != "..") out.emplace_back(name);
    }
    ::closedir(d);
    return out;
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return io::ErrnoToStatus(errno, "rename " + from + " to " + to);
    return OkStatus();
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return io::ErrnoToStatus(errno, "delete " + path);
    return OkStatus();
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0) return io::ErrnoToStatus(errno, "create directory " + path);
    return OkStatus();
  }

  Status DeleteDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return io::ErrnoToStatus(errno, "delete directory " + path);
    return OkStatus();
  }

  Status SyncDir(const std::string& dir) override {
    const std::string d = dir.empty() ? "." : dir;
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io::ErrnoToStatus(errno, "open directory " + d);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some filesystems cannot fsync a directory (EINVAL); there is nothing more to do.
    if (rc != 0 && err != EINVAL) return io::ErrnoToStatus(err, "fsync directory " + d);
    return OkStatus();
  }
};

}  // namespace

FileSystem* FileSystem::Default() {
  static PosixFileSystem* fs = new PosixFileSystem();
  return fs;
}

}  // namespace ckpt
