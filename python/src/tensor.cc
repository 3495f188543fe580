// ckpt::Tensor -> Python without copying the bytes, and dtype facts.
#include <memory>
#include <string>

#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>

#include "bindings.h"
#include "ckpt/dtype.h"

namespace ckpt_py {

nb::tuple ShapeToPython(const ckpt::TensorShape& shape) {
  nb::list dims;
  for (int64_t d : shape.dims()) dims.append(d);
  return nb::tuple(dims);
}

ckpt::TensorShape ShapeFromPython(const std::vector<int64_t>& dims) {
  auto shape = ckpt::TensorShape::Make(dims);
  return ValueOrThrow(std::move(shape), "shape");
}

nb::tuple TensorToPython(ckpt::Tensor tensor) {
  const int dtype = static_cast<int>(tensor.dtype());
  nb::tuple shape = ShapeToPython(tensor.shape());
  if (tensor.dtype() == ckpt::DType::kString) {
    nb::list items;
    for (const std::string& s : tensor.strings()) items.append(nb::bytes(s.data(), s.size()));
    return nb::make_tuple(dtype, shape, items);
  }
  const size_t n = tensor.byte_size();
  if (n == 0 || tensor.data() == nullptr) {
    return nb::make_tuple(dtype, shape, nb::bytes("", 0));
  }
  // The numpy array owns the Tensor through a capsule: no copy of the bytes.
  auto* owned = new ckpt::Tensor(std::move(tensor));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<ckpt::Tensor*>(p); });
  size_t shape1[1] = {n};
  nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>> bytes(owned->data(), 1, shape1, owner);
  return nb::make_tuple(dtype, shape, bytes.cast());
}

void RegisterTensor(nb::module_& m) {
  m.def("dtype_name", [](int dtype) { return std::string(ckpt::DTypeName(static_cast<ckpt::DType>(dtype))); },
        "TensorFlow's Python name of a DataType number ('float32', 'bfloat16', ...).");
  m.def("dtype_from_name", [](std::string_view name) -> std::optional<int> {
        auto d = ckpt::DTypeFromName(name);
        if (!d) return std::nullopt;
        return static_cast<int>(*d);
      }, "The DataType number of a name, or None.");
  m.def("dtype_size", [](int dtype) { return ckpt::DTypeSize(static_cast<ckpt::DType>(dtype)); },
        "Bytes per stored element (0 for string and non-storable types).");
  m.def("is_storable_dtype", [](int dtype) {
        return ckpt::IsKnownDType(dtype) && ckpt::IsStorableDType(static_cast<ckpt::DType>(dtype));
      });
}

}  // namespace ckpt_py
