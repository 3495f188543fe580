#include "api/checkpoint_impl.h"

#include <optional>
#include <utility>

#include "async/pending_writes.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/io_device_name.h"
#include "distributed/distributed_save.h"
#include "ckpt/bundle.h"
#include "ckpt/status_macros.h"
#include "distributed/save_plan.h"
#include "distributed/value_list.h"
#include "format/sharded_save.h"

namespace ckpt {
namespace {

// One bundle from a list of named views.
Status WriteBundle(FileSystem* fs, bool sync, const std::string& prefix, std::span<const NamedView> values) {
  const std::string dir(Dirname(prefix));
  if (!dir.empty()) CKPT_RETURN_IF_ERROR(fs->RecursivelyCreateDir(dir));
  BundleWriterOptions wo;
  wo.fs = fs;
  wo.sync = sync;
  CKPT_ASSIGN_OR_RETURN(auto writer, BundleWriter::Create(prefix, wo));
  for (const NamedView& v : values) {
    if (distributed::IsEmptyShare(v)) continue;  // TF cannot store an empty slice
    CKPT_RETURN_IF_ERROR(v.slice ? writer->AddSlice(v.key, v.slice->full_shape, v.slice->slice, v.view)
                            : writer->Add(v.key, v.view));
  }
  return writer->Finish();
}

// Callbacks in order, then `after`; the first failure stops the rest.
Status Notify(const std::vector<WriteCallback>& callbacks, const WriteCallback& after, const std::string& path) {
  for (const WriteCallback& cb : callbacks) {
    if (cb) CKPT_RETURN_IF_ERROR(cb(path));
  }
  if (after) CKPT_RETURN_IF_ERROR(after(path));
  return OkStatus();
}

// Values saved in parts (sharded variables) must cover their tensors
// exactly, or TF could not read the checkpoint: the same checks a
// distributed save makes across ranks, here over one process's values.
Status CheckParts(std::span<const NamedView> values) {
  for (const NamedView& v : values) {
    if (v.slice) {
      const std::vector<std::vector<distributed::ValueDesc>> one_rank = {distributed::DescribeValues(values)};
      return distributed::PlanSave(one_rank).status();
    }
  }
  return OkStatus();
}

}  // namespace

Checkpoint::Impl::Impl(CheckpointOptions options)
    : core(options.fs ? options.fs : FileSystem::Default(), options.skip_slot_variables),
      defaults(std::move(options)) {}

Checkpoint::Impl::~Impl() = default;

Result<CheckpointOptions> Checkpoint::Impl::Resolve(const CheckpointOptions* call) const {
  if (call == nullptr) return defaults;
  if (call->fs != nullptr && call->fs != core.fs()) {
    return InvalidArgumentError("CheckpointOptions.fs of a save must be null or the Checkpoint's own file system");
  }
  CheckpointOptions o = *call;
  o.fs = core.fs();
  o.skip_slot_variables = defaults.skip_slot_variables;
  return o;
}

Result<std::string> Checkpoint::Impl::WriteAndNotify(const std::string& prefix, const CheckpointOptions& options,
                                                     WriteCallback after, bool* written,
                                                     const manager::DistributedHooks* hooks) {
  *written = false;
  if (OnOwnWriterThread()) return CalledFromCallback("Save/Write");
  Result<graph::SaveList> collected = core.Collect();
  if (options.communicator != nullptr && options.communicator->size() > 1) {
    // A rank that cannot collect its values still takes part (with its
    // error), or the others would wait for it.
    static const graph::SaveList kNone;
    const std::span<const NamedView> values = collected.ok() ? collected->entries : kNone.entries;
    if (options.async()) return SubmitDistributed(prefix, options, values, collected.status(), std::move(after), hooks);
    return WriteDistributed(prefix, options, values, collected.status(), after, written, hooks);
  }
  CKPT_ASSIGN_OR_RETURN(graph::SaveList list, std::move(collected));
  const std::vector<NamedView>& values = list.entries;
  CKPT_RETURN_IF_ERROR(CheckParts(values));
  FileSystem* fs = core.fs();
  // A sharding callback plans here, on the caller's thread (its errors are
  // this call's); the plan indexes the value list, which staging copies in
  // order.
  std::shared_ptr<const format::ShardedSavePlan> sharded;
  if (options.experimental_sharding_callback) {
    CKPT_ASSIGN_OR_RETURN(format::ShardedSavePlan plan,
                          format::PlanShardedSave(values, *options.experimental_sharding_callback));
    sharded = std::make_shared<const format::ShardedSavePlan>(std::move(plan));
  }

  if (!options.async()) {
    // A synchronous save after async ones keeps call order and reports
    // their error first.
    if (writer_) CKPT_RETURN_IF_ERROR(Sync());
    CKPT_RETURN_IF_ERROR(sharded ? format::WriteShardedBundle(fs, options.sync, prefix, values, *sharded)
                                 : WriteBundle(fs, options.sync, prefix, values));
    *written = true;
    CKPT_RETURN_IF_ERROR(Notify(options.experimental_write_callbacks, after, prefix));
    return prefix;
  }

  async::BackgroundWriter* writer = Writer(options);
  const std::string dir(Dirname(prefix));
  const uint64_t pending = async::PendingWrites::Global().Begin(dir);
  // The job owns copies of everything it needs: the caller's options and
  // callback list may change or die once Save returns (CO-13).
  auto job = [fs, sync = options.sync, prefix, dir, pending, callbacks = options.experimental_write_callbacks,
              after = std::move(after), sharded](const async::StagingBuffer& staged) -> Status {
    Status s = sharded ? format::WriteShardedBundle(fs, sync, prefix, staged.values(), *sharded)
                       : WriteBundle(fs, sync, prefix, staged.values());
    if (s.ok()) s = Notify(callbacks, after, prefix);
    async::PendingWrites::Global().End(dir, pending);
    return s;
  };
  auto ticket = writer->Submit(values, std::move(job));
  if (!ticket.ok()) {
    async::PendingWrites::Global().End(dir, pending);
    return ticket.status();
  }
  {
    std::lock_guard<std::mutex> l(writer_mu_);
    last_ticket_ = std::max(last_ticket_, *ticket);
  }
  return prefix;
}

Result<std::string> Checkpoint::Impl::WriteDistributed(const std::string& prefix, const CheckpointOptions& options,
                                                       std::span<const NamedView> values, Status local_error,
                                                       const WriteCallback& after, bool* written,
                                                       const manager::DistributedHooks* hooks) {
  Communicator& comm = *options.communicator;
  if (options.experimental_sharding_callback &&
      dynamic_cast<const ShardByTaskPolicy*>(options.experimental_sharding_callback.get()) == nullptr) {
    // Checked on every rank alike before any collective. ShardByTaskPolicy
    // is what a distributed save does anyway: one data file per rank.
    return UnimplementedError("CheckpointOptions.experimental_sharding_callback \"" +
                              options.experimental_sharding_callback->description() +
                              "\" with a communicator of size > 1: only ShardByTaskPolicy (one data file per "
                              "rank) is supported in distributed saves (docs/sharding.md)");
  }
  // A synchronous save after async ones keeps call order and reports their
  // error first, as every local error: through the plan exchange. (On the
  // writer thread, inside an async save's job, every earlier job is done.)
  if (writer_ && local_error.ok() && !OnOwnWriterThread()) local_error = Sync();
  // An io rank (experimental_io_device naming a task) writes for everyone
  // and does rank 0's bookkeeping; a bad device string fails every rank.
  const Result<int> io_rank = IoRankFor(options.experimental_io_device, comm.size());
  if (!io_rank.ok() && local_error.ok()) local_error = io_rank.status();
  const int lead = io_rank.ok() && *io_rank >= 0 ? *io_rank : 0;

  // What every rank must agree on: the path (Save: the save_counter) and the
  // structure of the object graph (only rank 0's is written). A crc32c of the
  // serialized graph is enough to catch ranks that built different models.
  distributed::DistributedSaveOptions o;
  o.fs = core.fs();
  o.sync = options.sync;
  o.collective_timeout = options.collective_timeout;
  o.agreement = prefix;
  o.agreement_what = "the checkpoint path (save_counter / checkpoint number) or the object graph";
  o.local_error = local_error;
  o.io_rank = io_rank.ok() ? *io_rank : -1;
  for (const NamedView& v : values) {
    if (v.key == distributed::kPlannerObjectGraphKey && v.view.dtype == DType::kString && v.view.strings.size() == 1) {
      const std::string_view graph = v.view.strings[0];
      o.agreement += '\0';
      coding::PutFixed32(&o.agreement, crc32c::Value(graph.data(), graph.size()).value);
      coding::PutVarint64(&o.agreement, graph.size());
    }
  }
  if (hooks != nullptr && comm.rank() == lead) o.before_write = hooks->before_write;
  CKPT_RETURN_IF_ERROR(distributed::SaveDistributed(comm, values, prefix, o).status());
  *written = true;  // committed: every rank knows it

  const auto next = [&] { return DeadlineAfter(options.collective_timeout); };
  // The user's callbacks run on every rank; a failure anywhere fails every
  // rank alike (the checkpoint stays, unrecorded, as in one process).
  CKPT_RETURN_IF_ERROR(distributed::AgreeOnStatus(comm, Notify(options.experimental_write_callbacks, nullptr, prefix),
                                                  next(),
                                                  "write callbacks after the distributed save of " + prefix));
  // Bookkeeping (state file, retention) is rank 0's; the others learn its
  // outcome and, for a manager, its resulting state.
  Status kept;
  std::string shared;
  if (comm.rank() == lead) {
    if (after) kept = after(prefix);
    if (kept.ok() && hooks != nullptr && hooks->share) shared = hooks->share();
  }
  CKPT_ASSIGN_OR_RETURN(std::string outcome,
                        distributed::BroadcastOutcome(comm, kept, shared, next(), "bookkeeping of " + prefix, lead));
  if (comm.rank() != lead && hooks != nullptr && hooks->adopt) CKPT_RETURN_IF_ERROR(hooks->adopt(outcome));
  return prefix;
}

Result<std::string> Checkpoint::Impl::SubmitDistributed(const std::string& prefix, const CheckpointOptions& options,
                                                        std::span<const NamedView> values, Status local_error,
                                                        WriteCallback after, const manager::DistributedHooks* hooks) {
  // Every return before the job is queued happens alike on every rank, so
  // that all ranks queue the same saves in the same order: their jobs'
  // collectives then pair up on the writer threads.
  CKPT_RETURN_IF_ERROR(options.communicator->CheckBackgroundCollectives());
  async::BackgroundWriter* writer = Writer(options);
  // The outcome of the previous async save, known identically on every
  // rank once its job is done (its vote and its agreed callbacks and
  // bookkeeping give every rank the same status). Waiting for it here, not
  // only for a free staging buffer, is what makes "the next Save reports
  // it" the same save on every rank; so with a communicator at most one
  // async save is in flight (further staging buffers bring nothing).
  CKPT_RETURN_IF_ERROR(writer->Sync());

  const std::string dir(Dirname(prefix));
  const uint64_t pending = async::PendingWrites::Global().Begin(dir);
  // The job owns copies of all it needs (CO-13). `this` outlives it: the
  // writer is destroyed first and waits for its jobs; the manager behind
  // `hooks` and `after` waits for them in its destructor.
  const auto make_job = [&](Status error) {
    return [this, prefix, dir, pending, options, after, error = std::move(error),
            hooks = hooks ? std::optional<manager::DistributedHooks>(*hooks) : std::nullopt](
               const async::StagingBuffer& staged) -> Status {
      bool written = false;
      Status s = WriteDistributed(prefix, options, staged.values(), error, after, &written,
                                  hooks ? &*hooks : nullptr)
                     .status();
      async::PendingWrites::Global().End(dir, pending);
      return s;
    };
  };
  auto ticket = writer->Submit(values, make_job(std::move(local_error)));
  if (!ticket.ok()) {
    // Staging failed on this rank (no earlier error is left: taken above).
    // It still takes part, with its error, so every rank's job fails alike.
    ticket = writer->Submit({}, make_job(ticket.status()));
  }
  if (!ticket.ok()) {
    async::PendingWrites::Global().End(dir, pending);
    return ticket.status();
  }
  {
    std::lock_guard<std::mutex> l(writer_mu_);
    last_ticket_ = std::max(last_ticket_, *ticket);
  }
  return prefix;
}

async::BackgroundWriter* Checkpoint::Impl::Writer(const CheckpointOptions& options) {
  std::lock_guard<std::mutex> l(writer_mu_);
  if (!writer_) writer_ = std::make_unique<async::BackgroundWriter>(options.async_staging_buffers);
  return writer_.get();
}

Status Checkpoint::Impl::PrepareAsync(const CheckpointOptions& options) {
  CKPT_ASSIGN_OR_RETURN(graph::SaveList list, core.Collect());
  const size_t bytes = async::StagingBuffer::ArenaBytes(list.entries);
  // Headroom: save_counter appears at the first Save, and a state that grows
  // a little must not remap (and fault) the arena at the first save.
  Writer(options)->Prepare(bytes + bytes / 8 + (size_t{1} << 20));
  return OkStatus();
}

Status Checkpoint::Impl::Sync() {
  async::BackgroundWriter* writer;
  {
    std::lock_guard<std::mutex> l(writer_mu_);
    writer = writer_.get();
  }
  if (writer && writer->OnWriterThread()) return CalledFromCallback("Sync");
  return writer ? writer->Sync() : OkStatus();
}

void Checkpoint::Impl::WaitForWrites() {
  async::BackgroundWriter* writer;
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> l(writer_mu_);
    writer = writer_.get();
    ticket = last_ticket_;
  }
  // On the writer's own thread every earlier write is done and the current
  // one cannot be waited for.
  if (writer && ticket > 0 && !writer->OnWriterThread()) writer->WaitFor(ticket);
}

void Checkpoint::Impl::WaitForWritesInto(std::string_view save_path) {
  // A write callback does not wait: the write it belongs to is in flight
  // until it returns, and two writers' callbacks could wait for each other.
  // Its own checkpoint's files are complete when it runs.
  if (async::BackgroundWriter::OnAnyWriterThread()) return;
  async::PendingWrites::Global().WaitIdle(std::string(Dirname(save_path)));
}

bool Checkpoint::Impl::OnOwnWriterThread() const {
  std::lock_guard<std::mutex> l(writer_mu_);
  return writer_ && writer_->OnWriterThread();
}

Status Checkpoint::Impl::CalledFromCallback(std::string_view what) {
  return FailedPreconditionError(std::string(what) +
                                 " of a Checkpoint called from one of its own write callbacks: it would wait for "
                                 "that callback to return. Save or sync from the training thread instead.");
}

}  // namespace ckpt
