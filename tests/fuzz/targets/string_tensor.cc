// Fuzz target string_tensor: DecodeStringTensor. Input: int64 LE n, then
// the entry bytes; also decoded with several other n. What decodes must
// re-encode to bytes that decode to the same strings.
#include <climits>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/string_encoding.h"
#include "support/entry_checksums.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

std::string EncodeStrings(const std::vector<std::string>& v, crc32c::Crc* crc) {
  std::vector<std::string_view> views(v.begin(), v.end());
  StringWritable w;
  uint64_t written = 0;
  Status s = format::WriteStringTensor(&w, views, &written, crc);
  FUZZ_CHECK(s.ok() && written == w.out.size(), "WriteStringTensor");
  return w.out;
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  if (input.size() < 8) return "short";
  const int64_t n = static_cast<int64_t>(coding::DecodeFixed64(input.data()));
  const std::string_view data(input.data() + 8, input.size() - 8);
  const int64_t sz = static_cast<int64_t>(data.size());
  const int64_t ns[] = {n, 0, 1, 2, 3, sz, sz - 4, sz - 3, sz + 1, -1, INT64_MAX, INT64_MIN,
                        n == INT64_MAX ? n : n + 1, n == INT64_MIN ? n : n - 1};
  std::string sig;
  for (size_t i = 0; i < std::size(ns); ++i) {
    const crc32c::Crc any{0x12345678};
    auto r = format::DecodeStringTensor(data, ns[i], i == 0 ? nullptr : &any);
    if (i == 0) sig = Sig(r.status());
    if (!r.ok()) {
      FUZZ_CHECK(r.status().code() == StatusCode::kDataLoss && !r.status().message().empty(),
                 "DecodeStringTensor: " + r.status().ToString());
      continue;
    }
    FUZZ_CHECK(static_cast<int64_t>(r->size()) == ns[i], "wrong element count");
    // Re-encode; decoding that with its own crc gives the same strings.
    crc32c::Crc crc;
    const std::string enc = EncodeStrings(*r, &crc);
    auto again = format::DecodeStringTensor(enc, ns[i], &crc);
    FUZZ_CHECK(again.ok() && *again == *r, "re-encoded strings do not decode to the same values");
    size_t total = 0;
    for (const auto& str : *r) total += str.size();
    FUZZ_CHECK(total + 4 <= data.size(), "strings longer than the input");
  }
  // With the true crc of the input (computed independently), decoding with
  // crc checking on must agree with decoding without it.
  auto plain = format::DecodeStringTensor(data, n, nullptr);
  if (plain.ok()) {
    crc32c::Crc crc;
    const std::string canonical = EncodeStrings(*plain, &crc);
    if (canonical == data) {
      auto checked = format::DecodeStringTensor(data, n, &crc);
      FUZZ_CHECK(checked.ok() && *checked == *plain, "decode with the right crc fails: " + checked.status().ToString());
    }
  }
  return sig;
}

bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  if (s->size() < 8) return false;
  std::string data = s->substr(8);
  int64_t n = static_cast<int64_t>(coding::DecodeFixed64(s->data()));
  m.Mutate(&data, rng, corpus);
  if (rng() & 1) {
    // Make n the number of varints that parse before the last 4 bytes.
    const char* p = data.data();
    const char* limit = data.data() + data.size();
    int64_t k = 0;
    uint64_t len;
    while (limit - p > 4 && coding::GetVarint64(&p, limit - 4, &len) && k < n) ++k;
    if (rng() & 1) n = k;
  }
  crc32c::Crc ignored;
  FixStringEncoding(&data, n, &ignored);
  std::string out;
  coding::PutFixed64(&out, static_cast<uint64_t>(n));
  *s = out + data;
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::vector<std::string>> sets = {
      {},
      {""},
      {"ab", "c"},
      {"", "hello", std::string(130, 'x'), std::string("\0\xff\x80z", 4)},
      {std::string(300, 'y'), "", "", "z"},
  };
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back(std::string(static_cast<size_t>(i % 5), static_cast<char>('a' + i % 26)));
  sets.push_back(many);
  std::vector<std::string> out;
  for (const auto& v : sets) {
    crc32c::Crc crc;
    const int64_t n = static_cast<int64_t>(v.size());
    std::string s;
    coding::PutFixed64(&s, static_cast<uint64_t>(n));
    out.push_back(s + EncodeStrings(v, &crc));
  }
  return out;
}

}  // namespace

CKPT_FUZZ_TARGET(string_tensor) {
  return {.name = "string_tensor", .seeds = Seeds, .run = Run, .mutate = Mutate};
}

}  // namespace ckpt::fuzz
