// The program the mpirun tests run on every rank (tests/mpi/run_mpi_test.py
// starts it; each mode checks its own results and exits non-zero on a
// mismatch):
//
//   mpi_driver save PREFIX SEED [--deadline-ms=MS] [--fault=F]
//       every rank saves its blocks of mpi_values.h's tensors into one
//       checkpoint at PREFIX. Faults (for the crash tests):
//         exit-after-write:R  rank R _exits after writing its part, before the vote
//         stall:R             rank R stops before the vote (until the job is killed)
//         kill-in-merge       rank 0 SIGKILLs itself during the merge, after the
//                             first data file was renamed into place
//   mpi_driver restore PREFIX SEED [--io-device=DEV] [--deadline-ms=MS]
//       every rank restores its blocks (for this job's rank count) through
//       Checkpoint::Restore into ShardedVariables (reading by intersection),
//       the replicated values whole into Variables, and reads a share of the
//       keys as full tensors; all compared bit for bit. With --io-device
//       naming a task R: a collective restore in which R reads for every
//       rank; the other ranks' Checkpoint gets a file system that records
//       and refuses every call, and must have received none.
//   mpi_driver saver PREFIX
//       every rank's ckpt::Saver holds its rows of a float [10, 3] partitioned
//       variable (PartitionInfo) and a replicated [3] one; two saves with
//       SaverSaveOptions::communicator (global_step 1, 2; max_to_keep 1): rank
//       0's retention adopted everywhere; then each rank restores, with a
//       Saver, its parts of a split into size + 1 parts, bit for bit.
//   mpi_driver comm
//       MpiCommunicator's own contract: sizes, roots, an off-main-thread
//       collective (also beside the caller's own collectives on the original
//       communicator), a deadline (sticky), and what a lower thread level does.
//
// Save and restore use the public API only: a Checkpoint tracking one object
// per value (`rows_dtN`, `cols_dtN`: ShardedVariables; `repl_dtN`: Variables),
// written with CheckpointOptions::communicator / collective_timeout / fs.
#include "ckpt/mpi.h"  // first: it includes <mpi.h> without the C++ bindings

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/saver.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/variable.h"
#include "base/io_device_name.h"
#include "io/forwarding_file_system.h"
#include "mpi_values.h"
#include "testing/call_recording_file_system.h"

namespace ckpt::mpi_test {
namespace {

using namespace std::chrono_literals;

int rank_for_log = -1;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mpi_driver rank %d: FAILED: %s\n", rank_for_log, what.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);
}

void Check(bool ok, const std::string& what) {
  if (!ok) Die(what);
}

// ---- faults ----

struct Fault {
  enum Kind { kNone, kExitAfterWrite, kStall, kKillInMerge } kind = kNone;
  int rank = -1;
};

Fault ParseFault(const std::string& spec) {
  Fault f;
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (colon != std::string::npos) f.rank = std::atoi(spec.c_str() + colon + 1);
  if (name == "exit-after-write") f.kind = Fault::kExitAfterWrite;
  else if (name == "stall") f.kind = Fault::kStall;
  else if (name == "kill-in-merge") f.kind = Fault::kKillInMerge, f.rank = 0;
  else Die("unknown fault " + spec);
  return f;
}

// Forwards to the real communicator; on the faulty rank, acts before the
// collective `at` (0 = plan, 1 = vote: i.e. after this rank wrote its part).
class FaultyCommunicator final : public Communicator {
 public:
  FaultyCommunicator(Communicator& real, Fault fault) : real_(real), fault_(fault) {}
  int rank() const override { return real_.rank(); }
  int size() const override { return real_.size(); }
  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline deadline) override {
    Before();
    return real_.AllGather(mine, deadline);
  }
  Result<std::string> Broadcast(std::string_view bytes, int root, Deadline deadline) override {
    Before();
    return real_.Broadcast(bytes, root, deadline);
  }
  Status Barrier(Deadline deadline) override {
    Before();
    return real_.Barrier(deadline);
  }
  void Abort(std::string_view reason) override { real_.Abort(reason); }
  Status CheckBackgroundCollectives() const override { return real_.CheckBackgroundCollectives(); }
  // Point-to-point (saves with an io rank) passes through, uncounted.
  bool SupportsPointToPoint() const override { return real_.SupportsPointToPoint(); }
  Status Send(std::string_view bytes, int dest, Deadline deadline) override { return real_.Send(bytes, dest, deadline); }
  Result<std::string> Recv(int src, Deadline deadline) override { return real_.Recv(src, deadline); }

 private:
  void Before() {
    const int call = calls_++;
    if (call != 1 || real_.rank() != fault_.rank) return;
    if (fault_.kind == Fault::kExitAfterWrite) {
      std::fprintf(stderr, "mpi_driver rank %d: fault: exiting after writing its part\n", real_.rank());
      std::fflush(stderr);
      _exit(3);
    }
    if (fault_.kind == Fault::kStall) {
      std::fprintf(stderr, "mpi_driver rank %d: fault: stalling before the vote\n", real_.rank());
      std::fflush(stderr);
      for (;;) std::this_thread::sleep_for(1s);  // until mpirun ends the job
    }
  }
  Communicator& real_;
  Fault fault_;
  int calls_ = 0;
};

// Rank 0's file system for kill-in-merge: SIGKILL on the second data file
// renamed into the final prefix (one is already in place: a half-done merge).
class KillInMergeFileSystem final : public io::ForwardingFileSystem {
 public:
  KillInMergeFileSystem(FileSystem* target, std::string prefix)
      : ForwardingFileSystem(target), data_prefix_(std::move(prefix) + ".data-") {}
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (to.rfind(data_prefix_, 0) == 0 && ++renamed_ == 2) {
      std::fprintf(stderr, "mpi_driver rank 0: fault: killed during the merge\n");
      std::fflush(stderr);
      kill(getpid(), SIGKILL);
    }
    return ForwardingFileSystem::RenameFile(from, to);
  }

 private:
  std::string data_prefix_;
  int renamed_ = 0;
};

// ---- save ----

// The Checkpoint's name for a value: "rows/dt1" -> "rows_dt1" (object names
// become key path components, so no '/').
std::string ObjectName(const Spec& spec) {
  std::string n = spec.key;
  for (char& c : n) c = c == '/' ? '_' : c;
  return n;
}

std::string KeyOf(const Spec& spec) { return ObjectName(spec) + "/.ATTRIBUTES/VARIABLE_VALUE"; }

Tensor Zeros(DType dt, const TensorShape& shape) {
  if (dt == DType::kString) return Tensor::FromStrings(shape, std::vector<std::string>(shape.num_elements()));
  return *Tensor::Make(dt, shape);
}

std::vector<int64_t> OffsetOf(const TensorSlice& block) {
  std::vector<int64_t> offset;
  for (int d = 0; d < block.rank(); ++d) offset.push_back(block.IsFullAt(d) ? 0 : block.start(d));
  return offset;
}

// This rank's objects: its block of each split value (a ShardedVariable),
// each replicated value whole (a Variable), holding `fill(spec, block)`.
struct RankObjects {
  std::vector<std::unique_ptr<Trackable>> owned;
  std::vector<std::pair<std::string, Trackable*>> named;
  std::vector<Variable*> values;  // per spec: the replicated Variable or the shard's Variable
};

template <typename Fill>
RankObjects ObjectsOf(int rank, int size, Fill fill) {
  RankObjects o;
  for (const Spec& spec : Specs()) {
    const TensorSlice block = BlockOf(spec, rank, size);
    if (spec.split == Split::kReplicated) {
      auto v = std::make_unique<Variable>(fill(spec, block), spec.key);
      o.values.push_back(v.get());
      o.owned.push_back(std::move(v));
    } else {
      auto sv = std::make_unique<ShardedVariable>(fill(spec, block), spec.full, OffsetOf(block), spec.key);
      Check(sv->status().ok(), "shard of " + spec.key + ": " + sv->status().ToString());
      o.values.push_back(&sv->shard(0));
      o.owned.push_back(std::move(sv));
    }
    o.named.emplace_back(ObjectName(spec), o.owned.back().get());
  }
  return o;
}

int Save(MpiCommunicator& comm, const std::string& prefix, uint64_t seed, std::chrono::milliseconds deadline,
         Fault fault, bool async, const std::string& io_device) {
  RankObjects objects = ObjectsOf(comm.rank(), comm.size(), [&](const Spec& spec, const TensorSlice& block) {
    return Block(Expected(spec, seed), block);
  });
  std::unique_ptr<FileSystem> fs;
  if (fault.kind == Fault::kKillInMerge && comm.rank() == 0) {
    fs = std::make_unique<KillInMergeFileSystem>(FileSystem::Default(), prefix);
  }
  FaultyCommunicator faulty(comm, fault);
  CheckpointOptions options;
  options.communicator = &faulty;
  options.collective_timeout = deadline;
  options.fs = fs.get();
  options.experimental_io_device = io_device;
  Checkpoint checkpoint(objects.named, options);
  checkpoint.save_counter();  // saved too (Write does not create it; Restore does and expects it)
  CheckpointOptions call = options;
  call.enable_async = async;
  auto saved = checkpoint.Write(prefix, call);
  Check(saved.ok(), "save: " + saved.status().ToString());
  Check(*saved == prefix, "save returned " + *saved);
  if (async) {
    // The save's collectives run on the writer thread (on ckpt's duplicate
    // communicator) while this thread runs the job's own on MPI_COMM_WORLD.
    const int r = comm.rank(), n = comm.size();
    for (int i = 0; i < 20; ++i) {
      int sum = 0, mine = i + r;
      MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
      Check(sum == n * i + n * (n - 1) / 2, "the caller's own Allreduce beside an async save");
    }
    const Status synced = checkpoint.Sync();
    Check(synced.ok(), "async save: " + synced.ToString());
  }
  std::printf("rank %d/%d: saved %s (%zu values)\n", comm.rank(), comm.size(), prefix.c_str(), objects.named.size());
  return 0;
}

// ---- restore ----

int Restore(MpiCommunicator& comm, const std::string& prefix, uint64_t seed, std::chrono::milliseconds deadline,
            const std::string& io_device) {
  const int r = comm.rank(), m = comm.size();
  RankObjects objects =
      ObjectsOf(r, m, [](const Spec& spec, const TensorSlice& block) {
        return Zeros(spec.dtype, block.SliceShape(spec.full));
      });
  CheckpointOptions options;
  test::CallRecordingFileSystem refusing;
  bool through_io_rank = false;
  if (!io_device.empty()) {
    auto io = IoRankFor(io_device, m);
    Check(io.ok(), "--io-device: " + io.status().ToString());
    options.communicator = &comm;
    options.collective_timeout = deadline;
    options.experimental_io_device = io_device;
    through_io_rank = *io >= 0 && *io != r;
    if (through_io_rank) options.fs = &refusing;
  }
  {
    Checkpoint checkpoint(objects.named, options);
    auto status = checkpoint.Restore(prefix);
    Check(status.ok(), "restore " + prefix + ": " + status.status().ToString());
    const Status consumed = status->AssertConsumed();  // every saved value bound, every object matched
    Check(consumed.ok(), "restore: " + consumed.ToString());
  }
  if (through_io_rank) {
    const std::vector<std::string> calls = refusing.calls();
    Check(calls.empty(), "restore through the io rank: this rank called its file system: " +
                             (calls.empty() ? std::string() : calls.front()));
  }
  auto reader = BundleReader::Open(prefix);
  Check(reader.ok(), "open " + prefix + ": " + reader.status().ToString());
  size_t blocks = 0, full = 0;
  const std::vector<Spec> specs = Specs();
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& spec = specs[i];
    const Tensor expected = Expected(spec, seed);
    const TensorSlice block = BlockOf(spec, r, m);
    Check(SameBits(objects.values[i]->view(), Block(expected, block).view()),
          spec.key + " block " + block.ToString() + ": restored value differs");
    ++blocks;
    if (static_cast<int>(i % static_cast<size_t>(m)) == r) {  // a share of the keys read whole
      auto t = (*reader)->Read(KeyOf(spec));
      Check(t.ok(), "read " + KeyOf(spec) + ": " + t.status().ToString());
      Check(SameBits(t->view(), expected.view()), spec.key + ": full tensor differs");
      ++full;
    }
  }
  std::printf("rank %d/%d: restored %zu blocks and %zu full tensors of %s bit-exact\n", r, m, blocks, full,
              prefix.c_str());
  return 0;
}

// ---- the communicator's own contract ----

int CommChecks(int thread_level) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  Check(comm.status().ok(), "construct: " + comm.status().ToString());
  const int r = comm.rank(), n = comm.size();
  const Deadline later = DeadlineAfter(60s);

  if (thread_level < MPI_THREAD_MULTIPLE) {
    // Off the main thread: refused before touching MPI, on every rank alike.
    Status off;
    std::thread([&] { off = comm.Barrier(later); }).join();
    Check(off.code() == StatusCode::kFailedPrecondition, "off-main-thread barrier: " + off.ToString());
    Check(off.message().find("MPI_THREAD_MULTIPLE") != std::string::npos, "message names the level");
    Check(comm.AllGather("x", later).status() == off, "sticky after the refused call");
    {
      // An async save refuses on every rank before any collective (these
      // would fail: the communicator is broken now, and not with this code).
      MpiCommunicator fresh(MPI_COMM_WORLD);
      Variable v(*Tensor::Make(DType::kFloat, {}), "v");
      CheckpointOptions o;
      o.communicator = &fresh;
      o.enable_async = true;
      Checkpoint checkpoint({{"v", &v}}, o);
      const Status refused = checkpoint.Write("/nonexistent-dir/never-written").status();
      Check(refused.code() == StatusCode::kFailedPrecondition &&
                refused.message().find("MPI_THREAD_MULTIPLE") != std::string::npos,
            "async save under a thread level below MPI_THREAD_MULTIPLE: " + refused.ToString());
      Check(fresh.status().ok(), "the refusal ran no collective");
    }
    std::printf("rank %d/%d: thread level %d: off-main-thread collective refused\n", r, n, thread_level);
    return 0;
  }

  // AllGather: contributions of different sizes, an empty one included.
  std::string mine(static_cast<size_t>(r) * 1000, static_cast<char>('a' + r));
  auto all = comm.AllGather(mine, later);
  Check(all.ok(), "AllGather: " + all.status().ToString());
  Check(static_cast<int>(all->size()) == n, "AllGather size");
  for (int q = 0; q < n; ++q) {
    Check((*all)[q] == std::string(static_cast<size_t>(q) * 1000, static_cast<char>('a' + q)), "AllGather content");
  }
  // Broadcast from every root, an empty payload from the last.
  for (int root = 0; root < n; ++root) {
    const std::string payload = root == n - 1 ? "" : "from " + std::to_string(root) + std::string(3000, 'z');
    auto got = comm.Broadcast(r == root ? payload : "ignored", root, later);
    Check(got.ok() && *got == payload, "Broadcast from " + std::to_string(root));
  }
  Check(comm.Broadcast("x", n, later).status().code() == StatusCode::kInvalidArgument, "bad root");
  Check(comm.Barrier(later).ok(), "Barrier");
  // A background thread may run the collectives (MPI_THREAD_MULTIPLE).
  Result<std::vector<std::string>> bg = InternalError("not run");
  std::thread([&] { bg = comm.AllGather(std::to_string(r), later); }).join();
  Check(bg.ok() && (*bg)[static_cast<size_t>(n - 1)] == std::to_string(n - 1), "AllGather off the main thread");
  // ... while this rank's main thread runs its own collectives on MPI_COMM_WORLD:
  // ckpt's run on the duplicate, so neither side receives the other's messages.
  Status bg_status;
  std::thread worker([&] {
    for (int i = 0; i < 20 && bg_status.ok(); ++i) {
      auto got = comm.AllGather("bg" + std::to_string(i * n + r), later);
      if (!got.ok()) bg_status = got.status();
      for (int q = 0; got.ok() && q < n; ++q) {
        if ((*got)[static_cast<size_t>(q)] != "bg" + std::to_string(i * n + q)) bg_status = DataLossError("mixed up");
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    int sum = 0, mine_i = i + r;
    MPI_Allreduce(&mine_i, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    Check(sum == n * i + n * (n - 1) / 2, "the caller's own Allreduce beside a background AllGather");
  }
  worker.join();
  Check(bg_status.ok(), "background AllGathers beside the caller's collectives: " + bg_status.ToString());

  if (n >= 2) {
    // Point-to-point (io-rank saves): a ring of messages, empty, small and
    // 5 MiB (fragmented by MPI), each arriving whole and in order.
    const int next = (r + 1) % n, prev = (r + n - 1) % n;
    for (size_t len : {size_t{0}, size_t{7}, size_t{5} << 20}) {
      std::string mine(len, static_cast<char>('a' + r));
      if (r == 0) Check(comm.Send(mine, next, later).ok(), "ring send");
      auto got = comm.Recv(prev, later);
      Check(got.ok() && *got == std::string(len, static_cast<char>('a' + prev)), "ring recv of " + std::to_string(len));
      if (r != 0) Check(comm.Send(mine, next, later).ok(), "ring send");
    }
    Check(comm.Send("x", r, later).code() == StatusCode::kInvalidArgument, "send to self");
    Check(comm.Barrier(later).ok(), "usable after the ring and a refused send");
    // A Recv past its deadline names the peer and is sticky; the message
    // sent after it lets the abandoned request complete.
    MpiCommunicator p2p(MPI_COMM_WORLD);
    int outcome = 1;
    if (r == 1) {
      const Status s = p2p.Recv(0, DeadlineAfter(200ms)).status();
      outcome = s.code() == StatusCode::kDeadlineExceeded && s.message().find("waiting for rank 0") != std::string::npos &&
                p2p.Send("y", 0, later) == s;
      if (!outcome) std::fprintf(stderr, "recv past its deadline returned %s\n", s.ToString().c_str());
    }
    MPI_Bcast(&outcome, 1, MPI_INT, 1, MPI_COMM_WORLD);
    Check(outcome == 1, "point-to-point deadline / sticky failure on rank 1");
    if (r == 0) Check(p2p.Send("late", 1, later).ok(), "late send");
  }

  if (n >= 2) {
    // Deadline: rank 0 enters a barrier the others join only after rank 0
    // has told them (over MPI_COMM_WORLD) that it gave up: it must time out.
    MpiCommunicator late(MPI_COMM_WORLD);
    int outcome = 0;
    if (r == 0) {
      const Status s = late.Barrier(DeadlineAfter(200ms));
      outcome = s.code() == StatusCode::kDeadlineExceeded && s.message().find("rank 0") != std::string::npos &&
                s.message().find("Barrier") != std::string::npos;
      if (!outcome) std::fprintf(stderr, "barrier past its deadline returned %s\n", s.ToString().c_str());
      const Status again = late.AllGather("x", later).status();
      outcome = outcome && again == s;  // sticky
    }
    MPI_Bcast(&outcome, 1, MPI_INT, 0, MPI_COMM_WORLD);
    Check(outcome == 1, "deadline / sticky failure on rank 0");
    // Let rank 0's abandoned barrier complete before the communicators go.
    if (r != 0) Check(late.Barrier(later).ok(), "late barrier");
  }
  std::printf("rank %d/%d: communicator checks passed\n", r, n);
  return 0;
}

}  // namespace
}  // namespace ckpt::mpi_test

namespace ckpt::mpi_test {

// The Saver with a communicator (see the header comment).
int SaverMode(MpiCommunicator& comm, const std::string& prefix) {
  const int r = comm.rank(), n = comm.size();
  const ckpt::TensorShape full{10, 3};
  const auto value = [](int64_t flat) { return static_cast<float>(flat) * 0.5f + 1.0f; };
  // Rows [start, start + len) of part p of an array_split of 10 rows into k.
  const auto part = [](int k, int p) {
    int64_t start = 0;
    for (int q = 0; q < p; ++q) start += 10 / k + (q < 10 % k ? 1 : 0);
    return std::pair<int64_t, int64_t>(start, 10 / k + (p < 10 % k ? 1 : 0));
  };
  const auto parts_of = [&](int k, bool zero) {
    std::vector<ckpt::VariablePtr> vars;
    for (int p = r; p < k; p += n) {
      auto [start, len] = part(k, p);
      if (len == 0) continue;
      ckpt::Tensor t = *ckpt::Tensor::Make(ckpt::DType::kFloat, {len, 3});
      for (int64_t i = 0; i < len * 3; ++i) t.flat<float>()[i] = zero ? 0.0f : value(start * 3 + i);
      ckpt::PartitionInfo info{"emb", full, ckpt::TensorSlice({{start, len}, {0, 3}})};
      vars.push_back(std::make_shared<ckpt::TensorVariable>("emb/part_" + std::to_string(p), std::move(t), "", info));
    }
    ckpt::Tensor b = *ckpt::Tensor::Make(ckpt::DType::kFloat, {3});
    for (int i = 0; i < 3; ++i) b.flat<float>()[i] = zero ? 0.0f : value(100 + i);
    vars.push_back(std::make_shared<ckpt::TensorVariable>("bias", std::move(b)));
    return vars;
  };
  ckpt::SaverOptions so;
  so.max_to_keep = 1;
  auto saver = ckpt::Saver::Create(ckpt::VarList::List(parts_of(n, false)), so);
  Check(saver.ok(), "Saver::Create: " + saver.status().ToString());
  for (int64_t step = 1; step <= 2; ++step) {
    ckpt::SaverSaveOptions save;
    save.global_step = step;
    save.communicator = &comm;
    save.collective_timeout = std::chrono::seconds(60);
    auto path = (*saver)->Save(prefix, save);
    Check(path.ok() && path->value_or("") == prefix + "-" + std::to_string(step),
          "Saver::Save step " + std::to_string(step) + ": " + (path.ok() ? path->value_or("") : path.status().ToString()));
  }
  Check((*saver)->last_checkpoints() == std::vector<std::string>{prefix + "-2"}, "last_checkpoints not adopted");
  Check(!ckpt::FileSystem::Default()->FileExists(prefix + "-1.index").ok(), "max_to_keep did not delete step 1");
  const auto restored = parts_of(n + 1, true);
  auto restorer = ckpt::Saver::Create(ckpt::VarList::List(restored), so);
  Check(restorer.ok(), "Saver::Create (restore): " + restorer.status().ToString());
  const ckpt::Status s = (*restorer)->Restore(prefix + "-2");
  Check(s.ok(), "Saver::Restore: " + s.ToString());
  const auto want = parts_of(n + 1, false);
  for (size_t i = 0; i < restored.size(); ++i) {
    const auto& got = static_cast<const ckpt::TensorVariable&>(*restored[i]).tensor();
    const auto& exp = static_cast<const ckpt::TensorVariable&>(*want[i]).tensor();
    Check(got.Equals(exp), "restored " + restored[i]->name() + " differs");
  }
  std::printf("rank %d/%d: saver ok (%zu variables restored bit-exact)\n", r, n, restored.size());
  return 0;
}

}  // namespace ckpt::mpi_test

int main(int argc, char** argv) {
  using namespace ckpt::mpi_test;
  if (argc < 2) {
    std::fprintf(stderr, "usage: mpi_driver save|restore PREFIX SEED [options] | comm [funneled]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const bool funneled = mode == "comm" && argc > 2 && std::strcmp(argv[2], "funneled") == 0;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, funneled ? MPI_THREAD_FUNNELED : MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_for_log);
  int rc = 2;
  {
    if (mode == "comm") {
      rc = CommChecks(provided);
    } else if (mode == "saver" && argc >= 3) {
      ckpt::MpiCommunicator comm(MPI_COMM_WORLD);
      Check(comm.status().ok(), "construct: " + comm.status().ToString());
      rc = SaverMode(comm, argv[2]);
    } else if ((mode == "save" || mode == "restore") && argc >= 4) {
      const std::string prefix = argv[2];
      const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
      std::chrono::milliseconds deadline = 60s;
      Fault fault;
      bool async = false;
      std::string io_device;
      for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--async") {
          async = true;
          continue;
        }
        if (a.rfind("--io-device=", 0) == 0) io_device = a.substr(12);
        else if (a.rfind("--deadline-ms=", 0) == 0) deadline = std::chrono::milliseconds(std::atoll(a.c_str() + 14));
        else if (a.rfind("--fault=", 0) == 0) fault = ParseFault(a.substr(8));
        else Die("unknown argument " + a);
      }
      ckpt::MpiCommunicator comm(MPI_COMM_WORLD);
      Check(comm.status().ok(), "construct: " + comm.status().ToString());
      rc = mode == "save" ? Save(comm, prefix, seed, deadline, fault, async, io_device)
                          : Restore(comm, prefix, seed, deadline, io_device);
    } else {
      Die("bad arguments");
    }
  }
  std::fflush(stdout);
  MPI_Finalize();
  return rc;
}
