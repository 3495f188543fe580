// What a CheckpointManager needs from the Checkpoint it manages beyond that
// class's public API: its option defaults, its save counter and its write
// pipeline with one more step at the end (the manager's bookkeeping rides on
// the same write, as TF's manager appends a callback to the save).
//
// The pipeline lives in api/ (Checkpoint::Impl: graph core + async writer),
// one layer above the manager; api/checkpoint_manager.cc implements this
// interface over it and hands it to CheckpointManager::Impl::Create, so the
// manager depends on nothing above its layer.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ckpt/checkpoint.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::manager {

// What the manager adds to a distributed save (CheckpointOptions::
// communicator of size > 1), where its bookkeeping (`after`) runs on rank 0
// only. Every member may be empty.
struct DistributedHooks {
  // Rank 0: runs once every rank has entered the save and before any writes.
  std::function<void()> before_write;
  // Rank 0, after `after` succeeded: bytes every other rank receives.
  std::function<std::string()> share;
  // Ranks other than 0: rank 0's shared bytes.
  std::function<Status(std::string_view)> adopt;
};

class ManagedCheckpoint {
 public:
  virtual ~ManagedCheckpoint() = default;

  // The Checkpoint's file system.
  virtual FileSystem* fs() const = 0;
  // The Checkpoint's default options with `call` (if given) applied on top.
  virtual Result<CheckpointOptions> Resolve(const CheckpointOptions* call) const = 0;
  // The save counter variable (created on first use).
  virtual Result<Variable*> SaveCounter() = 0;
  // Writes the bundle at `prefix`, runs the options' callbacks, then `after`,
  // synchronously or queued on the writer thread (options.async()).
  // `*written` tells a synchronous caller whether the bundle got written.
  // With a communicator of size > 1, `after` runs on rank 0 only and
  // `hooks` (may be null) take part as their comments say.
  virtual Result<std::string> WriteAndNotify(const std::string& prefix, const CheckpointOptions& options,
                                             WriteCallback after, bool* written,
                                             const DistributedHooks* hooks = nullptr) = 0;
  // Waits for queued writes; returns the first unreported background error.
  virtual Status Sync() = 0;
  // Waits for queued writes; errors stay for the next Save/Sync to report.
  virtual void WaitForWrites() = 0;
};

}  // namespace ckpt::manager
