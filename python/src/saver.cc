// The TF1 name-based Saver over ckpt.Variable objects.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/saver.h"
#include "ckpt/trackable.h"

namespace ckpt_py {

// trackable.cc
ckpt::TensorView PyVariableView(ckpt::Trackable& v);
ckpt::Status PyVariableReplace(ckpt::Trackable& v, ckpt::Tensor value);
bool PyVariableWritable(ckpt::Trackable& v);
std::string PyVariableName(ckpt::Trackable& v);
bool IsPyVariable(nb::handle h);

namespace {

// What the Saver sees of one ckpt.Variable: saves from its buffer, restores
// into it in place when writable, otherwise replaces the Python value.
class PySaveable : public ckpt::SaveableVariable {
 public:
  PySaveable(nb::object var, std::string name)
      : var_(std::move(var)), node_(nb::cast<ckpt::Trackable*>(var_)), name_(std::move(name)) {}
  ~PySaveable() override {
    nb::gil_scoped_acquire gil;
    var_.reset();
  }
  std::string name() const override { return name_; }
  ckpt::TensorView value() const override { return PyVariableView(*node_); }
  ckpt::Status Assign(ckpt::Tensor restored) override {
    ckpt::TensorView cur = PyVariableView(*node_);
    if (PyVariableWritable(*node_) && restored.dtype() == cur.dtype && restored.shape() == cur.shape &&
        cur.dtype != ckpt::DType::kString) {
      if (restored.byte_size() > 0) std::memcpy(const_cast<void*>(cur.data), restored.data(), restored.byte_size());
      return ckpt::OkStatus();
    }
    return PyVariableReplace(*node_, std::move(restored));
  }

 private:
  nb::object var_;
  ckpt::Trackable* node_;
  std::string name_;
};

ckpt::VarList MakeVarList(nb::handle entries, bool is_map) {
  std::vector<std::pair<std::string, ckpt::VariablePtr>> items;
  std::vector<ckpt::VariablePtr> list;
  for (nb::handle item : entries) {
    nb::tuple t = nb::cast<nb::tuple>(item);
    nb::object var = nb::borrow(t[1]);
    if (!IsPyVariable(var)) throw nb::type_error("Saver variables must be ckpt.Variable objects");
    std::string name = t[0].is_none() ? PyVariableName(*nb::cast<ckpt::Trackable*>(var)) : nb::cast<std::string>(t[0]);
    auto v = std::make_shared<PySaveable>(var, name);
    if (is_map) {
      items.emplace_back(name, std::move(v));
    } else {
      list.push_back(std::move(v));
    }
  }
  return is_map ? ckpt::VarList::Map(std::move(items)) : ckpt::VarList::List(std::move(list));
}

nb::dict SaverDefToPython(const ckpt::SaverDef& d) {
  nb::dict out;
  out["filename_tensor_name"] = d.filename_tensor_name;
  out["save_tensor_name"] = d.save_tensor_name;
  out["restore_op_name"] = d.restore_op_name;
  out["max_to_keep"] = d.max_to_keep;
  out["sharded"] = d.sharded;
  out["keep_checkpoint_every_n_hours"] = d.keep_checkpoint_every_n_hours;
  out["version"] = d.version;
  return out;
}

ckpt::SaverDef SaverDefFromPython(nb::handle d) {
  ckpt::SaverDef s;
  s.filename_tensor_name = nb::cast<std::string>(d.attr("filename_tensor_name"));
  s.save_tensor_name = nb::cast<std::string>(d.attr("save_tensor_name"));
  s.restore_op_name = nb::cast<std::string>(d.attr("restore_op_name"));
  s.max_to_keep = nb::cast<int32_t>(d.attr("max_to_keep"));
  s.sharded = nb::cast<bool>(d.attr("sharded"));
  s.keep_checkpoint_every_n_hours = nb::cast<float>(d.attr("keep_checkpoint_every_n_hours"));
  s.version = nb::cast<int32_t>(d.attr("version"));
  return s;
}

// Routes the Saver's log lines to Python's logging module (logger "ckpt").
void LogToPython(std::string_view severity, std::string_view message) {
  nb::gil_scoped_acquire gil;
  try {
    nb::object logger = nb::module_::import_("logging").attr("getLogger")("ckpt");
    const char* method = severity == "WARNING" ? "warning" : severity == "ERROR" ? "error" : "info";
    logger.attr(method)("%s", std::string(message));
  } catch (nb::python_error& e) {
    e.discard_as_unraisable("ckpt Saver log");
  }
}

ckpt::SaverOptions OptionsFromPython(nb::handle o) {
  ckpt::SaverOptions so;
  so.reshape = nb::cast<bool>(o["reshape"]);
  so.sharded = nb::cast<bool>(o["sharded"]);
  so.max_to_keep = nb::cast<int>(o["max_to_keep"]);
  so.keep_checkpoint_every_n_hours = nb::cast<double>(o["keep_checkpoint_every_n_hours"]);
  so.name = nb::cast<std::string>(o["name"]);
  so.restore_sequentially = nb::cast<bool>(o["restore_sequentially"]);
  if (!o["saver_def"].is_none()) so.saver_def = SaverDefFromPython(o["saver_def"]);
  so.defer_build = nb::cast<bool>(o["defer_build"]);
  so.allow_empty = nb::cast<bool>(o["allow_empty"]);
  so.write_version = static_cast<ckpt::CheckpointFormat>(nb::cast<int>(o["write_version"]));
  so.pad_step_number = nb::cast<bool>(o["pad_step_number"]);
  so.save_relative_paths = nb::cast<bool>(o["save_relative_paths"]);
  so.filename = nb::cast<std::string>(o["filename"]);
  so.prune_beyond_max_to_keep = nb::cast<bool>(o["prune_beyond_max_to_keep"]);
  so.sync = nb::cast<bool>(o["sync"]);
  if (!o["clock"].is_none()) {
    auto clock = std::shared_ptr<nb::object>(new nb::object(nb::borrow(o["clock"])), [](nb::object* p) {
      nb::gil_scoped_acquire gil;
      delete p;
    });
    so.clock = [clock]() -> double {
      nb::gil_scoped_acquire gil;
      return nb::cast<double>((*clock)());
    };
  }
  so.log = &LogToPython;
  return so;
}

// Owns the C++ Saver; destroying it drops Python references, so keep the GIL.
struct PySaver {
  std::unique_ptr<ckpt::Saver> saver;
};

}  // namespace

void RegisterSaver(nb::module_& m) {
  m.def("saver_def_serialize", [](nb::handle d) {
    std::string bytes = SaverDefFromPython(d).SerializeAsString();
    return nb::bytes(bytes.data(), bytes.size());
  });
  m.def("saver_def_parse", [](nb::bytes b) {
    return SaverDefToPython(ValueOrThrow(ckpt::SaverDef::Parse(std::string_view(b.c_str(), b.size())), "saver"));
  });
  m.def("saver_def_text", [](nb::handle d) { return SaverDefFromPython(d).DebugString(); });

  nb::class_<PySaver>(m, "_Saver")
      .def_static("create",
                  [](nb::handle entries, bool is_none, bool is_map, nb::handle options) {
                    ckpt::VarList vl = is_none ? ckpt::VarList() : MakeVarList(entries, is_map);
                    auto s = ValueOrThrow(ckpt::Saver::Create(std::move(vl), OptionsFromPython(options)), "saver");
                    return PySaver{std::move(s)};
                  })
      .def_static("from_proto",
                  [](nb::handle saver_def, std::string import_scope, nb::handle entries, bool is_none, bool is_map,
                     nb::handle options) {
                    ckpt::VarList vl = is_none ? ckpt::VarList() : MakeVarList(entries, is_map);
                    auto s = ValueOrThrow(ckpt::Saver::FromProto(SaverDefFromPython(saver_def), std::move(import_scope),
                                                                 std::move(vl), OptionsFromPython(options)),
                                          "saver");
                    return PySaver{std::move(s)};
                  })
      .def("build",
           [](PySaver& self) { ThrowIfError(self.saver->Build(), "saver"); })
      .def("save",
           [](PySaver& self, const std::string& save_path, std::optional<int64_t> global_step,
              const std::string& latest_filename, const std::string& meta_graph_suffix, bool write_meta_graph,
              bool write_state, nb::handle communicator, std::optional<double> collective_timeout) {
             ckpt::SaverSaveOptions so;
             // Owned by the Python communicator, which the caller's options keep alive.
             if (!communicator.is_none()) so.communicator = NativeCommunicator(communicator);
             if (collective_timeout) {
               // Below a millisecond would read as "no deadline" (0): keep it a deadline.
               so.collective_timeout = std::max(std::chrono::milliseconds(1),
                                                std::chrono::milliseconds(static_cast<int64_t>(*collective_timeout * 1000)));
             }
             so.global_step = global_step;
             so.latest_filename = latest_filename;
             so.meta_graph_suffix = meta_graph_suffix;
             so.write_meta_graph = write_meta_graph;
             so.write_state = write_state;
             ckpt::Result<std::optional<std::string>> r = ckpt::InternalError("unset");
             {
               nb::gil_scoped_release release;
               r = self.saver->Save(save_path, so);
             }
             return ValueOrThrow(std::move(r), "saver");
           },
           nb::arg("save_path"), nb::arg("global_step").none(), nb::arg("latest_filename"),
           nb::arg("meta_graph_suffix"), nb::arg("write_meta_graph"), nb::arg("write_state"),
           nb::arg("communicator").none() = nb::none(), nb::arg("collective_timeout").none() = nb::none())
      .def("restore",
           [](PySaver& self, const std::string& save_path) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = self.saver->Restore(save_path);
             }
             ThrowIfError(s, "saver");
           })
      .def("last_checkpoints", [](PySaver& self) { return self.saver->last_checkpoints(); })
      .def("set_last_checkpoints",
           [](PySaver& self, std::vector<std::string> paths) { self.saver->SetLastCheckpoints(std::move(paths)); })
      .def("set_last_checkpoints_with_time",
           [](PySaver& self, std::vector<std::pair<std::string, double>> p) {
             self.saver->SetLastCheckpointsWithTime(std::move(p));
           })
      .def("recover_last_checkpoints",
           [](PySaver& self, const std::vector<std::string>& paths) {
             nb::gil_scoped_release release;
             self.saver->RecoverLastCheckpoints(paths);
           })
      .def("as_saver_def", [](PySaver& self) { return SaverDefToPython(self.saver->AsSaverDef()); })
      .def("to_proto",
           [](PySaver& self, const std::string& scope) -> std::optional<nb::dict> {
             auto d = self.saver->ToProto(scope);
             if (!d) return std::nullopt;
             return SaverDefToPython(*d);
           })
      .def("export_meta_graph",
           [](PySaver& self, const std::string& filename) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = self.saver->ExportMetaGraph(filename);
             }
             ThrowIfError(s, "saver");
           })
      .def("keys", [](PySaver& self) { return self.saver->keys(); });
}

}  // namespace ckpt_py
