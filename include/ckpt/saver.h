// Saver: TensorFlow's name-based tf.compat.v1.train.Saver, without a graph.
//
// A Saver is built over a list of variables and saves each under a name
// (its checkpoint key): the variable's own name when given a list, the map
// key when given a map. It writes V2 bundles (default) or legacy V1 files,
// keeps the `checkpoint` state file, deletes old checkpoints with TF's rules,
// restores from V1 or V2 files, and writes a `.meta` MetaGraphDef beside each
// checkpoint. File names, state files and checkpoint bytes match what TF1's
// Saver produces for the same calls. Behaviour items are cited as SV-xx.
//
//   auto w = std::make_shared<ckpt::TensorVariable>("dense/kernel", kernel_tensor);
//   auto saver = ckpt::Saver::Create(ckpt::VarList::List({w}));
//   ckpt::SaverSaveOptions so; so.global_step = 1000;
//   auto path = (*saver)->Save("/train/model.ckpt", so);   // "/train/model.ckpt-1000"
//   (*saver)->Restore(**path);
//
// Errors: TensorFlow raises Python exceptions where ckpt returns a Status.
// The codes used: ValueError and AssertionError -> InvalidArgument;
// RuntimeError -> FailedPrecondition; TF's op errors keep their code
// (NotFound, InvalidArgument, DataLoss, ...). Messages are TensorFlow's.
//
// Thread-safety: a Saver is not thread-safe; use one thread at a time.
//
// Deliberate differences from TensorFlow:
//   * No graph and no session: the "save tensor" and "restore op" names of
//     the SaverDef are recorded (as TF would name them) and anchor the .meta
//     graph (see ExportMetaGraph), but nothing here runs them.
//     The variables to save when TF would take "all global variables" come
//     from a callback (VarList::AllVariables).
//   * Restores are all-or-nothing by default: every value is read and
//     checked before any variable is assigned. restore_sequentially = true
//     reads and assigns one variable at a time (peak memory one tensor; a
//     failure leaves earlier variables restored).
//   * Durability: bundles, V1 files, the state file and the .meta file are
//     fsynced, with their directories.
//   * prune_beyond_max_to_keep (opt-in) deletes every surplus checkpoint at
//     once instead of TF's one-per-save.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/checkpoint_state.h"
#include "ckpt/distributed.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt {

// Where one part of a partitioned variable sits in the full variable
// (TF's SaveSliceInfo).
struct PartitionInfo {
  std::string full_name;   // the checkpoint key of the whole variable
  TensorShape full_shape;
  TensorSlice slice;       // this part's extent; its shape is the part's shape
};

// What a Saver saves and restores: one variable (or one part of a
// partitioned variable). Implement it over your own storage, or use
// TensorVariable.
class CKPT_EXPORT SaveableVariable {
 public:
  virtual ~SaveableVariable() = default;
  // The variable's own name (TF's op name, no ":0"); its key when the Saver
  // is given a list.
  virtual std::string name() const = 0;
  // TF device string ("/job:ps/task:0/device:CPU:0", "/cpu:0", "" = none).
  // A sharded Saver writes one shard per distinct (canonicalised) device.
  virtual std::string device() const { return {}; }
  // Set for one part of a partitioned variable.
  virtual std::optional<PartitionInfo> partition() const { return std::nullopt; }
  // The current value, borrowed for the duration of a Save. Its dtype and
  // shape are the variable's.
  virtual TensorView value() const = 0;
  // Replaces the value with `restored` (the variable's dtype and shape).
  virtual Status Assign(Tensor restored) = 0;
};

// A variable that owns its value.
class CKPT_EXPORT TensorVariable : public SaveableVariable {
 public:
  TensorVariable(std::string name, Tensor value, std::string device = {},
                 std::optional<PartitionInfo> partition = std::nullopt)
      : name_(std::move(name)), device_(std::move(device)), partition_(std::move(partition)), value_(std::move(value)) {}
  std::string name() const override { return name_; }
  std::string device() const override { return device_; }
  std::optional<PartitionInfo> partition() const override { return partition_; }
  TensorView value() const override { return value_.view(); }
  Status Assign(Tensor restored) override;
  const Tensor& tensor() const { return value_; }
  Tensor& tensor() { return value_; }

 private:
  std::string name_, device_;
  std::optional<PartitionInfo> partition_;
  Tensor value_;
};

using VariablePtr = std::shared_ptr<SaveableVariable>;

// The Saver's var_list argument.
class CKPT_EXPORT VarList {
 public:
  // var_list=None with nothing to call: an empty list (see allow_empty).
  VarList() = default;
  // var_list=[v0, v1, ...]: each keyed by its name(), or by its partition's
  // full_name (parts of one partitioned variable are grouped).
  static VarList List(std::vector<VariablePtr> variables);
  // var_list={"key": v, ...}: keyed by the map key. Several entries with one
  // key are the parts of a partitioned variable (each must carry
  // partition()).
  static VarList Map(std::vector<std::pair<std::string, VariablePtr>> entries);
  // var_list=None: `all_variables` is called when the Saver is built (at
  // Create, or at Build() with defer_build), like TF's global collection.
  static VarList AllVariables(std::function<std::vector<VariablePtr>()> all_variables);

  bool is_none() const { return kind_ == Kind::kNone; }

 private:
  friend class Saver;
  enum class Kind { kNone, kList, kMap };
  Kind kind_ = Kind::kNone;
  std::vector<std::pair<std::string, VariablePtr>> entries_;
  std::function<std::vector<VariablePtr>()> all_;
};

// TensorFlow's SaverDef (field numbers in proto/ckpt/proto/saver.proto).
struct SaverDef {
  std::string filename_tensor_name;
  std::string save_tensor_name;
  std::string restore_op_name;
  int32_t max_to_keep = 0;
  bool sharded = false;
  float keep_checkpoint_every_n_hours = 0;
  // 0 = LEGACY (treated as V1 for writing), 1 = V1, 2 = V2.
  int32_t version = 0;

  // The serialized proto (byte-identical to TF's for the same values).
  std::string SerializeAsString() const;
  // InvalidArgument "saver_def must be a saver_pb2.SaverDef: ..." when the
  // bytes do not parse.
  static Result<SaverDef> Parse(std::string_view bytes);
  // Protobuf text format, as `print(saver_def)` in Python shows it.
  std::string DebugString() const;
  friend bool operator==(const SaverDef&, const SaverDef&) = default;
};

// How a Saver is built: the constructor arguments of TF's Saver (given to
// Saver::Create / FromProto, fixed for the Saver's life). Not to be confused
// with SaverSaveOptions, the arguments of one Save call.
struct SaverOptions {
  // Restore a checkpoint value into a variable of another shape with the same
  // number of elements (row-major).
  bool reshape = false;
  // One shard per device: V2 merges them into one bundle, V1 writes
  // `<p>-0000i-of-0000N` files.
  bool sharded = false;
  // Checkpoints remembered and kept; 0 = keep all and remember none (TF's
  // None or 0).
  int max_to_keep = 5;
  // An evicted checkpoint younger than the deadline is deleted; one older is
  // kept forever and the deadline advances by this many hours.
  double keep_checkpoint_every_n_hours = 10000.0;
  // Scope of the SaverDef's tensor names; empty = "save".
  std::string name;
  // See the class comment: assign each variable as soon as it is read.
  bool restore_sequentially = false;
  // Re-create a Saver from a SaverDef: its version,
  // max_to_keep, sharded and keep_checkpoint_every_n_hours replace the
  // fields above; `name` is then an import scope prefixed to its names.
  std::optional<SaverDef> saver_def;
  // Do not build at Create; Build() must be called before Save.
  bool defer_build = false;
  // An empty variable list is not an error; Save/Restore then do nothing.
  bool allow_empty = false;
  CheckpointFormat write_version = CheckpointFormat::kV2;
  // global_step formatted as %08d.
  bool pad_step_number = false;
  // Relative paths in the state file.
  bool save_relative_paths = false;
  // The default value of the filename tensor in the .meta graph;
  // "" = "model".
  std::string filename;

  // ---- not in TensorFlow ----
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // Seconds since the epoch; default the wall clock. For tests.
  std::function<double()> clock;
  // Receives TF's log lines ("WARNING", "Ignoring: ..."; "INFO",
  // "Restoring parameters from ..."). Default: discarded.
  std::function<void(std::string_view severity, std::string_view message)> log;
  // Delete every checkpoint beyond max_to_keep on each save (TensorFlow can leave more; see docs/behaviours/sv.md).
  bool prune_beyond_max_to_keep = false;
  // fsync what is written (TF does not).
  bool sync = true;
};

// The arguments of one Saver::Save call (TF's Saver.save keyword
// arguments); every call may pass different ones.
struct SaverSaveOptions {
  // Appended as "-<step>".
  std::optional<int64_t> global_step;
  // State file name inside dirname(save_path); no path components.
  std::string latest_filename = "checkpoint";
  std::string meta_graph_suffix = "meta";
  bool write_meta_graph = true;
  // false: no state file update, no bookkeeping, no deletion.
  bool write_state = true;

  // ---- not in TensorFlow ----
  // The group of processes saving together (see CheckpointOptions::
  // communicator). nullptr or size 1: this process alone, as without it.
  // Size > 1 (write_version V2; V1: Unimplemented, before any collective):
  // every rank calls Save with the same save_path, global_step,
  // latest_filename and write_state (else InvalidArgument on every rank
  // naming the ranks that disagree with rank 0, nothing written) and its own
  // var_list: parts of partitioned variables are stored as TF slices (the
  // parts of all ranks must cover each variable exactly), other variables
  // are replicated and written once. The result is one V2 bundle; rank 0
  // writes the state file, deletes old checkpoints and writes the .meta (of
  // its own var_list); the other ranks adopt its last_checkpoints(). Every
  // rank returns the same path or the same error (a write failure anywhere:
  // nothing published). Restore ignores it: each rank restores its own
  // var_list, parts by intersection with the stored slices. Not owned.
  Communicator* communicator = nullptr;
  // Deadline of each collective, from when this rank enters it; 0: none.
  std::chrono::milliseconds collective_timeout{0};
};

class CKPT_EXPORT Saver {
 public:
  // Validates var_list and, unless
  // defer_build, builds.
  static Result<std::unique_ptr<Saver>> Create(VarList var_list, SaverOptions options = {});
  // Saver.from_proto(saver_def, import_scope). `options` supplies
  // the fields that are not in a SaverDef (fs, clock, log, ...); its
  // saver_def and name are replaced.
  static Result<std::unique_ptr<Saver>> FromProto(const SaverDef& saver_def, std::string import_scope,
                                                  VarList var_list, SaverOptions options = {});
  ~Saver();
  Saver(const Saver&) = delete;
  Saver& operator=(const Saver&) = delete;

  // Captures the variables of VarList::AllVariables. A no-op once built.
  Status Build();

  // Writes a checkpoint; returns the path to give Restore (the prefix, or
  // for sharded V1 the pattern `<p>-?????-of-0000N`), or nullopt for an
  // empty Saver. See docs/behaviours/sv.md for files, state and deletion.
  // `file://` paths are accepted (here and in Restore) and kept as given in
  // returned and recorded paths. Parts of partitioned variables are
  // stored with every extent explicit ("0,2:0,2"), as TF stores them.
  Result<std::optional<std::string>> Save(const std::string& save_path, const SaverSaveOptions& options = {});

  // Restores every variable from a V1 or V2 checkpoint.
  // `save_path` empty: InvalidArgument "Can't load save_path when it is
  // None.".
  Status Restore(const std::string& save_path);

  // Oldest first.
  std::vector<std::string> last_checkpoints() const;
  // Each path gets an infinite timestamp: never deleted when evicted.
  void SetLastCheckpoints(std::vector<std::string> paths);
  void SetLastCheckpointsWithTime(std::vector<std::pair<std::string, double>> paths_and_times);
  // Keeps the paths that exist, with their mtimes.
  void RecoverLastCheckpoints(const std::vector<std::string>& paths);

  SaverDef AsSaverDef() const;
  // nullopt unless all three names start with export_scope; the
  // names with the scope stripped otherwise. An empty scope returns the def.
  std::optional<SaverDef> ToProto(std::string_view export_scope = {}) const;

  // Writes `filename` as a binary MetaGraphDef holding meta_info_def,
  // saver_def, the "variables" / "trainable_variables" collections
  // (VariableDef per saved variable, SaveSliceInfoDef for partitions) and a
  // graph_def with a resource variable per saved variable plus TF's save and
  // restore subgraph, so that TF's `tf.compat.v1.train.import_meta_graph`
  // followed by `saver.restore(sess, path)` restores our checkpoint (and its
  // `saver.save` writes one). Variable initializers give zeros. InvalidArgument
  // when a SaverDef from FromProto/saver_def names a tensor other than
  // output 0. Layout: src/saver/saver_graph.h, docs/saver-layer.md.
  Status ExportMetaGraph(const std::string& filename) const;

  // The checkpoint keys in save order (sorted).
  std::vector<std::string> keys() const;

 private:
  class Impl;  // opaque: defined inside the library
  explicit Saver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// TF's device-name canonicalisation (DeviceSpec): "/cpu:0" ->
// "/device:CPU:0", "/replica:0/job:w" -> "/job:w/replica:0".
CKPT_EXPORT std::string CanonicalDeviceName(std::string_view device);

}  // namespace ckpt
