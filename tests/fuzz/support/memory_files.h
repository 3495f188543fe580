// In-memory files for fuzz targets: inputs handed to readers as
// RandomAccessFile / WritableFile, and files put into a memory file system.
#pragma once

#include <cstring>
#include <string>
#include <utility>

#include "ckpt/file_system.h"

namespace ckpt::fuzz {

// The bytes of `data`, named `path` (errors name it).
class StringFile final : public RandomAccessFile {
 public:
  StringFile(std::string data, std::string path) : data_(std::move(data)), path_(std::move(path)) {}
  Status Read(uint64_t offset, size_t n, void* dst) const override {
    if (offset > data_.size() || n > data_.size() - offset) {
      return OutOfRangeError("read of [" + std::to_string(offset) + ", +" + std::to_string(n) + ") past the end of " +
                             path_);
    }
    if (n) std::memcpy(dst, data_.data() + offset, n);
    return OkStatus();
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string data_;
  std::string path_;
};

// Collects what is written in `out`.
class StringWritable final : public WritableFile {
 public:
  Status Append(const void* p, size_t n) override {
    out.append(static_cast<const char*>(p), n);
    return OkStatus();
  }
  Status Sync() override { return OkStatus(); }
  Status Close() override { return OkStatus(); }
  uint64_t Size() const override { return out.size(); }
  std::string out;
};

// Writes / reads a whole file of `fs`; a failure is a violated property.
void PutFile(FileSystem* fs, const std::string& path, const std::string& bytes);
std::string GetFile(FileSystem* fs, const std::string& path);

}  // namespace ckpt::fuzz
