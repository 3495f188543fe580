// Trackable, Module, the containers and the array-backed Variable.
//
// The Python classes ckpt.Module / ckpt.Variable and the container wrappers
// of ckpt/_tracking.py subclass these, so each Python object IS its node in
// the C++ object graph (no mirror to keep in sync, no reference cycle).
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/checkpoint.h"
#include "ckpt/trackable.h"
#include "ckpt/variable.h"

namespace ckpt_py {
namespace {

// A variable over a Python-owned array buffer (numpy, torch, jax, ...).
//
// Saving reads straight from the buffer (ckpt::Variable over a borrowed
// MutableTensorView). Restoring writes into the buffer when it is writable;
// otherwise (read-only arrays such as jax's, and strings) the value is read
// into a new Tensor that is handed to the Python object's
// _replace_from_native(), which rebinds the variable. Either way the restore
// itself goes through ckpt::Variable::RestoreFrom, so the dtype/shape checks
// and their messages are the C++ library's (CK-30, CK-31).
class PyVariable : public ckpt::Trackable {
 public:
  // Binds to a fixed-size buffer: `keepalive` owns the memory at `address`.
  void BindBuffer(nb::object keepalive, uintptr_t address, int dtype, const std::vector<int64_t>& dims,
                  bool writable) {
    ckpt::TensorShape shape = ShapeFromPython(dims);
    const auto dt = static_cast<ckpt::DType>(dtype);
    if (!ckpt::IsKnownDType(dtype) || !ckpt::IsFixedSizeDType(dt)) {
      ThrowStatus(ckpt::InvalidArgumentError("cannot bind a buffer of dtype " + std::string(ckpt::DTypeName(dt))));
    }
    keepalive_ = std::move(keepalive);
    view_ = ckpt::MutableTensorView{dt, std::move(shape), reinterpret_cast<void*>(address)};
    writable_ = writable;
    strings_.clear();
  }
  // Binds to string elements (copied; string variables are always owned).
  void BindStrings(const std::vector<nb::bytes>& items, const std::vector<int64_t>& dims) {
    ckpt::TensorShape shape = ShapeFromPython(dims);
    std::vector<std::string> values;
    values.reserve(items.size());
    for (const nb::bytes& b : items) values.emplace_back(b.c_str(), b.size());
    if (static_cast<int64_t>(values.size()) != shape.num_elements()) {
      ThrowStatus(ckpt::InvalidArgumentError("string variable: element count does not match its shape"));
    }
    keepalive_ = nb::object();
    view_ = ckpt::MutableTensorView{ckpt::DType::kString, std::move(shape), nullptr};
    writable_ = false;
    strings_ = std::move(values);
  }

  int dtype() const { return static_cast<int>(view_.dtype); }
  nb::tuple shape() const { return ShapeToPython(view_.shape); }
  bool writable() const { return writable_; }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  ckpt::TensorView View() const {
    if (view_.dtype == ckpt::DType::kString) {
      string_views_.assign(strings_.begin(), strings_.end());
      return ckpt::TensorView{view_.dtype, view_.shape, nullptr, string_views_};
    }
    return ckpt::TensorView{view_.dtype, view_.shape, view_.data, {}};
  }

  // Called with or without the GIL (restores release it).
  ckpt::Status RestoreFrom(const ckpt::BundleReader& reader, std::string_view key) {
    if (writable_ && view_.dtype != ckpt::DType::kString) {
      ckpt::Variable in_place(view_, name_);
      return in_place.RestoreFrom(reader, key);
    }
    ckpt::Variable fresh(view_.dtype, view_.shape, name_);
    if (ckpt::Status s = fresh.RestoreFrom(reader, key); !s.ok()) return s;
    ckpt::Tensor value;
    if (view_.dtype == ckpt::DType::kString) {
      value = ckpt::Tensor::FromStrings(view_.shape, fresh.strings());
    } else {
      auto t = ckpt::Tensor::MakeUninitialized(view_.dtype, view_.shape);
      if (!t.ok()) return t.status();
      value = *std::move(t);
      if (value.byte_size() > 0) std::memcpy(value.data(), fresh.data(), value.byte_size());
    }
    return Replace(std::move(value));
  }

  // Hands a new value to the Python object (which rebinds this variable).
  ckpt::Status Replace(ckpt::Tensor value) {
    nb::gil_scoped_acquire gil;
    nb::handle self = nb::find(this);
    if (!self.is_valid()) return ckpt::InternalError("variable has no Python object");
    try {
      self.attr("_replace_from_native")(TensorToPython(std::move(value)));
    } catch (nb::python_error& e) {
      std::string what = e.what();
      e.restore();
      PyErr_Clear();
      return ckpt::InvalidArgumentError("could not replace the value of " + DebugString() + ": " + what);
    }
    return ckpt::OkStatus();
  }

  std::vector<ckpt::SaveableAttribute> attributes() override {
    ckpt::SaveableAttribute a;
    a.name = std::string(ckpt::kVariableValue);
    a.full_name = name_;
    a.value = [this] { return View(); };
    a.restore = [this](const ckpt::BundleReader& reader, std::string_view key) { return RestoreFrom(reader, key); };
    return {std::move(a)};
  }

  std::string DebugString() const override {
    return "Variable " + std::string(ckpt::DTypeName(view_.dtype)) + view_.shape.ToString() +
           (name_.empty() ? "" : " '" + name_ + "'");
  }

 private:
  nb::object keepalive_;
  ckpt::MutableTensorView view_{ckpt::DType::kFloat, ckpt::TensorShape{}, nullptr};
  bool writable_ = false;
  std::vector<std::string> strings_;
  mutable std::vector<std::string_view> string_views_;
  std::string name_;
};

std::vector<std::string> DependencyNames(const ckpt::Trackable& t) {
  std::vector<std::string> names;
  for (const ckpt::Dependency& d : t.dependencies()) names.push_back(d.name);
  return names;
}

}  // namespace

// Used by saver.cc: the Saver's view of a Python variable.
ckpt::TensorView PyVariableView(ckpt::Trackable& v) { return static_cast<PyVariable&>(v).View(); }
ckpt::Status PyVariableReplace(ckpt::Trackable& v, ckpt::Tensor value) {
  return static_cast<PyVariable&>(v).Replace(std::move(value));
}
bool PyVariableWritable(ckpt::Trackable& v) { return static_cast<PyVariable&>(v).writable(); }
std::string PyVariableName(ckpt::Trackable& v) { return static_cast<PyVariable&>(v).name(); }
bool IsPyVariable(nb::handle h) { return nb::isinstance<PyVariable>(h); }

std::unique_ptr<ckpt::Variable> BorrowPyVariable(nb::handle py_variable) {
  if (!nb::isinstance<PyVariable>(py_variable)) throw nb::type_error("expected a ckpt.Variable");
  auto& v = nb::cast<PyVariable&>(py_variable);
  ckpt::TensorView view = v.View();
  if (view.dtype == ckpt::DType::kString || view.data == nullptr) {
    throw nb::type_error("expected a numeric ckpt.Variable");
  }
  return ckpt::Variable::Wrap(ckpt::MutableTensorView{view.dtype, view.shape, const_cast<void*>(view.data)}, v.name());
}

void RegisterTrackable(nb::module_& m) {
  nb::class_<ckpt::Trackable>(m, "_Trackable", "A node of the object graph.")
      .def("_track", [](ckpt::Trackable& self, std::string_view name, ckpt::Trackable& child) {
            ckpt::Status s;
            {
              // A pending (deferred) restore may be delivered here: file I/O.
              nb::gil_scoped_release release;
              s = self.Track(name, child);
            }
            ThrowIfError(s, "restore");
          }, nb::arg("name"), nb::arg("child"))
      .def("_untrack", &ckpt::Trackable::Untrack, nb::arg("name"))
      .def("_dependency_names", &DependencyNames)
      .def("_debug_string", &ckpt::Trackable::DebugString);

  nb::class_<ckpt::Module, ckpt::Trackable>(m, "_Module").def(nb::init<>());

  nb::class_<ckpt::TrackableMap, ckpt::Trackable>(m, "_Map")
      .def(nb::init<>())
      .def("_set", [](ckpt::TrackableMap& self, std::string key, ckpt::Trackable& child) {
            ckpt::Status s;
            {
              nb::gil_scoped_release release;
              s = self.Set(std::move(key), child);
            }
            ThrowIfError(s, "restore");
          });

  nb::class_<ckpt::TrackableList, ckpt::Trackable>(m, "_List")
      .def(nb::init<>())
      .def("_append", [](ckpt::TrackableList& self, ckpt::Trackable& child) {
            ckpt::Status s;
            {
              nb::gil_scoped_release release;
              s = self.Append(child);
            }
            ThrowIfError(s, "restore");
          })
      .def("__len__", &ckpt::TrackableList::size);

  nb::class_<PyVariable, ckpt::Trackable>(m, "_Variable")
      .def(nb::init<>())
      .def("_bind_buffer", &PyVariable::BindBuffer, nb::arg("keepalive"), nb::arg("address"), nb::arg("dtype"),
           nb::arg("shape"), nb::arg("writable"))
      .def("_bind_strings", &PyVariable::BindStrings, nb::arg("values"), nb::arg("shape"))
      .def_prop_ro("_dtype_enum", &PyVariable::dtype)
      .def_prop_ro("_shape", &PyVariable::shape)
      .def_prop_ro("_writable", &PyVariable::writable)
      .def_prop_rw("_name", &PyVariable::name, &PyVariable::set_name);

  // The C++-owned int64 save counter of a Checkpoint.
  nb::class_<ckpt::Variable, ckpt::Trackable>(m, "_NativeVariable")
      .def("_get_int", [](ckpt::Variable& v) -> int64_t {
            if (v.dtype() != ckpt::DType::kInt64 || v.shape().rank() != 0) {
              ThrowStatus(ckpt::InvalidArgumentError("not an int64 scalar: " + v.DebugString()));
            }
            return v.flat<int64_t>()[0];
          })
      .def("_set_int", [](ckpt::Variable& v, int64_t value) {
            if (v.dtype() != ckpt::DType::kInt64 || v.shape().rank() != 0) {
              ThrowStatus(ckpt::InvalidArgumentError("not an int64 scalar: " + v.DebugString()));
            }
            v.flat<int64_t>()[0] = value;
          });
}

}  // namespace ckpt_py
