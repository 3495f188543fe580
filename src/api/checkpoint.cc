// The public Checkpoint: the graph-layer core plus sync/async writing
// (checkpoint_impl.h).
#include "ckpt/checkpoint.h"

#include "api/checkpoint_impl.h"
#include "api/io_rank_restore.h"
#include "base/log.h"
#include "ckpt/status_macros.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/status_macros.h"

namespace ckpt {

Checkpoint::Checkpoint(std::vector<std::pair<std::string, Trackable*>> named, CheckpointOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->core.InitNamed(std::move(named));
}

Checkpoint::Checkpoint(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named,
                       CheckpointOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->core.InitRooted(root, std::move(named));
}

Checkpoint::~Checkpoint() = default;

Status Checkpoint::status() const { return impl_->core.status(); }

Result<std::string> Checkpoint::Save(std::string_view file_prefix) { return Save(file_prefix, impl_->defaults); }

Result<std::string> Checkpoint::Save(std::string_view file_prefix, const CheckpointOptions& call_options) {
  CKPT_RETURN_IF_ERROR(impl_->core.status());
  CKPT_ASSIGN_OR_RETURN(CheckpointOptions options, impl_->Resolve(&call_options));
  CKPT_ASSIGN_OR_RETURN(Variable * counter, impl_->core.SaveCounter());
  int64_t& value = counter->flat<int64_t>()[0];
  const int64_t previous = value;
  value = previous + 1;
  const std::string path = std::string(file_prefix) + "-" + std::to_string(value);
  FileSystem* fs = impl_->core.fs();
  // The state file is the last callback (CO-10): a callback that fails
  // leaves the new checkpoint unrecorded (CO-12).
  WriteCallback record = [fs](const std::string& p) {
    CheckpointStateOptions o;
    o.save_relative_paths = true;
    o.fs = fs;
    return UpdateCheckpointState(Dirname(p), p, o);
  };
  bool written = false;
  auto result = impl_->WriteAndNotify(path, options, std::move(record), &written);
  // Nothing on disk (or, async, nothing queued): a retry reuses the number
  // (deliberate, see header). A failed callback leaves the files, and the number.
  if (!result.ok() && !written) value = previous;
  return result;
}

Result<std::string> Checkpoint::Write(std::string_view file_prefix) { return Write(file_prefix, impl_->defaults); }

Result<std::string> Checkpoint::Write(std::string_view file_prefix, const CheckpointOptions& call_options) {
  CKPT_RETURN_IF_ERROR(impl_->core.status());
  CKPT_ASSIGN_OR_RETURN(CheckpointOptions options, impl_->Resolve(&call_options));
  bool written = false;
  return impl_->WriteAndNotify(std::string(file_prefix), options, nullptr, &written);
}

Status Checkpoint::Sync() { return impl_->Sync(); }

Status Checkpoint::PrepareAsync() { return PrepareAsync(impl_->defaults); }

Status Checkpoint::PrepareAsync(const CheckpointOptions& call_options) {
  CKPT_RETURN_IF_ERROR(impl_->core.status());
  CKPT_ASSIGN_OR_RETURN(CheckpointOptions options, impl_->Resolve(&call_options));
  return impl_->PrepareAsync(options);
}

Result<LoadStatus> Checkpoint::Restore(std::string_view save_path) {
  Impl::WaitForWritesInto(save_path);
  return ReadThroughIoRank(impl_->defaults, [&](std::shared_ptr<FileSystem> fs) {
    return impl_->core.Restore(save_path, std::move(fs));
  });
}

Result<LoadStatus> Checkpoint::Read(std::string_view save_path) {
  Impl::WaitForWritesInto(save_path);
  return ReadThroughIoRank(impl_->defaults, [&](std::shared_ptr<FileSystem> fs) {
    return impl_->core.Read(save_path, false, std::move(fs));
  });
}

namespace {
// The constructor's options with the call's group fields: what a restore
// with per-call options reads through.
CheckpointOptions WithGroupOf(CheckpointOptions defaults, const CheckpointOptions& call) {
  defaults.communicator = call.communicator;
  defaults.collective_timeout = call.collective_timeout;
  defaults.experimental_io_device = call.experimental_io_device;
  return defaults;
}
}  // namespace

Result<LoadStatus> Checkpoint::Restore(std::string_view save_path, const CheckpointOptions& options) {
  Impl::WaitForWritesInto(save_path);
  return ReadThroughIoRank(WithGroupOf(impl_->defaults, options), [&](std::shared_ptr<FileSystem> fs) {
    return impl_->core.Restore(save_path, std::move(fs));
  });
}

Result<LoadStatus> Checkpoint::Read(std::string_view save_path, const CheckpointOptions& options) {
  Impl::WaitForWritesInto(save_path);
  return ReadThroughIoRank(WithGroupOf(impl_->defaults, options), [&](std::shared_ptr<FileSystem> fs) {
    return impl_->core.Read(save_path, false, std::move(fs));
  });
}

Trackable& Checkpoint::root() { return impl_->core.root(); }

Variable& Checkpoint::save_counter() {
  // Creation fails only when a pending restore of it does; the counter
  // exists either way, so a second call returns it.
  auto c = impl_->core.SaveCounter();
  if (c.ok()) return **c;
  return **impl_->core.SaveCounter();
}

}  // namespace ckpt
