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
//   5. ack     a barrier: once it completes on rank 0 every rank has the
//              outcome. If the broadcast or the barrier fails on rank 0, rank
//              0 removes what it published (index first): a save whose
//              commit did not reach every rank is not published.
//   6.         every rank returns `prefix`.
// A communicator failure (deadline, abort) in any phase aborts the group so
// no peer keeps waiting; the checkpoint is then not published (rank 0 merges
// only after a successful vote, and un-publishes when step 4 or 5 fails on
// it). The one window left: rank 0's barrier completes and a peer's fails
// (with MPI, a peer missing its own deadline in the instant after the last
// rank arrived): that peer reports an error for a published checkpoint; its
// message says the outcome is unknown to it. docs/distributed.md has the
// crash outcomes.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>

#include "base/named_view.h"
#include "ckpt/distributed.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "distributed/io_rank_stream.h"

namespace ckpt::distributed {

struct DistributedSaveOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  bool sync = true;          // fsync parts and the merged index
  Deadline deadline = kNoDeadline;  // for each collective (and the whole save)
  // For each collective, from when this rank enters it; 0: none. The
  // earlier of this and `deadline` applies.
  std::chrono::milliseconds collective_timeout{0};
  // Bytes every rank must contribute identically (Checkpoint: the prefix and
  // a hash of the object graph's structure). Exchanged with the plan; a rank
  // whose bytes differ from rank 0's fails the save on every rank with
  // InvalidArgument "... ranks 2, 3 disagree with rank 0 about <agreement_what>"
  // before anything is written.
  std::string agreement;
  std::string agreement_what = "the save";
  // Rank 0 only: runs after every rank has entered this save (the plan
  // all-gather completed) and before any rank writes — the one point where
  // no rank of this group can be writing (the CheckpointManager removes dead
  // saves' leftovers here). Every rank learns from rank 0's plan whether it
  // is set and then waits at a barrier until it returned.
  std::function<void()> before_write;
  // Set by a rank that failed before it could describe its values (e.g. its
  // objects could not be collected): it still takes part in the plan
  // exchange, with this error instead of a value list, so the others do not
  // wait for it; every rank then returns InvalidArgument-or-its-code
  // "distributed save of P: rank 2 could not take part: ..." and nothing is
  // written. `values` are ignored then.
  Status local_error;
  // The io rank (CheckpointOptions::experimental_io_device naming a task;
  // io_rank_stream.h), or -1. With one, that rank writes every part (the
  // others stream their values to it over Send/Recv and touch no file),
  // merges, and runs before_write; it plays rank 0's part in the commit.
  // Every rank must pass the same value (InvalidArgument on every rank
  // otherwise, nothing written); a transport without Send/Recv fails the
  // save on every rank with Unimplemented.
  int io_rank = -1;
  size_t io_chunk_bytes = kIoChunkBytes;  // message size of the stream (tests use smaller)
};

// The directory of the parts of the save of `prefix` ("<prefix>_temp").
std::string TempDir(const std::string& prefix);

// The temporary prefix of rank `rank`'s part.
std::string PartPrefix(const std::string& prefix, int rank, int size);

// Runs the protocol for this rank's `values` (all ranks call it with the
// same prefix). Returns `prefix` on every rank, or the same error on every
// rank that can still reach the others.
Result<std::string> SaveDistributed(Communicator& comm, std::span<const NamedView> values, const std::string& prefix,
                                    const DistributedSaveOptions& options);

// Steps after a commit (a Checkpoint's write callbacks, the manager's
// bookkeeping) use these so every rank still returns the same outcome.
//
// Every rank contributes `mine`; OK when all are OK, else on every rank the
// same error: the code of the lowest failing rank, the message
// "<what>: rank 1: ...; rank 3: ...". A communicator failure aborts the group
// and is returned (with `what` as context).
Status AgreeOnStatus(Communicator& comm, const Status& mine, Deadline deadline, std::string_view what);

// Rank `root`'s `status` and, when it is OK, `payload` reach every rank: the
// payload, or root's error, is returned everywhere. A communicator
// failure aborts the group and is returned.
Result<std::string> BroadcastOutcome(Communicator& comm, const Status& status, std::string_view payload,
                                     Deadline deadline, std::string_view what, int root = 0);

}  // namespace ckpt::distributed
