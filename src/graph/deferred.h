// Restore-on-attach: what happens when an object joins the graph after a
// restore (TF's deferred dependencies and deferred slot restorations).
#pragma once

#include <string_view>

#include "ckpt/status.h"
#include "ckpt/trackable.h"

namespace ckpt::graph {

// `child` was just tracked as `name` of `parent`: hand it every value queued
// on `parent` for that name (newest restore first, so the newest wins, CK-39)
// and every name-based restore that reached `parent` (CK-57). Returns the
// first restore error.
Status OnDependencyAdded(Trackable& parent, std::string_view name, Trackable& child);

// Pops the restorations queued on `parent` for `name` and applies them to
// `child` (used for the attached save_counter of a rooted Checkpoint).
Status ApplyDeferred(Trackable& parent, std::string_view name, Trackable& child);

// `optimizer` created `slot` for (`original`, `slot_name`): fill it from any
// slot value waiting for it (CK-41).
Status OnSlotCreated(Trackable& optimizer, Trackable& original, std::string_view slot_name, Trackable& slot);

}  // namespace ckpt::graph
