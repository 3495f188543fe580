// ckpt._ckpt._ShardedVariable: this process's block of a global tensor, over a
// ckpt.Variable (which holds the caller's array).
//
// Saved like the C++ ckpt::ShardedVariable with one shard (one object-graph
// node, one VARIABLE_VALUE attribute: the full shape plus this block as a
// slice), so a Checkpoint of these is a TF partitioned variable in one
// process and a sharded value in a distributed save (docs/distributed.md).
// Restoring goes through ckpt::ShardedVariable::RestoreFrom: the block is
// filled by intersection with whatever slices were stored, straight into the
// array's memory when it is writable; otherwise (read-only arrays, strings,
// non-contiguous views) into a new tensor handed to the Variable's
// _replace_from_native, as a plain Variable's restore does.
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "ckpt/trackable.h"

namespace ckpt_py {

// trackable.cc: the array-backed Variable's view, replacement and state.
ckpt::TensorView PyVariableView(ckpt::Trackable& v);
ckpt::Status PyVariableReplace(ckpt::Trackable& v, ckpt::Tensor value);
bool PyVariableWritable(ckpt::Trackable& v);
bool IsPyVariable(nb::handle h);

namespace {

class PyShardedVariable : public ckpt::Trackable {
 public:
  // Sets the full shape and name; no blocks yet.
  void Init(const std::vector<int64_t>& full_dims, std::string name) {
    full_shape_ = ShapeFromPython(full_dims);
    name_ = std::move(name);
    shards_.clear();
  }

  // Adds the block `local` (a ckpt.Variable, kept alive) at `offset`: checked
  // by ckpt::ShardedVariable (dtype, fits the full shape, no overlap with the
  // blocks added before; its texts).
  void AddShard(nb::object local, std::vector<int64_t> offset) {
    if (!IsPyVariable(local)) throw nb::type_error("ShardedVariable: a block must be a ckpt.Variable");
    ckpt::Trackable& var = nb::cast<ckpt::Trackable&>(local);
    const ckpt::TensorView view = PyVariableView(var);
    const ckpt::DType dtype = shards_.empty() ? view.dtype : PyVariableView(*shards_[0].var).dtype;
    ckpt::ShardedVariable probe(dtype, full_shape_, name_);
    ThrowIfError(probe.status());
    for (const Shard& s : shards_) ThrowIfError(AddProbe(probe, s.offset, PyVariableView(*s.var)));
    ThrowIfError(AddProbe(probe, offset, view));
    shards_.push_back(Shard{std::move(local), &var, probe.slice(shards_.size()), std::move(offset)});
  }

  nb::tuple full_shape() const { return ShapeToPython(full_shape_); }
  std::vector<std::string> slice_specs() const {
    std::vector<std::string> out;
    for (const Shard& s : shards_) out.push_back(s.slice.ToString());
    return out;
  }

  std::vector<ckpt::SaveableAttribute> attributes() override {
    ckpt::SaveableAttribute a;
    a.name = std::string(ckpt::kVariableValue);
    a.full_name = name_;
    a.full_shape = full_shape_;
    if (shards_.empty()) {
      a.value = nullptr;  // no block: a save fails on it
    } else if (full_shape_.num_elements() == 0) {
      // Nothing to split: stored whole (TF cannot store an empty slice).
      ckpt::Trackable* var = shards_[0].var;
      a.parts.push_back({ckpt::TensorSlice::Full(full_shape_.rank()), [var] { return PyVariableView(*var); }});
    } else {
      for (const Shard& s : shards_) {
        ckpt::Trackable* var = s.var;
        a.parts.push_back({s.slice, [var] { return PyVariableView(*var); }});
      }
    }
    a.restore = [this](const ckpt::BundleReader& reader, std::string_view key) { return RestoreFrom(reader, key); };
    std::vector<ckpt::SaveableAttribute> out;
    out.push_back(std::move(a));
    return out;
  }

  std::string DebugString() const override {
    std::string blocks;
    for (const Shard& s : shards_) blocks += (blocks.empty() ? "" : " ") + s.slice.ToString();
    return "<ShardedVariable '" + (name_.empty() ? std::string("Variable") : name_) + "' shape=" +
           full_shape_.ToString() + " blocks=" + blocks + ">";
  }

 private:
  struct Shard {
    nb::object obj;
    ckpt::Trackable* var;  // the C++ side of obj
    ckpt::TensorSlice slice;
    std::vector<int64_t> offset;
  };

  // Adds a block to a ShardedVariable used for the checks only (numeric
  // blocks are borrowed, never read; strings get empty placeholders).
  static ckpt::Status AddProbe(ckpt::ShardedVariable& probe, const std::vector<int64_t>& offset,
                               const ckpt::TensorView& view) {
    if (view.dtype == ckpt::DType::kString) {
      return probe.AddShard(offset, ckpt::Tensor::FromStrings(
                                        view.shape, std::vector<std::string>(view.shape.num_elements())));
    }
    return probe.AddShard(offset, ckpt::MutableTensorView{view.dtype, view.shape, const_cast<void*>(view.data)});
  }

  // Called with or without the GIL (restores release it).
  ckpt::Status RestoreFrom(const ckpt::BundleReader& reader, std::string_view key) {
    if (shards_.empty()) return ckpt::FailedPreconditionError("ShardedVariable " + name_ + " holds no block");
    for (const Shard& s : shards_) CKPT_RETURN_IF_ERROR(RestoreShard(reader, key, s));
    return ckpt::OkStatus();
  }

  ckpt::Status RestoreShard(const ckpt::BundleReader& reader, std::string_view key, const Shard& s) {
    const ckpt::TensorView view = PyVariableView(*s.var);
    ckpt::ShardedVariable sv(view.dtype, full_shape_, name_);
    if (PyVariableWritable(*s.var) && view.dtype != ckpt::DType::kString) {
      CKPT_RETURN_IF_ERROR(
          sv.AddShard(s.offset, ckpt::MutableTensorView{view.dtype, view.shape, const_cast<void*>(view.data)}));
      return sv.RestoreFrom(reader, key);
    }
    ckpt::Tensor block;
    if (view.dtype == ckpt::DType::kString) {
      block = ckpt::Tensor::FromStrings(view.shape, std::vector<std::string>(view.shape.num_elements()));
    } else {
      auto t = ckpt::Tensor::MakeUninitialized(view.dtype, view.shape);
      if (!t.ok()) return t.status();
      block = *std::move(t);
    }
    CKPT_RETURN_IF_ERROR(sv.AddShard(s.offset, std::move(block)));
    CKPT_RETURN_IF_ERROR(sv.RestoreFrom(reader, key));
    ckpt::Variable& restored = sv.shard(0);
    ckpt::Tensor value;
    if (view.dtype == ckpt::DType::kString) {
      value = ckpt::Tensor::FromStrings(view.shape, restored.strings());
    } else {
      auto t = ckpt::Tensor::MakeUninitialized(view.dtype, view.shape);
      if (!t.ok()) return t.status();
      value = *std::move(t);
      if (value.byte_size() > 0) std::memcpy(value.data(), restored.data(), value.byte_size());
    }
    return PyVariableReplace(*s.var, std::move(value));
  }

  ckpt::TensorShape full_shape_;
  std::string name_;
  std::vector<Shard> shards_;
};

}  // namespace

void RegisterShardedVariable(nb::module_& m) {
  nb::class_<PyShardedVariable, ckpt::Trackable>(m, "_ShardedVariable")
      .def(nb::init<>())
      .def("_init", &PyShardedVariable::Init, nb::arg("full_shape"), nb::arg("name"))
      .def("_add_shard", &PyShardedVariable::AddShard, nb::arg("local"), nb::arg("offset"))
      .def_prop_ro("_full_shape", &PyShardedVariable::full_shape)
      .def_prop_ro("_slice_specs", &PyShardedVariable::slice_specs);
}

}  // namespace ckpt_py
