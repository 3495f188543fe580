// The Communicator base and the one-process LocalCommunicator.
#include <string>

#include "ckpt/distributed.h"
#include "distributed/saver_group_save.h"

namespace ckpt {

Deadline DeadlineAfter(std::chrono::milliseconds timeout) {
  const auto now = std::chrono::steady_clock::now();
  // Beyond ~100 years the addition would overflow; treat as "no deadline".
  if (timeout.count() <= 0 || timeout > std::chrono::hours(24 * 365 * 100)) return kNoDeadline;
  return now + timeout;
}

Communicator::~Communicator() = default;

Status Communicator::CheckBackgroundCollectives() const { return OkStatus(); }

Status Communicator::Send(std::string_view, int, Deadline) {
  return UnimplementedError(
      "this Communicator does not implement point-to-point Send/Recv, which a save with an io rank "
      "(CheckpointOptions.experimental_io_device naming a task) needs");
}

Result<std::string> Communicator::Recv(int, Deadline) {
  return UnimplementedError(
      "this Communicator does not implement point-to-point Send/Recv, which a save with an io rank "
      "(CheckpointOptions.experimental_io_device naming a task) needs");
}

namespace {
// The Saver (saver/, a lower layer) reaches the save protocol through an
// interface this layer installs. Installed here, in the object file that
// defines the Communicator base: any program that holds a communicator links
// this file, also from a static archive.
[[maybe_unused]] const bool kSaverGroupSaveInstalled = distributed::InstallSaverGroupSave();
}  // namespace

Result<std::vector<std::string>> LocalCommunicator::AllGather(std::string_view mine, Deadline) {
  if (Status b = Broken(); !b.ok()) return b;
  if (mine.size() > kMaxCollectiveBytes) {
    return InvalidArgumentError("AllGather: contribution of " + std::to_string(mine.size()) + " bytes exceeds " +
                                std::to_string(kMaxCollectiveBytes));
  }
  return std::vector<std::string>{std::string(mine)};
}

Result<std::string> LocalCommunicator::Broadcast(std::string_view bytes, int root, Deadline) {
  if (Status b = Broken(); !b.ok()) return b;
  if (root != 0) return InvalidArgumentError("Broadcast: root " + std::to_string(root) + " outside [0, 1)");
  if (bytes.size() > kMaxCollectiveBytes) {
    return InvalidArgumentError("Broadcast: " + std::to_string(bytes.size()) + " bytes exceed " +
                                std::to_string(kMaxCollectiveBytes));
  }
  return std::string(bytes);
}

Status LocalCommunicator::Barrier(Deadline) { return Broken(); }

Status LocalCommunicator::Broken() const {
  std::lock_guard<std::mutex> l(mu_);
  return broken_;
}

void LocalCommunicator::Abort(std::string_view reason) {
  std::lock_guard<std::mutex> l(mu_);
  if (broken_.ok()) broken_ = AbortedError("rank 0 aborted: " + std::string(reason));
}

}  // namespace ckpt
