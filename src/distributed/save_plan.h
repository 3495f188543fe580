// The save planner: from what every rank holds, who writes what. A pure,
// deterministic function of the all-gathered value lists, so every rank
// computes the same plan without another round of messages.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ckpt/status.h"
#include "distributed/value_list.h"

namespace ckpt::distributed {

struct SavePlan {
  // writes[r]: indices into rank r's own value list of the values rank r
  // writes, ascending.
  std::vector<std::vector<size_t>> writes;
  // Bytes each rank writes (the sum of its planned values' `bytes`).
  std::vector<uint64_t> bytes;

  friend bool operator==(const SavePlan&, const SavePlan&) = default;
};

// Key the object graph is saved under; rank 0 writes it whenever it holds it.
inline constexpr std::string_view kPlannerObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

// Plans a save from per_rank[r] = the values rank r holds.
//
// Checks (InvalidArgument naming the key and the ranks involved):
// * every rank that holds a key gives it the same dtype and full shape;
// * a rank lists each (key, region) at most once;
// * no two distinct regions of a key overlap;
// * the regions of a key cover it exactly (their volumes sum to its size).
// Assignment:
// * a region one rank holds is written by that rank;
// * a region several ranks hold (replicated) is written once, by the holder
//   with the fewest bytes planned so far (ties: lowest rank); replicated
//   regions are placed largest first (then by key) so the greedy balances;
// * the object graph goes to rank 0 when rank 0 holds it;
// * a region with no elements of a non-empty tensor (a rank's empty share of
//   an uneven split) is not written; all regions of an empty tensor count as
//   one replicated value (the writer stores the whole, empty tensor).
// Two regions are the same when they cover the same elements, whatever the
// spelling (a full extent or 0,dim); the writer's own spelling is stored.
Result<SavePlan> PlanSave(std::span<const std::vector<ValueDesc>> per_rank);

}  // namespace ckpt::distributed
