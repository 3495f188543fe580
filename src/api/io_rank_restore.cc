#include "api/io_rank_restore.h"

#include <string>
#include <vector>

#include "base/io_device_name.h"
#include "ckpt/distributed.h"
#include "ckpt/status_macros.h"
#include "distributed/io_rank_read.h"
#include "distributed/io_rank_stream.h"

namespace ckpt {
namespace {

// What a rank says about the io rank: "E" + code byte + message (its
// options are invalid or it cannot do point-to-point), or "R" + the rank.
std::string Describe(const Result<int>& io, const Communicator& comm) {
  if (io.ok() && !comm.SupportsPointToPoint()) {
    Status s = UnimplementedError(
        "a restore with an io rank (experimental_io_device) needs a communicator with point-to-point Send/Recv, "
        "and this rank's transport has none");
    return "E" + std::string(1, static_cast<char>(s.code())) + s.message();
  }
  if (!io.ok()) return "E" + std::string(1, static_cast<char>(io.status().code())) + io.status().message();
  return "R" + std::to_string(*io);
}

// The io rank every rank agreed on, or the same error on every rank.
Result<int> AgreeOnIoRank(const Result<int>& mine, Communicator& comm, std::chrono::milliseconds timeout) {
  auto all = comm.AllGather(Describe(mine, comm), DeadlineAfter(timeout));
  if (!all.ok()) {
    comm.Abort("restore with an io rank: " + all.status().message());
    return all.status().WithContext("restore with an io rank (agreeing on it)");
  }
  std::string failed, disagree;
  StatusCode code = StatusCode::kOk;
  for (int r = 0; r < comm.size(); ++r) {
    const std::string& d = (*all)[static_cast<size_t>(r)];
    if (!d.empty() && d[0] == 'E' && d.size() >= 2) {
      if (code == StatusCode::kOk) code = static_cast<StatusCode>(static_cast<uint8_t>(d[1]));
      failed += (failed.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + d.substr(2));
    } else if (d != (*all)[0]) {
      disagree += (disagree.empty() ? "" : ", ") + std::to_string(r);
    }
  }
  if (!failed.empty()) return Status(code, "restore with an io rank failed before reading; nothing was read: " + failed);
  if (!disagree.empty() || (*all)[0].size() < 2 || (*all)[0][0] != 'R') {
    return InvalidArgumentError("restore: rank(s) " + disagree +
                                " disagree with rank 0 about the io rank (experimental_io_device); nothing was read");
  }
  return std::stoi((*all)[0].substr(1));
}

}  // namespace

Result<LoadStatus> ReadThroughIoRank(const CheckpointOptions& options,
                                     const std::function<Result<LoadStatus>(std::shared_ptr<FileSystem>)>& read) {
  Communicator* comm = options.communicator;
  if (comm == nullptr || comm->size() <= 1) return read(nullptr);
  // No task named (and well formed) on this rank: not collective, as before.
  Result<int> mine = IoRankFor(options.experimental_io_device, comm->size());
  if (mine.ok() && *mine < 0) return read(nullptr);
  CKPT_ASSIGN_OR_RETURN(const int io, AgreeOnIoRank(mine, *comm, options.collective_timeout));
  if (comm->rank() == io) {
    Result<LoadStatus> own = read(nullptr);
    FileSystem* fs = options.fs ? options.fs : FileSystem::Default();
    CKPT_RETURN_IF_ERROR(
        distributed::ServeIoRankReads(*comm, fs, options.collective_timeout, distributed::kIoChunkBytes));
    return own;
  }
  auto client =
      std::make_shared<distributed::IoRankClient>(*comm, io, options.collective_timeout, distributed::kIoChunkBytes);
  Result<LoadStatus> own = read(client);
  Status finished = client->Finish();
  if (own.ok() && !finished.ok()) return finished;
  return own;
}

}  // namespace ckpt
