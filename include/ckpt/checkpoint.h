// Checkpoint: tf.train.Checkpoint for C++.
//
//   ckpt::Checkpoint ckpt({{"model", &model}, {"optimizer", &opt}});
//   auto path = ckpt.Save("/train/ckpt");          // "/train/ckpt-1", updates /train/checkpoint
//   ...
//   auto status = ckpt.Restore(*ckpt::LatestCheckpoint("/train"));
//   RETURN_IF_ERROR(status->AssertConsumed());
//
// Files are TensorFlow's: a tf.train.Checkpoint / tf.Module tree in TF 2
// restores what Save() writes, and Restore() reads what TF writes (see
// docs/graph-layer.md for the key scheme and the object graph).
//
// Errors follow TF's kinds: NotFound (no such checkpoint), InvalidArgument
// (dtype or shape mismatch: the message names the key and both
// dtypes/shapes; a non-trackable or clashing root), DataLoss (corrupt files),
// FailedPrecondition for a failed load-status assertion (TF raises
// AssertionError; the message is TF's text).
//
// Thread-safety: one thread at a time per Checkpoint and object graph.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "ckpt/trackable.h"
#include "ckpt/variable.h"

namespace ckpt {

namespace internal {
class RestoreSession;
}

// What a restore did, and TF's assertions about it (CK-44..CK-53).
// A failed assertion is FailedPrecondition carrying TF's AssertionError text;
// objects are described by Trackable::DebugString() where TF prints repr().
// Keep it alive as long as deferred restorations should still apply: values
// for objects attached later are delivered while the status (or any object
// holding a pending restoration) is alive. When the last reference goes, a
// warning lists checkpoint values that were never used, unless
// ExpectPartial() was called (CK-52, CK-53).
class CKPT_EXPORT LoadStatus {
 public:
  ~LoadStatus();
  LoadStatus(LoadStatus&&) noexcept;
  LoadStatus& operator=(LoadStatus&&) noexcept;

  // Every checkpoint value was matched to an object and every live saveable
  // object was matched (CK-47).
  Status AssertConsumed() const;
  // Every live object that owns saveable values was matched (CK-45, CK-46).
  Status AssertExistingObjectsMatched() const;
  // Something besides the root matched (CK-48).
  Status AssertNontrivialMatch() const;
  // Silences the unused-value warning; returns *this for chaining.
  LoadStatus& ExpectPartial();
  // API parity with TF; both are no-ops in eager C++ (CK-51), except that
  // RunRestoreOps on an initialization-only status fails like TF's (CK-26).
  Status RunRestoreOps() const;
  Status InitializeOrRestore() const { return OkStatus(); }

  // True when this status came from Restore of an empty path (CK-26).
  bool is_initialization_only() const;
  // True when the checkpoint had no object graph and was matched by
  // variable names (CK-56..CK-60).
  bool is_name_based() const;

  // Internal.
  explicit LoadStatus(std::shared_ptr<internal::RestoreSession> session);

 private:
  std::shared_ptr<internal::RestoreSession> session_;
};

struct CheckpointOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // Leave slot variables alone on restore (CK-50).
  bool skip_slot_variables = false;
  // fsync bundles and state file (default; TF does not).
  bool sync = true;
};

class CKPT_EXPORT Checkpoint {
 public:
  // Named roots, like tf.train.Checkpoint(**kwargs). Each becomes a child of
  // the checkpoint's root node, in sorted name order. nullptr values are
  // InvalidArgument at Save/Restore (CK-01).
  explicit Checkpoint(std::vector<std::pair<std::string, Trackable*>> named, CheckpointOptions options = {});
  // tf.train.Checkpoint(root=obj, **kwargs): obj is node 0, its own
  // dependencies at top level; `named` are attached next to them. A name
  // clashing with an existing different dependency of root is reported by
  // status() (CK-02).
  Checkpoint(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named = {},
             CheckpointOptions options = {});
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  // Construction problems (CK-01, CK-02), also returned by every call.
  Status status() const;

  // Increments save_counter, writes `<file_prefix>-<counter>`, records it in
  // dirname(file_prefix)/checkpoint (relative path, no timestamps; CK-09,
  // CK-14) and returns the path. Never deletes anything (CK-15). Missing
  // parent directories are created (CK-16). DELIBERATE: if the write fails
  // the counter is put back, so a retry reuses the number (TF leaves a gap).
  Result<std::string> Save(std::string_view file_prefix);
  // Writes exactly `file_prefix`; no counter increment, no state file (CK-10).
  Result<std::string> Write(std::string_view file_prefix);

  // Restores `save_path` (a prefix; a SavedModel directory maps to
  // <dir>/variables/variables). Empty path: an initialization-only status
  // (CK-26). Creates save_counter (CK-08, CK-12). A checkpoint without an
  // object graph is matched by variable names (CK-56).
  Result<LoadStatus> Restore(std::string_view save_path);
  // Like Restore but never creates save_counter (CK-12, CK-13) and does not
  // wrap NotFound errors (CK-28).
  Result<LoadStatus> Read(std::string_view save_path);

  // The save counter variable (int64 scalar), created on first use (CK-07, CK-08).
  Variable& save_counter();

  // Node 0: the `root` given to the constructor, or the Checkpoint's own
  // root object holding the named children. Track() on it adds a child later
  // (TF's `ckpt.name = obj` after construction) and delivers any value a
  // restore queued for that name (CK-36).
  Trackable& root();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// One value of an object-based checkpoint, for tools (`ckpt ls`).
struct ObjectKey {
  std::string key;          // bundle key, e.g. "model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"
  std::string object_path;  // TF's pretty path: "(root).model.dense.kernel",
                            // "(root).opt's state 'm' for (root).v" for slots
  std::string attribute;    // "VARIABLE_VALUE"
  std::string full_name;    // the variable's TF1 name, "" if none
};

// Every attribute listed in the checkpoint's object graph, in node order.
// Empty for a name-based checkpoint (no _CHECKPOINTABLE_OBJECT_GRAPH);
// DataLoss when the graph cannot be parsed or is inconsistent.
CKPT_EXPORT Result<std::vector<ObjectKey>> ListObjectKeys(const BundleReader& reader);

}  // namespace ckpt
