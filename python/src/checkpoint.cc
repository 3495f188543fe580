// Checkpoint, CheckpointOptions and the load status.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/checkpoint.h"
#include "ckpt/sharding.h"

namespace ckpt_py {

namespace {

// Whether this build's C++ CheckpointOptions can run a distributed save
// (the fields `communicator` and `collective_timeout`). A template, so the
// branch that names the fields compiles only where they exist.
template <typename Options>
constexpr bool kHasCommunicator = requires(Options& o) {
  o.communicator = static_cast<ckpt::Communicator*>(nullptr);
  o.collective_timeout = std::chrono::milliseconds(0);
};

template <typename Options>
void SetCommunicator(Options& o, ckpt::Communicator* comm, nb::handle timeout) {
  if constexpr (kHasCommunicator<Options>) {
    o.communicator = comm;
    if (!timeout.is_none()) {
      // Below a millisecond would read as "no deadline" (0): keep it a deadline.
      o.collective_timeout = std::max(std::chrono::milliseconds(1),
                                      std::chrono::milliseconds(static_cast<int64_t>(nb::cast<double>(timeout) * 1000)));
    }
  } else if (comm->size() > 1) {
    ThrowStatus(ckpt::UnimplementedError("CheckpointOptions(communicator=...) with " + std::to_string(comm->size()) +
                                         " ranks: this build's Checkpoint cannot save from several processes yet"));
  }
}

}  // namespace

bool HasDistributedCheckpoint() { return kHasCommunicator<ckpt::CheckpointOptions>; }

// Converts a ckpt.CheckpointOptions (duck-typed: any object with TF's
// attribute names) to the C++ options. Write callbacks are Python callables
// run on the writer thread for async saves: each takes the GIL.
ckpt::CheckpointOptions CheckpointOptionsFromPython(nb::handle options, bool sync) {
  ckpt::CheckpointOptions o;
  o.sync = sync;
  if (options.is_none()) return o;
  auto get = [&](const char* name) -> nb::object {
    return nb::hasattr(options, name) ? nb::getattr(options, name) : nb::none();
  };
  if (nb::object v = get("experimental_skip_slot_variables"); !v.is_none()) o.skip_slot_variables = nb::cast<bool>(v);
  if (nb::object v = get("enable_async"); !v.is_none()) o.enable_async = nb::cast<bool>(v);
  if (nb::object v = get("experimental_enable_async_checkpoint"); !v.is_none()) {
    o.experimental_enable_async_checkpoint = nb::cast<bool>(v);
  }
  if (nb::object v = get("experimental_io_device"); !v.is_none()) o.experimental_io_device = nb::cast<std::string>(v);
  // The communicator's C++ side is owned by the Python communicator, which
  // the caller's options object keeps alive for the duration of the call.
  if (nb::object v = get("communicator"); !v.is_none()) SetCommunicator(o, NativeCommunicator(v), get("collective_timeout"));
  if (nb::object v = get("experimental_sharding_callback"); !v.is_none()) {
    // ckpt.experimental's or TF's policy objects, mapped to the C++ policies
    // (custom callbacks raise NotImplementedError there).
    auto [kind, max_size] = nb::cast<std::pair<std::string, int64_t>>(
        nb::module_::import_("ckpt.experimental").attr("_native_spec")(v));
    if (kind == "task") {
      o.experimental_sharding_callback = std::make_shared<ckpt::ShardByTaskPolicy>();
    } else {
      o.experimental_sharding_callback = std::make_shared<ckpt::MaxShardSizePolicy>(max_size);
    }
  }
  if (nb::object v = get("experimental_write_callbacks"); !v.is_none()) {
    // 0-parameter callables are called without the path; 2+ parameters are
    // TF's AssertionError (CO-08, CO-09): ckpt._checkpoint._adapt_callback.
    nb::object adapt = nb::module_::import_("ckpt._checkpoint").attr("_adapt_callback");
    for (nb::handle cb : v) {
      nb::object fn = adapt(cb);
      // The callable is shared by copies of the options (one per save); its
      // last reference may be dropped on the writer thread, so the holder
      // takes the GIL to release it.
      auto holder = std::shared_ptr<nb::object>(new nb::object(std::move(fn)), [](nb::object* p) {
        nb::gil_scoped_acquire gil;
        delete p;
      });
      o.experimental_write_callbacks.push_back([holder](const std::string& path) -> ckpt::Status {
        nb::gil_scoped_acquire gil;
        try {
          (*holder)(path);
        } catch (nb::python_error& e) {
          // TF lets the exception escape the save (CO-12); here it becomes
          // the save's status, code Unknown, with the Python message.
          return ckpt::UnknownError("write callback raised " + std::string(e.what()));
        }
        return ckpt::OkStatus();
      });
    }
  }
  return o;
}

namespace {

// Owns the C++ Checkpoint. Destruction waits for async writes, whose
// callbacks may need the GIL, so it runs with the GIL released.
struct PyCheckpoint {
  std::unique_ptr<ckpt::Checkpoint> cp;
  bool sync = true;

  ~PyCheckpoint() {
    if (cp && Py_IsInitialized() && PyGILState_Check()) {
      nb::gil_scoped_release release;
      cp.reset();
    }
  }
  ckpt::Checkpoint& get() { return *cp; }
};

std::string FsPath(nb::handle path) {
  // os.fspath: str and PathLike (CK-20); bytes paths are decoded.
  nb::object p = nb::module_::import_("os").attr("fspath")(path);
  if (nb::isinstance<nb::bytes>(p)) p = p.attr("decode")();
  return nb::cast<std::string>(p);
}

ckpt::LoadStatus Restore(PyCheckpoint& self, nb::handle save_path, nb::handle options, bool read) {
  const char* api = read ? "read" : "restore";
  std::string path = save_path.is_none() ? std::string() : FsPath(save_path);
  // Per-call restore options: their group fields (communicator,
  // collective_timeout, experimental_io_device: an io rank reads for the
  // group). Of TF's other restore options only experimental_skip_slot_variables
  // would matter, and Python graphs have no slot variables (see docs/python.md).
  const bool has_options = !options.is_none();
  const ckpt::CheckpointOptions o = CheckpointOptionsFromPython(options, self.sync);
  ckpt::Result<ckpt::LoadStatus> r = ckpt::InternalError("unset");
  {
    nb::gil_scoped_release release;
    ckpt::Checkpoint& c = self.get();
    if (has_options) {
      r = read ? c.Read(path, o) : c.Restore(path, o);
    } else {
      r = read ? c.Read(path) : c.Restore(path);
    }
  }
  return ValueOrThrow(std::move(r), api);
}

// Checkpoint.save / Checkpoint.write: the same call but for the numbering, with
// the GIL released for the I/O (or, async, the staging copy).
std::string Publish(PyCheckpoint& self, nb::handle prefix, nb::handle options, bool write) {
  const std::string p = FsPath(prefix);
  const bool has_options = !options.is_none();
  ckpt::CheckpointOptions o = CheckpointOptionsFromPython(options, self.sync);
  ckpt::Result<std::string> r = ckpt::InternalError("unset");
  {
    nb::gil_scoped_release release;
    ckpt::Checkpoint& c = self.get();
    if (write) {
      r = has_options ? c.Write(p, o) : c.Write(p);
    } else {
      r = has_options ? c.Save(p, o) : c.Save(p);
    }
  }
  return ValueOrThrow(std::move(r), "save");
}

}  // namespace

ckpt::Checkpoint& NativeCheckpoint(nb::handle py_checkpoint) { return nb::cast<PyCheckpoint&>(py_checkpoint).get(); }

void RegisterCheckpoint(nb::module_& m) {
  nb::class_<ckpt::LoadStatus>(m, "_LoadStatus")
      .def("assert_consumed", [](const ckpt::LoadStatus& s) { ThrowIfError(s.AssertConsumed(), "assert"); })
      .def("assert_existing_objects_matched",
           [](const ckpt::LoadStatus& s) { ThrowIfError(s.AssertExistingObjectsMatched(), "assert"); })
      .def("assert_nontrivial_match",
           [](const ckpt::LoadStatus& s) { ThrowIfError(s.AssertNontrivialMatch(), "assert"); })
      .def("expect_partial", [](ckpt::LoadStatus& s) { s.ExpectPartial(); })
      .def("run_restore_ops", [](const ckpt::LoadStatus& s) { ThrowIfError(s.RunRestoreOps(), "assert"); })
      .def("initialize_or_restore", [](const ckpt::LoadStatus& s) { ThrowIfError(s.InitializeOrRestore(), "assert"); })
      .def_prop_ro("is_initialization_only", &ckpt::LoadStatus::is_initialization_only)
      .def_prop_ro("is_name_based", &ckpt::LoadStatus::is_name_based);

  nb::class_<PyCheckpoint>(m, "_Checkpoint")
      .def("__init__",
           [](PyCheckpoint* self, std::vector<std::pair<std::string, ckpt::Trackable*>> named,
              ckpt::Trackable* root, nb::handle options, bool sync) {
             ckpt::CheckpointOptions o = CheckpointOptionsFromPython(options, sync);
             new (self) PyCheckpoint();
             self->sync = sync;
             if (root != nullptr) {
               self->cp = std::make_unique<ckpt::Checkpoint>(*root, std::move(named), o);
             } else {
               self->cp = std::make_unique<ckpt::Checkpoint>(std::move(named), o);
             }
           },
           nb::arg("named"), nb::arg("root").none(), nb::arg("options").none(), nb::arg("sync") = true)
      .def("status", [](PyCheckpoint& self) { ThrowIfError(self.get().status(), "checkpoint"); })
      .def("save", [](PyCheckpoint& self, nb::handle prefix, nb::handle options) { return Publish(self, prefix, options, false); },
           nb::arg("file_prefix"), nb::arg("options").none())
      .def("write", [](PyCheckpoint& self, nb::handle prefix, nb::handle options) { return Publish(self, prefix, options, true); },
           nb::arg("file_prefix"), nb::arg("options").none())
      .def("restore",
           [](PyCheckpoint& self, nb::handle path, nb::handle options) { return Restore(self, path, options, false); },
           nb::arg("save_path").none(), nb::arg("options").none())
      .def("read",
           [](PyCheckpoint& self, nb::handle path, nb::handle options) { return Restore(self, path, options, true); },
           nb::arg("save_path").none(), nb::arg("options").none())
      .def("prepare_async",
           [](PyCheckpoint& self, nb::handle options) {
             const bool has_options = !options.is_none();
             ckpt::CheckpointOptions o = CheckpointOptionsFromPython(options, self.sync);
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = has_options ? self.get().PrepareAsync(o) : self.get().PrepareAsync();
             }
             ThrowIfError(s, "save");
           },
           nb::arg("options").none())
      .def("sync",
           [](PyCheckpoint& self) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = self.get().Sync();
             }
             ThrowIfError(s, "save");
           })
      .def("save_counter", [](PyCheckpoint& self) -> ckpt::Variable& { return self.get().save_counter(); },
           nb::rv_policy::reference_internal)
      .def("root", [](PyCheckpoint& self) -> ckpt::Trackable& { return self.get().root(); },
           nb::rv_policy::reference_internal);
}

}  // namespace ckpt_py
