// ListObjectKeys: the object graph of a checkpoint as (key, object path) rows.
#include "ckpt/status_macros.h"
#include "ckpt/checkpoint.h"
#include "ckpt/object_graph.h"
#include "ckpt/status_macros.h"
#include "graph/key_escaping.h"
#include "graph/object_graph_loader.h"
#include "graph/restore_session.h"

namespace ckpt {

Result<std::vector<ObjectKey>> ListObjectKeys(const BundleReader& reader) {
  std::vector<ObjectKey> out;
  if (!reader.HasTensor(kObjectGraphKey)) return out;
  CKPT_ASSIGN_OR_RETURN(const proto::TrackableObjectGraph g, graph::LoadObjectGraph(reader));
  const std::vector<std::string> names = graph::PrettyNodeNames(g);
  for (int i = 0; i < g.nodes_size(); ++i) {
    for (const auto& a : g.nodes(i).attributes()) {
      out.push_back(ObjectKey{a.checkpoint_key(), names[i], a.name(), a.full_name()});
    }
  }
  return out;
}

}  // namespace ckpt
