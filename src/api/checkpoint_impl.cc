#include "api/checkpoint_impl.h"

#include <utility>

#include "async/pending_writes.h"
#include "ckpt/bundle.h"
#include "ckpt/status_macros.h"
#include "distributed/save_plan.h"
#include "distributed/value_list.h"

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
                                                     WriteCallback after, bool* written) {
  *written = false;
  if (OnOwnWriterThread()) return CalledFromCallback("Save/Write");
  CKPT_ASSIGN_OR_RETURN(graph::SaveList list, core.Collect());
  const std::vector<NamedView>& values = list.entries;
  CKPT_RETURN_IF_ERROR(CheckParts(values));
  FileSystem* fs = core.fs();

  if (!options.async()) {
    // A synchronous save after async ones keeps call order and reports
    // their error first.
    if (writer_) CKPT_RETURN_IF_ERROR(Sync());
    CKPT_RETURN_IF_ERROR(WriteBundle(fs, options.sync, prefix, values));
    *written = true;
    CKPT_RETURN_IF_ERROR(Notify(options.experimental_write_callbacks, after, prefix));
    return prefix;
  }

  async::BackgroundWriter* writer;
  {
    std::lock_guard<std::mutex> l(writer_mu_);
    if (!writer_) writer_ = std::make_unique<async::BackgroundWriter>(options.async_staging_buffers);
    writer = writer_.get();
  }
  const std::string dir(Dirname(prefix));
  const uint64_t pending = async::PendingWrites::Global().Begin(dir);
  // The job owns copies of everything it needs: the caller's options and
  // callback list may change or die once Save returns (CO-13).
  auto job = [fs, sync = options.sync, prefix, dir, pending, callbacks = options.experimental_write_callbacks,
              after = std::move(after)](const async::StagingBuffer& staged) -> Status {
    Status s = WriteBundle(fs, sync, prefix, staged.values());
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
