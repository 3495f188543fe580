// ShardByTaskPolicy, MaxShardSizePolicy and ValidateShards (ckpt/sharding.h).
//
// MaxShardSizePolicy reproduces the shards TF 2.21's policy makes (same order,
// same cuts, same slice specs), so a checkpoint saved by ckpt and one saved by
// TF with the same policy have the same index layout. Its rules, in our words:
//  * values are visited in save order; a running "room left" counts down
//    from max_shard_size in the current shard;
//  * a scalar larger than the limit gets a shard of its own (after all the
//    others); a smaller one opens a new shard when it does not fit;
//  * a value of rank >= 1 that does not fit is cut from the front of its
//    remaining box: each cut takes the largest slab (on the axis giving the
//    fewest slabs of at most "room left" bytes; axis 0 unless another axis
//    needs strictly fewer slabs and its average slab fits) that fits the room
//    left; when no slab fits, a new shard is opened. A shard filled exactly
//    is closed at once. What is left of the value then goes to the current
//    shard, as one more slice.
// Every slice is spelled out explicitly (start,length on every axis), as TF's
// SaveSliceInfo spec is; BundleWriter stores a slice covering the whole
// tensor as a plain tensor, as TF does.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "ckpt/sharding.h"
#include "ckpt/status_macros.h"

namespace ckpt {

namespace {

constexpr std::string_view kObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";
constexpr int64_t kNoFit = std::numeric_limits<int64_t>::max();

int64_t NumElements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> Dims(const TensorShape& s) {
  std::vector<int64_t> d(static_cast<size_t>(s.rank()));
  for (int i = 0; i < s.rank(); ++i) d[static_cast<size_t>(i)] = s.dim(i);
  return d;
}

TensorSlice Box(const std::vector<int64_t>& offset, const std::vector<int64_t>& shape) {
  std::vector<TensorSlice::Extent> e(offset.size());
  for (size_t i = 0; i < offset.size(); ++i) e[i] = {offset[i], shape[i]};
  return TensorSlice(std::move(e));
}

// The value's block within its full tensor: offset and shape.
void RootBox(const ShardableTensor& t, std::vector<int64_t>* offset, std::vector<int64_t>* shape) {
  *shape = Dims(t.shape);
  offset->assign(shape->size(), 0);
  if (t.slice) {
    for (int d = 0; d < t.slice->slice.rank() && static_cast<size_t>(d) < offset->size(); ++d) {
      (*offset)[static_cast<size_t>(d)] = t.slice->slice.IsFullAt(d) ? 0 : t.slice->slice.start(d);
    }
  }
}

class Packer {
 public:
  explicit Packer(int64_t max) : max_(max), room_(max) { regular_.emplace_back(); }

  void Add(size_t index, const ShardableTensor& t) {
    int64_t esize = 0;
    int64_t total = 0;
    std::vector<int64_t> offset, shape;
    RootBox(t, &offset, &shape);
    const int64_t n = NumElements(shape);
    if (t.checkpoint_key == kObjectGraphKey || t.dtype == DType::kVariant) {
      // Sizes unknown to TF when it plans (graph mode, variants): counted 0.
    } else if (t.dtype == DType::kString) {
      // TF: the sum of the elements' byte lengths, and slabs sized as if each
      // element were as long as the longest.
      for (std::string_view s : t.strings) {
        total += static_cast<int64_t>(s.size());
        esize = std::max(esize, static_cast<int64_t>(s.size()));
      }
    } else {
      esize = static_cast<int64_t>(DTypeSize(t.dtype));
      total = n * esize;
    }

    if (shape.empty()) {  // a scalar: never cut
      if (total > max_) {
        oversize_.push_back({{index, std::nullopt}});
        return;
      }
      if (total > room_) NewShard();
      regular_.back().push_back({index, std::nullopt});
      room_ -= total;
      return;
    }
    if (n == 0) {
      // TF 2.21 drops such a value (and its own validation then fails);
      // nothing to cut: it goes whole into the current shard.
      regular_.back().push_back({index, std::nullopt});
      return;
    }

    int64_t left = total;
    while (left > room_) {
      auto [axis, part] = NextCut(shape, esize);
      if (part == 0) {
        if (room_ == max_) {
          // Not even a one-thick slab fits an empty shard (TF 2.21 loops
          // forever here): cut one-thick slabs on the longest axis; each is
          // an over-size shard of its own.
          axis = static_cast<size_t>(std::max_element(shape.begin(), shape.end()) - shape.begin());
          part = 1;
        } else {
          NewShard();
          continue;
        }
      }
      std::vector<int64_t> slab = shape;
      slab[axis] = part;
      const int64_t bytes = NumElements(slab) * esize;
      const ShardPiece piece{index, Box(offset, slab)};
      if (bytes > max_) {
        oversize_.push_back({piece});
      } else {
        regular_.back().push_back(piece);
        room_ -= bytes;
        if (room_ == 0) NewShard();
      }
      offset[axis] += part;
      shape[axis] -= part;
      left = NumElements(shape) * esize;
    }
    if (NumElements(shape) > 0) regular_.back().push_back({index, Box(offset, shape)});
    room_ -= left;
  }

  std::vector<Shard> Finish() && {
    std::vector<Shard> out;
    for (Shard& s : regular_) {
      // TF keeps an empty trailing shard (a shard filled exactly, followed
      // by nothing), writing an empty data file; ckpt leaves it out. In a
      // Checkpoint save the object graph comes last and fills it.
      if (!s.empty()) out.push_back(std::move(s));
    }
    for (Shard& s : oversize_) out.push_back(std::move(s));
    if (out.empty()) out.emplace_back();
    return out;
  }

 private:
  void NewShard() {
    regular_.emplace_back();
    room_ = max_;
  }

  // The axis and thickness of the next slab cut from the front of the
  // remaining box `shape`; thickness 0 when no slab fits the room left.
  std::pair<size_t, int64_t> NextCut(const std::vector<int64_t>& shape, int64_t esize) const {
    const int64_t n = NumElements(shape);
    auto slabs = [&](size_t axis) -> int64_t {
      const int64_t len = shape[axis];
      const int64_t per_index = (n / len) * esize;  // bytes of a one-thick slab
      const int64_t fit = room_ / per_index;
      return fit == 0 ? kNoFit : (len + fit - 1) / fit;
    };
    size_t best_axis = 0;
    int64_t best = slabs(0);
    for (size_t axis = 1; axis < shape.size(); ++axis) {
      const int64_t k = slabs(axis);
      if (k == kNoFit || k >= best) continue;
      // TF compares the average slab (a float division) with the room left.
      if (static_cast<double>(n * esize) / static_cast<double>(k) <= static_cast<double>(room_)) {
        best_axis = axis;
        best = k;
      }
    }
    if (best == kNoFit) return {0, 0};
    return {best_axis, (shape[best_axis] + best - 1) / best};
  }

  const int64_t max_;
  int64_t room_;
  std::vector<Shard> regular_;
  std::vector<Shard> oversize_;
};

int64_t Volume(const TensorSlice& s, const TensorShape& full) {
  int64_t v = 1;
  for (int d = 0; d < s.rank(); ++d) v *= s.ResolvedLength(d, full);
  return v;
}

bool Overlap(const TensorSlice& a, const TensorSlice& b, const TensorShape& full) {
  for (int d = 0; d < a.rank(); ++d) {
    const int64_t a0 = a.IsFullAt(d) ? 0 : a.start(d), a1 = a0 + a.ResolvedLength(d, full);
    const int64_t b0 = b.IsFullAt(d) ? 0 : b.start(d), b1 = b0 + b.ResolvedLength(d, full);
    if (a1 <= b0 || b1 <= a0) return false;
  }
  return true;
}

}  // namespace

ShardingCallback::~ShardingCallback() = default;

std::string ShardByTaskPolicy::description() const { return "Split tensors into shards based on their task."; }

Result<std::vector<Shard>> ShardByTaskPolicy::Split(std::span<const ShardableTensor> tensors) const {
  std::vector<Shard> shards;
  std::map<int, size_t> shard_of_task;  // in order of first appearance
  for (size_t i = 0; i < tensors.size(); ++i) {
    auto [it, added] = shard_of_task.emplace(tensors[i].task, shards.size());
    if (added) shards.emplace_back();
    shards[it->second].push_back({i, std::nullopt});
  }
  if (shards.empty()) shards.emplace_back();
  return shards;
}

std::string MaxShardSizePolicy::description() const {
  return "Split tensors into shards with a max shard size of " + std::to_string(max_shard_size_) + " bytes.";
}

Result<std::vector<Shard>> MaxShardSizePolicy::Split(std::span<const ShardableTensor> tensors) const {
  if (max_shard_size_ <= 0) {
    return InvalidArgumentError("MaxShardSizePolicy: max_shard_size must be positive, got " +
                                std::to_string(max_shard_size_));
  }
  Packer packer(max_shard_size_);
  for (size_t i = 0; i < tensors.size(); ++i) packer.Add(i, tensors[i]);
  return std::move(packer).Finish();
}

Status ValidateShards(std::span<const ShardableTensor> tensors, std::span<const Shard> shards,
                      std::string_view description) {
  const std::string who = "sharding callback \"" + std::string(description) + "\": ";
  std::vector<std::vector<const ShardPiece*>> pieces(tensors.size());
  for (size_t s = 0; s < shards.size(); ++s) {
    const int* task = nullptr;
    for (const ShardPiece& p : shards[s]) {
      if (p.tensor >= tensors.size()) {
        return InvalidArgumentError(who + "shard " + std::to_string(s) + " names value #" + std::to_string(p.tensor) +
                                    ", but the save has " + std::to_string(tensors.size()));
      }
      const ShardableTensor& t = tensors[p.tensor];
      if (task != nullptr && *task != t.task) {
        return InvalidArgumentError(who + "shard " + std::to_string(s) + " mixes values of tasks " +
                                    std::to_string(*task) + " and " + std::to_string(t.task) + " (key " +
                                    t.checkpoint_key + ")");
      }
      task = &t.task;
      pieces[p.tensor].push_back(&p);
    }
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const ShardableTensor& t = tensors[i];
    const std::vector<const ShardPiece*>& ps = pieces[i];
    if (ps.empty()) return InvalidArgumentError(who + "value " + t.checkpoint_key + " is in no shard");
    const bool whole = std::any_of(ps.begin(), ps.end(), [](const ShardPiece* p) { return !p->slice; });
    if (whole) {
      if (ps.size() > 1) return InvalidArgumentError(who + "value " + t.checkpoint_key + " is in more than one shard");
      continue;
    }
    const TensorShape full = t.slice ? t.slice->full_shape : t.shape;
    std::vector<int64_t> offset, shape;
    RootBox(t, &offset, &shape);
    int64_t covered = 0;
    for (size_t a = 0; a < ps.size(); ++a) {
      const TensorSlice& s = *ps[a]->slice;
      CKPT_RETURN_IF_ERROR(s.CheckFits(full));
      for (int d = 0; d < s.rank(); ++d) {
        const int64_t lo = s.IsFullAt(d) ? 0 : s.start(d);
        const int64_t hi = lo + s.ResolvedLength(d, full);
        const size_t du = static_cast<size_t>(d);
        if (lo < offset[du] || hi > offset[du] + shape[du]) {
          return InvalidArgumentError(who + "slice " + s.ToString() + " of " + t.checkpoint_key +
                                      " lies outside the value's block " + Box(offset, shape).ToString());
        }
      }
      for (size_t b = 0; b < a; ++b) {
        if (Overlap(s, *ps[b]->slice, full)) {
          return InvalidArgumentError(who + "slices " + ps[b]->slice->ToString() + " and " + s.ToString() + " of " +
                                      t.checkpoint_key + " overlap");
        }
      }
      covered += Volume(s, full);
    }
    if (covered != NumElements(shape)) {
      return InvalidArgumentError(who + "the slices of " + t.checkpoint_key + " cover " + std::to_string(covered) +
                                  " of its " + std::to_string(NumElements(shape)) + " elements");
    }
  }
  return OkStatus();
}

}  // namespace ckpt
