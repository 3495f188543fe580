// Minimal zip archives for .npz files: a reader for stored and deflated
// members (ZIP64 aware) and a streaming writer of stored members that
// switches to ZIP64 records only where a size or offset needs them.
//
// The reader distrusts its input: every count, size and offset in the
// end-of-central-directory records and the central directory is checked
// against the file size before anything is allocated, and members are
// checked against their CRC-32 when read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::interop {

// The zip/gzip CRC-32 (IEEE, reflected); `crc` is the value so far (0 to start).
uint32_t ZipCrc32(uint32_t crc, const void* data, size_t n);

struct ZipMember {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t data_offset = 0;  // of the member's (compressed) bytes in the file
};

class ZipReader {
 public:
  static Result<std::unique_ptr<ZipReader>> Open(std::unique_ptr<RandomAccessFile> file);
  const std::vector<ZipMember>& members() const { return members_; }
  const RandomAccessFile& file() const { return *file_; }

  // Reads `n` bytes at `offset` of a *stored* member's contents.
  Status ReadStored(const ZipMember& m, uint64_t offset, size_t n, void* dst) const;
  // The whole uncompressed contents of a member (stored or deflated),
  // CRC-checked. Refuses members whose claimed size is implausible for
  // their compressed size (deflate expands at most ~1032x).
  Result<std::string> ReadAll(const ZipMember& m) const;
  // The first min(n, size) uncompressed bytes (not CRC-checked).
  Result<std::string> ReadPrefix(const ZipMember& m, uint64_t n) const;

 private:
  explicit ZipReader(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  Status ReadDirectory();
  Status ResolveLocalHeader(ZipMember* m, uint64_t limit);
  Result<std::string> Extract(const ZipMember& m, uint64_t want, bool whole) const;
  std::unique_ptr<RandomAccessFile> file_;
  std::vector<ZipMember> members_;
};

// Writes members one after the other. Each member's bytes are given whole
// (as pieces), so its CRC and size are known before the local header is
// written and no data descriptors are needed.
class ZipWriter {
 public:
  ZipWriter(WritableFile* file, bool force_zip64) : file_(file), force_zip64_(force_zip64) {}
  // Adds a stored member whose contents are the concatenation of `pieces`.
  Status AddStored(std::string_view name, const std::vector<std::string_view>& pieces);
  // Writes the central directory and the end records (does not close the file).
  Status Finish();

 private:
  struct Entry {
    std::string name;
    uint32_t crc = 0;
    uint64_t size = 0;
    uint64_t offset = 0;
  };
  Status Write(std::string_view s);
  WritableFile* file_;
  bool force_zip64_;
  uint64_t pos_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace ckpt::interop
