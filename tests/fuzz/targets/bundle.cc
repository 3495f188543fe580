// Fuzz target bundle: BundleReader::Open + Read/ReadInto/ReadSlice of every
// key + VerifyAll, with the reads checked against each other (partitioned
// tensors re-assembled independently, sub-boxes read with ReadSlice).
// Input: chunks (u32 LE length, bytes): chunk 0 is P.index, chunk i>0 is
// data shard i-1. Mutations: protobuf field edits of index entries and the
// header, data edits with checksums fixed, keys added/renamed/dropped, shard
// counts changed.
#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/file_system.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/tensor_slice.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_key.h"
#include "support/boxes.h"
#include "support/bundle_inputs.h"
#include "support/chunks.h"
#include "support/entry_checksums.h"
#include "support/entry_mutations.h"
#include "support/index_tables.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

std::vector<int64_t> Starts(const TensorSlice& s) {
  std::vector<int64_t> out;
  for (int d = 0; d < s.rank(); ++d) out.push_back(s.IsFullAt(d) ? 0 : s.start(d));
  return out;
}

// Independent checks of a tensor `t` that Read() returned for `info`:
// partitioned tensors are re-assembled here from their slice entries, and a
// sub-box chosen from `h` is read with ReadSlice and compared with the same
// elements of `t`.
void CheckAssembly(const BundleReader& reader, const TensorInfo& info, const Tensor& t, uint64_t h) {
  const size_t esize = DTypeSize(info.dtype);
  const std::vector<int64_t>& dims = info.shape.dims();
  if (!info.slices.empty()) {
    std::string expected(t.byte_size(), '\0');
    std::vector<char> covered(static_cast<size_t>(t.num_elements()), 0);
    for (const TensorSlice& s : info.slices) {
      const TensorShape ss = s.SliceShape(info.shape);
      if (ss.num_elements() == 0) continue;
      auto piece = reader.Read(format::EncodeTensorNameSlice(info.key, s));
      FUZZ_CHECK(piece.ok(), "full read of a partitioned tensor succeeded but reading its slice " + s.ToString() +
                                 " failed: " + piece.status().ToString());
      FUZZ_CHECK(piece->shape() == ss && piece->dtype() == info.dtype, "slice entry has another shape or dtype");
      CopyBox(static_cast<const char*>(piece->data()), ss.dims(), std::vector<int64_t>(dims.size(), 0),
              expected.data(), dims, Starts(s), ss.dims(), esize);
      // Every element is covered exactly once.
      std::vector<char> ones(static_cast<size_t>(ss.num_elements()), 1);
      std::vector<char> mark(covered.size(), 0);
      CopyBox(ones.data(), ss.dims(), std::vector<int64_t>(dims.size(), 0), mark.data(), dims, Starts(s), ss.dims(),
              1);
      for (size_t i = 0; i < mark.size(); ++i) {
        FUZZ_CHECK(!(mark[i] && covered[i]), "stored slices overlap but the read succeeded");
        covered[i] |= mark[i];
      }
    }
    for (char c : covered) FUZZ_CHECK(c, "stored slices do not cover the tensor but the read succeeded");
    FUZZ_CHECK(t.byte_size() == 0 || std::memcmp(expected.data(), t.data(), t.byte_size()) == 0,
               "partitioned tensor \"" + format::PrintableKey(info.key) +
                   "\" read differs from its slices assembled independently");
  }
  if (info.shape.rank() == 0) return;
  const SubBox b = PickSubBox(dims, h);
  const TensorSlice& want = b.slice;
  auto got = reader.ReadSlice(info.key, want);
  FUZZ_CHECK(got.ok(), "Read succeeded but ReadSlice " + want.ToString() + " failed: " + got.status().ToString());
  const Tensor expected = CutSubBox(t, b);
  FUZZ_CHECK(got->Equals(expected), "ReadSlice " + want.ToString() + " of \"" + format::PrintableKey(info.key) +
                                        "\" differs from the same elements of Read");
  auto into = Tensor::Make(info.dtype, TensorShape(b.box));
  FUZZ_CHECK(into.ok(), into.status().ToString());
  Status s = reader.ReadSliceInto(info.key, want, into->mutable_view());
  FUZZ_CHECK(s.ok() && into->Equals(expected), "ReadSliceInto " + want.ToString() + " differs: " + s.ToString());
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/f").ok(), "mkdir");
  const std::string prefix = "/f/p";
  PutBundleInput(fs.get(), prefix, input);

  BundleReaderOptions ro;
  ro.fs = fs.get();
  auto r = BundleReader::Open(prefix, ro);
  if (!r.ok()) {
    CheckBadInputError(r.status(), "Open");
    return "open:" + Sig(r.status());
  }
  const BundleReader& reader = **r;
  std::set<std::string> outcomes;
  const std::vector<std::string> keys = reader.Keys();
  for (size_t i = 1; i < keys.size(); ++i) FUZZ_CHECK(keys[i - 1] < keys[i], "Keys() not strictly increasing");
  const std::vector<TensorInfo> list = reader.List();
  FUZZ_CHECK(list.size() == keys.size(), "List() and Keys() disagree");
  bool some_plain_read_failed = false;
  size_t done = 0;
  for (const TensorInfo& info : list) {
    if (++done > 64) break;
    FUZZ_CHECK(reader.HasTensor(info.key), "listed key not contained");
    auto looked = reader.Lookup(info.key);
    FUZZ_CHECK(looked.ok() && looked->dtype == info.dtype && looked->shape == info.shape, "Lookup differs from List");
    auto t = reader.Read(info.key);
    outcomes.insert("read:" + Sig(t.status()));
    if (!t.ok()) {
      CheckBadInputError(t.status(), "Read(" + format::PrintableKey(info.key) + ")");
      if (info.slices.empty() && info.dtype != DType::kVariant) some_plain_read_failed = true;
      continue;
    }
    FUZZ_CHECK(t->dtype() == info.dtype && t->shape() == info.shape, "Read returned another dtype/shape");
    if (info.dtype == DType::kString) {
      auto strs = reader.ReadStrings(info.key);
      FUZZ_CHECK(strs.ok() && *strs == t->strings(), "ReadStrings differs from Read");
      continue;
    }
    // The same bytes through the caller's-buffer path.
    auto into = Tensor::Make(info.dtype, info.shape);
    FUZZ_CHECK(into.ok(), into.status().ToString());
    Status s = reader.ReadInto(info.key, into->mutable_view());
    FUZZ_CHECK(s.ok(), "Read succeeded but ReadInto failed: " + s.ToString());
    FUZZ_CHECK(into->Equals(*t), "ReadInto differs from Read");
    CheckAssembly(reader, info, *t, Fnv1a(input) + done);
  }
  Status v = reader.VerifyAll();
  outcomes.insert("verify:" + Sig(v));
  if (!v.ok()) CheckBadInputError(v, "VerifyAll");
  if (done <= 64 && v.ok()) {
    FUZZ_CHECK(!some_plain_read_failed, "VerifyAll passed although reading an unpartitioned tensor failed");
  }
  // Unknown keys.
  FUZZ_CHECK(reader.Read("\x01no such key").status().code() == StatusCode::kNotFound, "missing key not NotFound");
  std::string sig = "open:OK";
  for (const auto& o : outcomes) sig += "|" + o;
  return sig;
}

bool MutateBundle(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  std::vector<std::string> chunks = Unpack(*s, kMaxBundleChunks);
  if (chunks.empty()) return false;
  StringFile file(chunks[0], "i");
  auto read = format::ReadIndexTable(file);
  if (!read.ok()) {
    // Mutate one chunk; fix the table checksums when it is the index.
    const size_t c = Below(rng, chunks.size());
    m.Mutate(&chunks[c], rng, corpus);
    if (c == 0) FixTableCrcs(&chunks[0]);
    *s = Pack(chunks);
    return true;
  }
  KeyValues kvs = *std::move(read);
  std::vector<std::string> data(chunks.begin() + 1, chunks.end());
  const int64_t size_hint = data.empty() ? 0 : static_cast<int64_t>(data[0].size());
  const size_t op = Below(rng, 8);
  if (op <= 2 && !kvs.empty()) {  // edit a protobuf field of one entry (or the header)
    const size_t i = Below(rng, kvs.size());
    if (i == 0 && kvs[0].first.empty()) {
      proto::BundleHeaderProto h;
      if (h.ParseFromString(kvs[0].second)) {
        MutateHeaderProto(&h, rng);
        kvs[0].second = h.SerializeAsString();
      }
    } else {
      proto::BundleEntryProto e;
      if (e.ParseFromString(kvs[i].second)) {
        const int edits = 1 + static_cast<int>(Below(rng, 3));
        for (int j = 0; j < edits; ++j) MutateEntryProto(&e, rng, size_hint);
        kvs[i].second = e.SerializeAsString();
      }
    }
    if (rng() & 1) FixEntryCrcs(&kvs, &data);
  } else if (op == 3 && !data.empty()) {  // data bytes, checksums fixed
    m.Mutate(&data[Below(rng, data.size())], rng, corpus);
    FixEntryCrcs(&kvs, &data);
  } else if (op == 4 && kvs.size() > 1) {  // keys: add a slice entry, rename, duplicate, drop
    const size_t i = 1 + Below(rng, kvs.size() - 1);
    proto::BundleEntryProto e;
    switch (Below(rng, 4)) {
      case 0:
        if (e.ParseFromString(kvs[i].second) && e.slices_size() > 0) {
          // An extra entry for a slice of this tensor, pointing somewhere.
          std::vector<TensorSlice::Extent> ex;
          for (const auto& pe : e.slices(0).extent()) {
            TensorSlice::Extent x;
            if (pe.has_length()) x = {pe.start(), pe.length()};
            ex.push_back(x);
          }
          if (rng() & 1 && !ex.empty()) ex[0].start += 1;
          proto::BundleEntryProto se;
          se.set_dtype(e.dtype());
          se.set_offset(InterestingInt64(rng, 0));
          se.set_size(InterestingInt64(rng, 8));
          kvs.emplace_back(format::EncodeTensorNameSlice(kvs[i].first, TensorSlice(ex)), se.SerializeAsString());
        }
        break;
      case 1: m.Mutate(&kvs[i].first, rng, corpus); break;
      case 2: kvs.emplace_back(kvs[i].first + "2", kvs[i].second); break;
      default: kvs.erase(kvs.begin() + static_cast<std::ptrdiff_t>(i)); break;
    }
  } else if (op == 5) {  // raw value bytes
    if (!kvs.empty()) m.Mutate(&kvs[Below(rng, kvs.size())].second, rng, corpus);
  } else if (op == 6) {  // shard count of the files vs the header
    if (rng() & 1 || data.empty()) data.push_back(data.empty() ? std::string(8, '\0') : data.back());
    else data.pop_back();
  } else {  // plain byte mutation of the packed input
    m.Mutate(s, rng, corpus);
    return true;
  }
  std::vector<std::string> out;
  out.push_back(WriteTfTable(std::move(kvs)));
  for (auto& d : data) out.push_back(std::move(d));
  *s = Pack(out);
  return true;
}

}  // namespace

// Also the checkpoint_reader target's mutation (same inputs).
bool MutateBundleInput(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  return MutateBundle(s, rng, m, corpus);
}

CKPT_FUZZ_TARGET(bundle) {
  return {.name = "bundle", .seeds = PackedSeedBundles, .run = Run, .mutate = MutateBundleInput};
}

}  // namespace ckpt::fuzz
