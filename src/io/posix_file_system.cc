// POSIX FileSystem. Writable files live in posix_writable_file.cc (O_DIRECT
// writes in large aligned chunks, straight from the caller's buffer when its
// address lines up, through reused bounce buffers when it does not).
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

#include "ckpt/status_macros.h"
#include "ckpt/file_system.h"
#include "ckpt/status_macros.h"
#include "io/posix_error.h"
#include "io/posix_writable_file.h"

namespace ckpt {
namespace {

// O_DIRECT requires file offset, length and memory address to be multiples of
// the device's logical block size; 4096 satisfies every device we meet.
constexpr size_t kDirectAlign = 4096;
// A single pread(2) moves at most this much (Linux caps I/O near 2 GiB).
constexpr size_t kMaxWrite = size_t{1} << 30;

// Reads of at least this many bytes bypass the page cache (O_DIRECT): a
// checkpoint restore reads each byte once, and filling fresh page-cache pages
// only to copy them out again costs more than the disk read itself.
constexpr size_t kDirectReadMin = size_t{4} << 20;
constexpr size_t kReadBounce = size_t{8} << 20;

Status PreadAll(int fd, char* p, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, std::min(n, kMaxWrite), static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoToStatus(errno, "read " + path);
    }
    if (r == 0) {
      return DataLossError(path + " shrank while being read (short read at offset " + std::to_string(offset) + ")");
    }
    p += r;
    offset += static_cast<uint64_t>(r);
    n -= static_cast<size_t>(r);
  }
  return OkStatus();
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override {
    ::close(fd_);
    if (direct_fd_ >= 0) ::close(direct_fd_);
  }

  Status Read(uint64_t offset, size_t n, void* dst) const override {
    if (offset > size_ || n > size_ - offset) {
      return OutOfRangeError("read of bytes [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                             ") is past the end of " + path_ + " (" + std::to_string(size_) + " bytes)");
    }
    char* p = static_cast<char*>(dst);
    if (n >= kDirectReadMin && DirectFd() >= 0) return ReadDirect(offset, n, p);
    return PreadAll(fd_, p, n, offset, path_);
  }

  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  // A second descriptor opened with O_DIRECT on first use; -1 where the
  // filesystem refuses it (then every read is buffered).
  int DirectFd() const {
    std::call_once(direct_once_, [this] { direct_fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC); });
    return direct_fd_;
  }

  // Unaligned head and tail go through the page cache; the block-aligned
  // middle is read with O_DIRECT, straight into dst when dst lines up with
  // the file offset, else through a per-thread aligned bounce buffer.
  Status ReadDirect(uint64_t offset, size_t n, char* dst) const {
    const size_t head = std::min<size_t>(n, (kDirectAlign - offset % kDirectAlign) % kDirectAlign);
    CKPT_RETURN_IF_ERROR(PreadAll(fd_, dst, head, offset, path_));
    offset += head;
    dst += head;
    n -= head;
    const size_t middle = n - n % kDirectAlign;
    if (reinterpret_cast<uintptr_t>(dst) % kDirectAlign == 0) {
      if (Status s = PreadAll(direct_fd_, dst, middle, offset, path_); !s.ok()) return s;
    } else {
      thread_local std::unique_ptr<char, decltype(&std::free)> bounce(nullptr, &std::free);
      if (bounce == nullptr) {
        bounce.reset(static_cast<char*>(std::aligned_alloc(kDirectAlign, kReadBounce)));
        if (bounce == nullptr) return ResourceExhaustedError("allocating read buffer for " + path_);
      }
      for (size_t done = 0; done < middle;) {
        const size_t k = std::min(kReadBounce, middle - done);
        CKPT_RETURN_IF_ERROR(PreadAll(direct_fd_, bounce.get(), k, offset + done, path_));
        std::memcpy(dst + done, bounce.get(), k);
        done += k;
      }
    }
    return PreadAll(fd_, dst + middle, n - middle, offset + middle, path_);
  }

  std::string path_;
  int fd_;
  uint64_t size_;
  mutable std::once_flag direct_once_;
  mutable int direct_fd_ = -1;
};

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
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, f.fd, f.size));
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
