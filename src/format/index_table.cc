#include "format/index_table.h"

#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <leveldb/table_builder.h>

#include <memory>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/macros.h"
#include "io/leveldb_file_adapters.h"

namespace ckpt::format {
namespace {

constexpr size_t kFooterSize = 48;
constexpr size_t kBlockTrailerSize = 5;
constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
constexpr size_t kTfBlockSize = 262144;

struct Handle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool DecodeHandle(const char** p, const char* limit, Handle* h) {
  return coding::GetVarint64(p, limit, &h->offset) && coding::GetVarint64(p, limit, &h->size);
}

Status Corrupt(const RandomAccessFile& file, const std::string& what) {
  return DataLossError("Unable to open table file " + file.path() + ": " + what);
}

// Checks that a block [offset, offset+size+trailer) lies inside `end`.
Status CheckHandle(const RandomAccessFile& file, const Handle& h, uint64_t end, const char* what) {
  if (h.offset > end || h.size > end - h.offset || kBlockTrailerSize > end - h.offset - h.size) {
    return Corrupt(file, std::string(what) + " block handle [" + std::to_string(h.offset) + ", +" +
                             std::to_string(h.size) + ") lies outside the file (" + std::to_string(end) + " bytes)");
  }
  return OkStatus();
}

// Reads a block and its trailer; verifies the crc and returns the stored bytes
// and the compression type.
Status ReadCheckedBlock(const RandomAccessFile& file, const Handle& h, std::string* block, char* type) {
  block->resize(h.size + kBlockTrailerSize);
  RETURN_IF_ERROR(file.Read(h.offset, block->size(), block->data()));
  const crc32c::MaskedCrc stored{coding::DecodeFixed32(block->data() + h.size + 1)};
  const crc32c::Crc actual = crc32c::Value(block->data(), h.size + 1);
  if (!(crc32c::Unmask(stored) == actual)) {
    return Corrupt(file, "block checksum mismatch at offset " + std::to_string(h.offset));
  }
  *type = (*block)[h.size];
  block->resize(h.size);
  return OkStatus();
}

// Walks an uncompressed block's entries, calling fn(value) for each.
template <typename Fn>
Status ForEachBlockValue(const RandomAccessFile& file, const std::string& block, Fn fn) {
  if (block.size() < 4) return Corrupt(file, "block too small");
  const uint32_t num_restarts = coding::DecodeFixed32(block.data() + block.size() - 4);
  if (num_restarts > (block.size() - 4) / 4) return Corrupt(file, "bad restart count in block");
  const char* p = block.data();
  const char* limit = block.data() + block.size() - 4 - 4 * size_t{num_restarts};
  while (p < limit) {
    uint64_t shared, non_shared, value_len;
    if (!coding::GetVarint64(&p, limit, &shared) || !coding::GetVarint64(&p, limit, &non_shared) ||
        !coding::GetVarint64(&p, limit, &value_len) || non_shared > static_cast<uint64_t>(limit - p) ||
        value_len > static_cast<uint64_t>(limit - p) - non_shared) {
      return Corrupt(file, "malformed block entry");
    }
    p += non_shared;
    RETURN_IF_ERROR(fn(std::string_view(p, value_len)));
    p += value_len;
  }
  return OkStatus();
}

// Validates footer and every block handle against the file size before
// LevelDB sees the file, and bounds the decompressed size of Snappy blocks.
Status PrecheckTable(const RandomAccessFile& file) {
  const uint64_t size = file.Size();
  if (size < kFooterSize) {
    return Corrupt(file, "file is too short (" + std::to_string(size) + " bytes) to be an sstable");
  }
  char footer[kFooterSize];
  RETURN_IF_ERROR(file.Read(size - kFooterSize, kFooterSize, footer));
  uint64_t magic;
  std::memcpy(&magic, footer + 40, 8);
  if (magic != kTableMagic) return Corrupt(file, "not an sstable (bad magic number)");
  const char* p = footer;
  Handle meta, index;
  if (!DecodeHandle(&p, footer + 40, &meta) || !DecodeHandle(&p, footer + 40, &index)) {
    return Corrupt(file, "bad block handle in footer");
  }
  const uint64_t body = size - kFooterSize;
  RETURN_IF_ERROR(CheckHandle(file, meta, body, "metaindex"));
  RETURN_IF_ERROR(CheckHandle(file, index, body, "index"));
  std::string block;
  char type = 0;
  RETURN_IF_ERROR(ReadCheckedBlock(file, index, &block, &type));
  if (type != 0) return Corrupt(file, "compressed index block is not supported");
  return ForEachBlockValue(file, block, [&](std::string_view value) -> Status {
    const char* q = value.data();
    Handle h;
    if (!DecodeHandle(&q, value.data() + value.size(), &h)) return Corrupt(file, "bad data block handle");
    RETURN_IF_ERROR(CheckHandle(file, h, body, "data"));
    char first[kBlockTrailerSize + 10];
    const size_t peek = std::min<uint64_t>(h.size, 10);
    char tail;
    RETURN_IF_ERROR(file.Read(h.offset + h.size, 1, &tail));
    if (tail == 1) {
      // Snappy: the block starts with the varint uncompressed length. Snappy
      // expands at most ~22x; anything larger is a lie.
      RETURN_IF_ERROR(file.Read(h.offset, peek, first));
      const char* r = first;
      uint64_t ulen;
      if (!coding::GetVarint64(&r, first + peek, &ulen) || ulen > 32 * h.size + 64) {
        return Corrupt(file, "implausible decompressed size in block at offset " + std::to_string(h.offset));
      }
    } else if (tail != 0) {
      return Corrupt(file, "bad block type " + std::to_string(static_cast<int>(tail)) + " at offset " +
                               std::to_string(h.offset));
    }
    return OkStatus();
  });
}

}  // namespace

Status WriteIndexTable(WritableFile* file, const std::vector<KeyValue>& entries) {
  leveldb::Options options;
  options.block_size = kTfBlockSize;
  options.block_restart_interval = 16;
  options.compression = leveldb::kNoCompression;
  io::LevelDbWritableFile adapter(file);
  leveldb::TableBuilder builder(options, &adapter);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  leveldb::Status s = builder.Finish();
  if (!adapter.error().ok()) return adapter.error();
  if (!s.ok()) return InternalError("writing index table: " + s.ToString());
  return OkStatus();
}

Result<std::vector<KeyValue>> ReadIndexTable(const RandomAccessFile& file) {
  RETURN_IF_ERROR(PrecheckTable(file));
  io::LevelDbRandomAccessFile adapter(&file);
  leveldb::Options options;
  options.paranoid_checks = true;
  options.block_cache = nullptr;
  leveldb::Table* raw = nullptr;
  leveldb::Status s = leveldb::Table::Open(options, &adapter, file.Size(), &raw);
  if (!s.ok()) return Corrupt(file, s.ToString());
  std::unique_ptr<leveldb::Table> table(raw);
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  read_options.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(read_options));
  std::vector<KeyValue> out;
  std::string prev;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    if (!out.empty() && !(prev < key)) return Corrupt(file, "keys are not in strictly increasing order");
    prev = key;
    out.emplace_back(std::move(key), it->value().ToString());
  }
  if (!it->status().ok()) return Corrupt(file, it->status().ToString());
  return out;
}

}  // namespace ckpt::format
