// Variable: one tensor, owned or borrowed, saved as VARIABLE_VALUE.
#include "ckpt/variable.h"

#include <cstring>

#include "ckpt/status_macros.h"

namespace ckpt {
namespace {

// TF's C++ DataTypeString spelling, which its RestoreV2 dtype error uses
// (Python names differ only for the three float types).
std::string CppDTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat:
      return "float";
    case DType::kDouble:
      return "double";
    case DType::kHalf:
      return "half";
    default:
      return std::string(DTypeName(dtype));
  }
}

// Python's repr of a TensorShape as TF prints it: (), (2,), (2, 3).
std::string PyShape(const TensorShape& shape) {
  std::string out = "(";
  for (int i = 0; i < shape.rank(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape.dim(i));
  }
  if (shape.rank() == 1) out += ",";
  out += ")";
  return out;
}

}  // namespace

Variable::Variable(DType dtype, TensorShape shape, std::string name) : name_(std::move(name)) {
  // An unallocatable shape leaves the variable empty (dtype invalid); saving
  // it then fails with the writer's InvalidArgument.
  auto t = Tensor::Make(dtype, std::move(shape));
  if (t.ok()) owned_ = std::move(*t);
}

Variable::Variable(Tensor initial_value, std::string name) : owned_(std::move(initial_value)), name_(std::move(name)) {}

Variable::Variable(const MutableTensorView& buffer, std::string name)
    : borrowed_(buffer), is_borrowed_(true), name_(std::move(name)) {}

std::unique_ptr<Variable> Variable::Wrap(const MutableTensorView& buffer, std::string name) {
  return std::make_unique<Variable>(buffer, std::move(name));
}

DType Variable::dtype() const { return is_borrowed_ ? borrowed_.dtype : owned_.dtype(); }
const TensorShape& Variable::shape() const { return is_borrowed_ ? borrowed_.shape : owned_.shape(); }
void* Variable::data() { return is_borrowed_ ? borrowed_.data : owned_.data(); }
const void* Variable::data() const { return is_borrowed_ ? borrowed_.data : owned_.data(); }
size_t Variable::byte_size() const { return is_borrowed_ ? borrowed_.byte_size() : owned_.byte_size(); }
std::vector<std::string>& Variable::strings() { return owned_.strings(); }

TensorView Variable::view() const {
  if (!is_borrowed_) return owned_.view();
  TensorView v;
  v.dtype = borrowed_.dtype;
  v.shape = borrowed_.shape;
  v.data = borrowed_.data;
  return v;
}

MutableTensorView Variable::mutable_view() {
  if (is_borrowed_) return borrowed_;
  return owned_.mutable_view();
}

Status Variable::Assign(const TensorView& value) {
  if (value.dtype != dtype() || !(value.shape == shape())) {
    return InvalidArgumentError("Cannot assign a " + std::string(DTypeName(value.dtype)) + value.shape.ToString() +
                                " value to variable " + DebugString());
  }
  if (dtype() == DType::kString) {
    auto& s = owned_.strings();
    for (size_t i = 0; i < s.size() && i < value.strings.size(); ++i) s[i] = std::string(value.strings[i]);
    return OkStatus();
  }
  if (byte_size() > 0) std::memmove(data(), value.data, byte_size());
  return OkStatus();
}

Status Variable::RestoreFrom(const BundleReader& reader, std::string_view key) {
  CKPT_ASSIGN_OR_RETURN(TensorInfo info, reader.Lookup(key));
  // Same order of checks as TF: RestoreV2 checks the dtype, assign the shape.
  if (info.dtype != dtype()) {
    return InvalidArgumentError("tensor_name = " + std::string(key) + "; expected dtype " + CppDTypeName(dtype()) +
                                " does not equal original dtype " + CppDTypeName(info.dtype));
  }
  if (!(info.shape == shape())) {
    const std::string name = name_.empty() ? std::string(key) : name_ + ":0";
    return InvalidArgumentError("Received incompatible tensor with shape " + PyShape(info.shape) +
                                " when attempting to restore variable with shape " + PyShape(shape()) +
                                " and name " + name + ".");
  }
  if (dtype() == DType::kString) {
    CKPT_ASSIGN_OR_RETURN(std::vector<std::string> values, reader.ReadStrings(key));
    owned_.strings() = std::move(values);
    return OkStatus();
  }
  // Straight into the variable's (possibly caller-owned) storage.
  return reader.ReadInto(key, mutable_view());
}

std::vector<SaveableAttribute> Variable::attributes() {
  SaveableAttribute a;
  a.name = std::string(kVariableValue);
  a.full_name = name_;
  a.value = [this] { return view(); };
  a.restore = [this](const BundleReader& reader, std::string_view key) { return RestoreFrom(reader, key); };
  std::vector<SaveableAttribute> out;
  out.push_back(std::move(a));
  return out;
}

std::string Variable::DebugString() const {
  return "<Variable '" + (name_.empty() ? std::string("Variable") : name_) + ":0' shape=" + PyShape(shape()) +
         " dtype=" + std::string(DTypeName(dtype())) + ">";
}

}  // namespace ckpt
