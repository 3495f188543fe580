#include "distributed/in_process_communicator.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "ckpt/status_macros.h"

namespace ckpt::distributed {
namespace {

enum class Op { kAllGather, kBroadcast, kBarrier };

Status DeadlineExceeded(std::string message) { return Status(StatusCode::kDeadlineExceeded, std::move(message)); }

const char* OpName(Op op) {
  switch (op) {
    case Op::kAllGather: return "AllGather";
    case Op::kBroadcast: return "Broadcast";
    case Op::kBarrier: return "Barrier";
  }
  return "?";
}

}  // namespace

// State every member shares; one mutex guards it all (tests, not speed).
struct InProcessGroup::Shared {
  struct Slot {  // one collective call, numbered by its sequence number
    Op op;
    int root = 0;
    std::vector<std::optional<std::string>> in;
    std::vector<bool> came;  // ranks that entered (even if they withdrew since)
    int arrived = 0;
    int left = 0;
  };
  explicit Shared(int n) : size(n), calls(n, 0), collectives(n, 0) {}

  std::mutex mu;
  std::condition_variable cv;
  const int size;
  Status aborted;  // set once by the first Abort
  std::map<uint64_t, Slot> slots;
  std::vector<InjectedFault> faults;
  std::vector<int> calls;  // per rank: every call (what faults count)
  std::vector<uint64_t> collectives;  // per rank: collectives only (their slots' numbers)
  std::map<std::pair<int, int>, std::deque<std::string>> messages;  // (src, dest) -> queue

  void AbortLocked(int rank, std::string_view reason) {
    if (!aborted.ok()) return;
    aborted = AbortedError("rank " + std::to_string(rank) + " aborted the group: " + std::string(reason));
    cv.notify_all();
  }
};

class InProcessGroup::Member final : public Communicator {
 public:
  Member(std::shared_ptr<Shared> shared, int rank) : s_(std::move(shared)), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return s_->size; }

  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline deadline) override {
    return Collective(Op::kAllGather, 0, mine, deadline);
  }
  Result<std::string> Broadcast(std::string_view bytes, int root, Deadline deadline) override {
    if (root < 0 || root >= s_->size) {
      return InvalidArgumentError("Broadcast: root " + std::to_string(root) + " outside [0, " +
                                  std::to_string(s_->size) + ")");
    }
    CKPT_ASSIGN_OR_RETURN(auto all, Collective(Op::kBroadcast, root, rank_ == root ? bytes : std::string_view(), deadline));
    return std::move(all[static_cast<size_t>(root)]);
  }
  Status Barrier(Deadline deadline) override { return Collective(Op::kBarrier, 0, {}, deadline).status(); }
  bool SupportsPointToPoint() const override { return true; }

  Status Send(std::string_view bytes, int dest, Deadline deadline) override {
    std::unique_lock<std::mutex> l(s_->mu);
    CKPT_RETURN_IF_ERROR(CheckPeer("Send", dest));
    if (bytes.size() > kMaxMessageBytes) {
      return InvalidArgumentError("Send: message of " + std::to_string(bytes.size()) + " bytes exceeds the limit");
    }
    const std::string what = "rank " + std::to_string(rank_) + ", call #" + std::to_string(s_->calls[rank_]) +
                             " (Send to rank " + std::to_string(dest) + ")";
    CKPT_RETURN_IF_ERROR(EnterPointToPoint(l, deadline, what));
    std::deque<std::string>& q = s_->messages[{rank_, dest}];
    const bool room = WaitUntil(l, deadline, [&] { return q.size() < kInFlightMessages || !s_->aborted.ok(); });
    if (!s_->aborted.ok()) return broken_ = s_->aborted;
    if (!room) return broken_ = DeadlineExceeded(what + ": deadline passed before rank " + std::to_string(dest) +
                                                 " received the earlier messages");
    q.emplace_back(bytes);
    s_->cv.notify_all();
    return OkStatus();
  }

  Result<std::string> Recv(int src, Deadline deadline) override {
    std::unique_lock<std::mutex> l(s_->mu);
    CKPT_RETURN_IF_ERROR(CheckPeer("Recv", src));
    const std::string what = "rank " + std::to_string(rank_) + ", call #" + std::to_string(s_->calls[rank_]) +
                             " (Recv from rank " + std::to_string(src) + ")";
    CKPT_RETURN_IF_ERROR(EnterPointToPoint(l, deadline, what));
    std::deque<std::string>& q = s_->messages[{src, rank_}];
    const bool got = WaitUntil(l, deadline, [&] { return !q.empty() || !s_->aborted.ok(); });
    if (!s_->aborted.ok()) return broken_ = s_->aborted;
    if (!got) return broken_ = DeadlineExceeded(what + ": deadline passed waiting for rank " + std::to_string(src));
    std::string out = std::move(q.front());
    q.pop_front();
    s_->cv.notify_all();  // a sender may wait for room
    return out;
  }
  void Abort(std::string_view reason) override {
    std::lock_guard<std::mutex> l(s_->mu);
    s_->AbortLocked(rank_, reason);
  }

 private:
  // Waits on the condition variable until `done` or the deadline.
  template <typename Pred>
  bool WaitUntil(std::unique_lock<std::mutex>& l, Deadline deadline, Pred done) {
    if (deadline == kNoDeadline) {
      s_->cv.wait(l, done);
      return true;
    }
    return s_->cv.wait_until(l, deadline, done);
  }

  Status CheckPeer(const char* op, int peer) const {
    if (peer < 0 || peer >= s_->size || peer == rank_) {
      return InvalidArgumentError(std::string(op) + ": peer " + std::to_string(peer) + " is not another rank of [0, " +
                                  std::to_string(s_->size) + ")");
    }
    return OkStatus();
  }

  // The common entry of Send and Recv: the sticky error, the call count and
  // the injected faults, as for collectives.
  Status EnterPointToPoint(std::unique_lock<std::mutex>& l, Deadline deadline, const std::string& what) {
    if (!broken_.ok()) return broken_;
    return InjectFaults(l, s_->calls[rank_]++, deadline, what);
  }

  // The injected fault of this rank's call number `call`, if any (kFail /
  // kAbort / kStall), then an abort by another rank: the sticky error.
  Status InjectFaults(std::unique_lock<std::mutex>& l, int call, Deadline deadline, const std::string& what) {
    for (const InjectedFault& f : s_->faults) {
      if (f.rank != rank_ || f.call != call) continue;
      switch (f.kind) {
        case InjectedFault::Kind::kFail:
          return broken_ = f.error;
        case InjectedFault::Kind::kAbort:
          s_->AbortLocked(rank_, "injected abort");
          return broken_ = s_->aborted;
        case InjectedFault::Kind::kStall:
          WaitUntil(l, deadline, [&] { return !s_->aborted.ok(); });
          return broken_ = s_->aborted.ok() ? DeadlineExceeded(what + ": stalled (injected) past the deadline")
                                            : s_->aborted;
      }
    }
    if (!s_->aborted.ok()) return broken_ = s_->aborted;
    return OkStatus();
  }

  Result<std::vector<std::string>> Collective(Op op, int root, std::string_view mine, Deadline deadline) {
    std::unique_lock<std::mutex> l(s_->mu);
    if (!broken_.ok()) return broken_;
    if (mine.size() > kMaxCollectiveBytes) {
      return InvalidArgumentError(std::string(OpName(op)) + ": contribution of " + std::to_string(mine.size()) +
                                  " bytes exceeds the limit");
    }
    const int call = s_->calls[rank_]++;
    const std::string what = "rank " + std::to_string(rank_) + ", collective #" + std::to_string(call) + " (" +
                             OpName(op) + ")";
    CKPT_RETURN_IF_ERROR(InjectFaults(l, call, deadline, what));

    // Slots are numbered by collective, not by call: ranks make different
    // numbers of Send/Recv calls between two collectives.
    const uint64_t seq = s_->collectives[rank_]++;
    Shared::Slot& slot = s_->slots[seq];
    if (slot.in.empty()) {
      slot.op = op;
      slot.root = root;
      slot.in.resize(static_cast<size_t>(s_->size));
      slot.came.resize(static_cast<size_t>(s_->size));
    } else if (slot.op != op || slot.root != root) {
      broken_ = InternalError(what + ": other ranks called " + OpName(slot.op) + " (root " +
                              std::to_string(slot.root) + ") as this collective; calls must match on every rank");
      s_->AbortLocked(rank_, broken_.message());
      return broken_;
    }
    slot.in[static_cast<size_t>(rank_)] = std::string(mine);
    slot.came[static_cast<size_t>(rank_)] = true;
    ++slot.arrived;
    s_->cv.notify_all();
    const bool complete = WaitUntil(l, deadline, [&] { return slot.arrived == s_->size || !s_->aborted.ok(); });
    if (complete && slot.arrived == s_->size) {
      std::vector<std::string> out;
      out.reserve(slot.in.size());
      for (const auto& c : slot.in) out.push_back(*c);
      if (++slot.left == s_->size) s_->slots.erase(seq);
      return out;
    }
    // Withdraw, so that peers arriving later do not complete without us.
    slot.in[static_cast<size_t>(rank_)].reset();
    --slot.arrived;
    if (!s_->aborted.ok()) return broken_ = s_->aborted;
    std::string missing;
    for (int r = 0; r < s_->size; ++r) {
      if (!slot.came[static_cast<size_t>(r)]) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
    }
    return broken_ = DeadlineExceeded(what + ": deadline passed waiting for rank(s) " + missing);
  }

  std::shared_ptr<Shared> s_;
  const int rank_;
  Status broken_;  // guarded by s_->mu
};

InProcessGroup::InProcessGroup(int size) : shared_(std::make_shared<Shared>(size)) {
  for (int r = 0; r < size; ++r) members_.push_back(std::make_unique<Member>(shared_, r));
}

InProcessGroup::~InProcessGroup() = default;

void InProcessGroup::InjectFault(InjectedFault fault) {
  std::lock_guard<std::mutex> l(shared_->mu);
  shared_->faults.push_back(std::move(fault));
}

int InProcessGroup::calls(int rank) const {
  std::lock_guard<std::mutex> l(shared_->mu);
  return shared_->calls[static_cast<size_t>(rank)];
}

}  // namespace ckpt::distributed
