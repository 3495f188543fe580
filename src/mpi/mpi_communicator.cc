// MpiCommunicator: non-blocking MPI collectives on a duplicated communicator,
// polled against the caller's deadline (ckpt/mpi.h states the contract).
#include "ckpt/mpi.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <thread>

namespace ckpt {

// One started collective: its request and every buffer MPI may still touch.
struct MpiCommunicator::Pending {
  MPI_Request request = MPI_REQUEST_NULL;
  uint64_t length = 0;                 // Ibcast of the length
  std::vector<uint64_t> lengths;       // Iallgather of the lengths
  std::string send;                    // this rank's bytes
  std::string recv;                    // everybody's bytes
  std::vector<int> counts, displs;     // Iallgatherv layout
};

namespace {

const char* ThreadLevelName(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE: return "MPI_THREAD_MULTIPLE";
    default: return "an unknown thread level";
  }
}

Status DeadlineExceeded(std::string message) { return Status(StatusCode::kDeadlineExceeded, std::move(message)); }

bool MpiUsable() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm comm) {
  if (!MpiUsable()) {
    broken_ = FailedPreconditionError("MpiCommunicator: MPI is not initialised (or already finalised)");
    return;
  }
  MPI_Query_thread(&thread_level_);
  if (int rc = MPI_Comm_dup(comm, &comm_); rc != MPI_SUCCESS) {
    comm_ = MPI_COMM_NULL;
    broken_ = MpiError(rc, "MPI_Comm_dup");
    return;
  }
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  if (comm_ == MPI_COMM_NULL || !MpiUsable()) return;  // after MPI_Finalize nothing can be freed
  bool pending = false;
  for (auto& p : abandoned_) {
    int done = 0;
    if (MPI_Test(&p->request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || !done) pending = true;
  }
  if (pending) {
    // MPI may still complete these requests (when the late peers arrive) and
    // write into their buffers; Open MPI 4.1 crashes progressing a collective
    // whose communicator was freed. Keep both: leaked on purpose.
    for (auto& p : abandoned_) (void)p.release();
    return;
  }
  MPI_Comm_free(&comm_);
}

Status MpiCommunicator::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return broken_;
}

Status MpiCommunicator::Fail(Status s) {
  std::lock_guard<std::mutex> l(mu_);
  if (broken_.ok()) broken_ = std::move(s);
  return broken_;
}

Status MpiCommunicator::MpiError(int code, const char* call) {
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  if (MPI_Error_string(code, text, &n) != MPI_SUCCESS) n = 0;
  return InternalError("rank " + std::to_string(rank_) + ": " + call + " failed: " +
                       (n > 0 ? std::string(text, static_cast<size_t>(n)) : "MPI error " + std::to_string(code)));
}

Status MpiCommunicator::CheckBackgroundCollectives() const {
  if (thread_level_ >= MPI_THREAD_MULTIPLE) return OkStatus();
  return FailedPreconditionError(
      "an asynchronous distributed save runs its collectives on a background thread, but MPI provides only " +
      std::string(ThreadLevelName(thread_level_)) + " on rank " + std::to_string(rank_) +
      "; initialise MPI with MPI_Init_thread(MPI_THREAD_MULTIPLE), or save synchronously");
}

Status MpiCommunicator::Ready(const char* op) {
  if (Status s = status(); !s.ok()) return s;
  if (thread_level_ < MPI_THREAD_MULTIPLE) {
    int is_main = 0;
    MPI_Is_thread_main(&is_main);
    if (!is_main) {
      return Fail(FailedPreconditionError(
          std::string("MpiCommunicator::") + op + " on rank " + std::to_string(rank_) +
          " was called off the thread that initialised MPI, but MPI provides only " +
          ThreadLevelName(thread_level_) + "; initialise MPI with MPI_Init_thread(MPI_THREAD_MULTIPLE) "
          "to run collectives (e.g. async saves) on other threads"));
    }
  }
  ++calls_;
  return OkStatus();
}

Status MpiCommunicator::Wait(std::unique_ptr<Pending>& pending, const char* op, const char* phase,
                             Deadline deadline, int peer) {
  const uint64_t call = calls_ - 1;
  auto sleep = std::chrono::microseconds(20);
  // MPI moves a large point-to-point message in fragments, progressed by
  // MPI_Test: a 1 ms nap per fragment would throttle the io-rank stream to a
  // crawl, so Send/Recv nap at most 50 µs (they run only during such a save).
  const auto kMaxSleep = std::chrono::microseconds(peer >= 0 ? 50 : 1000);
  for (;;) {
    int done = 0;
    if (int rc = MPI_Test(&pending->request, &done, MPI_STATUS_IGNORE); rc != MPI_SUCCESS) {
      abandoned_.push_back(std::move(pending));
      return Fail(MpiError(rc, "MPI_Test"));
    }
    if (done) return OkStatus();
    if (aborted_.load(std::memory_order_acquire)) {
      abandoned_.push_back(std::move(pending));
      return status();  // Abort stored the reason
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      abandoned_.push_back(std::move(pending));
      if (peer >= 0) {
        return Fail(DeadlineExceeded("rank " + std::to_string(rank_) + ", call #" + std::to_string(call) + " (" + op +
                                     ", " + phase + "): deadline passed waiting for rank " + std::to_string(peer)));
      }
      return Fail(DeadlineExceeded("rank " + std::to_string(rank_) + ", collective #" + std::to_string(call) +
                                        " (" + op + ", " + phase + "): deadline passed before every rank of " +
                                        std::to_string(size_) + " arrived (MPI cannot say which is missing)"));
    }
    // Never sleep past the deadline; back off so a long wait costs no core.
    auto nap = sleep;
    if (deadline != kNoDeadline) {
      nap = std::min(nap, std::chrono::duration_cast<std::chrono::microseconds>(deadline - now) +
                              std::chrono::microseconds(1));
    }
    std::this_thread::sleep_for(nap);
    sleep = std::min(sleep * 2, kMaxSleep);
  }
}

Result<std::vector<std::string>> MpiCommunicator::AllGather(std::string_view mine, Deadline deadline) {
  if (Status s = Ready("AllGather"); !s.ok()) return s;
  if (mine.size() > kMaxCollectiveBytes) {
    return InvalidArgumentError("AllGather: contribution of " + std::to_string(mine.size()) + " bytes exceeds " +
                                std::to_string(kMaxCollectiveBytes));
  }
  const size_t n = static_cast<size_t>(size_);
  // Lengths first, so that every rank can size the receive buffer.
  auto lens = std::make_unique<Pending>();
  lens->length = mine.size();
  lens->lengths.resize(n);
  if (int rc = MPI_Iallgather(&lens->length, 1, MPI_UINT64_T, lens->lengths.data(), 1, MPI_UINT64_T, comm_,
                              &lens->request);
      rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Iallgather"));
  }
  if (Status s = Wait(lens, "AllGather", "lengths", deadline); !s.ok()) return s;
  const std::vector<uint64_t> lengths = std::move(lens->lengths);
  lens.reset();

  uint64_t total = 0;
  for (uint64_t len : lengths) total += len;
  if (total > static_cast<uint64_t>(INT_MAX)) {  // every rank sees the same lengths: all return this
    return InvalidArgumentError("AllGather: " + std::to_string(total) + " bytes from all ranks exceed what one "
                                "MPI collective can carry (INT_MAX)");
  }
  auto data = std::make_unique<Pending>();
  data->send.assign(mine);
  data->recv.resize(static_cast<size_t>(total));
  data->counts.resize(n);
  data->displs.resize(n);
  int offset = 0;
  for (size_t r = 0; r < n; ++r) {
    data->counts[r] = static_cast<int>(lengths[r]);
    data->displs[r] = offset;
    offset += data->counts[r];
  }
  if (int rc = MPI_Iallgatherv(data->send.data(), static_cast<int>(data->send.size()), MPI_BYTE, data->recv.data(),
                               data->counts.data(), data->displs.data(), MPI_BYTE, comm_, &data->request);
      rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Iallgatherv"));
  }
  if (Status s = Wait(data, "AllGather", "bytes", deadline); !s.ok()) return s;
  std::vector<std::string> out(n);
  for (size_t r = 0; r < n; ++r) {
    out[r].assign(data->recv, static_cast<size_t>(data->displs[r]), static_cast<size_t>(data->counts[r]));
  }
  return out;
}

Result<std::string> MpiCommunicator::Broadcast(std::string_view bytes, int root, Deadline deadline) {
  if (Status s = Ready("Broadcast"); !s.ok()) return s;
  if (root < 0 || root >= size_) {
    return InvalidArgumentError("Broadcast: root " + std::to_string(root) + " outside [0, " + std::to_string(size_) +
                                ")");
  }
  const bool is_root = rank_ == root;
  if (is_root && bytes.size() > kMaxCollectiveBytes) {
    return InvalidArgumentError("Broadcast: " + std::to_string(bytes.size()) + " bytes exceed " +
                                std::to_string(kMaxCollectiveBytes));
  }
  auto len = std::make_unique<Pending>();
  len->length = is_root ? bytes.size() : 0;
  if (int rc = MPI_Ibcast(&len->length, 1, MPI_UINT64_T, root, comm_, &len->request); rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Ibcast"));
  }
  if (Status s = Wait(len, "Broadcast", "length", deadline); !s.ok()) return s;
  const uint64_t length = len->length;
  len.reset();
  if (length > kMaxCollectiveBytes) {  // a root that passed the check above never sends this
    return Fail(DataLossError("Broadcast: root " + std::to_string(root) + " announced " + std::to_string(length) +
                              " bytes, over the limit"));
  }
  if (length == 0) return std::string();
  auto data = std::make_unique<Pending>();
  if (is_root) {
    data->recv.assign(bytes);
  } else {
    data->recv.resize(static_cast<size_t>(length));
  }
  if (int rc = MPI_Ibcast(data->recv.data(), static_cast<int>(length), MPI_BYTE, root, comm_, &data->request);
      rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Ibcast"));
  }
  if (Status s = Wait(data, "Broadcast", "bytes", deadline); !s.ok()) return s;
  return std::move(data->recv);
}

Status MpiCommunicator::Barrier(Deadline deadline) {
  if (Status s = Ready("Barrier"); !s.ok()) return s;
  auto p = std::make_unique<Pending>();
  if (int rc = MPI_Ibarrier(comm_, &p->request); rc != MPI_SUCCESS) return Fail(MpiError(rc, "MPI_Ibarrier"));
  return Wait(p, "Barrier", "enter", deadline);
}

namespace {
constexpr int kPointToPointTag = 1;
constexpr size_t kMaxPiece = size_t{1} << 30;  // MPI counts are ints
}  // namespace

Status MpiCommunicator::Send(std::string_view bytes, int dest, Deadline deadline) {
  if (Status s = Ready("Send"); !s.ok()) return s;
  if (dest < 0 || dest >= size_ || dest == rank_) {
    return InvalidArgumentError("Send: peer " + std::to_string(dest) + " is not another rank of [0, " +
                                std::to_string(size_) + ")");
  }
  if (bytes.size() > kMaxMessageBytes) {
    return InvalidArgumentError("Send: message of " + std::to_string(bytes.size()) + " bytes exceeds the limit");
  }
  auto len = std::make_unique<Pending>();
  len->length = bytes.size();
  if (int rc = MPI_Isend(&len->length, 1, MPI_UINT64_T, dest, kPointToPointTag, comm_, &len->request);
      rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Isend"));
  }
  if (Status s = Wait(len, "Send", "length", deadline, dest); !s.ok()) return s;
  if (bytes.empty()) return OkStatus();
  auto data = std::make_unique<Pending>();
  data->send.assign(bytes);
  for (size_t off = 0; off < data->send.size(); off += kMaxPiece) {
    const int n = static_cast<int>(std::min(kMaxPiece, data->send.size() - off));
    if (int rc = MPI_Isend(data->send.data() + off, n, MPI_BYTE, dest, kPointToPointTag, comm_, &data->request);
        rc != MPI_SUCCESS) {
      return Fail(MpiError(rc, "MPI_Isend"));
    }
    if (Status s = Wait(data, "Send", "bytes", deadline, dest); !s.ok()) return s;
  }
  return OkStatus();
}

Result<std::string> MpiCommunicator::Recv(int src, Deadline deadline) {
  if (Status s = Ready("Recv"); !s.ok()) return s;
  if (src < 0 || src >= size_ || src == rank_) {
    return InvalidArgumentError("Recv: peer " + std::to_string(src) + " is not another rank of [0, " +
                                std::to_string(size_) + ")");
  }
  auto len = std::make_unique<Pending>();
  if (int rc = MPI_Irecv(&len->length, 1, MPI_UINT64_T, src, kPointToPointTag, comm_, &len->request);
      rc != MPI_SUCCESS) {
    return Fail(MpiError(rc, "MPI_Irecv"));
  }
  if (Status s = Wait(len, "Recv", "length", deadline, src); !s.ok()) return s;
  const uint64_t length = len->length;
  if (length > kMaxMessageBytes) {
    return Fail(DataLossError("Recv: rank " + std::to_string(src) + " announced " + std::to_string(length) +
                              " bytes, over the limit"));
  }
  auto data = std::make_unique<Pending>();
  data->recv.resize(static_cast<size_t>(length));
  for (size_t off = 0; off < data->recv.size(); off += kMaxPiece) {
    const int n = static_cast<int>(std::min(kMaxPiece, data->recv.size() - off));
    if (int rc = MPI_Irecv(data->recv.data() + off, n, MPI_BYTE, src, kPointToPointTag, comm_, &data->request);
        rc != MPI_SUCCESS) {
      return Fail(MpiError(rc, "MPI_Irecv"));
    }
    if (Status s = Wait(data, "Recv", "bytes", deadline, src); !s.ok()) return s;
  }
  return std::move(data->recv);
}

void MpiCommunicator::Abort(std::string_view reason) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (broken_.ok()) {
      broken_ = AbortedError("rank " + std::to_string(rank_) + " aborted the group: " + std::string(reason));
    }
  }
  const bool first = !aborted_.exchange(true, std::memory_order_acq_rel);
  if (!first || comm_ == MPI_COMM_NULL || !MpiUsable()) return;
  std::fprintf(stderr, "ckpt: rank %d aborts the MPI job: %.*s\n", rank_, static_cast<int>(reason.size()),
               reason.data());
  std::fflush(stderr);
  MPI_Abort(comm_, 70);  // does not return: mpirun ends every rank of the job
}

}  // namespace ckpt
