// CheckpointManager: tf.train.CheckpointManager for C++ — a numbered series of
// checkpoints in one directory with a `checkpoint` state file and retention.
//
//   ckpt::Checkpoint ckpt({{"model", &model}, {"optimizer", &opt}});
//   CKPT_ASSIGN_OR_RETURN(auto manager, ckpt::CheckpointManager::Create(ckpt, "/train", /*max_to_keep=*/3));
//   CKPT_RETURN_IF_ERROR(manager->RestoreOrInitialize().status());
//   for (...) {
//     ...
//     CKPT_ASSIGN_OR_RETURN(auto path, manager->Save());   // "/train/ckpt-7"
//   }
//
// Files and state file are TensorFlow's: TF's CheckpointManager adopts a
// directory this one wrote and the other way round (paths, timestamps,
// last_preserved_timestamp).
//
// Behaviour follows TF except where we deliberately do better
// (docs/differences-from-tensorflow.md):
//  1. Crash safety. A save runs: bundle data -> fsync -> index -> fsync ->
//     rename into place -> directory fsync (BundleWriter); then the state
//     file naming the new checkpoint (atomic, fsynced); then deletion of
//     checkpoints beyond max_to_keep; then the state file again without
//     them. A power cut at any point leaves latest_checkpoint restorable and
//     every earlier checkpoint the state file named either still listed or
//     deleted only after a newer one became durable.
//  2. Deletion is confined: only `<dir>/<name>-<digits>.index` and
//     `<dir>/<name>-<digits>.data-NNNNN-of-NNNNN` files are ever deleted,
//     where <dir> is this manager's directory; state-file entries naming
//     anything else are dropped from the list but their files are left alone
//     (TF deletes whatever the file names, with glob expansion).
//  3. One live manager per directory. The first Save takes an advisory lock
//     on `<dir>/.ckpt-manager.lock` (flock; other processes and other
//     managers in this process) and holds it for the manager's lifetime; a
//     second manager's Save fails with FailedPrecondition instead of
//     deleting the first one's files. Set lock_directory=false to opt out.
//  4. After a crash, entries beyond max_to_keep that the dead run listed are
//     pruned by the next save (TF's sweep already removes as many as needed).
//  5. Leftovers. Holding the lock, the first Save removes what an interrupted
//     save left in the directory (temporary files of checkpoints and of the
//     state file, data files without an index); after this manager sees a
//     save, its retention or Sync() fail, its next Save does so again. Never
//     without the lock, never complete checkpoints or files of other names.
//
// Async: with CheckpointOptions::async(), Save returns once the values are
// staged; latest_checkpoint(), checkpoints(), the state file and deletions
// change only when the background write is durable. Sync() waits.
//
// Distributed (CheckpointOptions::communicator of size N > 1, in save_options
// or a Save's options; docs/distributed.md): every rank runs its own manager
// over the same directory and calls Save with the same number and interval
// decisions; one checkpoint is written by all. Rank 0 alone takes the
// directory lock, cleans leftovers (including the part directories
// `<name>-<n>_temp/` of dead distributed saves, once every rank has entered
// its first save), writes the state file and deletes per retention; the
// others never lock or delete and adopt rank 0's resulting state, so
// latest_checkpoint() and checkpoints() agree on every rank. Every rank
// returns the same path or the same error. Async with a group: as
// Checkpoint's (CheckpointOptions::communicator): the copy on the caller's
// thread, the save with rank 0's bookkeeping and retention and the other
// ranks' adoption of its state on each rank's writer thread, in call order;
// a failure is returned by the next Save or Sync on every rank alike (the
// accessors then still name the previous checkpoint everywhere).
//
// Thread-safety: Save/RestoreOrInitialize from one thread at a time (the
// one that uses the managed Checkpoint). Sync() and the accessors may be
// called from any thread, also while a save runs: the accessors see a
// checkpoint once its bookkeeping is done (that of an async save runs on the
// Checkpoint's writer thread); Sync() waits for the saves that had returned
// when it was called. Managers of different directories are independent.
// From a write callback of the managed Checkpoint, Save and Sync return
// FailedPrecondition (they would wait for the callback). The lock (3.)
// holds within one process too: a second manager on the same directory gets
// the lock error at its Save and never touches the first one's files, until
// the first is destroyed. The destructor waits for this manager's async
// saves; it must not run while another thread uses the manager.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/export.h"
#include "ckpt/status.h"
#include "ckpt/variable.h"

namespace ckpt {

struct CheckpointManagerOptions {
  // Keep a checkpoint every this many hours of checkpoint time, beyond
  // max_to_keep. Unset: never preserve.
  std::optional<double> keep_checkpoint_every_n_hours;
  // File names are `<checkpoint_name>-<number>`.
  std::string checkpoint_name = "ckpt";
  // An integer scalar variable holding the training step; required when
  // checkpoint_interval is set, read by Save and RestoreOrInitialize.
  const Variable* step_counter = nullptr;
  // Save at most once per this many steps.
  std::optional<int64_t> checkpoint_interval;
  // Seeds the step of the last save (TF >= 2.21).
  std::optional<int64_t> last_checkpoint_step;
  // Called by RestoreOrInitialize when there is nothing to restore.
  std::function<Status()> init_fn;

  // Not in TF:
  // Seconds since the epoch; default the wall clock. Tests inject a clock.
  std::function<double()> clock;
  // Take the directory lock (see above). Default true.
  bool lock_directory = true;
  // Options every Save uses unless it is given its own (async, callbacks).
  // Unset: the Checkpoint's own options.
  std::optional<CheckpointOptions> save_options;
};

// max_to_keep value meaning "keep every checkpoint" (TF's None).
inline constexpr std::optional<int> kKeepAll = std::nullopt;

class CKPT_EXPORT CheckpointManager {
 public:
  // Reads `<directory>/checkpoint` (and creates nothing) to recover the
  // latest checkpoint, the active list with timestamps and
  // last_preserved_timestamp. Errors (TF raises ValueError):
  // InvalidArgument "Expected a positive integer or `None` for
  // `max_to_keep`, got <n>."; "`step_counter` should be passed if
  // `checkpoint_interval` is not None."; "Invalid checkpoint state
  // loaded from <dir>"; DataLoss for an unparsable state file.
  // `checkpoint` must outlive the manager.
  static Result<std::unique_ptr<CheckpointManager>> Create(Checkpoint& checkpoint, std::string directory,
                                                           std::optional<int> max_to_keep,
                                                           CheckpointManagerOptions options = {});
  // Waits for this manager's async saves still in flight.
  ~CheckpointManager();
  CheckpointManager(const CheckpointManager&) = delete;
  CheckpointManager& operator=(const CheckpointManager&) = delete;

  // Saves `<directory>/<checkpoint_name>-<n>` and returns the path, or
  // nullopt when the interval rule skips this step (nothing is
  // touched then). save_counter is incremented on every save that happens;
  // n = checkpoint_number if given, else the incremented save_counter
  //. The new checkpoint becomes latest_checkpoint, moves to
  // the end of checkpoints() if already listed, gets the current
  // clock as timestamp when its write completes, and retention runs
  //. `options` replaces save_options for this call.
  Result<std::optional<std::string>> Save(std::optional<int64_t> checkpoint_number = std::nullopt,
                                          bool check_interval = true);
  Result<std::optional<std::string>> Save(const CheckpointOptions& options,
                                          std::optional<int64_t> checkpoint_number = std::nullopt,
                                          bool check_interval = true);

  // Restores latest_checkpoint and returns it (the load status is dropped, as
  // in TF); with a checkpoint_interval records the restored
  // step so an immediate Save at that step is skipped. With nothing
  // to restore, runs init_fn (if any) and returns nullopt.
  Result<std::optional<std::string>> RestoreOrInitialize();

  // Waits for the managed Checkpoint's async writes and returns a
  // background error not yet reported. Any thread (see Thread-safety).
  Status Sync();

  // The newest checkpoint (not checked for existence) or nullopt.
  std::optional<std::string> latest_checkpoint() const;
  // The active checkpoints, oldest first.
  std::vector<std::string> checkpoints() const;
  const std::string& directory() const;
  std::optional<int64_t> checkpoint_interval() const;
  double last_preserved_timestamp() const;
  Checkpoint& checkpoint();

 private:
  class Impl;
  explicit CheckpointManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ckpt
