// CheckpointManager (tf.train.CheckpointManager).
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/checkpoint_manager.h"

namespace ckpt_py {
namespace {

// Owns the manager and what it borrows: the step counter view, and a slot for
// an exception raised by init_fn (re-raised as itself, not as a Status).
struct PyManager {
  std::unique_ptr<ckpt::Variable> step_counter;
  std::shared_ptr<std::optional<nb::python_error>> init_error = std::make_shared<std::optional<nb::python_error>>();
  std::unique_ptr<ckpt::CheckpointManager> manager;

  ~PyManager() {
    // Destruction waits for async saves whose callbacks take the GIL.
    if (manager && Py_IsInitialized() && PyGILState_Check()) {
      nb::gil_scoped_release release;
      manager.reset();
    }
  }
  ckpt::CheckpointManager& get() { return *manager; }
};

std::shared_ptr<nb::object> HoldWithGil(nb::handle h) {
  return std::shared_ptr<nb::object>(new nb::object(nb::borrow(h)), [](nb::object* p) {
    nb::gil_scoped_acquire gil;
    delete p;
  });
}

std::optional<std::string> Save(PyManager& self, std::optional<int64_t> number, bool check_interval,
                                nb::handle options, bool sync) {
  ckpt::Result<std::optional<std::string>> r = ckpt::InternalError("unset");
  if (options.is_none()) {
    nb::gil_scoped_release release;
    r = self.get().Save(number, check_interval);
  } else {
    ckpt::CheckpointOptions o = CheckpointOptionsFromPython(options, sync);
    nb::gil_scoped_release release;
    r = self.get().Save(o, number, check_interval);
  }
  return ValueOrThrow(std::move(r), "save");
}

}  // namespace

void RegisterCheckpointManager(nb::module_& m) {
  nb::class_<PyManager>(m, "_CheckpointManager")
      .def("__init__",
           [](PyManager* self, nb::handle checkpoint, std::string directory, std::optional<int> max_to_keep,
              std::optional<double> keep_every_n_hours, std::string checkpoint_name, nb::handle step_counter,
              std::optional<int64_t> checkpoint_interval, std::optional<int64_t> last_checkpoint_step,
              nb::handle init_fn, nb::handle clock, bool lock_directory, nb::handle save_options, bool sync) {
             new (self) PyManager();
             ckpt::CheckpointManagerOptions o;
             o.keep_checkpoint_every_n_hours = keep_every_n_hours;
             o.checkpoint_name = std::move(checkpoint_name);
             if (!step_counter.is_none()) {
               self->step_counter = BorrowPyVariable(step_counter);
               o.step_counter = self->step_counter.get();
             }
             o.checkpoint_interval = checkpoint_interval;
             o.last_checkpoint_step = last_checkpoint_step;
             if (!init_fn.is_none()) {
               auto fn = HoldWithGil(init_fn);
               auto slot = self->init_error;
               o.init_fn = [fn, slot]() -> ckpt::Status {
                 nb::gil_scoped_acquire gil;
                 try {
                   (*fn)();
                 } catch (nb::python_error& e) {
                   slot->emplace(std::move(e));
                   return ckpt::UnknownError("init_fn raised");
                 }
                 return ckpt::OkStatus();
               };
             }
             if (!clock.is_none()) {
               auto c = HoldWithGil(clock);
               o.clock = [c]() -> double {
                 nb::gil_scoped_acquire gil;
                 return nb::cast<double>((*c)());
               };
             }
             o.lock_directory = lock_directory;
             o.save_options = CheckpointOptionsFromPython(save_options, sync);
             ckpt::Checkpoint& cp = NativeCheckpoint(checkpoint);
             ckpt::Result<std::unique_ptr<ckpt::CheckpointManager>> r = ckpt::InternalError("unset");
             {
               nb::gil_scoped_release release;  // reads the state file
               r = ckpt::CheckpointManager::Create(cp, std::move(directory), max_to_keep, std::move(o));
             }
             self->manager = ValueOrThrow(std::move(r), "manager");
           },
           nb::arg("checkpoint"), nb::arg("directory"), nb::arg("max_to_keep").none(),
           nb::arg("keep_checkpoint_every_n_hours").none(), nb::arg("checkpoint_name"), nb::arg("step_counter").none(),
           nb::arg("checkpoint_interval").none(), nb::arg("last_checkpoint_step").none(), nb::arg("init_fn").none(),
           nb::arg("clock").none(), nb::arg("lock_directory"), nb::arg("save_options").none(), nb::arg("sync"),
           // The C++ manager borrows the Checkpoint: keep it alive as long.
           nb::keep_alive<1, 2>())
      .def("save",
           [](PyManager& self, std::optional<int64_t> number, bool check_interval, nb::handle options, bool sync) {
             return Save(self, number, check_interval, options, sync);
           },
           nb::arg("checkpoint_number").none(), nb::arg("check_interval"), nb::arg("options").none(), nb::arg("sync"))
      .def("restore_or_initialize",
           [](PyManager& self) {
             ckpt::Result<std::optional<std::string>> r = ckpt::InternalError("unset");
             self.init_error->reset();
             {
               nb::gil_scoped_release release;
               r = self.get().RestoreOrInitialize();
             }
             if (self.init_error->has_value()) {
               // Re-raise init_fn's own exception (TF lets it propagate).
               (*self.init_error)->restore();
               self.init_error->reset();
               throw nb::python_error();
             }
             return ValueOrThrow(std::move(r), "restore");
           })
      .def("sync",
           [](PyManager& self) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = self.get().Sync();
             }
             ThrowIfError(s, "save");
           })
      .def_prop_ro("latest_checkpoint", [](PyManager& self) { return self.get().latest_checkpoint(); })
      .def_prop_ro("checkpoints", [](PyManager& self) { return self.get().checkpoints(); })
      .def_prop_ro("directory", [](PyManager& self) { return self.get().directory(); })
      .def_prop_ro("checkpoint_interval", [](PyManager& self) { return self.get().checkpoint_interval(); })
      .def_prop_ro("last_preserved_timestamp", [](PyManager& self) { return self.get().last_preserved_timestamp(); });
}

}  // namespace ckpt_py
