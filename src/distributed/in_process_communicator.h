// InProcessGroup: N communicators inside one process, one per thread, for
// testing distributed code without MPI — with faults injected at chosen calls.
//
//   distributed::InProcessGroup group(3);
//   group.InjectFault({.rank = 1, .call = 2, .kind = InjectedFault::Kind::kStall});
//   auto results = group.Run([](Communicator& comm) { return SaveOnRank(comm); });
//
// Collectives behave as the Communicator contract says (include/ckpt/
// distributed.h): a rank that gives up on a collective at its deadline
// withdraws its contribution, so peers arriving later wait (and time out)
// too, and every rank's communicator is sticky-broken after a failure.
// Send/Recv: one queue per (source, destination) pair holding at most
// kInFlightMessages messages — a sender waits (up to its deadline) while it
// is full, so a fast sender holds no more than that many messages in memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/distributed.h"

namespace ckpt::distributed {

// One fault, triggered when rank `rank` enters its `call`-th call
// (0-based; AllGather, Broadcast, Barrier, Send and Recv all count).
struct InjectedFault {
  enum class Kind {
    kFail,   // the call returns `error` at once without taking part (peers time out)
    kStall,  // the call hangs until its deadline or an abort (peers time out)
    kAbort,  // the rank calls Abort("injected abort") (peers get Aborted)
  };
  int rank = 0;
  int call = 0;
  Kind kind = Kind::kFail;
  Status error = UnavailableError("injected communicator failure");
};

class InProcessGroup {
 public:
  static constexpr size_t kInFlightMessages = 2;

  explicit InProcessGroup(int size);
  ~InProcessGroup();
  InProcessGroup(const InProcessGroup&) = delete;
  InProcessGroup& operator=(const InProcessGroup&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  Communicator& communicator(int rank) { return *members_[rank]; }

  // Before Run (not thread-safe against running collectives).
  void InjectFault(InjectedFault fault);
  // Calls (collectives and Send/Recv) rank `rank` has entered so far.
  int calls(int rank) const;

  // Runs fn(communicator(r)) on one thread per rank; returns the results by rank.
  template <typename F>
  auto Run(F fn) -> std::vector<std::invoke_result_t<F&, Communicator&>> {
    using R = std::invoke_result_t<F&, Communicator&>;
    std::vector<std::optional<R>> out(members_.size());
    std::vector<std::thread> threads;
    for (size_t r = 0; r < members_.size(); ++r) {
      threads.emplace_back([&, r] { out[r].emplace(fn(*members_[r])); });
    }
    for (auto& t : threads) t.join();
    std::vector<R> results;
    for (auto& o : out) results.push_back(std::move(*o));
    return results;
  }

  struct Shared;
  class Member;

 private:
  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Communicator>> members_;  // Members
};

}  // namespace ckpt::distributed
