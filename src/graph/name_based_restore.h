// Restoring a name-based (TF1 Saver) checkpoint into an object graph: a
// checkpoint without _CHECKPOINTABLE_OBJECT_GRAPH is matched by each
// attribute's full_name (Variable::name()) instead of dependency paths
// (FL-10, CK-56..CK-60; TF's _NameBasedRestoreCoordinator).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/restore_session.h"

namespace ckpt::graph {

// TF's deprecation warning, logged once per name-based restore (CK-56).
extern const char kNameBasedRestoreWarning[];

class NameBasedRestore : public internal::RestoreSession, public std::enable_shared_from_this<NameBasedRestore> {
 public:
  NameBasedRestore(ReaderSource reader, WeakGraphView view);

  uint64_t uid() const { return uid_; }
  // Restores every attribute of `object` and everything reachable from it
  // (dependencies and slot variables) by full name, and remembers this
  // restore on each object so children tracked later get their values too.
  Status RestoreSubtree(Trackable& object);
  // `object` may lack a value without failing the assertions (the
  // Checkpoint's own save_counter, CK-60).
  void AddOptional(Trackable& object);
  void CloseReader() { reader_.Close(); }

  // The three assertions are the same for name-based restores (CK-59).
  Status AssertConsumed() override;
  Status AssertExistingObjectsMatched() override { return AssertConsumed(); }
  Status AssertNontrivialMatch() override { return AssertConsumed(); }
  bool is_name_based() const override { return true; }

 private:
  Status RestoreObject(Trackable& object);

  ReaderSource reader_;
  WeakGraphView view_;
  uint64_t uid_;
  std::vector<std::pair<std::weak_ptr<internal::TrackableState>, std::vector<std::string>>> unused_attributes_;
  std::vector<std::weak_ptr<internal::TrackableState>> optional_;
};

}  // namespace ckpt::graph
