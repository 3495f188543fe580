// Checkpoint: tf.train.Checkpoint for C++.
//
//   ckpt::Checkpoint ckpt({{"model", &model}, {"optimizer", &opt}});
//   auto path = ckpt.Save("/train/ckpt");          // "/train/ckpt-1", updates /train/checkpoint
//   ...
//   auto status = ckpt.Restore(*ckpt::LatestCheckpoint("/train"));
//   CKPT_RETURN_IF_ERROR(status->AssertConsumed());
//
// Files are TensorFlow's: a tf.train.Checkpoint / tf.Module tree in TF 2
// restores what Save() writes, and Restore() reads what TF writes (see
// docs/graph-layer.md for the key scheme and the object graph).
//
// Errors follow TF's kinds: NotFound (no such checkpoint), InvalidArgument
// (dtype or shape mismatch: the message names the key and both
// dtypes/shapes; a non-trackable or clashing root), DataLoss (corrupt files),
// FailedPrecondition for a failed load-status assertion (TF raises
// AssertionError; the message is TF's text).
//
// Thread-safety: one thread at a time per Checkpoint and object graph, except:
//  * Sync() may be called from any thread, also while another thread saves
//    through this Checkpoint; it waits for the async writes whose Save/Write
//    had returned when it was called, not for later ones.
//  * Checkpoints over disjoint object graphs are independent: threads may
//    save and restore them at once, into different directories or into the
//    same one under distinct prefixes (the directory's state file then names
//    whichever save recorded itself last).
//  * Write callbacks of an async save run on this Checkpoint's writer thread
//    while the caller goes on. They may read checkpoints (LatestCheckpoint;
//    any Checkpoint's Restore/Read, which then does not wait for async
//    writes in flight). Save, Write and Sync of this same Checkpoint, or of
//    its CheckpointManager, return FailedPrecondition there instead of
//    waiting for the callback itself.
//  * The destructor waits for the async writes in flight and their
//    callbacks; nothing else may use the Checkpoint while it runs.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/distributed.h"
#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/sharding.h"
#include "ckpt/status.h"
#include "ckpt/trackable.h"
#include "ckpt/variable.h"

namespace ckpt {

namespace internal {
class RestoreSession;
struct LoadStatusAccess;  // how the library makes a LoadStatus
}  // namespace internal

// What a restore did, and TF's assertions about it.
// A failed assertion is FailedPrecondition carrying TF's AssertionError text;
// objects are described by Trackable::DebugString() where TF prints repr().
// Keep it alive as long as deferred restorations should still apply: values
// for objects attached later are delivered while the status (or any object
// holding a pending restoration) is alive. When the last reference goes, a
// warning lists checkpoint values that were never used, unless
// ExpectPartial() was called.
class CKPT_EXPORT LoadStatus {
 public:
  ~LoadStatus();
  LoadStatus(LoadStatus&&) noexcept;
  LoadStatus& operator=(LoadStatus&&) noexcept;

  // Every checkpoint value was matched to an object and every live saveable
  // object was matched.
  Status AssertConsumed() const;
  // Every live object that owns saveable values was matched.
  Status AssertExistingObjectsMatched() const;
  // Something besides the root matched.
  Status AssertNontrivialMatch() const;
  // Silences the unused-value warning; returns *this for chaining.
  LoadStatus& ExpectPartial();
  // API parity with TF; both are no-ops in eager C++, except that
  // RunRestoreOps on an initialization-only status fails like TF's.
  Status RunRestoreOps() const;
  Status InitializeOrRestore() const { return OkStatus(); }

  // True when this status came from Restore of an empty path.
  bool is_initialization_only() const;
  // True when the checkpoint had no object graph and was matched by
  // variable names.
  bool is_name_based() const;

 private:
  // Only the library makes one (Checkpoint::Restore/Read), from its restore
  // session.
  friend struct internal::LoadStatusAccess;
  explicit LoadStatus(std::shared_ptr<internal::RestoreSession> session);
  std::shared_ptr<internal::RestoreSession> session_;
};

// Runs after a checkpoint's files are complete and durable, with the path
// written (`<prefix>-<n>` for Save); for an async save on the Checkpoint's
// writer thread (Checkpoint's thread-safety says what it may call). A non-OK
// return stops the callbacks after it (and, for Save, the state-file update;
// for a manager, its bookkeeping), as an exception does in TF.
using WriteCallback = std::function<Status(const std::string& path)>;

// tf.train.CheckpointOptions plus the knobs C++ needs (file system, fsync).
// Defaults match TF's. The library never modifies an options object
// it is given: callbacks are copied per save.
struct CheckpointOptions {
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // Leave slot variables alone on restore.
  bool skip_slot_variables = false;
  // fsync bundles and state file (default; TF does not).
  bool sync = true;

  // Asynchronous saving. Save()/Write() return once every
  // value has been copied into library-owned staging buffers (reused from
  // save to save); files, fsyncs, the state file and the callbacks follow on
  // a background thread. Either flag enables it (the second is TF's
  // deprecated spelling). See Checkpoint for the waiting rules.
  bool enable_async = false;
  bool experimental_enable_async_checkpoint = false;
  // Run in order after each Save/Write (and CheckpointManager::Save), once
  // the files are complete; for async saves on the background thread
  //.
  std::vector<WriteCallback> experimental_write_callbacks;
  // TF places the I/O ops on this device. Here: the rank that performs all
  // file I/O of a distributed save (for jobs where only one host can write
  // the storage). A TF device string names a task, and the task index is the
  // rank: "/job:worker/replica:0/task:1/device:CPU:0" and "/task:1" name
  // rank 1 (any '/'-separated string with one "task:<n>" component).
  // * With a communicator of size N > 1 and a task named: that rank R writes
  //   every part and merges; the other ranks stream their values to it over
  //   Communicator::Send/Recv in chunks of 4 MiB (each rank holds a few
  //   chunks, never a whole tensor) and make no file-system call during the
  //   save; R also does rank 0's bookkeeping (Save: the state file; a
  //   CheckpointManager: lock, state file, retention). The files are byte for
  //   byte those of the same save without the option. Same protocol and
  //   outcomes otherwise: a sender that stalls or dies makes every rank fail
  //   at the deadline with nothing published; R's write failure is voted
  //   ("rank R: ..." on every rank). The timeout must cover R writing the
  //   lower ranks' values (R takes the ranks in order).
  // * A task >= N, a malformed task ("/task:x"), ranks naming different
  //   tasks, or a communicator without Send/Recv: the same error
  //   (InvalidArgument / Unimplemented) on every rank, nothing written.
  // * No task named ("", "/cpu:0", "/device:CPU:0"), or a single process
  //   (no communicator or size 1, whatever the string): ignored, as in TF
  //   when every device's I/O is this process's, so options round-trip.
  // * Restore / Read with a communicator of size N > 1 and a task named R:
  //   COLLECTIVE — every rank of the group must call it (with the same io
  //   device; the paths may differ). One all-gather agrees on R (a task >= N,
  //   a malformed one, ranks naming different tasks, or a rank without
  //   Send/Recv: the same InvalidArgument / Unimplemented on every rank,
  //   nothing read). Then R restores its own objects from storage and serves
  //   the other ranks' file reads in rank order, each until that rank's
  //   restore returned; the other ranks restore exactly as without the option
  //   (each reading only the byte ranges its objects need, e.g. its
  //   ShardedVariable blocks) but through R, in requests and replies of at
  //   most 4 MiB, and make no file-system call. R's file errors (NotFound,
  //   DataLoss, ... naming R's file) reach the requesting rank unchanged, so
  //   a missing checkpoint fails every rank alike. Each rank returns its own
  //   restore's outcome. A rank that stalls: the ranks waiting for it fail
  //   with DeadlineExceeded after collective_timeout (which must cover R
  //   serving the lower ranks) and the group is aborted. Values deferred to
  //   objects attached after the call cannot be read on the ranks other than
  //   R (FailedPrecondition): attach every object before restoring.
  //   A task-less string or a single process: not collective, as before
  //   (so a rank naming no task while the others name one makes them time
  //   out in the all-gather).
  std::string experimental_io_device;
  // Staging buffer sets for async saves. 1 (TF's behaviour): a save waits
  // for the previous write to finish before snapshotting. 2: a save can
  // snapshot while the previous one is still being written, at the cost of
  // a second copy of the model in memory. Values < 1 count as 1. Fixed by
  // the first async save of a Checkpoint; later values are ignored.
  int async_staging_buffers = 1;

  // How the values are spread over data files (tf.train.CheckpointOptions.
  // experimental_sharding_callback; ckpt/sharding.h, docs/sharding.md).
  // nullptr: one data file (per rank). MaxShardSizePolicy or a user callback:
  // one data file per shard, written by parallel threads, merged into one
  // bundle; values cut by the policy are stored as partitioned tensors.
  // Planned on the calling thread (a bad policy fails the call, also when
  // async). With a communicator of size > 1 only ShardByTaskPolicy (each
  // rank writes its own data file, as without a callback) is accepted; any
  // other callback is Unimplemented on every rank before any collective.
  // Shared, not copied: the callback must be usable from any thread.
  std::shared_ptr<const ShardingCallback> experimental_sharding_callback;

  // ---- Distributed saves (docs/distributed.md; not in TF) ----
  // The group of processes ("ranks") that save ONE checkpoint together.
  // nullptr or a group of size 1: this process alone, exactly as without it
  // (same files, byte for byte). Not owned; must outlive the call (and the
  // Checkpoint/CheckpointManager when given to their constructors).
  //
  // Save/Write with a group of size N > 1:
  // * every rank calls it with the same prefix (Save: the same save_counter;
  //   CheckpointManager: the same number) and an object graph of the same
  //   structure; each rank contributes its own values: the blocks of its
  //   ShardedVariables as slices, every other variable as a replicated
  //   value (written once, by one of its holders), the object graph by rank
  //   0. A rank whose prefix or object graph differs from rank 0's:
  //   InvalidArgument naming the ranks, on every rank, nothing written.
  // * protocol: plan (all-gather), write (each rank its own part), vote
  //   (all-gather), commit (rank 0 merges, publishes, broadcasts; a barrier
  //   acknowledges), then the write callbacks on every rank (all-gather of
  //   their outcomes), then rank 0's bookkeeping (Save: the `checkpoint`
  //   state file; manager: state file and retention) and a broadcast of its
  //   outcome. Every rank returns the same path or the same error; an error
  //   before the commit names each failing rank and nothing is published.
  // * a communicator failure (a peer missing the deadline, an abort) aborts
  //   the group: the communicator is broken afterwards, and so is every later
  //   save with it (a new job / group is needed).
  // * threading: synchronous saves run the collectives on the calling
  //   thread; user code must not use the communicator concurrently with a
  //   save (ckpt's own transports duplicate the user's: MPI_Comm_dup, an own
  //   gloo group).
  // * async (enable_async) with a group of size N > 1: the staging copy on
  //   the calling thread, then plan, write, vote, commit, callbacks and
  //   bookkeeping on the Checkpoint's writer thread, in call order, so
  //   consecutive saves' collectives pair up on every rank. Save returns the
  //   path (the same on every rank) once the copy is done. Before staging it
  //   waits for the previous async save of this Checkpoint to finish (at
  //   most one distributed save in flight; async_staging_buffers > 1 brings
  //   nothing here) and returns its error if it failed — so the same Save
  //   reports the same error on every rank, queues nothing and puts
  //   save_counter back, as in one process (the failed save's own number
  //   stays used). Sync reports it likewise. A failed background save
  //   publishes nothing, exactly as a synchronous one. FailedPrecondition,
  //   alike on every rank and before any collective, when the communicator
  //   cannot run collectives off the calling thread
  //   (Communicator::CheckBackgroundCollectives: MPI needs
  //   MPI_THREAD_MULTIPLE). The communicator must outlive the async writes
  //   (Sync, or destroy the Checkpoint, first).
  // * restore/read use the communicator only with an io rank
  //   (experimental_io_device, above); otherwise each rank reads what its
  //   own objects need (ShardedVariable: only its blocks). Like Restore in
  //   one process, they wait for the async writes begun before into the
  //   same directory.
  Communicator* communicator = nullptr;
  // How long each collective of a distributed save waits for the slowest
  // rank, from the moment this rank enters it (a stalled or dead peer makes
  // the others fail with DeadlineExceeded instead of hanging). It must cover
  // the skew between ranks' write times: the vote waits for the slowest
  // writer. 0 (default) or negative: wait forever.
  std::chrono::milliseconds collective_timeout{0};

  bool async() const { return enable_async || experimental_enable_async_checkpoint; }
};

class CKPT_EXPORT Checkpoint {
 public:
  // Named roots, like tf.train.Checkpoint(**kwargs). Each becomes a child of
  // the checkpoint's root node, in sorted name order. nullptr values are
  // InvalidArgument at Save/Restore.
  explicit Checkpoint(std::vector<std::pair<std::string, Trackable*>> named, CheckpointOptions options = {});
  // tf.train.Checkpoint(root=obj, **kwargs): obj is node 0, its own
  // dependencies at top level; `named` are attached next to them. A name
  // clashing with an existing different dependency of root is reported by
  // status().
  Checkpoint(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named = {},
             CheckpointOptions options = {});
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  // Construction problems, also returned by every call.
  Status status() const;

  // Increments save_counter, writes `<file_prefix>-<counter>`, records it in
  // dirname(file_prefix)/checkpoint (relative path, no timestamps) and returns the path. Never deletes anything. Missing
  // parent directories are created. DELIBERATE: if a synchronous
  // write fails the counter is put back, so a retry reuses the number (TF
  // leaves a gap).
  //
  // `options` (default: the constructor's) may enable async saving and
  // callbacks for this call; its `fs` must be null or the constructor's.
  // Async: returns the path as soon as the values are staged.
  // The call waits first for an earlier write only when every staging
  // buffer set is still in use (with the default single set: until the
  // previous write finished), then copies the values; the save_counter is
  // incremented at call time (DELIBERATE: TF counts async saves in a hidden
  // counter). Writes happen in call order; the state file is updated
  // after the callbacks. A background failure is returned by the
  // next Save/Write/Sync, and its callbacks do not run.
  Result<std::string> Save(std::string_view file_prefix);
  Result<std::string> Save(std::string_view file_prefix, const CheckpointOptions& options);
  // Writes exactly `file_prefix`; no counter increment, no state file.
  Result<std::string> Write(std::string_view file_prefix);
  Result<std::string> Write(std::string_view file_prefix, const CheckpointOptions& options);

  // Waits until every async write issued so far (and its callbacks) has
  // finished; returns the first background error not yet reported
  // (DELIBERATE: TF's sync() does not re-raise). OK and immediate
  // when nothing was written asynchronously. The destructor waits too and
  // logs an error it could not return. Any thread; a background error is
  // reported once, to whichever of Save/Write/Sync asks first.
  Status Sync();

  // Gets async saving ready ahead of the first async save: maps the staging
  // memory the current state needs (with headroom) and pre-faults it on the
  // background writer thread, so the first Save/Write with enable_async
  // stalls only for its copy, like every later one (fresh memory costs a
  // page fault per page, slower than the copy on VMs). Returns at once;
  // writes nothing. `options` gives async_staging_buffers when this creates
  // the writer. An async save issued while the preparation runs waits for
  // it. CheckpointManager::Create calls this when its save options are
  // async. Errors: status(), or collecting the values failed.
  Status PrepareAsync();
  Status PrepareAsync(const CheckpointOptions& options);

  // Restores `save_path` (a prefix; a SavedModel directory maps to
  // <dir>/variables/variables). Collective when the options name an io rank
  // in a group (CheckpointOptions::experimental_io_device): every rank must
  // call it. Empty path: an initialization-only status
  //. Creates save_counter. A checkpoint without an
  // object graph is matched by variable names.
  Result<LoadStatus> Restore(std::string_view save_path);
  // Like Restore but never creates save_counter and does not
  // wrap NotFound errors.
  // Both first wait for async writes in flight into the directory of
  // `save_path` from any Checkpoint of this process (those begun before the
  // call; none when called from a write callback).
  Result<LoadStatus> Read(std::string_view save_path);
  // The same with per-call options (TF's `restore(path, options=...)`). Of
  // them a restore uses the group fields only — communicator,
  // collective_timeout and experimental_io_device (an io rank reads for the
  // whole group, above); the file system and everything else come from the
  // constructor's options, as for the overloads without options.
  Result<LoadStatus> Restore(std::string_view save_path, const CheckpointOptions& options);
  Result<LoadStatus> Read(std::string_view save_path, const CheckpointOptions& options);

  // The save counter variable (int64 scalar), created on first use.
  Variable& save_counter();

  // Node 0: the `root` given to the constructor, or the Checkpoint's own
  // root object holding the named children. Track() on it adds a child later
  // (TF's `ckpt.name = obj` after construction) and delivers any value a
  // restore queued for that name.
  Trackable& root();

 private:
  friend class CheckpointManager;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// One value of an object-based checkpoint, for tools (`ckpt ls`).
struct ObjectKey {
  std::string key;          // bundle key, e.g. "model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"
  std::string object_path;  // TF's pretty path: "(root).model.dense.kernel",
                            // "(root).opt's state 'm' for (root).v" for slots
  std::string attribute;    // "VARIABLE_VALUE"
  std::string full_name;    // the variable's TF1 name, "" if none
};

// Every attribute listed in the checkpoint's object graph, in node order.
// Empty for a name-based checkpoint (no _CHECKPOINTABLE_OBJECT_GRAPH);
// DataLoss when the graph cannot be parsed or is inconsistent.
CKPT_EXPORT Result<std::vector<ObjectKey>> ListObjectKeys(const BundleReader& reader);

}  // namespace ckpt
