// ShardedVariable: blocks of one tensor, saved as TF's partitioned variables.
#include "ckpt/sharded_variable.h"

#include "ckpt/status_macros.h"

namespace ckpt {
namespace {

bool Overlaps(const TensorSlice& a, const TensorSlice& b) {
  for (int d = 0; d < a.rank(); ++d) {
    if (std::max(a.start(d), b.start(d)) >= std::min(a.start(d) + a.length(d), b.start(d) + b.length(d))) {
      return false;
    }
  }
  return true;
}

std::string Offset(const std::vector<int64_t>& offset) {
  std::string s = "(";
  for (size_t i = 0; i < offset.size(); ++i) s += (i ? ", " : "") + std::to_string(offset[i]);
  return s + ")";
}

}  // namespace

ShardedVariable::ShardedVariable(DType dtype, TensorShape full_shape, std::string name)
    : dtype_(dtype), full_shape_(std::move(full_shape)), name_(std::move(name)) {
  if (auto s = TensorShape::Make(full_shape_.dims()); !s.ok()) status_ = s.status();
  if (status_.ok() && !IsStorableDType(dtype_)) {
    status_ = InvalidArgumentError("ShardedVariable: dtype " + std::string(DTypeName(dtype_)) + " cannot be stored");
  }
}

ShardedVariable::ShardedVariable(Tensor local, TensorShape full_shape, std::vector<int64_t> offset, std::string name)
    : ShardedVariable(local.dtype(), std::move(full_shape), std::move(name)) {
  if (status_.ok()) status_ = AddShard(std::move(offset), std::move(local));
}

Status ShardedVariable::CheckBlock(const std::vector<int64_t>& offset, DType dtype, const TensorShape& local,
                                   TensorSlice* slice) const {
  CKPT_RETURN_IF_ERROR(status_);
  const std::string what = "ShardedVariable " + DebugString() + ": block at " + Offset(offset) + " of shape " +
                           local.ToString();
  if (dtype != dtype_) {
    return InvalidArgumentError(what + " has dtype " + std::string(DTypeName(dtype)) + ", the variable " +
                                std::string(DTypeName(dtype_)));
  }
  if (static_cast<int>(offset.size()) != full_shape_.rank() || local.rank() != full_shape_.rank()) {
    return InvalidArgumentError(what + ": offset and block need one entry per dimension of " +
                                full_shape_.ToString());
  }
  std::vector<TensorSlice::Extent> extents;
  for (int d = 0; d < local.rank(); ++d) {
    if (offset[d] < 0 || offset[d] > full_shape_.dim(d) || local.dim(d) > full_shape_.dim(d) - offset[d]) {
      return InvalidArgumentError(what + " does not fit in " + full_shape_.ToString() + " (dimension " +
                                  std::to_string(d) + ")");
    }
    extents.push_back({offset[d], local.dim(d)});
  }
  *slice = TensorSlice(std::move(extents));
  if (local.num_elements() == 0) return OkStatus();  // empty shares never overlap
  for (const Shard& s : shards_) {
    if (s.value->shape().num_elements() > 0 && Overlaps(s.slice, *slice)) {
      return InvalidArgumentError(what + " overlaps the shard " + s.slice.ToString());
    }
  }
  return OkStatus();
}

Status ShardedVariable::AddShard(std::vector<int64_t> offset, Tensor local) {
  TensorSlice slice;
  CKPT_RETURN_IF_ERROR(CheckBlock(offset, local.dtype(), local.shape(), &slice));
  shards_.push_back(Shard{std::move(slice), std::make_unique<Variable>(std::move(local), name_)});
  return OkStatus();
}

Status ShardedVariable::AddShard(std::vector<int64_t> offset, const MutableTensorView& buffer) {
  if (buffer.dtype == DType::kString) {
    return InvalidArgumentError("ShardedVariable: string shards must be owned Tensors");
  }
  TensorSlice slice;
  CKPT_RETURN_IF_ERROR(CheckBlock(offset, buffer.dtype, buffer.shape, &slice));
  shards_.push_back(Shard{std::move(slice), Variable::Wrap(buffer, name_)});
  return OkStatus();
}

Status ShardedVariable::RestoreFrom(const BundleReader& reader, std::string_view key) {
  CKPT_RETURN_IF_ERROR(status_);
  CKPT_ASSIGN_OR_RETURN(TensorInfo info, reader.Lookup(key));
  if (info.dtype != dtype_ || !(info.shape == full_shape_)) {
    // The same texts as Variable (TF's CK-30/CK-31), checked against the full
    // tensor: a Variable over no storage reports the mismatch before reading.
    MutableTensorView none;
    none.dtype = dtype_;
    none.shape = full_shape_;
    return Variable(none, name_).RestoreFrom(reader, key);
  }
  for (Shard& s : shards_) {
    Variable& v = *s.value;
    if (v.shape().num_elements() == 0) continue;
    if (dtype_ == DType::kString) {
      CKPT_ASSIGN_OR_RETURN(Tensor t, reader.ReadSlice(key, s.slice));
      v.strings() = std::move(t.strings());
      continue;
    }
    CKPT_RETURN_IF_ERROR(reader.ReadSliceInto(key, s.slice, v.mutable_view()));
  }
  return OkStatus();
}

std::vector<SaveableAttribute> ShardedVariable::attributes() {
  SaveableAttribute a;
  a.name = std::string(kVariableValue);
  a.full_name = name_;
  a.full_shape = full_shape_;
  if (!status_.ok()) {
    // An unusable variable: a save fails with its error.
    a.value = nullptr;
  } else if (full_shape_.num_elements() == 0) {
    // Nothing to split: stored whole, as an empty tensor (TF cannot store empty slices).
    auto empty = std::make_shared<Tensor>();
    if (auto t = Tensor::Make(dtype_, full_shape_); t.ok()) *empty = *std::move(t);
    a.parts.push_back({TensorSlice::Full(full_shape_.rank()), [empty] { return empty->view(); }});
  } else if (shards_.empty() && full_shape_.rank() > 0) {
    // No block here (a rank of a distributed save holding none of this
    // tensor): an empty share, so the key is still listed with its dtype and
    // shape and nothing is written. In one process the save then fails the
    // coverage check, as for any missing block.
    std::vector<int64_t> dims = full_shape_.dims();
    dims[0] = 0;
    std::vector<TensorSlice::Extent> extents;
    for (int d = 0; d < full_shape_.rank(); ++d) extents.push_back({0, d == 0 ? 0 : full_shape_.dim(d)});
    auto empty = std::make_shared<Tensor>();
    if (auto t = Tensor::Make(dtype_, TensorShape(dims)); t.ok()) *empty = *std::move(t);
    a.parts.push_back({TensorSlice(std::move(extents)), [empty] { return empty->view(); }});
  } else {
    // Empty shares are listed too (the writer skips them), so that a save
    // still knows this rank holds part of the key.
    for (Shard& s : shards_) {
      Variable* v = s.value.get();
      a.parts.push_back({s.slice, [v] { return v->view(); }});
    }
  }
  a.restore = [this](const BundleReader& reader, std::string_view key) { return RestoreFrom(reader, key); };
  std::vector<SaveableAttribute> out;
  out.push_back(std::move(a));
  return out;
}

std::string ShardedVariable::DebugString() const {
  return "<ShardedVariable '" + (name_.empty() ? std::string("Variable") : name_) + "' shape=" +
         full_shape_.ToString() + " dtype=" + std::string(DTypeName(dtype_)) + " shards=" +
         std::to_string(shards_.size()) + ">";
}

}  // namespace ckpt
