// The bookkeeping every Trackable carries: its edges in both directions and
// the restorations waiting for objects that do not exist yet.
//
// Ownership (why nothing dangles and nothing leaks, CK-42):
//   * a restore session refers to live objects only through
//     std::weak_ptr<TrackableState>, which expires when the object dies;
//   * an object keeps the sessions that still have values for it alive
//     (PendingRestore holds a shared_ptr), so a session lives exactly as long
//     as its LoadStatus or some object waiting on it;
//   * a Trackable's destructor unlinks itself from its parents and children.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ckpt/trackable.h"

namespace ckpt::graph {
class ObjectRestore;
class NameBasedRestore;
}  // namespace ckpt::graph

namespace ckpt::internal {

// Node `node_id` of `session`'s saved graph, waiting for an object. While any
// PendingRestore of a session exists, the session keeps its bundle reader
// open; when the last one goes the files are closed (CK-33).
class PendingRestore {
 public:
  PendingRestore(std::shared_ptr<graph::ObjectRestore> session, int node_id);
  ~PendingRestore();
  PendingRestore(PendingRestore&& other) noexcept;
  PendingRestore& operator=(PendingRestore&& other) noexcept;
  PendingRestore(const PendingRestore&) = delete;
  PendingRestore& operator=(const PendingRestore&) = delete;

  const std::shared_ptr<graph::ObjectRestore>& session() const { return session_; }
  int node_id() const { return node_id_; }

 private:
  void Release();
  std::shared_ptr<graph::ObjectRestore> session_;
  int node_id_ = -1;
};

class TrackableState;

// A saved slot variable waiting for its optimizer to create the slot.
struct PendingSlot {
  PendingRestore restore;
  std::weak_ptr<TrackableState> original;
  std::string slot_name;
};

class TrackableState {
 public:
  explicit TrackableState(Trackable* owner) : owner(owner) {}

  // The object; nullptr once its destructor ran.
  Trackable* owner;
  // Outgoing edges in first-tracked order.
  std::vector<Dependency> deps;
  // One entry per incoming edge (a parent tracking us twice appears twice).
  std::vector<Trackable*> parents;
  // Saved children not yet attached, by local name (CK-36, CK-37).
  std::vector<std::pair<std::string, PendingRestore>> deferred;
  // Slot values waiting for this optimizer to create the slot (CK-41).
  std::vector<PendingSlot> deferred_slots;
  // Name-based restores applied here; they follow new children (CK-57).
  std::vector<std::shared_ptr<graph::NameBasedRestore>> name_based;
  // uid of the newest restore that assigned this object (CK-39, CK-46).
  uint64_t update_uid = 0;
};

// A Trackable's state is private in the public header (users never see
// it); the library reaches it through these.
struct TrackableAccess {
  static TrackableState& State(const Trackable& object) { return *object.state_; }
  static const std::shared_ptr<TrackableState>& SharedState(const Trackable& object) { return object.state_; }
};
inline TrackableState& StateOf(const Trackable& object) { return TrackableAccess::State(object); }
inline const std::shared_ptr<TrackableState>& SharedStateOf(const Trackable& object) {
  return TrackableAccess::SharedState(object);
}

}  // namespace ckpt::internal
