// Table writing and checksum fix-ups (support/index_tables.h).
#include "support/index_tables.h"

#include <leveldb/options.h>
#include <leveldb/table_builder.h>

#include <algorithm>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"
#include "engine/checks.h"
#include "io/leveldb_file_adapters.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

struct Handle {
  uint64_t offset = 0, size = 0;
};

bool ParseHandle(const char** p, const char* limit, Handle* h) {
  return coding::GetVarint64(p, limit, &h->offset) && coding::GetVarint64(p, limit, &h->size);
}

bool HandleInside(const Handle& h, uint64_t file_size) {
  return h.offset <= file_size && h.size <= file_size - h.offset && 5 <= file_size - h.offset - h.size;
}

void FixBlockCrc(std::string* t, const Handle& h) {
  const crc32c::MaskedCrc m = crc32c::Mask(crc32c::Value(t->data() + h.offset, h.size + 1));
  coding::EncodeFixed32(t->data() + h.offset + h.size + 1, m.value);
}

}  // namespace

void FixTableCrcs(std::string* t) {
  if (t->size() < 48) return;
  const char* p = t->data() + t->size() - 48;
  const char* limit = t->data() + t->size() - 8;
  Handle meta, index;
  if (!ParseHandle(&p, limit, &meta) || !ParseHandle(&p, limit, &index)) return;
  if (HandleInside(meta, t->size())) FixBlockCrc(t, meta);
  if (!HandleInside(index, t->size()) || index.size < 4) return;
  // Walk the index block's entries for data block handles.
  const std::string block = t->substr(index.offset, index.size);
  const uint32_t nr = coding::DecodeFixed32(block.data() + block.size() - 4);
  if (nr > (block.size() - 4) / 4) return;
  const char* q = block.data();
  const char* end = block.data() + block.size() - 4 - 4 * size_t{nr};
  std::vector<Handle> data;
  while (q < end) {
    uint64_t shared, non_shared, vlen;
    if (!coding::GetVarint64(&q, end, &shared) || !coding::GetVarint64(&q, end, &non_shared) ||
        !coding::GetVarint64(&q, end, &vlen) || non_shared > static_cast<uint64_t>(end - q) ||
        vlen > static_cast<uint64_t>(end - q) - non_shared) {
      break;
    }
    q += non_shared;
    const char* v = q;
    Handle h;
    if (ParseHandle(&v, q + vlen, &h)) data.push_back(h);
    q += vlen;
  }
  for (const Handle& h : data) {
    if (HandleInside(h, t->size())) FixBlockCrc(t, h);
  }
  FixBlockCrc(t, index);  // last: a data block may overlap the index block
}

std::string BuildTable(KeyValues kvs, size_t block_size, int restart_interval, bool snappy) {
  std::sort(kvs.begin(), kvs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  kvs.erase(std::unique(kvs.begin(), kvs.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
            kvs.end());
  StringWritable out;
  io::LevelDbWritableFile adapter(&out);
  leveldb::Options o;
  o.block_size = block_size;
  o.block_restart_interval = restart_interval;
  o.compression = snappy ? leveldb::kSnappyCompression : leveldb::kNoCompression;
  leveldb::TableBuilder b(o, &adapter);
  for (const auto& [k, v] : kvs) b.Add(k, v);
  FUZZ_CHECK(b.Finish().ok(), "TableBuilder::Finish");
  return out.out;
}

std::string WriteTfTable(KeyValues kvs) {
  std::sort(kvs.begin(), kvs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  kvs.erase(std::unique(kvs.begin(), kvs.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
            kvs.end());
  StringWritable out;
  Status s = format::WriteIndexTable(&out, kvs);
  FUZZ_CHECK(s.ok(), s.ToString());
  return out.out;
}

}  // namespace ckpt::fuzz
