#include "graph/object_graph_builder.h"

#include <algorithm>
#include <unordered_map>

#include "graph/key_escaping.h"

namespace ckpt::graph {

std::vector<Dependency> ChildrenOf(const GraphView& view, const Trackable& object) {
  std::vector<Dependency> out = object.dependencies();
  if (&object == view.root) out.insert(out.end(), view.attached.begin(), view.attached.end());
  return out;
}

std::vector<Trackable*> ListObjects(const GraphView& view, bool include_slots) {
  std::vector<Trackable*> order;
  if (view.root == nullptr) return order;
  std::unordered_map<const Trackable*, int> seen;
  seen[view.root] = 0;
  order.push_back(view.root);
  for (size_t i = 0; i < order.size(); ++i) {
    for (const Dependency& d : ChildrenOf(view, *order[i])) {
      if (seen.emplace(d.object, static_cast<int>(order.size())).second) order.push_back(d.object);
    }
  }
  if (!include_slots) return order;
  const size_t n = order.size();
  for (size_t i = 0; i < n; ++i) {
    for (const SlotVariable& sv : order[i]->slot_variables()) {
      if (!seen.count(sv.original) || sv.slot == nullptr) continue;
      if (seen.emplace(sv.slot, static_cast<int>(order.size())).second) order.push_back(sv.slot);
    }
  }
  return order;
}

Result<BuiltGraph> BuildObjectGraph(const GraphView& view) {
  BuiltGraph g;
  if (view.root == nullptr) return InvalidArgumentError("object graph has no root");
  std::unordered_map<const Trackable*, int> ids;
  std::vector<std::vector<Dependency>> children;

  // Step 1: breadth-first numbering.
  ids[view.root] = 0;
  g.nodes.push_back(view.root);
  g.paths.emplace_back();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    children.push_back(ChildrenOf(view, *g.nodes[i]));
    for (const Dependency& d : children.back()) {
      if (ids.emplace(d.object, static_cast<int>(g.nodes.size())).second) {
        g.nodes.push_back(d.object);
        g.paths.push_back(JoinObjectPath(g.paths[i], EscapeLocalName(d.name)));
      }
    }
  }
  const size_t num_bfs = g.nodes.size();
  for (size_t i = 0; i < num_bfs; ++i) {
    auto* node = g.proto.add_nodes();
    for (const Dependency& d : children[i]) {
      auto* ref = node->add_children();
      ref->set_node_id(ids.at(d.object));
      ref->set_local_name(d.name);
    }
  }

  // Step 2: slot variables after the breadth-first nodes.
  for (size_t i = 0; i < num_bfs; ++i) {
    std::vector<SlotVariable> slots = g.nodes[i]->slot_variables();
    if (slots.empty()) continue;
    std::vector<std::string> names;
    for (const SlotVariable& sv : slots) {
      if (std::find(names.begin(), names.end(), sv.slot_name) == names.end()) names.push_back(sv.slot_name);
    }
    for (const std::string& name : names) {
      std::vector<std::pair<int, Trackable*>> by_var;  // (original's id, slot)
      for (const SlotVariable& sv : slots) {
        if (sv.slot_name != name || sv.slot == nullptr) continue;
        auto it = ids.find(sv.original);
        // Slots of variables outside the saved graph are not saved (as TF).
        if (it == ids.end() || it->second >= static_cast<int>(num_bfs)) continue;
        by_var.emplace_back(it->second, sv.slot);
      }
      std::stable_sort(by_var.begin(), by_var.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [var_id, slot] : by_var) {
        if (ids.count(slot)) {
          return UnimplementedError(
              "A slot variable was re-used as a dependency of a Trackable object: " + slot->DebugString() +
              ". This is not currently allowed.");
        }
        if (!slot->dependencies().empty()) {
          return UnimplementedError("Currently only variables with no dependencies can be saved as slot variables. " +
                                    slot->DebugString() + " has dependencies.");
        }
        const int slot_id = static_cast<int>(g.nodes.size());
        ids[slot] = slot_id;
        g.nodes.push_back(slot);
        g.paths.push_back(SlotVariablePath(g.paths[var_id], g.paths[i], name));
        g.proto.add_nodes();
        auto* ref = g.proto.mutable_nodes(static_cast<int>(i))->add_slot_variables();
        ref->set_original_variable_node_id(var_id);
        ref->set_slot_name(name);
        ref->set_slot_variable_node_id(slot_id);
      }
    }
  }

  // Step 3: attributes.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    auto* node = g.proto.mutable_nodes(static_cast<int>(i));
    for (SaveableAttribute& a : g.nodes[i]->attributes()) {
      const std::string escaped = EscapeLocalName(a.name);
      auto* t = node->add_attributes();
      t->set_name(escaped);
      t->set_full_name(a.full_name);
      t->set_checkpoint_key(AttributeKey(g.paths[i], escaped));
      g.values.push_back(SavedValue{t->checkpoint_key(), std::move(a)});
    }
  }

  // Step 4: has_checkpoint_values, propagated from valued nodes to every
  // node that reaches them (a reverse breadth-first walk handles cycles).
  const int n = g.proto.nodes_size();
  std::vector<std::vector<int>> parents(n);
  std::vector<char> has(n, 0);
  std::vector<int> work;
  for (int i = 0; i < n; ++i) {
    const auto& node = g.proto.nodes(i);
    for (const auto& c : node.children()) parents[c.node_id()].push_back(i);
    if (node.attributes_size() > 0 || node.slot_variables_size() > 0) {
      has[i] = 1;
      work.push_back(i);
    }
  }
  while (!work.empty()) {
    const int c = work.back();
    work.pop_back();
    for (int p : parents[c]) {
      if (!has[p]) {
        has[p] = 1;
        work.push_back(p);
      }
    }
  }
  for (int i = 0; i < n; ++i) g.proto.mutable_nodes(i)->mutable_has_checkpoint_values()->set_value(has[i] != 0);
  return g;
}

}  // namespace ckpt::graph
