// Status -> Python exception. The mapping table itself lives in
// ckpt/errors.py (_raise_status); this file only hands it code and message.
#include <nanobind/stl/string.h>

#include "bindings.h"

namespace ckpt_py {

void ThrowStatus(const ckpt::Status& status, const char* api) {
  nb::gil_scoped_acquire gil;  // callers may have released it around I/O
  nb::object raise = nb::module_::import_("ckpt.errors").attr("_raise_status");
  raise(static_cast<int>(status.code()), status.message(), api);
  // _raise_status always raises; reaching here means it did not.
  throw nb::python_error();
}

void RegisterStatus(nb::module_& m) {
  m.def("_status_roundtrip", [](int code, std::string message, std::string api) {
    ThrowIfError(ckpt::Status(static_cast<ckpt::StatusCode>(code), std::move(message)), api.c_str());
  }, "Raises the exception ckpt maps (code, message) to; for tests of ckpt.errors.");
}

}  // namespace ckpt_py
