// Trackable: edges, and the hooks through which deferred restorations reach
// objects attached after a restore.
#include "ckpt/trackable.h"

#include <algorithm>

#include "graph/deferred.h"
#include "graph/trackable_state.h"

namespace ckpt {
namespace {

void RemoveOneParent(Trackable& child, const Trackable* parent) {
  auto& parents = internal::StateOf(child).parents;
  auto it = std::find(parents.begin(), parents.end(), parent);
  if (it != parents.end()) parents.erase(it);
}

}  // namespace

Trackable::Trackable() : state_(std::make_shared<internal::TrackableState>(this)) {}

Trackable::~Trackable() {
  internal::TrackableState& st = *state_;
  for (const Dependency& d : st.deps) RemoveOneParent(*d.object, this);
  st.deps.clear();
  // Parents may list us under several names; drop every such edge.
  std::vector<Trackable*> parents = std::move(st.parents);
  std::sort(parents.begin(), parents.end());
  parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
  for (Trackable* p : parents) {
    std::erase_if(internal::StateOf(*p).deps, [this](const Dependency& d) { return d.object == this; });
  }
  // Sessions see the object as gone from now on, even if a weak reference
  // was locked somewhere up the stack.
  st.owner = nullptr;
}

Status Trackable::Track(std::string_view name, Trackable& child) {
  if (name.empty()) return InvalidArgumentError("A dependency needs a non-empty name.");
  if (&child == this) {
    return InvalidArgumentError("Cannot track an object as a dependency of itself (name '" + std::string(name) + "').");
  }
  auto& deps = state_->deps;
  auto it = std::find_if(deps.begin(), deps.end(), [&](const Dependency& d) { return d.name == name; });
  if (it != deps.end()) {
    if (it->object == &child) return OkStatus();
    // TF overwrites in place: the replaced edge keeps its position.
    RemoveOneParent(*it->object, this);
    it->object = &child;
  } else {
    deps.push_back(Dependency{std::string(name), &child});
  }
  child.state_->parents.push_back(this);
  return graph::OnDependencyAdded(*this, name, child);
}

void Trackable::Untrack(std::string_view name) {
  auto& deps = state_->deps;
  auto it = std::find_if(deps.begin(), deps.end(), [&](const Dependency& d) { return d.name == name; });
  if (it == deps.end()) return;
  RemoveOneParent(*it->object, this);
  deps.erase(it);
}

Trackable* Trackable::dependency(std::string_view name) const {
  for (const Dependency& d : state_->deps) {
    if (d.name == name) return d.object;
  }
  return nullptr;
}

const std::vector<Dependency>& Trackable::dependencies() const { return state_->deps; }

std::string Trackable::DebugString() const { return "Trackable"; }

Status Trackable::OnSlotCreated(Trackable& original, std::string_view slot_name, Trackable& slot) {
  return graph::OnSlotCreated(*this, original, slot_name, slot);
}

}  // namespace ckpt
