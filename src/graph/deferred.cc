// Restore-on-attach (TF's _handle_deferred_dependencies and the optimizer's
// deferred slot restorations).
#include "graph/deferred.h"

#include <algorithm>

#include "graph/name_based_restore.h"
#include "graph/restore_session.h"
#include "graph/trackable_state.h"

namespace ckpt::graph {

Status ApplyDeferred(Trackable& parent, std::string_view name, Trackable& child) {
  auto& deferred = internal::StateOf(parent).deferred;
  std::vector<internal::PendingRestore> mine;
  for (auto it = deferred.begin(); it != deferred.end();) {
    if (it->first == name) {
      mine.push_back(std::move(it->second));
      it = deferred.erase(it);
    } else {
      ++it;
    }
  }
  // Newest first: it assigns, and older restores then skip the object
  // because its update uid is newer than theirs (CK-39).
  std::stable_sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) {
    return a.session()->uid() > b.session()->uid();
  });
  ErrorList errors;
  for (const internal::PendingRestore& p : mine) errors.Add(p.session()->RestoreInto(p.node_id(), child));
  // `mine` goes out of scope here; the last reference closes the files.
  return errors.status();
}

Status OnDependencyAdded(Trackable& parent, std::string_view name, Trackable& child) {
  ErrorList errors;
  errors.Add(ApplyDeferred(parent, name, child));
  std::vector<std::shared_ptr<NameBasedRestore>> name_based = internal::StateOf(parent).name_based;
  std::stable_sort(name_based.begin(), name_based.end(),
                   [](const auto& a, const auto& b) { return a->uid() > b->uid(); });
  for (const auto& s : name_based) {
    errors.Add(s->RestoreSubtree(child));
    s->CloseReader();
  }
  return errors.status();
}

Status OnSlotCreated(Trackable& optimizer, Trackable& original, std::string_view slot_name, Trackable& slot) {
  auto& pending = internal::StateOf(optimizer).deferred_slots;
  std::vector<internal::PendingSlot> mine;
  for (auto it = pending.begin(); it != pending.end();) {
    if (it->slot_name == slot_name && it->original.lock() == internal::SharedStateOf(original)) {
      mine.push_back(std::move(*it));
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
  std::stable_sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) {
    return a.restore.session()->uid() > b.restore.session()->uid();
  });
  ErrorList errors;
  for (const internal::PendingSlot& p : mine) {
    errors.Add(p.restore.session()->RestoreInto(p.restore.node_id(), slot));
  }
  return errors.status();
}

}  // namespace ckpt::graph
