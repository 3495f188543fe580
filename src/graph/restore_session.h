// Restore sessions: the state of one Checkpoint::Restore/Read (TF's restore
// coordinators), shared by the LoadStatus and by objects still waiting for
// values.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/status.h"
#include "ckpt/trackable.h"
#include "graph/object_graph_builder.h"
#include "graph/trackable_state.h"

namespace ckpt::internal {

// What LoadStatus forwards to. Assertion failures are FailedPrecondition
// carrying TF's AssertionError text.
class RestoreSession {
 public:
  virtual ~RestoreSession() = default;
  virtual Status AssertConsumed() = 0;
  virtual Status AssertExistingObjectsMatched() = 0;
  virtual Status AssertNontrivialMatch() = 0;
  virtual Status RunRestoreOps() { return OkStatus(); }
  virtual void SetExpectPartial() {}
  virtual bool is_initialization_only() const { return false; }
  virtual bool is_name_based() const { return false; }
};

// LoadStatus's constructor is private (users cannot make one); the library
// makes them here.
struct LoadStatusAccess {
  static LoadStatus Make(std::shared_ptr<RestoreSession> session) { return LoadStatus(std::move(session)); }
};

}  // namespace ckpt::internal

namespace ckpt::graph {

// Restore uids grow with every restore; an object remembers the uid of the
// newest restore that assigned it, so older restores never overwrite newer
// ones (CK-39).
uint64_t NextRestoreUid();

// Collects errors of independent restores; the message of each is kept, the
// code of the first (TF joins RestoreV2 dtype errors with newlines, CK-31).
class ErrorList {
 public:
  void Add(const Status& s);
  Status status() const;

 private:
  Status first_;
  std::string joined_;
};

// A Checkpoint's extra root children, shared with sessions weakly so a
// status never keeps the Checkpoint's objects alive (CK-04, CK-42).
struct AttachedRef {
  std::string name;
  Trackable* object;
  std::weak_ptr<internal::TrackableState> alive;
};
using AttachedList = std::vector<AttachedRef>;

struct WeakGraphView {
  std::weak_ptr<internal::TrackableState> root;
  std::weak_ptr<AttachedList> attached;
  // The live view, or nullopt when the root is gone.
  std::optional<GraphView> Lock() const;
};

// Where a session reads from; reopened on demand after the files were closed.
class ReaderSource {
 public:
  // `keep_alive` (may be null) owns `fs` when the restore brought its own.
  ReaderSource(std::unique_ptr<BundleReader> reader, std::string prefix, FileSystem* fs,
               std::shared_ptr<FileSystem> keep_alive = nullptr);
  Result<const BundleReader*> Get();
  void Close() { reader_.reset(); }

 private:
  std::shared_ptr<FileSystem> keep_alive_;  // before reader_: outlives its files
  std::unique_ptr<BundleReader> reader_;
  std::string prefix_;
  FileSystem* fs_;
};

// restore(None): nothing restored, every assertion fails (CK-26).
class InitOnlyRestore : public internal::RestoreSession {
 public:
  Status AssertConsumed() override;
  Status AssertExistingObjectsMatched() override;
  Status AssertNontrivialMatch() override;
  Status RunRestoreOps() override;
  bool is_initialization_only() const override { return true; }
};

// An object-based restore (TF's _CheckpointRestoreCoordinator plus
// CheckpointPosition). Protocol of RestoreInto(node, object):
//   1. Bind: node -> object, unless the node is bound to a live object
//      already (then stop; a different object logs CK-55's warning).
//   2. Breadth first from there: assign the node's attributes to the object
//      if this restore is newer than the object's last one (CK-39, CK-43);
//      for each saved child, skip it if bound, bind and visit the live
//      dependency of that name, or queue a PendingRestore on the object when
//      the child has values (CK-36, CK-37); when a variable and its
//      optimizer are both bound, find the slot or queue it on the optimizer
//      (CK-41).
//   3. Errors (dtype/shape) are collected; the walk continues.
class ObjectRestore : public internal::RestoreSession, public std::enable_shared_from_this<ObjectRestore> {
 public:
  // `graph` must already be validated (LoadObjectGraph does).
  ObjectRestore(ReaderSource reader, proto::TrackableObjectGraph graph, WeakGraphView view, bool skip_slot_variables);
  ~ObjectRestore() override;  // logs unused values unless expect_partial (CK-52)

  uint64_t uid() const { return uid_; }
  Status RestoreInto(int node_id, Trackable& object);
  // TF restores a rooted Checkpoint's attached children after the root.
  Status RestoreAttached();
  // Closes the files when no object waits for values (CK-33).
  void CloseReaderIfIdle();

  Status AssertConsumed() override;
  Status AssertExistingObjectsMatched() override;
  Status AssertNontrivialMatch() override;
  void SetExpectPartial() override { expect_partial_ = true; }

  // PendingRestore bookkeeping.
  void AddPendingRef() { ++pending_refs_; }
  void ReleasePendingRef();

 private:
  struct Visit {
    int node_id;
    Trackable* object;
  };
  bool Bind(int node_id, Trackable& object);
  Trackable* BoundObject(int node_id) const;
  Status SingleRestore(int node_id, Trackable& object);
  void QueueChildren(int node_id, Trackable& object, std::vector<Visit>& queue);
  void QueueSlots(int node_id, Trackable& object, std::vector<Visit>& queue);
  void CreateOrDeferSlot(Trackable& optimizer, Trackable& original, int slot_node_id, const std::string& slot_name,
                         std::vector<Visit>& queue);
  bool HasValues(int node_id) const;
  void NoteObject(Trackable& object);
  std::vector<Trackable*> LiveObjects();
  std::vector<Trackable*> UnboundObjectsWithAttributes();
  const std::vector<std::string>& NodeNames();
  std::string NodeText(int node_id) const;

  struct SlotRestoration {
    int optimizer_id;
    int slot_node_id;
    std::string slot_name;
  };
  struct DeferredSlot {
    std::weak_ptr<internal::TrackableState> original;
    int slot_node_id;
    std::string slot_name;
  };

  ReaderSource reader_;
  proto::TrackableObjectGraph graph_;
  WeakGraphView view_;
  bool skip_slot_variables_;
  uint64_t uid_;
  bool expect_partial_ = false;
  int pending_refs_ = 0;
  std::vector<std::weak_ptr<internal::TrackableState>> bound_;  // by node id
  std::set<int> matched_;
  // Every object seen (bound, or listed by an assertion), in first-seen order.
  std::vector<std::weak_ptr<internal::TrackableState>> all_objects_;
  std::set<const internal::TrackableState*> all_objects_index_;
  std::map<int, std::vector<std::string>> unused_attributes_;
  std::map<int, std::vector<SlotRestoration>> slot_restorations_;            // by variable node
  std::map<int, std::vector<DeferredSlot>> deferred_slot_restorations_;  // by optimizer node
  std::vector<std::string> node_names_;
};

// TF's pretty names of nodes: "(root)", "(root).a.b",
// "(root).opt's state 'm' for (root).v" (CK-54).
std::vector<std::string> PrettyNodeNames(const proto::TrackableObjectGraph& graph);

}  // namespace ckpt::graph
