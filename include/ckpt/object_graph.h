// The object graph of an object-based (tf.train.Checkpoint) checkpoint, as
// plain structs: what `ckpt graph` prints.
//
// TensorFlow stores the graph as a TrackableObjectGraph proto in the string
// tensor `_CHECKPOINTABLE_OBJECT_GRAPH`. Node 0 is the root; each node names
// its children (edges may share targets, so it is a graph, not a tree), the
// tensors saved for it (attributes, e.g. VARIABLE_VALUE under a checkpoint
// key), and, for optimizers, the slot variables it keeps for other nodes
// ("m" of variable 3 lives in node 9).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/export.h"
#include "ckpt/status.h"

namespace ckpt {

// The bundle key of the serialized TrackableObjectGraph in an object-based
// checkpoint (TensorFlow's name; a DT_STRING scalar).
inline constexpr std::string_view kObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

struct ObjectGraphChild {
  std::string name;  // local name, e.g. "model", "kernel", "layer-0"
  int node_id = 0;
};

struct ObjectGraphAttribute {
  std::string name;            // e.g. "VARIABLE_VALUE"
  std::string checkpoint_key;  // the bundle key holding the value
  std::string full_name;       // the variable's TF1-style name ("" if none)
  bool optional_restore = false;
};

struct ObjectGraphSlotVariable {
  int original_variable_node_id = 0;
  std::string slot_name;  // e.g. "m"
  int slot_variable_node_id = 0;
};

struct ObjectGraphNode {
  std::vector<ObjectGraphChild> children;
  std::vector<ObjectGraphAttribute> attributes;
  std::vector<ObjectGraphSlotVariable> slot_variables;
  std::string registered_saver;  // name of a registered saver, "" if none
  // TensorFlow's pretty path: "(root).model.dense.kernel", or for a slot
  // variable "(root).opt's state 'm' for (root).v".
  std::string path;
};

struct ObjectGraph {
  std::vector<ObjectGraphNode> nodes;  // node 0 is the root
};

// True when the bundle stores an object graph (a tensor under kObjectGraphKey).
CKPT_EXPORT bool HasObjectGraph(const BundleReader& reader);

// Reads and checks the graph (every child and slot node id in range; an
// attribute's checkpoint key is not required to exist, callers check with
// reader.HasTensor). NotFound
// "... is a name-based checkpoint (no object graph)" when the bundle has
// none; DataLoss when it cannot be parsed or is inconsistent.
CKPT_EXPORT Result<ObjectGraph> ReadObjectGraph(const BundleReader& reader);

}  // namespace ckpt
