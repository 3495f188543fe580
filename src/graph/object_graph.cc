// ReadObjectGraph: the TrackableObjectGraph proto of a bundle as plain structs.
#include "ckpt/object_graph.h"

#include "ckpt/status_macros.h"
#include "graph/key_escaping.h"
#include "graph/restore_session.h"

namespace ckpt {

bool HasObjectGraph(const BundleReader& reader) { return reader.Contains(graph::kObjectGraphKey); }

Result<ObjectGraph> ReadObjectGraph(const BundleReader& reader) {
  if (!HasObjectGraph(reader)) {
    return NotFoundError(reader.prefix() + " is a name-based checkpoint (no object graph under " +
                         std::string(graph::kObjectGraphKey) + ")");
  }
  CKPT_ASSIGN_OR_RETURN(std::vector<std::string> blob, reader.ReadStrings(graph::kObjectGraphKey));
  proto::TrackableObjectGraph g;
  if (blob.size() != 1 || !g.ParseFromString(blob[0])) {
    return DataLossError("cannot parse the object graph stored under " + std::string(graph::kObjectGraphKey) + " in " +
                         reader.prefix());
  }
  CKPT_RETURN_IF_ERROR(graph::ValidateObjectGraph(g));
  std::vector<std::string> paths = graph::PrettyNodeNames(g);
  ObjectGraph out;
  out.nodes.resize(static_cast<size_t>(g.nodes_size()));
  for (int i = 0; i < g.nodes_size(); ++i) {
    const auto& src = g.nodes(i);
    ObjectGraphNode& n = out.nodes[static_cast<size_t>(i)];
    for (const auto& c : src.children()) n.children.push_back({c.local_name(), c.node_id()});
    for (const auto& a : src.attributes()) {
      n.attributes.push_back({a.name(), a.checkpoint_key(), a.full_name(), a.optional_restore()});
    }
    for (const auto& s : src.slot_variables()) {
      n.slot_variables.push_back({s.original_variable_node_id(), s.slot_name(), s.slot_variable_node_id()});
    }
    if (src.has_registered_saver()) n.registered_saver = src.registered_saver().name();
    n.path = std::move(paths[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace ckpt
