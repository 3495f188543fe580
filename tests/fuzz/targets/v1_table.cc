// Fuzz target v1_table: legacy V1 (tensor-slice) checkpoints, through
// format::V1Reader and through CheckpointReader (what the Python package's
// load_checkpoint uses for V1): Open (table, SavedTensorSliceMeta, versions,
// SavedSliceMeta shapes, dtypes and slices), List/Lookup, Read of every
// tensor (slices assembled), ReadSlice of a sub-box checked against Read,
// VerifyAll. The two readers must agree.
// Input: chunks (support/chunks.h), one V1 file each: the shards
// P-0000i-of-0000N of one sharded save, read through P-?????-of-0000N.
// Mutations: SavedSliceMeta edits (huge shapes, dtypes, many slices,
// slices out of range), SavedSlice record edits (element counts, names,
// slices), keys dropped or duplicated; tables re-written so the edits
// reach the parser.
#include <string>
#include <vector>

#include "ckpt/checkpoint_reader.h"
#include "ckpt/file_system.h"
#include "ckpt/proto/saved_tensor_slice.pb.h"
#include "ckpt/tensor_slice.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_key.h"
#include "format/v1_table.h"
#include "support/boxes.h"
#include "support/chunks.h"
#include "support/entry_mutations.h"
#include "support/index_tables.h"
#include "support/memory_files.h"
#include "testing/pattern_tensor.h"

namespace ckpt::fuzz {
namespace {

constexpr size_t kMaxShards = 4;
constexpr size_t kMaxTensors = 32;

// Writes the shards into a fresh memory file system; returns their pattern.
std::string PutShards(FileSystem* fs, const std::vector<std::string>& shards) {
  FUZZ_CHECK(fs->CreateDir("/f").ok(), "mkdir");
  const int n = static_cast<int>(shards.size());
  for (int i = 0; i < n; ++i) PutFile(fs, format::V1ShardedFilename("/f/p", i, n), shards[static_cast<size_t>(i)]);
  return format::V1ShardedFilespec("/f/p", n);
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  const std::vector<std::string> shards = Unpack(input, kMaxShards);
  auto fs = NewMemoryFileSystem();
  const std::string pattern = PutShards(fs.get(), shards);
  auto r = format::V1Reader::Open(pattern, fs.get());
  CheckpointReaderOptions co;
  co.fs = fs.get();
  auto cr = CheckpointReader::Open(pattern, co);
  if (!r.ok()) {
    CheckBadInputError(r.status(), "V1Reader::Open");
    FUZZ_CHECK(!cr.ok() && cr.status().code() == r.status().code(),
               "V1Reader::Open failed (" + r.status().ToString() + ") but CheckpointReader::Open: " +
                   cr.status().ToString());
    return "open:" + Sig(r.status());
  }
  FUZZ_CHECK(cr.ok(), "V1Reader opened but CheckpointReader did not: " + cr.status().ToString());
  const format::V1Reader& reader = **r;
  const CheckpointReader& creader = **cr;
  FUZZ_CHECK(creader.format() == CheckpointFormat::kV1, "CheckpointReader took a V1 file for V2");
  const auto& list = reader.List();
  const std::vector<TensorInfo> clist = creader.List();
  FUZZ_CHECK(clist.size() == list.size(), "CheckpointReader lists another number of tensors");
  std::string sig = "open:OK";
  bool data_loss_read = false;
  for (size_t i = 0; i < list.size() && i < kMaxTensors; ++i) {
    const format::V1TensorInfo& info = list[i];
    FUZZ_CHECK(i == 0 || list[i - 1].name < info.name, "List() not sorted by name");
    FUZZ_CHECK(clist[i].key == info.name && clist[i].dtype == info.dtype && clist[i].shape == info.shape,
               "CheckpointReader::List differs from V1Reader::List");
    FUZZ_CHECK(reader.HasTensor(info.name) && creader.HasTensor(info.name), "listed tensor not found");
    auto t = reader.Read(info.name);
    auto ct = creader.Read(info.name);
    if (!t.ok()) {
      CheckBadInputError(t.status(), "Read(" + format::PrintableKey(info.name) + ")");
      FUZZ_CHECK(!ct.ok() && ct.status().code() == t.status().code(),
                 "the readers disagree on a failed read: " + ct.status().ToString());
      if (t.status().code() == StatusCode::kDataLoss) data_loss_read = true;
      sig += "|read:" + Sig(t.status(), 30);
      continue;
    }
    FUZZ_CHECK(ct.ok() && ct->Equals(*t), "CheckpointReader::Read differs from V1Reader::Read");
    FUZZ_CHECK(t->dtype() == info.dtype && t->shape() == info.shape, "Read returned another dtype/shape");
    if (info.shape.rank() == 0) continue;
    const SubBox b = PickSubBox(info.shape.dims(), Fnv1a(input) + i);
    auto part = reader.ReadSlice(info.name, b.slice);
    FUZZ_CHECK(part.ok(), "Read succeeded but ReadSlice " + b.slice.ToString() + " failed: " +
                              part.status().ToString());
    FUZZ_CHECK(part->Equals(CutSubBox(*t, b)), "ReadSlice " + b.slice.ToString() + " of \"" +
                                                   format::PrintableKey(info.name) +
                                                   "\" differs from the same elements of Read");
  }
  FUZZ_CHECK(reader.Read("\x01no such tensor").status().code() == StatusCode::kNotFound, "missing tensor");
  Status v = reader.VerifyAll();
  if (!v.ok()) {
    CheckBadInputError(v, "VerifyAll");
  } else {
    FUZZ_CHECK(!data_loss_read, "VerifyAll passed although a read found corrupt data");
  }
  FUZZ_CHECK(creader.VerifyAll().code() == v.code(), "the readers' VerifyAll disagree");
  return sig + "|verify:" + Sig(v);
}

// One edit of the SavedTensorSliceMeta of a table's "" record.
void MutateMeta(proto::SavedTensorSliceMeta* meta, Rng& rng) {
  if (meta->tensor_size() == 0 || Below(rng, 8) == 0) {
    switch (Below(rng, 3)) {
      case 0: meta->mutable_versions()->set_producer(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
      case 1: meta->mutable_versions()->set_min_consumer(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
      default: meta->mutable_versions()->add_bad_consumers(static_cast<int32_t>(Below(rng, 3))); break;
    }
    return;
  }
  proto::SavedSliceMeta* t = meta->mutable_tensor(static_cast<int>(Below(rng, meta->tensor_size())));
  switch (Below(rng, 8)) {
    case 0: MutateShapeProto(t->mutable_shape(), rng); break;
    case 1: {
      static const int dt[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 17, 18, 19, 20, 21, 22, 23, 100, -1};
      t->set_type(dt[Below(rng, std::size(dt))]);
      break;
    }
    case 2:
      if (t->slice_size()) MutateSliceProto(t->mutable_slice(static_cast<int>(Below(rng, t->slice_size()))), rng, 2);
      else MutateSliceProto(t->add_slice(), rng, 2);
      break;
    case 3: {  // many slices: copies of one, or rows of dim 0
      const int k = static_cast<int>(1 + Below(rng, 2000));
      for (int j = 0; j < k; ++j) {
        auto* s = t->add_slice();
        if (t->slice_size() > 1 && (rng() & 1)) {
          *s = t->slice(0);
        } else {
          auto* e = s->add_extent();
          e->set_start(j);
          e->set_length(1);
          for (int d = 1; d < t->shape().dim_size(); ++d) s->add_extent();
        }
      }
      break;
    }
    case 4: *meta->add_tensor() = *t; break;  // the same name twice
    case 5: t->set_name(t->name() + (rng() & 1 ? "x" : "")); break;
    case 6: t->clear_slice(); break;
    default: meta->mutable_tensor()->erase(meta->mutable_tensor()->begin() + Below(rng, meta->tensor_size())); break;
  }
}

// One edit of a SavedSlice record: element counts, name, slice.
void MutateSlice(proto::SavedSlice* s, Rng& rng) {
  proto::TensorProto* d = s->mutable_data();
  switch (Below(rng, 7)) {
    case 0: d->add_float_val(1.5f); break;
    case 1:
      if (d->float_val_size()) d->mutable_float_val()->RemoveLast();
      else if (d->int_val_size()) d->mutable_int_val()->RemoveLast();
      else if (d->int64_val_size()) d->mutable_int64_val()->RemoveLast();
      else if (d->string_val_size()) d->mutable_string_val()->RemoveLast();
      break;
    case 2: d->add_string_val(std::string(Below(rng, 40), 's')); break;
    case 3: d->add_int_val(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
    case 4: MutateSliceProto(s->mutable_slice(), rng, 2); break;
    case 5: s->set_name(s->name() + "x"); break;
    default: {  // many values
      const int k = static_cast<int>(1 + Below(rng, 5000));
      for (int j = 0; j < k; ++j) d->add_int_val(j);
      break;
    }
  }
}

bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  std::vector<std::string> shards = Unpack(*s, kMaxShards);
  if (shards.empty()) return false;
  const size_t c = Below(rng, shards.size());
  StringFile file(shards[c], "v1");
  auto read = format::ReadIndexTable(file);
  if (!read.ok() || Below(rng, 8) == 0) {
    m.Mutate(&shards[c], rng, corpus);
    FixTableCrcs(&shards[c]);
    *s = Pack(shards);
    return true;
  }
  KeyValues kvs = *std::move(read);
  if (kvs.empty()) return false;
  const size_t op = Below(rng, 6);
  if (op <= 1 && kvs[0].first.empty()) {
    proto::SavedTensorSlices sts;
    if (sts.ParseFromString(kvs[0].second)) {
      const int edits = 1 + static_cast<int>(Below(rng, 2));
      for (int j = 0; j < edits; ++j) MutateMeta(sts.mutable_meta(), rng);
      kvs[0].second = sts.SerializeAsString();
    }
  } else if (op == 2 && kvs.size() > 1) {
    const size_t i = 1 + Below(rng, kvs.size() - 1);
    proto::SavedTensorSlices sts;
    if (sts.ParseFromString(kvs[i].second)) {
      MutateSlice(sts.mutable_data(), rng);
      kvs[i].second = sts.SerializeAsString();
    }
  } else if (op == 3 && kvs.size() > 1) {  // drop, duplicate under another slice key, or rename a record
    const size_t i = 1 + Below(rng, kvs.size() - 1);
    switch (Below(rng, 3)) {
      case 0: kvs.erase(kvs.begin() + static_cast<std::ptrdiff_t>(i)); break;
      case 1: kvs.emplace_back(kvs[i].first + "\x01", kvs[i].second); break;
      default: m.Mutate(&kvs[i].first, rng, corpus); break;
    }
  } else if (op == 4) {
    m.Mutate(&kvs[Below(rng, kvs.size())].second, rng, corpus);
  } else {  // shard count
    if ((rng() & 1) && shards.size() < kMaxShards) shards.push_back(shards[c]);
    else if (shards.size() > 1) shards.erase(shards.begin() + static_cast<std::ptrdiff_t>(c));
    *s = Pack(shards);
    return true;
  }
  shards[c] = WriteTfTable(std::move(kvs));
  *s = Pack(shards);
  return true;
}

std::vector<std::string> Seeds() {
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/s").ok(), "mkdir");
  format::V1Writer::Options wo;
  wo.fs = fs.get();
  wo.sync = false;
  auto add = [](format::V1Writer* w, const std::string& name, const Tensor& t) {
    Status s = w->Add(name, t.shape(), TensorSlice::Full(t.shape().rank()), t.view());
    FUZZ_CHECK(s.ok(), s.ToString());
  };
  // Rows [a, b) of a 2-D (or 1-D) tensor `full` as a slice.
  auto add_rows = [](format::V1Writer* w, const std::string& name, const Tensor& full, int64_t a, int64_t b) {
    std::vector<int64_t> dims = full.shape().dims();
    const size_t row = full.byte_size() / static_cast<size_t>(dims[0]);
    std::vector<TensorSlice::Extent> ex(dims.size());
    ex[0] = {a, b - a};
    dims[0] = b - a;
    Tensor piece = *Tensor::Make(full.dtype(), TensorShape(dims));
    std::memcpy(piece.data(), static_cast<const char*>(full.data()) + a * row, piece.byte_size());
    Status s = w->Add(name, full.shape(), TensorSlice(ex), piece.view());
    FUZZ_CHECK(s.ok(), s.ToString());
  };
  std::vector<std::string> out;
  {
    auto w = *format::V1Writer::Create("/s/one", wo);
    add(w.get(), "a/float", test::PatternTensor(DType::kFloat, {2, 3}, 1));
    add(w.get(), "b/int64", test::PatternTensor(DType::kInt64, {4}, 2));
    add(w.get(), "c/half", test::PatternTensor(DType::kHalf, {3}, 3));
    add(w.get(), "d/bool", test::PatternTensor(DType::kBool, {3}, 4));
    add(w.get(), "e/double", test::PatternTensor(DType::kDouble, {}, 5));
    add(w.get(), "f/empty", test::PatternTensor(DType::kFloat, {0, 3}, 6));
    add(w.get(), "g/c64", test::PatternTensor(DType::kComplex64, {2}, 7));
    add(w.get(), "h/uint8", test::PatternTensor(DType::kUInt8, {5}, 8));
    add(w.get(), "i/strings", Tensor::FromStrings({2, 2}, {"", "hello", std::string(130, 'x'), std::string("\0\xff", 2)}));
    const Tensor part = test::PatternTensor(DType::kFloat, {4, 3}, 9);
    add_rows(w.get(), "j/part", part, 0, 1);
    add_rows(w.get(), "j/part", part, 1, 4);
    const Tensor sparts = Tensor::FromStrings({3}, {"a", "bb", "ccc"});
    std::vector<TensorSlice::Extent> ex = {{0, 2}};
    Tensor s01 = Tensor::FromStrings({2}, {"a", "bb"});
    FUZZ_CHECK(w->Add("k/sparts", sparts.shape(), TensorSlice(ex), s01.view()).ok(), "add");
    ex = {{2, 1}};
    Tensor s2 = Tensor::FromStrings({1}, {"ccc"});
    FUZZ_CHECK(w->Add("k/sparts", sparts.shape(), TensorSlice(ex), s2.view()).ok(), "add");
    FUZZ_CHECK(w->Finish().ok(), "finish");
    out.push_back(Pack({GetFile(fs.get(), "/s/one")}));
  }
  {  // two shards, a partitioned tensor with a slice in each
    const Tensor full = test::PatternTensor(DType::kInt32, {5, 2}, 10);
    std::vector<std::string> files;
    for (int shard = 0; shard < 2; ++shard) {
      const std::string name = format::V1ShardedFilename("/s/two", shard, 2);
      auto w = *format::V1Writer::Create(name, wo);
      add_rows(w.get(), "p", full, shard == 0 ? 0 : 2, shard == 0 ? 2 : 5);
      add(w.get(), shard == 0 ? "q0" : "q1", test::PatternTensor(DType::kDouble, {2}, 11 + shard));
      FUZZ_CHECK(w->Finish().ok(), "finish");
      files.push_back(GetFile(fs.get(), name));
    }
    out.push_back(Pack(files));
  }
  {  // no tensors
    auto w = *format::V1Writer::Create("/s/empty", wo);
    FUZZ_CHECK(w->Finish().ok(), "finish");
    out.push_back(Pack({GetFile(fs.get(), "/s/empty")}));
  }
  return out;
}

}  // namespace

CKPT_FUZZ_TARGET(v1_table) {
  return {.name = "v1_table", .seeds = Seeds, .run = Run, .mutate = Mutate};
}

}  // namespace ckpt::fuzz
