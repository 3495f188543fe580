// Communicator: how the processes of one distributed save agree with each other.
//
// A distributed save or restore runs as N processes ("ranks" 0..N-1). They
// exchange only metadata through a Communicator — the list of values each
// rank holds, the save plan, each rank's vote, the published path; tensor
// bytes go straight from each rank to storage and never travel through it,
// except with an io rank (CheckpointOptions::experimental_io_device), where
// they travel to (save) or from (restore) that rank in bounded chunks over
// Send/Recv.
// ckpt never provides a transport of its own: a Communicator wraps one the
// job already has (MPI: ckpt/mpi.h; a single process: LocalCommunicator).
//
// Contract every implementation keeps:
// * Collectives: AllGather, Broadcast and Barrier are collectives. Every rank
//   calls the same collectives in the same order (ckpt's code guarantees
//   this; user code sharing a communicator with ckpt must not interleave its
//   own calls with a save in progress).
// * Deadline: each collective returns DeadlineExceeded when the other ranks
//   have not all arrived by `deadline` (a stalled or dead peer); kNoDeadline
//   waits forever.
// * Abort(reason): gives up on the group from any thread. Collectives pending
//   on any rank, and every later one, return Aborted naming the aborting rank
//   and the reason. (With MPI, where a blocked peer cannot be woken, Abort
//   ends the job through MPI_Abort; see ckpt/mpi.h.)
// * Sticky failure: after a collective fails on a rank (deadline, abort,
//   mismatched calls), that rank's communicator is broken: every later call
//   returns the same error. A save that sees a communicator error aborts, so
//   that no peer keeps waiting.
// * Threading: rank() and size() may be called from any thread; collectives
//   are called by one thread at a time per rank (any one: a background save
//   thread may run them). Abort may be called concurrently with a collective.
// * Sizes: a contribution is at most kMaxCollectiveBytes bytes
//   (InvalidArgument otherwise, before anything is sent).
// * Point-to-point (Send/Recv): used only with an io rank
//   (CheckpointOptions::experimental_io_device naming a task): in a save the
//   other ranks stream their tensor bytes to the one rank that does all file
//   I/O; in a restore that rank serves their file reads. Messages from one rank to another arrive whole and in the order they
//   were sent. Send returns once `bytes` may be reused (the message was
//   handed over or delivered — an implementation may hold at most a few
//   messages in flight per pair, so a sender cannot run arbitrarily far ahead
//   of its receiver); Recv returns the next message from `src`. Both return
//   DeadlineExceeded when the peer does not take part by `deadline`, Aborted
//   after an Abort, and break the communicator as collectives do. They are
//   not pure virtual, so existing implementations keep compiling: the
//   defaults return Unimplemented naming the transport's missing method, and
//   a save with an io rank over such a transport fails on every rank alike
//   (its ranks check SupportsPointToPoint() in the plan exchange).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/status.h"

namespace ckpt {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();
// A deadline `timeout` from now (kNoDeadline for a non-positive or huge timeout).
CKPT_EXPORT Deadline DeadlineAfter(std::chrono::milliseconds timeout);

// Largest contribution one rank may make to one collective (256 MiB): the
// metadata of a save is far smaller; larger payloads indicate a bug.
inline constexpr size_t kMaxCollectiveBytes = size_t{256} << 20;

class CKPT_EXPORT Communicator {
 public:
  virtual ~Communicator();

  // This process's rank in [0, size()), and the number of ranks (>= 1).
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Every rank contributes `mine`; every rank receives all contributions,
  // indexed by rank (result[rank()] == mine).
  virtual Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline deadline) = 0;

  // Rank `root` sends `bytes` (ignored on the other ranks); every rank
  // receives root's bytes. InvalidArgument for a root outside [0, size()).
  virtual Result<std::string> Broadcast(std::string_view bytes, int root, Deadline deadline) = 0;

  // Returns once every rank has entered the barrier.
  virtual Status Barrier(Deadline deadline) = 0;

  // Gives up on the group (see the contract above). Idempotent.
  virtual void Abort(std::string_view reason) = 0;

  // Whether collectives may run on another thread than the caller's while
  // the caller's threads keep using the underlying transport (an async save
  // runs its collectives on its writer thread). OK by default;
  // FailedPrecondition saying what is missing otherwise (MPI below
  // MPI_THREAD_MULTIPLE). Sends nothing: an async save asks it on every rank
  // before any collective. Any thread.
  virtual Status CheckBackgroundCollectives() const;
  // Point-to-point messages (see the contract above). `dest` / `src` must be
  // another rank in [0, size()) (InvalidArgument otherwise); a message is at
  // most kMaxMessageBytes. Defaults: Unimplemented.
  virtual Status Send(std::string_view bytes, int dest, Deadline deadline);
  virtual Result<std::string> Recv(int src, Deadline deadline);
  // Whether Send/Recv are implemented (default: false).
  virtual bool SupportsPointToPoint() const { return false; }
};

// Largest point-to-point message (1 GiB); io-rank streaming sends chunks of
// a few MiB.
inline constexpr size_t kMaxMessageBytes = size_t{1} << 30;

// The group of one process (size 1, rank 0): collectives return at once,
// AllGather gives back the caller's own bytes. What a save uses when it is
// given no communicator.
class CKPT_EXPORT LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline deadline) override;
  Result<std::string> Broadcast(std::string_view bytes, int root, Deadline deadline) override;
  Status Barrier(Deadline deadline) override;
  void Abort(std::string_view reason) override;

 private:
  Status Broken() const;
  mutable std::mutex mu_;  // Abort may run beside a collective
  Status broken_;
};

}  // namespace ckpt
