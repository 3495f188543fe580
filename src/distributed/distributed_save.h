// One checkpoint from N ranks: the save protocol over a Communicator.
//
//   1. plan    AllGather of every rank's value list; every rank runs PlanSave
//              on the same bytes and gets the same plan or the same error.
//   2. write   each rank writes the values the plan gives it, with fsync, as
//              the bundle <prefix>_temp/part-RRRRR-of-NNNNN (ranks with
//              nothing to write write nothing).
//   3. vote    AllGather of each rank's write status; any failure: every
//              rank returns the same error naming each failing rank, removes
//              its own part, and nothing is published.
//   4. commit  rank 0 merges the parts into <prefix> (MergeBundles: data
//              files renamed, index written last, fsynced) and broadcasts
//              the outcome; every rank returns the same status.
//   5.         every rank returns `prefix`.
// A communicator failure (deadline, abort) in any phase aborts the group so
// no peer keeps waiting; the checkpoint is then not published (rank 0 merges
// only after a successful vote). docs/distributed.md has the crash outcomes.
#pragma once

#include <span>
#include <string>

#include "base/named_view.h"
#include "ckpt/distributed.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::distributed {

struct DistributedSaveOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  bool sync = true;          // fsync parts and the merged index
  Deadline deadline = kNoDeadline;  // for each collective
};

// The temporary prefix of rank `rank`'s part.
std::string PartPrefix(const std::string& prefix, int rank, int size);

// Runs the protocol for this rank's `values` (all ranks call it with the
// same prefix). Returns `prefix` on every rank, or the same error on every
// rank that can still reach the others.
Result<std::string> SaveDistributed(Communicator& comm, std::span<const NamedView> values, const std::string& prefix,
                                    const DistributedSaveOptions& options);

}  // namespace ckpt::distributed
