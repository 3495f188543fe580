// LoadObjectGraph / ValidateObjectGraph (graph/object_graph_loader.h).
#include "graph/object_graph_loader.h"

#include <string>
#include <vector>

#include "ckpt/object_graph.h"
#include "ckpt/status_macros.h"
#include "graph/key_escaping.h"

namespace ckpt::graph {

Result<proto::TrackableObjectGraph> LoadObjectGraph(const BundleReader& reader) {
  CKPT_ASSIGN_OR_RETURN(std::vector<std::string> blob, reader.ReadStrings(kObjectGraphKey));
  proto::TrackableObjectGraph graph;
  if (blob.size() != 1 || !graph.ParseFromString(blob[0])) {
    return DataLossError("cannot parse the object graph stored under " + std::string(kObjectGraphKey) + " in " +
                         reader.prefix());
  }
  CKPT_RETURN_IF_ERROR(ValidateObjectGraph(graph));
  return graph;
}

Status ValidateObjectGraph(const proto::TrackableObjectGraph& graph) {
  const int n = graph.nodes_size();
  if (n == 0) return DataLossError("object graph in the checkpoint has no nodes");
  auto bad = [&](int id) { return id < 0 || id >= n; };
  for (int i = 0; i < n; ++i) {
    for (const auto& c : graph.nodes(i).children()) {
      if (bad(c.node_id())) {
        return DataLossError("object graph node " + std::to_string(i) + " has child '" + c.local_name() +
                             "' with node id " + std::to_string(c.node_id()) + " out of range [0, " +
                             std::to_string(n) + ")");
      }
    }
    for (const auto& s : graph.nodes(i).slot_variables()) {
      if (bad(s.original_variable_node_id()) || bad(s.slot_variable_node_id())) {
        return DataLossError("object graph node " + std::to_string(i) + " has slot variable '" + s.slot_name() +
                             "' with a node id out of range [0, " + std::to_string(n) + ")");
      }
    }
  }
  return OkStatus();
}

}  // namespace ckpt::graph
