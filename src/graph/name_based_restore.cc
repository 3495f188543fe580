#include "graph/name_based_restore.h"

#include <algorithm>

#include "graph/object_graph_builder.h"

namespace ckpt::graph {
namespace {

std::vector<Trackable*> Subtree(Trackable& object) {
  GraphView view;
  view.root = &object;
  return ListObjects(view, /*include_slots=*/true);
}

}  // namespace

const char kNameBasedRestoreWarning[] =
    "Restoring a name-based tf.train.Saver checkpoint using the object-based restore API. This mode uses global "
    "names to match variables, and so is somewhat fragile. It also adds new restore ops to the graph each time it "
    "is called when graph building. Prefer re-encoding training checkpoints in the object-based format: run save() "
    "on the object-based saver (the same one this message is coming from) and use that checkpoint in the future.";

NameBasedRestore::NameBasedRestore(ReaderSource reader, WeakGraphView view)
    : reader_(std::move(reader)), view_(std::move(view)), uid_(NextRestoreUid()) {}

Status NameBasedRestore::RestoreObject(Trackable& object) {
  internal::TrackableState& st = internal::StateOf(object);
  const bool known = std::any_of(st.name_based.begin(), st.name_based.end(),
                                 [this](const auto& s) { return s.get() == this; });
  if (!known) st.name_based.push_back(shared_from_this());
  if (uid_ <= st.update_uid) return OkStatus();
  st.update_uid = uid_;
  std::vector<std::string> missing;
  ErrorList errors;
  for (SaveableAttribute& a : object.attributes()) {
    if (a.full_name.empty() || !a.restore) {
      // No global name: a name-based checkpoint cannot hold it.
      missing.push_back(a.name);
      continue;
    }
    auto reader = reader_.Get();
    if (!reader.ok()) return reader.status();
    if (!(*reader)->HasTensor(a.full_name)) {
      missing.push_back(a.full_name);
      continue;
    }
    errors.Add(a.restore(**reader, a.full_name));
  }
  if (!missing.empty()) unused_attributes_.emplace_back(internal::SharedStateOf(object), std::move(missing));
  return errors.status();
}

Status NameBasedRestore::RestoreSubtree(Trackable& object) {
  ErrorList errors;
  for (Trackable* t : Subtree(object)) errors.Add(RestoreObject(*t));
  return errors.status();
}

void NameBasedRestore::AddOptional(Trackable& object) { optional_.push_back(internal::SharedStateOf(object)); }

Status NameBasedRestore::AssertConsumed() {
  std::string text;
  for (const auto& [weak, attrs] : unused_attributes_) {
    auto s = weak.lock();
    if (!s || s->owner == nullptr) continue;
    const bool optional =
        std::any_of(optional_.begin(), optional_.end(), [&](const auto& o) { return o.lock() == s; });
    if (optional) continue;
    text += "\n    " + s->owner->DebugString() + ": [";
    for (size_t i = 0; i < attrs.size(); ++i) text += (i ? ", '" : "'") + attrs[i] + "'";
    text += "]";
  }
  if (!text.empty()) return FailedPreconditionError("Some objects had attributes which were not restored: " + text);
  if (auto view = view_.Lock()) {
    for (Trackable* t : ListObjects(*view, true)) {
      if (internal::StateOf(*t).update_uid < uid_) {
        return FailedPreconditionError("Object not restored: " + t->DebugString());
      }
    }
  }
  return OkStatus();
}

}  // namespace ckpt::graph
