// ListObjectKeys: the object graph of a checkpoint as (key, object path) rows.
#include "ckpt/status_macros.h"
#include "ckpt/checkpoint.h"
#include "graph/key_escaping.h"
#include "graph/restore_session.h"

namespace ckpt {

Result<std::vector<ObjectKey>> ListObjectKeys(const BundleReader& reader) {
  std::vector<ObjectKey> out;
  if (!reader.Contains(graph::kObjectGraphKey)) return out;
  CKPT_ASSIGN_OR_RETURN(std::vector<std::string> blob, reader.ReadStrings(graph::kObjectGraphKey));
  proto::TrackableObjectGraph g;
  if (blob.size() != 1 || !g.ParseFromString(blob[0])) {
    return DataLossError("cannot parse the object graph stored under " + std::string(graph::kObjectGraphKey) +
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
