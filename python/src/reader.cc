// CheckpointReader (tf.train.load_checkpoint), list_variables, load_variable.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/checkpoint_reader.h"

namespace ckpt_py {

void RegisterReader(nb::module_& m) {
  nb::class_<ckpt::CheckpointReader>(m, "_CheckpointReader")
      .def_prop_ro("format", [](const ckpt::CheckpointReader& r) { return static_cast<int>(r.format()); })
      .def_prop_ro("path", &ckpt::CheckpointReader::path)
      .def("files", &ckpt::CheckpointReader::files)
      .def("has_tensor", &ckpt::CheckpointReader::HasTensor, nb::arg("tensor_str"))
      // [(key, dtype enum, shape tuple)], sorted by key.
      .def("list", [](const ckpt::CheckpointReader& r) {
        nb::list out;
        for (const ckpt::TensorInfo& t : r.List()) {
          out.append(nb::make_tuple(t.key, static_cast<int>(t.dtype), ShapeToPython(t.shape)));
        }
        return out;
      })
      .def("get_tensor",
           [](const ckpt::CheckpointReader& r, std::string_view key) {
             ckpt::Result<ckpt::Tensor> t = ckpt::InternalError("unset");
             {
               nb::gil_scoped_release release;
               t = r.Read(key);
             }
             return TensorToPython(ValueOrThrow(std::move(t), "get_tensor"));
           },
           nb::arg("tensor_str"))
      // A read-only zero-copy view of a whole fixed-size tensor out of the
      // mapped data file: (dtype enum, shape, read-only uint8 array owning a
      // share of the mapping), or None where the tensor cannot be mapped
      // (V1, partitioned, strings, offset not aligned for the dtype, a file
      // system without mmap). The crc is checked here, before the caller
      // sees a byte; a mismatch raises DataLossError.
      .def("map_tensor",
           [](const ckpt::CheckpointReader& r, std::string_view key) -> nb::object {
             const ckpt::BundleReader* b = r.bundle_reader();
             if (b == nullptr) return nb::none();
             ckpt::Result<ckpt::BundleReader::MappedTensor> m = ckpt::InternalError("unset");
             {
               nb::gil_scoped_release release;
               m = b->MapTensorShared(key);
             }
             if (!m.ok() && (m.status().code() == ckpt::StatusCode::kFailedPrecondition ||
                             m.status().code() == ckpt::StatusCode::kUnimplemented)) {
               return nb::none();
             }
             ckpt::BundleReader::MappedTensor mt = ValueOrThrow(std::move(m), "get_tensor");
             const size_t n = mt.view.byte_size();
             const int dtype = static_cast<int>(mt.view.dtype);
             nb::tuple shape = ShapeToPython(mt.view.shape);
             if (n == 0) return nb::none();
             auto* owned = new std::shared_ptr<const void>(std::move(mt.mapping));
             nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::shared_ptr<const void>*>(p); });
             size_t shape1[1] = {n};
             nb::ndarray<nb::numpy, const uint8_t, nb::ndim<1>> bytes(static_cast<const uint8_t*>(mt.view.data), 1,
                                                                       shape1, owner);
             return nb::make_tuple(dtype, shape, bytes.cast());
           },
           nb::arg("tensor_str"))
      .def("verify_all", [](const ckpt::CheckpointReader& r) {
        ckpt::Status s;
        {
          nb::gil_scoped_release release;
          s = r.VerifyAll();
        }
        ThrowIfError(s, "get_tensor");
      });

  m.def("load_checkpoint",
        [](const std::string& path) {
          ckpt::Result<std::unique_ptr<ckpt::CheckpointReader>> r = ckpt::InternalError("unset");
          {
            nb::gil_scoped_release release;
            r = ckpt::LoadCheckpoint(path);
          }
          return ValueOrThrow(std::move(r), "load_checkpoint");
        },
        nb::arg("ckpt_dir_or_file"));
  m.def("list_variables",
        [](const std::string& path) {
          ckpt::Result<std::vector<std::pair<std::string, ckpt::TensorShape>>> r = ckpt::InternalError("unset");
          {
            nb::gil_scoped_release release;
            r = ckpt::ListVariables(path);
          }
          nb::list out;
          for (auto& [key, shape] : ValueOrThrow(std::move(r), "load_checkpoint")) {
            out.append(nb::make_tuple(key, nb::list(ShapeToPython(shape))));
          }
          return out;
        },
        nb::arg("ckpt_dir_or_file"));
  m.def("load_variable",
        [](const std::string& path, std::string_view name) {
          ckpt::Result<ckpt::Tensor> r = ckpt::InternalError("unset");
          {
            nb::gil_scoped_release release;
            r = ckpt::LoadVariable(path, name);
          }
          return TensorToPython(ValueOrThrow(std::move(r), "load_checkpoint"));
        },
        nb::arg("ckpt_dir_or_file"), nb::arg("name"));
}

}  // namespace ckpt_py
