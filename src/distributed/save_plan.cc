#include "distributed/save_plan.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "format/slice_box.h"

namespace ckpt::distributed {
namespace {

// A region as half-open [lo, hi) per dimension, in full-tensor coordinates.
using Box = format::SliceBox;

struct Holder {
  int rank;
  size_t index;
};

struct Region {
  Box box;
  std::vector<Holder> holders;  // ascending rank
  uint64_t bytes = 0;           // of the first holder's listing
};

std::string Describe(const ValueDesc& v) {
  return std::string(DTypeName(v.dtype)) + " " + v.full_shape.ToString();
}

std::string RankList(const std::vector<Holder>& hs) {
  std::string s;
  for (const Holder& h : hs) {
    if (!s.empty()) s += ", ";
    s += std::to_string(h.rank);
  }
  return s;
}

}  // namespace

Result<SavePlan> PlanSave(std::span<const std::vector<ValueDesc>> per_rank) {
  const int n = static_cast<int>(per_rank.size());
  SavePlan plan;
  plan.writes.resize(static_cast<size_t>(n));
  plan.bytes.assign(static_cast<size_t>(n), 0);

  // Every occurrence of each key, in (rank, index) order.
  std::map<std::string_view, std::vector<Holder>> by_key;
  for (int r = 0; r < n; ++r) {
    for (size_t i = 0; i < per_rank[r].size(); ++i) by_key[per_rank[r][i].key].push_back(Holder{r, i});
  }

  struct Placement {
    std::string_view key;
    Region region;
  };
  std::vector<Placement> replicated;
  auto assign = [&](const Holder& h, uint64_t bytes) {
    plan.writes[static_cast<size_t>(h.rank)].push_back(h.index);
    plan.bytes[static_cast<size_t>(h.rank)] += bytes;
  };

  for (auto& [key, holders] : by_key) {
    const ValueDesc& first = per_rank[holders[0].rank][holders[0].index];
    const std::string quoted = "key \"" + std::string(key) + "\"";
    std::map<Box, Region> regions;
    for (const Holder& h : holders) {
      const ValueDesc& v = per_rank[h.rank][h.index];
      if (v.dtype != first.dtype || !(v.full_shape == first.full_shape)) {
        return InvalidArgumentError(quoted + ": rank " + std::to_string(holders[0].rank) + " holds " +
                                    Describe(first) + " but rank " + std::to_string(h.rank) + " holds " +
                                    Describe(v) + "; every rank must agree on a value's dtype and full shape");
      }
      if (Status s = v.slice.CheckFits(v.full_shape); !s.ok()) {
        return InvalidArgumentError(quoted + " on rank " + std::to_string(h.rank) + ": " + s.message());
      }
      Box box = Box::Of(v.slice, v.full_shape);
      if (v.full_shape.num_elements() == 0) {
        box = Box::Of(TensorSlice::Full(v.full_shape.rank()), v.full_shape);  // one value, written whole
      } else if (box.Volume() == 0) {
        continue;  // an empty share: nothing to write
      }
      Region& region = regions[box];
      if (region.holders.empty()) {
        region.box = box;
        region.bytes = v.bytes;
      } else if (region.holders.back().rank == h.rank) {
        return InvalidArgumentError(quoted + ": rank " + std::to_string(h.rank) + " lists slice " +
                                    v.slice.ToString() + " twice");
      }
      region.holders.push_back(h);
    }

    // Distinct regions must not overlap. Sorted by lower corner (the map's
    // order), a region can only overlap later ones starting before its end on
    // axis 0; for axis-0 splits this is a linear scan.
    std::vector<const Region*> sorted;
    for (const auto& [box, region] : regions) sorted.push_back(&region);
    int64_t covered = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
      const Region& a = *sorted[i];
      covered += a.box.Volume();
      for (size_t j = i + 1; j < sorted.size(); ++j) {
        const Region& b = *sorted[j];
        if (!a.box.lo.empty() && b.box.lo[0] >= a.box.hi[0]) break;
        if (a.box.Overlaps(b.box)) {
          const ValueDesc& va = per_rank[a.holders[0].rank][a.holders[0].index];
          const ValueDesc& vb = per_rank[b.holders[0].rank][b.holders[0].index];
          return InvalidArgumentError(quoted + ": slice " + va.slice.ToString() + " (rank(s) " +
                                      RankList(a.holders) + ") overlaps slice " + vb.slice.ToString() +
                                      " (rank(s) " + RankList(b.holders) + ")");
        }
      }
    }
    const int64_t total = first.full_shape.num_elements();
    if (covered != total) {
      std::vector<Holder> all;
      for (const Region* r : sorted) all.insert(all.end(), r->holders.begin(), r->holders.end());
      std::sort(all.begin(), all.end(), [](const Holder& x, const Holder& y) { return x.rank < y.rank; });
      all.erase(std::unique(all.begin(), all.end(), [](const Holder& x, const Holder& y) { return x.rank == y.rank; }),
                all.end());
      return InvalidArgumentError(quoted + " (" + Describe(first) + "): the slices held by rank(s) " +
                                  RankList(all) + " cover " + std::to_string(covered) + " of its " +
                                  std::to_string(total) + " elements; the slices of a value must cover it exactly");
    }

    for (auto& [box, region] : regions) {
      if (region.holders.size() == 1) {
        assign(region.holders[0], region.bytes);
      } else {
        replicated.push_back(Placement{key, std::move(region)});
      }
    }
  }

  // Largest first, then by key and region: every rank sorts identically.
  std::sort(replicated.begin(), replicated.end(), [](const Placement& a, const Placement& b) {
    return std::tie(b.region.bytes, a.key, a.region.box) < std::tie(a.region.bytes, b.key, b.region.box);
  });
  for (const Placement& p : replicated) {
    const Holder* best = &p.region.holders[0];
    if (!(p.key == kPlannerObjectGraphKey && best->rank == 0)) {
      for (const Holder& h : p.region.holders) {
        if (plan.bytes[static_cast<size_t>(h.rank)] < plan.bytes[static_cast<size_t>(best->rank)]) best = &h;
      }
    }
    assign(*best, p.region.bytes);
  }
  for (auto& w : plan.writes) std::sort(w.begin(), w.end());
  return plan;
}

}  // namespace ckpt::distributed
