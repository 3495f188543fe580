// MpiCommunicator: the Communicator of ckpt/distributed.h over MPI.
//
// Optional component: library ckpt_mpi, CMake target ckpt::mpi
// (find_package(ckpt COMPONENTS mpi)), built when CMake finds MPI's C API
// (option CKPT_WITH_MPI). It is not part of the umbrella ckpt/ckpt.h, so that
// including ckpt/ckpt.h never needs <mpi.h>; include this header on its own.
//
//   MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
//   ckpt::MpiCommunicator comm(MPI_COMM_WORLD);   // collective: every rank
//   ... pass &comm to a distributed save ...
//   // destroy comm before MPI_Finalize
//
// Contract (in addition to the Communicator contract):
// * Own communicator. The constructor duplicates `comm` (MPI_Comm_dup, a
//   blocking collective over `comm`: every rank constructs one, in the same
//   order as its other collectives on `comm`). ckpt's collectives run only on
//   the duplicate, so they never match the caller's own messages or
//   collectives on `comm`, also when a save runs on a background thread. The
//   duplicate returns MPI errors as codes (MPI_ERRORS_RETURN): they become
//   Internal errors naming the MPI call. The destructor frees the duplicate
//   (skipped after MPI_Finalize, and while a collective abandoned at its
//   deadline is still pending: see below); destroy the communicator before
//   MPI_Finalize, when no collective of it is running.
// * Collectives with a deadline. MPI's blocking collectives cannot time out,
//   so AllGather (MPI_Iallgather of the lengths, then MPI_Iallgatherv of the
//   bytes), Broadcast (MPI_Ibcast of the length, then of the bytes) and
//   Barrier (MPI_Ibarrier) start a non-blocking collective and poll it with
//   MPI_Test, sleeping between polls (from 20 µs, doubling up to 1 ms: a
//   waiting rank costs no core). When the deadline passes first: the call
//   returns DeadlineExceeded naming the collective, its phase and this rank
//   (MPI cannot say which peer is missing). The abandoned request cannot be
//   cancelled (MPI has no cancel for collectives): its buffers, and the
//   duplicate communicator, are kept (leaked if it never completes).
// * Abort(reason) writes "ckpt: rank R aborts the MPI job: <reason>" to
//   stderr and calls MPI_Abort on the duplicate — with MPI there is no way to
//   wake a peer blocked in a collective, so giving up on the group ends the
//   job (mpirun then stops every rank). A collective polling on another
//   thread of this rank returns Aborted before that, if it notices first.
// * Sticky failure: after DeadlineExceeded, Aborted or an MPI error every
//   later call returns the same error. InvalidArgument (contribution over
//   kMaxCollectiveBytes, root outside [0, size()), gathered total over
//   INT_MAX bytes, which every rank detects alike) leaves it usable.
// * Threads. rank(), size() and status() from any thread. Collectives from
//   one thread at a time (per the Communicator contract). If MPI was
//   initialised with MPI_THREAD_MULTIPLE (MPI_Query_thread; mpi4py's
//   default) any thread may run them — a background (async) save included —
//   while other threads make their own MPI calls. With a lower level
//   (MPI_Init gives MPI_THREAD_SINGLE in Open MPI), only the thread that
//   initialised MPI may: a collective called from any other thread returns
//   FailedPrecondition naming the level, before touching MPI (and breaks
//   the communicator, as the peers will not see this rank). A
//   MPI_THREAD_SERIALIZED program is treated like a lower level because ckpt
//   cannot know whether the caller's threads use MPI at the same time.
// * Errors at construction (MPI not initialised or already finalised,
//   MPI_Comm_dup failing) are kept in status() and returned by every call.
#pragma once

// MPI's C API only: without these, Open MPI's and MPICH's mpi.h pull in the
// deprecated C++ bindings, whose symbols live in a library (libmpi_cxx)
// neither ckpt nor its users link.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/distributed.h"
#include "ckpt/export.h"
#include "ckpt/status.h"

namespace ckpt {

class CKPT_EXPORT MpiCommunicator final : public Communicator {
 public:
  // Duplicates `comm` (collective over `comm`). `comm` itself is not kept.
  explicit MpiCommunicator(MPI_Comm comm);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // The construction error, or the sticky error of a failed collective, or OK.
  Status status() const;
  // The thread level MPI reported (MPI_Query_thread) at construction.
  int thread_level() const { return thread_level_; }

  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline deadline) override;
  Result<std::string> Broadcast(std::string_view bytes, int root, Deadline deadline) override;
  Status Barrier(Deadline deadline) override;
  void Abort(std::string_view reason) override;
  // FailedPrecondition naming the level unless MPI provides
  // MPI_THREAD_MULTIPLE: the same answer on every rank of a job whose ranks
  // initialised MPI alike, so an async save refuses everywhere before any
  // collective.
  Status CheckBackgroundCollectives() const override;
  // Point-to-point, for saves with an io rank: MPI_Isend / MPI_Irecv on the
  // duplicate (tag 1), polled with MPI_Test against the deadline like the
  // collectives: an 8-byte length, then the bytes in pieces of at most 1 GiB
  // (MPI counts are ints). Send copies `bytes` (one message: a few MiB) so
  // that a send abandoned at its deadline owns its buffer, and returns when
  // MPI completes it. DeadlineExceeded names the peer.
  Status Send(std::string_view bytes, int dest, Deadline deadline) override;
  Result<std::string> Recv(int src, Deadline deadline) override;
  bool SupportsPointToPoint() const override { return true; }

 private:
  struct Pending;  // buffers of a started collective
  // Checks that a collective may start on this thread and this communicator.
  Status Ready(const char* op);
  // Polls `pending` until it completes, the deadline passes or Abort is
  // called; when abandoned, moves it to abandoned_ (MPI may still use it).
  Status Wait(std::unique_ptr<Pending>& pending, const char* op, const char* phase, Deadline deadline,
              int peer = -1);  // peer: the rank a Send/Recv waits for
  Status Fail(Status s);  // makes `s` sticky, returns it
  Status MpiError(int code, const char* call);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  int thread_level_ = MPI_THREAD_SINGLE;
  uint64_t calls_ = 0;  // collectives entered, for error messages
  std::atomic<bool> aborted_{false};
  mutable std::mutex mu_;  // guards broken_ (Abort may run beside a collective)
  Status broken_;
  std::vector<std::unique_ptr<Pending>> abandoned_;  // requests MPI may still complete
};

}  // namespace ckpt
