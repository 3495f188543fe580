// Fuzz target slice_key: DecodeTensorNameSlice (+ PrintableKey); decodable
// keys must survive an encode/decode round trip.
#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "ckpt/tensor_slice.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/bundle_entry.h"
#include "format/slice_key.h"

namespace ckpt::fuzz {
namespace {

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  (void)format::PrintableKey(input);
  auto d = format::DecodeTensorNameSlice(input);
  if (!d.ok()) {
    FUZZ_CHECK(d.status().code() == StatusCode::kDataLoss && !d.status().message().empty(), d.status().ToString());
    return Sig(d.status());
  }
  FUZZ_CHECK(d->slice.rank() <= 254, "rank > 254 accepted");
  const std::string enc = format::EncodeTensorNameSlice(d->name, d->slice);
  auto d2 = format::DecodeTensorNameSlice(enc);
  FUZZ_CHECK(d2.ok(), "re-encoded slice key does not decode: " + d2.status().ToString());
  FUZZ_CHECK(d2->name == d->name && d2->slice == d->slice, "slice key round trip changed the value");
  FUZZ_CHECK(format::EncodeTensorNameSlice(d2->name, d2->slice) == enc, "encoding is not stable");
  (void)d->slice.ToString();
  return "OK:" + std::to_string(std::min(d->slice.rank(), 4));
}

bool Mutate(std::string* s, Rng& rng, const Mutator&, const std::vector<std::string>&) {
  // A freshly encoded key with extreme values.
  std::string name(Below(rng, 6), 'n');
  for (char& c : name) {
    static const char cs[] = {'a', '\0', '\xff', '/', '\x01', '\xfe'};
    c = cs[Below(rng, sizeof(cs))];
  }
  std::vector<TensorSlice::Extent> ex(Below(rng, 5));
  for (auto& e : ex) {
    e.start = static_cast<int64_t>(Interesting(rng));
    e.length = rng() & 1 ? TensorSlice::kFullExtent : static_cast<int64_t>(Interesting(rng));
  }
  *s = format::EncodeTensorNameSlice(name, TensorSlice(ex));
  return true;
}

std::vector<std::string> Seeds() {
  using E = TensorSlice::Extent;
  std::vector<std::string> out;
  out.push_back(format::EncodeTensorNameSlice("foo", TensorSlice({E{0, 5}, E{}})));
  out.push_back(format::EncodeTensorNameSlice("w", TensorSlice({E{5, 5}, E{}})));
  out.push_back(format::EncodeTensorNameSlice("", TensorSlice()));
  out.push_back(format::EncodeTensorNameSlice(std::string("a\0b\xff", 4),
                                              TensorSlice({E{int64_t{1} << 40, int64_t{1} << 62}, E{63, 64}, E{8191, 8192}})));
  out.push_back(format::EncodeTensorNameSlice("layer/kernel", TensorSlice({E{INT64_MAX, 1}, E{0, INT64_MAX}})));
  return out;
}

// Tokens worth inserting (the generic mutator's dictionary).
std::vector<std::string> Dictionary() {
  return {std::string("\0\x01", 2), std::string("\0\xff", 2), std::string("\xff\0", 2), "\x80", "\x7f",
          "\xff\xc0", "\xff\xff", std::string("\0", 1)};
}

}  // namespace

CKPT_FUZZ_TARGET(slice_key) {
  return {.name = "slice_key", .seeds = Seeds, .run = Run, .mutate = Mutate, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
