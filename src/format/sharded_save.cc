#include "format/sharded_save.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/status_macros.h"
#include "format/slice_copy.h"

namespace ckpt::format {

namespace {

// A sharded variable's block with no elements: not written by any save (TF
// cannot store an empty slice).
bool IsEmptyShare(const NamedView& v) {
  return v.slice && v.view.shape.num_elements() == 0 && v.slice->full_shape.num_elements() > 0;
}

TensorShape FullShape(const NamedView& v) { return v.slice ? v.slice->full_shape : v.view.shape; }

// The value's own block, every extent explicit.
TensorSlice BlockOf(const NamedView& v) {
  const TensorShape full = FullShape(v);
  std::vector<TensorSlice::Extent> e(static_cast<size_t>(full.rank()));
  for (int d = 0; d < full.rank(); ++d) {
    const bool sliced = v.slice && !v.slice->slice.IsFullAt(d);
    e[static_cast<size_t>(d)] = {sliced ? v.slice->slice.start(d) : 0, v.view.shape.dim(d)};
  }
  return TensorSlice(std::move(e));
}

// Element offset of `piece`'s first element within `block` (row-major), and
// whether the piece's elements are one contiguous run of the block's buffer:
// true when the piece is one element thick on every axis before some axis d
// and spans the block fully on every axis after d.
bool ContiguousIn(const TensorSlice& block, const TensorSlice& piece, const TensorShape& full, int64_t* first) {
  *first = 0;
  bool past_d = false;
  bool contiguous = true;
  for (int d = 0; d < block.rank(); ++d) {
    const int64_t blen = block.length(d);
    const int64_t plen = piece.ResolvedLength(d, full);
    const int64_t pstart = piece.IsFullAt(d) ? 0 : piece.start(d);
    *first = *first * blen + (pstart - block.start(d));
    if (past_d && plen != blen) contiguous = false;
    if (plen != 1) past_d = true;
  }
  return contiguous;
}

// The strings of `piece` out of `block`'s row-major elements.
std::vector<std::string_view> GatherStrings(std::span<const std::string_view> src, const TensorSlice& block,
                                            const TensorSlice& piece, const TensorShape& full) {
  const int rank = block.rank();
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0), len(static_cast<size_t>(rank)),
      start(static_cast<size_t>(rank));
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) {
    len[static_cast<size_t>(d)] = piece.ResolvedLength(d, full);
    start[static_cast<size_t>(d)] = (piece.IsFullAt(d) ? 0 : piece.start(d)) - block.start(d);
    n *= len[static_cast<size_t>(d)];
  }
  std::vector<std::string_view> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    int64_t flat = 0;
    for (int d = 0; d < rank; ++d) flat = flat * block.length(d) + start[static_cast<size_t>(d)] + idx[static_cast<size_t>(d)];
    out.push_back(src[static_cast<size_t>(flat)]);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[static_cast<size_t>(d)] < len[static_cast<size_t>(d)]) break;
      idx[static_cast<size_t>(d)] = 0;
    }
  }
  return out;
}

Status AddPiece(BundleWriter& writer, const NamedView& v, const ShardPiece& p) {
  if (!p.slice) {
    return v.slice ? writer.AddSlice(v.key, v.slice->full_shape, v.slice->slice, v.view) : writer.Add(v.key, v.view);
  }
  const TensorShape full = FullShape(v);
  const TensorSlice block = BlockOf(v);
  TensorView part;
  part.dtype = v.view.dtype;
  part.shape = p.slice->SliceShape(full);
  std::vector<std::string_view> strings;
  std::unique_ptr<char[]> copy;
  if (v.view.dtype == DType::kString) {
    strings = GatherStrings(v.view.strings, block, *p.slice, full);
    part.strings = strings;
  } else {
    const size_t esize = DTypeSize(v.view.dtype);
    int64_t first = 0;
    if (ContiguousIn(block, *p.slice, full, &first)) {
      part.data = static_cast<const char*>(v.view.data) + static_cast<size_t>(first) * esize;
    } else {
      copy.reset(new char[part.byte_size()]);
      CopySliceOverlap(v.view.data, block, copy.get(), *p.slice, full, esize);
      part.data = copy.get();
    }
  }
  return writer.AddSlice(v.key, full, *p.slice, part);
}

std::string PartPrefix(const std::string& prefix, size_t shard, size_t num_shards) {
  char name[64];
  std::snprintf(name, sizeof(name), "part-%05zu-of-%05zu", shard, num_shards);
  return JoinPath(prefix + "_temp", name);
}

// Removes finished parts (index and data file) and the temp directory if
// it is empty then; best effort (a failure to clean leaves litter, never a
// published bundle).
void RemoveParts(FileSystem* fs, const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    fs->DeleteFile(MetaFilename(part)).IgnoreError();
    fs->DeleteFile(DataFilename(part, 0, 1)).IgnoreError();
  }
  if (!parts.empty()) fs->DeleteDir(std::string(Dirname(parts.front()))).IgnoreError();
}

}  // namespace

Result<ShardedSavePlan> PlanShardedSave(std::span<const NamedView> values, const ShardingCallback& callback) {
  std::vector<ShardableTensor> tensors;
  std::vector<size_t> value_of;
  tensors.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const NamedView& v = values[i];
    if (IsEmptyShare(v)) continue;
    ShardableTensor t;
    t.checkpoint_key = v.key;
    t.dtype = v.view.dtype;
    t.shape = v.view.shape;
    t.slice = v.slice;
    t.strings = v.view.strings;
    tensors.push_back(std::move(t));
    value_of.push_back(i);
  }
  CKPT_ASSIGN_OR_RETURN(std::vector<Shard> shards, callback.Split(tensors));
  CKPT_RETURN_IF_ERROR(ValidateShards(tensors, shards, callback.description()));
  ShardedSavePlan plan;
  plan.shards = std::move(shards);
  for (Shard& s : plan.shards) {
    for (ShardPiece& p : s) p.tensor = value_of[p.tensor];
  }
  return plan;
}

Status WriteShardedBundle(FileSystem* fs, bool sync, const std::string& prefix, std::span<const NamedView> values,
                          const ShardedSavePlan& plan) {
  const std::string dir(Dirname(prefix));
  if (!dir.empty()) CKPT_RETURN_IF_ERROR(fs->RecursivelyCreateDir(dir));
  BundleWriterOptions wo;
  wo.fs = fs;
  wo.sync = sync;
  auto write_one = [&](const std::string& at, const Shard& shard, const std::atomic<bool>* stop) -> Status {
    CKPT_ASSIGN_OR_RETURN(auto writer, BundleWriter::Create(at, wo));
    for (const ShardPiece& p : shard) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
        return CancelledError("another shard's writer failed");
      }
      if (p.tensor >= values.size()) return InternalError("sharded save: piece names a value out of range");
      CKPT_RETURN_IF_ERROR(AddPiece(*writer, values[p.tensor], p));
    }
    return writer->Finish();
  };
  if (plan.shards.size() == 1) return write_one(prefix, plan.shards[0], nullptr);

  const size_t n = plan.shards.size();
  std::vector<std::string> parts(n);
  for (size_t i = 0; i < n; ++i) parts[i] = PartPrefix(prefix, i, n);
  CKPT_RETURN_IF_ERROR(fs->RecursivelyCreateDir(prefix + "_temp"));
  std::vector<Status> results(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      if (stop.load()) {
        results[i] = CancelledError("another shard's writer failed");
        continue;
      }
      results[i] = write_one(parts[i], plan.shards[i], &stop);
      if (!results[i].ok()) stop.store(true);
    }
  };
  const size_t threads = std::min<size_t>(n, kMaxShardWriters);
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  for (size_t i = 0; i < n; ++i) {
    if (!results[i].ok() && results[i].code() != StatusCode::kCancelled) {
      RemoveParts(fs, parts);
      return Status(results[i].code(), "shard " + std::to_string(i) + " of " + std::to_string(n) + " (" + parts[i] +
                                            "): " + std::string(results[i].message()));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!results[i].ok()) {
      RemoveParts(fs, parts);
      return results[i];
    }
  }
  MergeOptions mo;
  mo.fs = fs;
  mo.sync = sync;
  mo.delete_old_dirs = true;
  Status merged = MergeBundles(parts, prefix, mo);
  if (!merged.ok()) RemoveParts(fs, parts);
  return merged;
}

}  // namespace ckpt::format
