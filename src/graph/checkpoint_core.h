// CheckpointCore: what tf.train.Checkpoint does in the graph layer — the
// object graph it saves (roots, attached children, save_counter), collecting
// the values of a save, and restoring (object-based or by name). The public
// Checkpoint (src/api/) adds the writing: synchronous, or staged and
// committed in the background.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/named_view.h"
#include "ckpt/checkpoint.h"
#include "ckpt/status.h"
#include "graph/object_graph_builder.h"
#include "graph/restore_session.h"

namespace ckpt::graph {

class NameBasedRestore;

// The values one save writes, in the order TF writes them (attributes in
// node order, then the serialized object graph). Views point into the live
// objects (and into this struct for the graph): valid until the objects
// change or the struct dies. Moving keeps them valid.
struct SaveList {
  std::vector<NamedView> entries;
  std::unique_ptr<std::string> serialized_graph;
  std::unique_ptr<std::string_view> graph_element;
};

class CheckpointCore {
 public:
  // `fs` non-null.
  CheckpointCore(FileSystem* fs, bool skip_slot_variables);
  ~CheckpointCore();

  // The two constructor shapes of tf.train.Checkpoint (CK-01..CK-03);
  // problems land in status().
  void InitNamed(std::vector<std::pair<std::string, Trackable*>> named);
  void InitRooted(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named);

  Status status() const { return status_; }
  Trackable& root() { return *root_; }
  FileSystem* fs() const { return fs_; }

  // The save counter, created on first use (CK-07, CK-08).
  Result<Variable*> SaveCounter();

  // Builds the object graph and lists every value to save.
  Result<SaveList> Collect();

  // TF's Checkpoint.read; `restore_wrapping` adds Checkpoint.restore's
  // NotFound wrapper (CK-27 vs CK-28). `read_fs`, when given, replaces fs()
  // for this restore (kept alive by the restore session: deferred values
  // are read through it too).
  Result<LoadStatus> Read(std::string_view save_path, bool restore_wrapping,
                          std::shared_ptr<FileSystem> read_fs = nullptr);
  // TF's Checkpoint.restore: Read, then the save counter (CK-11, CK-12, CK-60).
  Result<LoadStatus> Restore(std::string_view save_path, std::shared_ptr<FileSystem> read_fs = nullptr);

 private:
  static Status NotTrackable(const std::string& name);
  GraphView View() const;
  WeakGraphView WeakView() const;
  Result<LoadStatus> ReadNameBased(std::unique_ptr<BundleReader> reader, const std::string& prefix,
                                   FileSystem* fs, std::shared_ptr<FileSystem> keep_alive);

  FileSystem* fs_;
  bool skip_slot_variables_;
  Status status_;
  std::unique_ptr<Module> own_root_;  // the root of a keyword-only Checkpoint
  Trackable* root_ = nullptr;
  std::shared_ptr<AttachedList> attached_;
  std::unique_ptr<Variable> owned_counter_;
  Variable* counter_ = nullptr;
  std::shared_ptr<NameBasedRestore> name_based_;  // set by the last name-based Read
};

}  // namespace ckpt::graph
