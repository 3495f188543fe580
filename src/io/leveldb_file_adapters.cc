#include "io/leveldb_file_adapters.h"

namespace ckpt::io {

leveldb::Status LevelDbWritableFile::Append(const leveldb::Slice& data) {
  Status s = file_->Append(data.data(), data.size());
  if (s.ok()) return leveldb::Status::OK();
  if (error_.ok()) error_ = s;
  return leveldb::Status::IOError(s.message());
}

leveldb::Status LevelDbRandomAccessFile::Read(uint64_t offset, size_t n, leveldb::Slice* result,
                                              char* scratch) const {
  // LevelDB asks only for ranges its footer/handles name; clamp to the file
  // so a corrupt handle reads short (LevelDB then reports "truncated block").
  const uint64_t size = file_->Size();
  if (offset > size) {
    *result = leveldb::Slice(scratch, 0);
    return leveldb::Status::Corruption("read offset past end of file", file_->path());
  }
  const size_t k = static_cast<size_t>(std::min<uint64_t>(n, size - offset));
  Status s = file_->Read(offset, k, scratch);
  if (!s.ok()) return leveldb::Status::IOError(s.message());
  *result = leveldb::Slice(scratch, k);
  return leveldb::Status::OK();
}

}  // namespace ckpt::io
