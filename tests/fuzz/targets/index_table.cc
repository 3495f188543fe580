// Fuzz target index_table: ReadIndexTable over an in-memory file (our
// bounds precheck, then leveldb::Table); a table that reads is rewritten and
// must read back identically. Mutations: byte edits with the block checksums
// recomputed, and entry edits re-written as multi-block or Snappy tables.
#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/index_table.h"
#include "support/index_tables.h"
#include "support/memory_files.h"
#include "support/seed_bundles.h"

namespace ckpt::fuzz {
namespace {

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  StringFile file(input, "/fuzz/t.index");
  auto kvs = format::ReadIndexTable(file);
  if (!kvs.ok()) {
    CheckBadInputError(kvs.status(), "ReadIndexTable");
    FUZZ_CHECK(kvs.status().message().find("/fuzz/t.index") != std::string::npos,
               "error does not name the file: " + kvs.status().ToString());
    return Sig(kvs.status());
  }
  for (size_t i = 1; i < kvs->size(); ++i) FUZZ_CHECK((*kvs)[i - 1].first < (*kvs)[i].first, "keys not increasing");
  // Round trip through our writer.
  StringFile again(WriteTfTable(*kvs), "/fuzz/again.index");
  auto kvs2 = format::ReadIndexTable(again);
  FUZZ_CHECK(kvs2.ok(), "rewritten table does not read: " + kvs2.status().ToString());
  FUZZ_CHECK(*kvs2 == *kvs, "rewritten table reads back differently");
  return "OK:" + std::to_string(std::min<size_t>(kvs->size(), 8));
}

bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  if (rng() & 1) {
    // Byte mutations with the checksums fixed, so they reach block parsing.
    m.Mutate(s, rng, corpus);
    FixTableCrcs(s);
    return true;
  }
  StringFile file(*s, "t");
  auto kvs = format::ReadIndexTable(file);
  if (!kvs.ok()) return false;
  KeyValues v = *std::move(kvs);
  switch (Below(rng, 4)) {
    case 0:
      if (!v.empty()) m.Mutate(&v[Below(rng, v.size())].second, rng, corpus);
      break;
    case 1:
      if (!v.empty()) m.Mutate(&v[Below(rng, v.size())].first, rng, corpus);
      break;
    case 2:
      if (!v.empty()) v.erase(v.begin() + static_cast<std::ptrdiff_t>(Below(rng, v.size())));
      break;
    default: {
      const size_t k = 1 + Below(rng, 40);
      for (size_t i = 0; i < k; ++i) {
        v.emplace_back("k" + std::to_string(rng() % 100000), std::string(Below(rng, 64), 'v'));
      }
      break;
    }
  }
  // Small blocks give multi-block tables; sometimes Snappy-compressed.
  static const size_t bs[] = {1, 16, 64, 256, 4096, 262144};
  *s = BuildTable(std::move(v), bs[Below(rng, std::size(bs))], 1 + static_cast<int>(Below(rng, 16)),
                  Below(rng, 4) == 0);
  if (Below(rng, 3) == 0) {
    m.MutateOnce(s, rng, corpus);
    FixTableCrcs(s);
  }
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  for (auto& b : SeedBundles()) out.push_back(b.index);
  KeyValues kvs;
  for (int i = 0; i < 40; ++i) kvs.emplace_back("key" + std::to_string(1000 + i * 7), std::string(i % 9, 'a' + i % 26));
  out.push_back(BuildTable(kvs, 64, 2, false));    // several data blocks
  out.push_back(BuildTable(kvs, 128, 1, true));    // Snappy blocks
  out.push_back(BuildTable({}, 4096, 16, false));  // no entries at all
  return out;
}

}  // namespace

CKPT_FUZZ_TARGET(index_table) {
  return {.name = "index_table", .seeds = Seeds, .run = Run, .mutate = Mutate};
}

}  // namespace ckpt::fuzz
