// ListObjectKeys: the object graph of a checkpoint as (key, object path) rows.
#include "ckpt/checkpoint.h"
#include "ckpt/object_graph.h"
#include "ckpt/status_macros.h"
#include "graph/restore_session.h"

namespace ckpt {

Result<std::vector<ObjectKey>> ListObjectKeys(const BundleReader& reader) {
  std::vector<ObjectKey> out;
  if (!reader.HasTensor(kObjectGraphKey)) return out;
  CKPT_ASSIGN_OR_RETURN(std::vector<std::string> blob, reader.ReadStrings(kObjectGraphKey));
  proto::TrackableObjectGraph g;
  if (blob.size() != 1 || !g.ParseFromString(blob[0])) {
    return DataLossError("cannot parse the object graph stored under " + std::string(kObjectGraphKey) +
                         " in " + reader.prefix());
  }
  CKPT_RETURN_IF_ERROR(graph::ValidateObjectGraph(g));
  const std::vector<std::string> names = graph::PrettyNodeNames(g);
  for (int i = 0; i < g.nodes_size(); ++i) {
    for (const auto& a : g.nodes(i).attributes()) {
      out.push_back(ObjectKey{a.checkpoint_key(), names[i], a.name(), a.full_name()});
    }
  }
  return out;
}

}  // namespace ckpt
