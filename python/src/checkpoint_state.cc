// The `checkpoint` state file functions (tf.train.get_checkpoint_state, ...).
#include <optional>
#include <string>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/checkpoint_state.h"

namespace ckpt_py {
namespace {

nb::dict StateToPython(const ckpt::CheckpointState& s) {
  nb::dict d;
  d["model_checkpoint_path"] = s.model_checkpoint_path;
  d["all_model_checkpoint_paths"] = s.all_model_checkpoint_paths;
  d["all_model_checkpoint_timestamps"] = s.all_model_checkpoint_timestamps;
  d["last_preserved_timestamp"] = s.last_preserved_timestamp;
  return d;
}

}  // namespace

void RegisterCheckpointState(nb::module_& m) {
  m.def("get_checkpoint_state",
        [](const std::string& dir, const std::string& latest_filename) -> std::optional<nb::dict> {
          ckpt::Result<std::optional<ckpt::CheckpointState>> r = ckpt::InternalError("unset");
          {
            nb::gil_scoped_release release;
            r = ckpt::GetCheckpointState(dir, latest_filename);
          }
          auto state = ValueOrThrow(std::move(r), "get_checkpoint_state");
          if (!state) return std::nullopt;
          return StateToPython(*state);
        },
        nb::arg("checkpoint_dir"), nb::arg("latest_filename"));
  m.def("update_checkpoint_state",
        [](const std::string& save_dir, const std::string& model_checkpoint_path,
           const std::vector<std::string>& all_paths, const std::string& latest_filename,
           const std::vector<double>& timestamps, double last_preserved_timestamp, bool save_relative_paths) {
          ckpt::Status s;
          {
            nb::gil_scoped_release release;
            s = ckpt::UpdateCheckpointState(save_dir, model_checkpoint_path,
                                            {.all_paths = all_paths,
                                             .latest_filename = latest_filename,
                                             .timestamps = timestamps,
                                             .last_preserved_timestamp = last_preserved_timestamp,
                                             .save_relative_paths = save_relative_paths});
          }
          ThrowIfError(s, "update_checkpoint_state");
        },
        nb::arg("save_dir"), nb::arg("model_checkpoint_path"), nb::arg("all_model_checkpoint_paths"),
        nb::arg("latest_filename"), nb::arg("all_model_checkpoint_timestamps"), nb::arg("last_preserved_timestamp"),
        nb::arg("save_relative_paths"));
  m.def("generate_checkpoint_state",
        [](const std::string& save_dir, const std::string& model_checkpoint_path,
           const std::vector<std::string>& all_paths, const std::vector<double>& timestamps,
           double last_preserved_timestamp, bool save_relative_paths) {
          return StateToPython(ValueOrThrow(
              ckpt::GenerateCheckpointState(save_dir, model_checkpoint_path,
                                            {.all_paths = all_paths,
                                             .timestamps = timestamps,
                                             .last_preserved_timestamp = last_preserved_timestamp,
                                             .save_relative_paths = save_relative_paths}),
              "update_checkpoint_state"));
        });
  m.def("latest_checkpoint",
        [](const std::string& dir, const std::string& latest_filename) {
          ckpt::Result<std::optional<std::string>> r = ckpt::InternalError("unset");
          {
            nb::gil_scoped_release release;
            r = ckpt::LatestCheckpoint(dir, latest_filename);
          }
          return ValueOrThrow(std::move(r), "get_checkpoint_state");
        },
        nb::arg("checkpoint_dir"), nb::arg("latest_filename"));
  m.def("checkpoint_exists",
        [](const std::string& prefix) {
          nb::gil_scoped_release release;
          return ckpt::CheckpointExists(prefix);
        },
        nb::arg("checkpoint_prefix"));
  m.def("get_checkpoint_mtimes",
        [](const std::vector<std::string>& prefixes) {
          nb::gil_scoped_release release;
          return ckpt::GetCheckpointMtimes(prefixes);
        },
        nb::arg("checkpoint_prefixes"));
  m.def("remove_checkpoint",
        [](const std::string& prefix, int version, const std::string& suffix) {
          ckpt::Status s;
          {
            nb::gil_scoped_release release;
            s = ckpt::RemoveCheckpoint(prefix, static_cast<ckpt::CheckpointFormat>(version), suffix);
          }
          ThrowIfError(s, "remove_checkpoint");
        },
        nb::arg("checkpoint_prefix"), nb::arg("checkpoint_format_version"), nb::arg("meta_graph_suffix"));
  m.def("meta_graph_filename", [](const std::string& f, const std::string& suffix) {
        return ckpt::MetaGraphFilename(f, suffix);
      });
  m.def("checkpoint_state_to_text", [](const std::string& model_checkpoint_path,
                                       const std::vector<std::string>& all_paths,
                                       const std::vector<double>& timestamps, double last_preserved) {
        ckpt::CheckpointState s{model_checkpoint_path, all_paths, timestamps, last_preserved};
        return ckpt::CheckpointStateToText(s);
      });
}

}  // namespace ckpt_py
