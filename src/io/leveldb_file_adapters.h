// Adapters from our FileSystem files to the file types LevelDB's table code
// takes, so the .index table is read and written through our FileSystem
// (and therefore through the in-memory and fault-injecting ones in tests).
#pragma once

#include <leveldb/env.h>

#include "ckpt/file_system.h"

namespace ckpt::io {

class LevelDbWritableFile final : public leveldb::WritableFile {
 public:
  explicit LevelDbWritableFile(ckpt::WritableFile* file) : file_(file) {}
  leveldb::Status Append(const leveldb::Slice& data) override;
  leveldb::Status Close() override { return leveldb::Status::OK(); }  // owner closes
  leveldb::Status Flush() override { return leveldb::Status::OK(); }
  leveldb::Status Sync() override { return leveldb::Status::OK(); }  // owner syncs
  // The first error our file reported, with its code (LevelDB's Status loses it).
  const Status& error() const { return error_; }

 private:
  ckpt::WritableFile* file_;
  Status error_;
};

class LevelDbRandomAccessFile final : public leveldb::RandomAccessFile {
 public:
  explicit LevelDbRandomAccessFile(const ckpt::RandomAccessFile* file) : file_(file) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override;

 private:
  const ckpt::RandomAccessFile* file_;
};

}  // namespace ckpt::io
