// Fuzz target entry: ParseEntry (a bundle index value). Input: byte 0 =
// num_shards (int8), rest = the serialized BundleEntryProto. What parses must
// be consistent: valid shape, storable dtype, slices that fit, shard, offset
// and size in range.
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/proto/tensor_bundle.pb.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "support/entry_mutations.h"
#include "support/memory_files.h"
#include "support/seed_bundles.h"

namespace ckpt::fuzz {
namespace {

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  if (input.empty()) return "empty";
  const int32_t num_shards = static_cast<int8_t>(input[0]);
  const std::string_view value(input.data() + 1, input.size() - 1);
  auto info = format::ParseEntry("k", value, num_shards);
  if (!info.ok()) {
    FUZZ_CHECK(info.status().code() == StatusCode::kDataLoss, "ParseEntry: not DataLoss: " + info.status().ToString());
    FUZZ_CHECK(!info.status().message().empty(), "empty message");
    return Sig(info.status());
  }
  FUZZ_CHECK(info->key == "k", "key");
  FUZZ_CHECK(TensorShape::Make(info->shape.dims()).ok(), "invalid shape accepted: " + info->shape.ToString());
  FUZZ_CHECK(IsStorableDType(info->dtype) || info->dtype == DType::kVariant, "unstorable dtype accepted");
  for (const TensorSlice& s : info->slices) FUZZ_CHECK(s.CheckFits(info->shape).ok(), "slice does not fit");
  if (info->slices.empty()) {
    FUZZ_CHECK(info->shard_id >= 0 && info->shard_id < num_shards, "shard out of range accepted");
    FUZZ_CHECK(info->offset >= 0 && info->size >= 0, "negative offset/size accepted");
    const size_t es = DTypeSize(info->dtype);
    if (es > 0) {
      FUZZ_CHECK(info->size == info->shape.num_elements() * static_cast<int64_t>(es), "size/shape mismatch accepted");
    }
  }
  return std::string("OK:") + std::string(DTypeName(info->dtype)) + (info->slices.empty() ? "" : ":sliced");
}

bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  if (s->empty()) return false;
  proto::BundleEntryProto e;
  if (!e.ParseFromArray(s->data() + 1, static_cast<int>(s->size() - 1))) return false;
  const int edits = 1 + static_cast<int>(Below(rng, 4));
  for (int j = 0; j < edits; ++j) MutateEntryProto(&e, rng, 64);
  std::string head = s->substr(0, 1);
  if (Below(rng, 8) == 0) head[0] = static_cast<char>(Interesting(rng));
  *s = head + e.SerializeAsString();
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  auto bundles = SeedBundles();
  for (size_t b : {size_t{0}, size_t{4}, bundles.size() - 1}) {
    StringFile f(bundles[b].index, "i");
    auto kvs = format::ReadIndexTable(f);
    FUZZ_CHECK(kvs.ok(), kvs.status().ToString());
    const char shards = static_cast<char>(bundles[b].data.size());
    for (size_t i = 1; i < kvs->size(); ++i) out.push_back(std::string(1, shards) + (*kvs)[i].second);
  }
  return out;
}

}  // namespace

CKPT_FUZZ_TARGET(entry) {
  return {.name = "entry", .seeds = Seeds, .run = Run, .mutate = Mutate};
}

}  // namespace ckpt::fuzz
