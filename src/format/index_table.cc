#include "format/index_table.h"

#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <leveldb/table_builder.h>
#include <snappy.h>

#include <memory>

#include "base/coding.h"
#include "base/crc32c.h"
#include "ckpt/status_macros.h"
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
  CKPT_RETURN_IF_ERROR(file.Read(h.offset, block->size(), block->data()));
  const crc32c::MaskedCrc stored{coding::DecodeFixed32(block->data() + h.size + 1)};
  const crc32c::Crc actual = crc32c::Value(block->data(), h.size + 1);
  if (!(crc32c::Unmask(stored) == actual)) {
    return Corrupt(file, "block checksum mismatch at offset " + std::to_string(h.offset));
  }
  *type = (*block)[h.size];
  block->resize(h.size);
  return OkStatus();
}

// Checks a block's structure the way LevelDB's iterator will walk it:
// the restart array fits; restart[0] is 0, offsets strictly increase and
// each lands exactly on an entry that stores its full key (shared == 0), so
// seeking via restarts sees the same entries as a linear walk; every entry's
// lengths fit in the block with no 32-bit wrap-around (LevelDB adds two
// uint32 lengths) and `shared` never exceeds the previous key. Calls
// fn(key, value) for each entry.
template <typename Fn>
Status WalkBlock(const RandomAccessFile& file, std::string_view block, uint64_t offset, Fn fn) {
  auto bad = [&](const std::string& what) {
    return Corrupt(file, what + " in block at offset " + std::to_string(offset));
  };
  if (block.size() < 4) return bad("block too small");
  const uint32_t num_restarts = coding::DecodeFixed32(block.data() + block.size() - 4);
  if (num_restarts == 0 || num_restarts > (block.size() - 4) / 4) return bad("bad restart count");
  const char* restarts = block.data() + block.size() - 4 - 4 * size_t{num_restarts};
  const char* base = block.data();
  const char* p = base;
  const char* limit = restarts;
  std::string key;
  uint32_t next_restart = 0;
  while (p < limit) {
    const uint64_t entry_offset = static_cast<uint64_t>(p - base);
    uint64_t shared, non_shared, value_len;
    if (!coding::GetVarint64(&p, limit, &shared) || !coding::GetVarint64(&p, limit, &non_shared) ||
        !coding::GetVarint64(&p, limit, &value_len) || shared > 0xffffffffu || non_shared > 0xffffffffu ||
        value_len > 0xffffffffu || non_shared + value_len > static_cast<uint64_t>(limit - p) ||
        shared > key.size()) {
      return bad("malformed entry at " + std::to_string(entry_offset));
    }
    if (next_restart < num_restarts && coding::DecodeFixed32(restarts + 4 * next_restart) == entry_offset) {
      if (shared != 0) return bad("restart point with a shared key prefix");
      ++next_restart;
    } else if (entry_offset == 0) {
      return bad("first restart point is not at offset 0");
    }
    key.resize(shared);
    key.append(p, non_shared);
    p += non_shared;
    CKPT_RETURN_IF_ERROR(fn(std::string_view(key), std::string_view(p, value_len)));
    p += value_len;
  }
  if (next_restart != num_restarts) return bad("restart array does not match the entries");
  return OkStatus();
}

// Reads a block, verifies its crc and returns its contents (Snappy blocks
// decompressed, with the declared size bounded first).
Status ReadBlockContents(const RandomAccessFile& file, const Handle& h, std::string* contents) {
  std::string stored;
  char type = 0;
  CKPT_RETURN_IF_ERROR(ReadCheckedBlock(file, h, &stored, &type));
  if (type == 0) {
    *contents = std::move(stored);
    return OkStatus();
  }
  if (type != 1) {
    return Corrupt(file, "bad block type " + std::to_string(static_cast<int>(type)) + " at offset " +
                             std::to_string(h.offset));
  }
  size_t ulen = 0;
  // Snappy expands at most ~22x; a larger declared size is a lie.
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &ulen) || ulen > 32 * stored.size() + 64) {
    return Corrupt(file, "implausible Snappy block at offset " + std::to_string(h.offset));
  }
  contents->resize(ulen);
  if (!snappy::RawUncompress(stored.data(), stored.size(), contents->data())) {
    return Corrupt(file, "corrupt Snappy block at offset " + std::to_string(h.offset));
  }
  return OkStatus();
}

// Validates footer, index block and every data block completely before
// LevelDB sees the file: LevelDB's Table trusts block handles (it allocates
// whatever size they claim), adds entry lengths in 32 bits and seeks through
// restart arrays, so a crafted file must be rejected here. Also checks that
// keys increase strictly across the whole table.
Status PrecheckTable(const RandomAccessFile& file) {
  const uint64_t size = file.Size();
  if (size < kFooterSize) {
    return Corrupt(file, "file is too short (" + std::to_string(size) + " bytes) to be an sstable");
  }
  char footer[kFooterSize];
  CKPT_RETURN_IF_ERROR(file.Read(size - kFooterSize, kFooterSize, footer));
  uint64_t magic;
  std::memcpy(&magic, footer + 40, 8);
  if (magic != kTableMagic) return Corrupt(file, "not an sstable (bad magic number)");
  const char* p = footer;
  Handle meta, index;
  if (!DecodeHandle(&p, footer + 40, &meta) || !DecodeHandle(&p, footer + 40, &index)) {
    return Corrupt(file, "bad block handle in footer");
  }
  const uint64_t body = size - kFooterSize;
  CKPT_RETURN_IF_ERROR(CheckHandle(file, meta, body, "metaindex"));
  CKPT_RETURN_IF_ERROR(CheckHandle(file, index, body, "index"));
  std::string index_block;
  CKPT_RETURN_IF_ERROR(ReadBlockContents(file, index, &index_block));
  std::string last_key;
  bool have_key = false;
  return WalkBlock(file, index_block, index.offset, [&](std::string_view, std::string_view value) -> Status {
    const char* q = value.data();
    Handle h;
    if (!DecodeHandle(&q, value.data() + value.size(), &h)) return Corrupt(file, "bad data block handle");
    CKPT_RETURN_IF_ERROR(CheckHandle(file, h, body, "data"));
    std::string block;
    CKPT_RETURN_IF_ERROR(ReadBlockContents(file, h, &block));
    return WalkBlock(file, block, h.offset, [&](std::string_view key, std::string_view) -> Status {
      if (have_key && !(last_key < key)) return Corrupt(file, "keys are not in strictly increasing order");
      last_key.assign(key);
      have_key = true;
      return OkStatus();
    });
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
  CKPT_RETURN_IF_ERROR(PrecheckTable(file));
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
