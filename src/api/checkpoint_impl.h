// Checkpoint::Impl: the graph-layer core plus the two ways of writing it —
// synchronously, or staged on the caller's thread and committed by a
// BackgroundWriter. Shared with CheckpointManager, whose bookkeeping rides on
// the same write (as TF's manager appends a callback to the save).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "async/background_writer.h"
#include "ckpt/checkpoint.h"
#include "graph/checkpoint_core.h"
#include "manager/managed_checkpoint.h"

namespace ckpt {

class Checkpoint::Impl {
 public:
  explicit Impl(CheckpointOptions options);
  ~Impl();

  // The constructor's options with `call` (if given) applied on top: every
  // field of `call` replaces the default except fs (null or the same, else
  // InvalidArgument) and skip_slot_variables (a restore option).
  Result<CheckpointOptions> Resolve(const CheckpointOptions* call) const;

  // Writes the bundle at `prefix`, then runs options' callbacks in order,
  // then `after` (state file, manager bookkeeping), each with the path;
  // the first failing callback stops the rest (CO-12). Synchronous options:
  // all of it before returning. Async: stages the values and queues the
  // rest; *queued is set then. `*written` tells a synchronous caller
  // whether the bundle got written (a callback failed after it) so it knows
  // whether to roll its numbering back.
  //
  // With a communicator of size > 1 (docs/distributed.md): the distributed
  // save protocol, then the callbacks on every rank (their outcomes
  // agreed), then `after` on rank 0 and its outcome (plus hooks->share /
  // adopt) broadcast. `*written` is set when the checkpoint was committed,
  // identically on every rank. Async: the staging copy here, all the rest
  // (every collective) on the writer thread, in call order
  // (SubmitDistributed).
  Result<std::string> WriteAndNotify(const std::string& prefix, const CheckpointOptions& options,
                                     WriteCallback after, bool* written,
                                     const manager::DistributedHooks* hooks = nullptr);

  // Checkpoint::PrepareAsync: sizes the staging memory for the current
  // values and has the writer thread (created here if needed) pre-fault it.
  Status PrepareAsync(const CheckpointOptions& options);

  // Waits for every async write queued so far; returns the first
  // unreported background error. Any thread. FailedPrecondition from one of
  // this Checkpoint's own write callbacks (as WriteAndNotify).
  Status Sync();
  // Waits for every async write queued so far; errors stay for the next
  // Save/Write/Sync to report.
  void WaitForWrites();

  // Waits for async writes into the directory of `save_path` (CO-21) begun
  // before the call; returns at once inside a write callback.
  static void WaitForWritesInto(std::string_view save_path);

 private:
  Result<std::string> WriteDistributed(const std::string& prefix, const CheckpointOptions& options,
                                       std::span<const NamedView> values, Status local_error,
                                       const WriteCallback& after, bool* written,
                                       const manager::DistributedHooks* hooks);
  // The async form: refuses (alike on every rank) when the communicator
  // cannot run collectives on the writer thread or the previous async save
  // failed; else stages `values` and queues WriteDistributed.
  Result<std::string> SubmitDistributed(const std::string& prefix, const CheckpointOptions& options,
                                        std::span<const NamedView> values, Status local_error, WriteCallback after,
                                        const manager::DistributedHooks* hooks);

 public:
  graph::CheckpointCore core;
  const CheckpointOptions defaults;

 private:
  async::BackgroundWriter* Writer(const CheckpointOptions& options);
  // True inside one of this Checkpoint's async write jobs (its callbacks).
  bool OnOwnWriterThread() const;
  static Status CalledFromCallback(std::string_view what);

  mutable std::mutex writer_mu_;  // guards creation of writer_ and last_ticket_
  uint64_t last_ticket_ = 0;
  // Last member: destroyed first, so queued jobs finish while the rest lives.
  std::unique_ptr<async::BackgroundWriter> writer_;
};

}  // namespace ckpt
