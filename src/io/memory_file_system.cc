// In-memory FileSystem: a map from path to bytes, plus a set of directories.
// Directory semantics are checked (a file's parent must exist) so that code
// tested here behaves the same on disk.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "ckpt/file_system.h"

namespace ckpt {
namespace {

// Bytes and modification time, shared between the file system and the
// writers appending to the file.
struct MemData {
  std::string bytes;
  double mtime = 0;
};

struct MemFile {
  std::shared_ptr<MemData> data = std::make_shared<MemData>();
};

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Parent(const std::string& path) {
  std::string p(Dirname(path));
  return p.empty() ? "." : p;
}

class MemoryFileSystem;

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<MemData> data, std::mutex* mu) : data_(std::move(data)), mu_(mu) {}
  Status Append(const void* p, size_t n) override {
    if (closed_) return FailedPreconditionError("append to closed in-memory file");
    std::lock_guard<std::mutex> l(*mu_);
    data_->bytes.append(static_cast<const char*>(p), n);
    data_->mtime = Now();
    return OkStatus();
  }
  Status Sync() override { return closed_ ? FailedPreconditionError("sync of closed file") : OkStatus(); }
  Status Close() override {
    closed_ = true;
    return OkStatus();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> l(*mu_);
    return data_->bytes.size();
  }

 private:
  std::shared_ptr<MemData> data_;
  std::mutex* mu_;
  bool closed_ = false;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, std::string snapshot) : path_(std::move(path)), data_(std::move(snapshot)) {}
  Status Read(uint64_t offset, size_t n, void* dst) const override {
    if (offset > data_.size() || n > data_.size() - offset) {
      return OutOfRangeError("read of bytes [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                             ") is past the end of " + path_ + " (" + std::to_string(data_.size()) + " bytes)");
    }
    if (n) std::memcpy(dst, data_.data() + offset, n);
    return OkStatus();
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string data_;
};

class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem() { dirs_.insert("."); dirs_.insert("/"); }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions&) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!dirs_.count(Parent(path))) return NotFoundError("open " + path + " for writing: no such directory");
    if (dirs_.count(path)) return FailedPreconditionError(path + " is a directory");
    MemFile f;
    f.data->mtime = Now();
    files_[path] = f;
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(f.data, &mu_));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) {
      if (dirs_.count(path)) return FailedPreconditionError(path + " is a directory, not a file");
      return NotFoundError("open " + path + ": No such file or directory");
    }
    return std::unique_ptr<RandomAccessFile>(std::make_unique<MemRandomAccessFile>(path, it->second.data->bytes));
  }

  Status FileExists(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (files_.count(path) || dirs_.count(path)) return OkStatus();
    return NotFoundError(path + ": No such file or directory");
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFoundError("stat " + path + ": No such file or directory");
    return static_cast<uint64_t>(it->second.data->bytes.size());
  }

  Result<double> GetModificationTime(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFoundError("stat " + path + ": No such file or directory");
    return it->second.data->mtime;
  }

  bool IsDirectory(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    return dirs_.count(path) > 0;
  }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!dirs_.count(dir)) return NotFoundError("list directory " + dir + ": No such file or directory");
    std::set<std::string> names;
    auto add = [&](const std::string& p) {
      if (Parent(p) == dir && p != dir) names.insert(std::string(Basename(p)));
    };
    for (const auto& [p, f] : files_) add(p);
    for (const auto& p : dirs_) add(p);
    return std::vector<std::string>(names.begin(), names.end());
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return NotFoundError("rename " + from + ": No such file or directory");
    if (!dirs_.count(Parent(to))) return NotFoundError("rename to " + to + ": no such directory");
    if (dirs_.count(to)) return FailedPreconditionError("rename " + from + " to " + to + ": Is a directory");
    MemFile f = it->second;
    files_.erase(it);
    files_[to] = f;
    return OkStatus();
  }

  Status DeleteFile(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (dirs_.count(path)) return FailedPreconditionError("delete " + path + ": Is a directory");
    if (files_.erase(path) == 0) return NotFoundError("delete " + path + ": No such file or directory");
    return OkStatus();
  }

  Status CreateDir(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (dirs_.count(path) || files_.count(path)) return AlreadyExistsError("create directory " + path + ": File exists");
    if (!dirs_.count(Parent(path))) return NotFoundError("create directory " + path + ": no parent directory");
    dirs_.insert(path);
    return OkStatus();
  }

  Status DeleteDir(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (files_.count(path)) return FailedPreconditionError("delete directory " + path + ": Not a directory");
    if (!dirs_.count(path)) return NotFoundError("delete directory " + path + ": No such file or directory");
    for (const auto& [p, f] : files_) {
      if (Parent(p) == path) return FailedPreconditionError("delete directory " + path + ": Directory not empty");
    }
    for (const auto& d : dirs_) {
      if (d != path && Parent(d) == path) return FailedPreconditionError("delete directory " + path + ": Directory not empty");
    }
    dirs_.erase(path);
    return OkStatus();
  }

  Status SyncDir(const std::string& dir) override {
    std::lock_guard<std::mutex> l(mu_);
    const std::string d = dir.empty() ? "." : dir;
    if (dirs_.count(d)) return OkStatus();
    if (files_.count(d)) return FailedPreconditionError("fsync directory " + d + ": Not a directory");
    return NotFoundError("fsync directory " + d + ": No such file or directory");
  }

 private:
  std::mutex mu_;
  std::map<std::string, MemFile> files_;
  std::set<std::string> dirs_;
};

}  // namespace

std::unique_ptr<FileSystem> NewMemoryFileSystem() { return std::make_unique<MemoryFileSystem>(); }

}  // namespace ckpt
