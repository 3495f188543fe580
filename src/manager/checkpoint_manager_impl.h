// CheckpointManager::Impl: the manager itself (numbering, interval, lock,
// recovery, state file, retention). Declared here so that api/ -- the one
// place that can see the Checkpoint's write pipeline -- can hand it over
// (CheckpointManager::Create); defined in checkpoint_manager.cc.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "manager/managed_checkpoint.h"
#include "manager/retention.h"

namespace ckpt {

class CheckpointManager::Impl {
 public:
  // CheckpointManager::Create: checks the arguments, recovers the
  // directory's state file and returns the manager. `checkpoint` must
  // outlive it; `internals` are that checkpoint's.
  static Result<std::unique_ptr<CheckpointManager>> Create(Checkpoint& checkpoint,
                                                           std::unique_ptr<manager::ManagedCheckpoint> internals,
                                                           std::string directory, std::optional<int> max_to_keep,
                                                           CheckpointManagerOptions options);

  Impl(Checkpoint& checkpoint, std::unique_ptr<manager::ManagedCheckpoint> internals, std::string directory,
       std::optional<int> max_to_keep, CheckpointManagerOptions options);

  Status Init();
  Result<std::optional<std::string>> Save(const CheckpointOptions* call, std::optional<int64_t> number,
                                          bool check_interval);
  Result<std::optional<std::string>> RestoreOrInitialize();

  std::optional<std::string> latest_checkpoint() const;
  std::vector<std::string> checkpoints() const;
  double last_preserved_timestamp() const;

  Checkpoint& checkpoint_;
  const std::unique_ptr<manager::ManagedCheckpoint> internals_;
  FileSystem* fs_;
  const std::string directory_;
  const std::string prefix_;
  const manager::RetentionPolicy policy_;
  CheckpointManagerOptions options_;

 private:
  Status LockDirectory();
  // Deletes manager::Litter of the directory (a dead run's temp files and
  // index-less data); called right after the lock is taken, and again by the
  // first save after this manager saw one of its saves fail.
  void CleanLitter();
  // Marks that a save, its retention or a Sync failed: what it left (data of
  // a rewrite whose index was retired, a half-deleted old checkpoint, a temp
  // file whose removal failed too) is cleaned by the next save, not only by
  // the next process.
  void NoteFailure(const Status& s) {
    if (!s.ok()) litter_suspected_ = temps_suspected_ = true;
  }
  // Distributed saves (CheckpointOptions::communicator of size > 1): rank 0
  // removes the part directories of dead distributed saves at the start of
  // the first save (and after a failure), once every rank has entered it;
  // only while it holds the directory lock.
  void CleanDistributedTemps();
  // Rank 0's state after its bookkeeping, for the other ranks to adopt.
  std::string EncodeState() const;
  Status AdoptState(std::string_view bytes);
  // Steps 3-5 of the protocol; runs after the bundle is durable.
  Status RecordAndSweep(const std::string& path);
  Status RecordAndSweepLocked(const std::string& path);
  Status WriteState();
  Status DeleteCheckpoints(const std::vector<std::string>& prefixes);

  mutable std::mutex mu_;  // guards state_: the writer thread records async saves
  manager::ManagerState state_;
  std::optional<int64_t> last_step_;
  std::unique_ptr<FileLock> lock_;
  std::atomic<bool> litter_suspected_{false};
  std::atomic<bool> temps_suspected_{true};

  friend class CheckpointManager;
};

}  // namespace ckpt
