// Builds TF's TrackableObjectGraph for a live object graph (docs/tf-format.md,
// Object graph) and lists what a save writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/status.h"
#include "ckpt/trackable.h"

namespace ckpt::graph {

// The objects a Checkpoint saves: `root` is node 0; `attached` are extra
// children of node 0 listed after the root's own dependencies (TF's attached
// dependencies of Checkpoint(root=..., **kwargs), save_counter among them).
struct GraphView {
  Trackable* root = nullptr;
  std::vector<Dependency> attached;
};

// Children of `object` as the view sees them.
std::vector<Dependency> ChildrenOf(const GraphView& view, const Trackable& object);

// Every object reachable from the root, breadth first (each once), followed
// by the slot variables of reachable optimizers when include_slots.
std::vector<Trackable*> ListObjects(const GraphView& view, bool include_slots);

struct SavedValue {
  std::string key;
  SaveableAttribute attribute;
};

struct BuiltGraph {
  proto::TrackableObjectGraph proto;
  std::vector<Trackable*> nodes;   // node id -> object
  std::vector<std::string> paths;  // node id -> object path ("" for the root)
  std::vector<SavedValue> values;  // every attribute, in node order
};

// Protocol (TF's order, so node ids and bytes match what TF writes):
//   1. Breadth-first from the root; each object's children in dependency
//      order (root: own dependencies, then attached). A new object gets the
//      next node id and the path parent/escape(name); every edge is listed,
//      also edges to objects already numbered (DAGs, cycles, self-edges).
//   2. Slot variables: for each numbered object in id order, for each slot
//      name in first-appearance order, for each original variable in id
//      order, the slot gets the next id and the path
//      <var>/.OPTIMIZER_SLOT/<optimizer>/<slot>; the optimizer's node lists it.
//   3. Attributes: name = escape(attribute), key = path/.ATTRIBUTES/escape(name)
//      (TF escapes twice; VARIABLE_VALUE is unaffected), full_name as given.
//   4. has_checkpoint_values on every node: true iff the node or something
//      reachable through its children has attributes or slot variables.
// Errors: Unimplemented when a slot variable is also a dependency somewhere
// or has dependencies of its own (TF's NotImplementedError cases).
Result<BuiltGraph> BuildObjectGraph(const GraphView& view);

}  // namespace ckpt::graph
