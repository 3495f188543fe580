// CheckpointManager: numbering, the interval rule and the directory lock on
// the caller's thread; recording, the state file and retention (pure
// functions in manager/retention.h) as the last callback of the write, so
// for async saves they run once the checkpoint is durable (CO-25). The write
// itself is the Checkpoint's (managed_checkpoint.h); only
// CheckpointManager::Create lives in api/, where it can reach it.
//
// Protocol of one save (numbered as the crash tests cut power after them):
//   1. bundle: data, fsync, index, fsync, rename, directory fsync
//      (BundleWriter);
//   2. the user's write callbacks;
//   3. state file listing the new checkpoint and everything still active
//      (atomic, fsynced);
//   4. retention: for each checkpoint beyond max_to_keep that is not
//      preserved, delete its index, then its data files; directory fsync;
//   5. state file again, without the deleted/preserved entries.
// After a cut between 3 and 5 the state file still lists entries beyond
// max_to_keep (some maybe half deleted); the next save's sweep removes them.
// A kill or cut inside step 1 leaves temporary files or data without an index:
// the first save of the next manager, once it holds the directory lock (and so
// knows no other manager is writing there), deletes them (CleanLitter). Without
// the lock (lock_directory = false) nothing proves they are litter: kept.
// A failure this manager sees (a save or its Sync returning an error, a
// deletion in step 4 failing) can leave the same kinds of files while the
// process lives on; the next save cleans again, once its own writes are
// drained (issue 14: an I/O error used to leave them until a restart).
#include "ckpt/checkpoint_manager.h"

#include <bit>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <mutex>

#include "base/coding.h"
#include "base/io_device_name.h"
#include "base/log.h"
#include "ckpt/status_macros.h"
#include "ckpt/checkpoint_state.h"
#include "manager/checkpoint_manager_impl.h"

namespace ckpt {

namespace {
constexpr std::string_view kLockFilename = ".ckpt-manager.lock";

double WallClock() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string FormatSeconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", s);  // TF formats with %f (CM-24)
  return buf;
}

Result<int64_t> ReadStep(const Variable& v) {
  if (v.shape().rank() != 0) {
    return InvalidArgumentError("step_counter must be a scalar, got shape " + v.shape().ToString());
  }
  switch (v.dtype()) {
    case DType::kInt64:
      return v.flat<int64_t>()[0];
    case DType::kInt32:
      return int64_t{v.flat<int32_t>()[0]};
    default:
      return InvalidArgumentError("step_counter must be an int32 or int64 variable, got " +
                                  std::string(DTypeName(v.dtype())));
  }
}
}  // namespace

CheckpointManager::Impl::Impl(Checkpoint& checkpoint, std::unique_ptr<manager::ManagedCheckpoint> internals,
                              std::string directory, std::optional<int> max_to_keep, CheckpointManagerOptions options)
    : checkpoint_(checkpoint),
      internals_(std::move(internals)),
      fs_(internals_->fs()),
      directory_(std::move(directory)),
      prefix_(JoinPath(directory_, options.checkpoint_name)),
      policy_{max_to_keep, options.keep_checkpoint_every_n_hours},
      options_(std::move(options)) {
  if (!options_.clock) options_.clock = WallClock;
  last_step_ = options_.last_checkpoint_step;
}

Status CheckpointManager::Impl::Init() {
  CKPT_ASSIGN_OR_RETURN(std::optional<CheckpointState> stored, GetCheckpointState(directory_, kDefaultStateFilename, fs_));
  manager::Recovery r = manager::Recover(stored, options_.clock());
  if (r.clock_behind_by) {
    LogWarning("time.time() returned a value " + FormatSeconds(*r.clock_behind_by) +
               " seconds behind the last preserved checkpoint timestamp.");
  }
  state_ = std::move(r.state);
  return OkStatus();
}

Result<std::optional<std::string>> CheckpointManager::Impl::Save(const CheckpointOptions* call,
                                                                std::optional<int64_t> number, bool check_interval) {
  CKPT_ASSIGN_OR_RETURN(CheckpointOptions options, internals_->Resolve(call ? call : options_.save_options ? &*options_.save_options : nullptr));
  if (options_.checkpoint_interval) {
    CKPT_ASSIGN_OR_RETURN(int64_t step, ReadStep(*options_.step_counter));
    if (manager::SkipForInterval(last_step_, step, *options_.checkpoint_interval, check_interval)) {
      return std::optional<std::string>();  // CM-31..CM-33
    }
    last_step_ = step;  // before the write: a failed save still blocks this step (CM-34)
  }
  // Distributed: rank 0 alone holds the lock, cleans, records and deletes;
  // the other ranks adopt its state (docs/distributed.md).
  const bool distributed = options.communicator != nullptr && options.communicator->size() > 1;
  // With an io rank (experimental_io_device naming a task) that rank does it.
  const bool bookkeeper = !distributed || options.communicator->rank() ==
                                              LeadRankFor(options.experimental_io_device, options.communicator->size());
  if (bookkeeper) {
    CKPT_RETURN_IF_ERROR(LockDirectory());
    if (lock_ && litter_suspected_.exchange(false)) CleanLitter();
  }
  CKPT_ASSIGN_OR_RETURN(Variable * counter, internals_->SaveCounter());
  int64_t& value = counter->flat<int64_t>()[0];
  const int64_t previous = value;
  value = previous + 1;  // on every save, numbered or not (CM-08)
  const std::string path = prefix_ + "-" + std::to_string(number ? *number : value);
  bool written = false;
  manager::DistributedHooks hooks;
  if (distributed && bookkeeper && lock_ && temps_suspected_.exchange(false)) {
    hooks.before_write = [this] { CleanDistributedTemps(); };
  } else if (!distributed && lock_ && temps_suspected_.exchange(false)) {
    // One process: the part files a killed sharded save (a sharding callback
    // with several shards writes <path>_temp/part-*) left behind. The lock
    // excludes other managers; our own Checkpoint's writes are awaited first.
    internals_->WaitForWrites();
    CleanDistributedTemps();
  }
  hooks.share = [this] { return EncodeState(); };
  hooks.adopt = [this](std::string_view bytes) { return AdoptState(bytes); };
  auto result = internals_->WriteAndNotify(
      path, options, [this](const std::string& p) { return RecordAndSweep(p); }, &written, &hooks);
  if (!result.ok()) {
    if (!written) value = previous;  // as Checkpoint::Save: a retry reuses the number
    NoteFailure(result.status());
    return result.status();
  }
  return std::optional<std::string>(*result);
}

Result<std::optional<std::string>> CheckpointManager::Impl::RestoreOrInitialize() {
  // Deliberate (TF: CO-26): an async save still in flight is waited for,
  // so a restore right after it sees that checkpoint instead of running
  // init_fn.
  internals_->WaitForWrites();
  std::optional<std::string> latest = latest_checkpoint();
  if (latest) {
    // The status is dropped as in TF: unmatched values only warn (CM-40).
    CKPT_ASSIGN_OR_RETURN(LoadStatus status, checkpoint_.Restore(*latest));
    (void)status;
    if (options_.checkpoint_interval) {
      CKPT_ASSIGN_OR_RETURN(int64_t step, ReadStep(*options_.step_counter));
      last_step_ = step;  // CM-38
    }
    return latest;
  }
  if (options_.init_fn) {
    CKPT_RETURN_IF_ERROR(options_.init_fn());
    LogInfo("Customized initialization is done through the passed `init_fn`.");
  }
  return std::optional<std::string>();
}

std::optional<std::string> CheckpointManager::Impl::latest_checkpoint() const {
  std::lock_guard<std::mutex> l(mu_);
  return state_.latest;
}
std::vector<std::string> CheckpointManager::Impl::checkpoints() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& c : state_.active) out.push_back(c.path);
  return out;
}
double CheckpointManager::Impl::last_preserved_timestamp() const {
  std::lock_guard<std::mutex> l(mu_);
  return state_.last_preserved_timestamp;
}

Status CheckpointManager::Impl::LockDirectory() {
  if (!options_.lock_directory || lock_) return OkStatus();
  CKPT_RETURN_IF_ERROR(fs_->RecursivelyCreateDir(directory_));
  auto lock = fs_->LockFile(JoinPath(directory_, kLockFilename));
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kFailedPrecondition) {
      return FailedPreconditionError(
          "another CheckpointManager is managing " + directory_ +
          " (in this or another process); two managers in one directory would delete each other's "
          "checkpoints. Use another directory, or destroy the other manager first (" +
          lock.status().message() + ")");
    }
    return lock.status();
  }
  lock_ = std::move(*lock);
  CleanLitter();
  return OkStatus();
}

void CheckpointManager::Impl::CleanLitter() {
  internals_->WaitForWrites();  // our own Checkpoint's writes are not litter
  const std::string dir = directory_.empty() ? "." : directory_;
  auto children = fs_->GetChildren(dir);
  if (!children.ok()) return;  // the save that follows reports an unreadable directory itself
  std::vector<std::string> litter = manager::Litter(options_.checkpoint_name, kDefaultStateFilename, *children);
  size_t deleted = 0;
  for (const std::string& f : litter) {
    Status s = fs_->DeleteFile(JoinPath(directory_, f));
    if (s.ok()) {
      ++deleted;
    } else if (s.code() != StatusCode::kNotFound) {
      // Best effort: litter that cannot be removed costs space, not correctness.
      LogWarning("CheckpointManager: could not remove " + f + " left by an interrupted save: " + s.ToString());
    }
  }
  if (deleted > 0) {
    LogInfo("CheckpointManager: removed " + std::to_string(deleted) + " file(s) left in " + dir +
            " by an interrupted save");
    (void)fs_->SyncDir(dir);
  }
}

void CheckpointManager::Impl::CleanDistributedTemps() {
  const std::string dir = directory_.empty() ? "." : directory_;
  auto children = fs_->GetChildren(dir);
  if (!children.ok()) return;
  size_t deleted = 0;
  for (const std::string& temp : manager::DistributedTempDirs(options_.checkpoint_name, *children)) {
    const std::string path = JoinPath(directory_, temp);
    auto parts = fs_->GetChildren(path);
    if (!parts.ok()) continue;  // a file of that name, not a directory: not ours
    for (const std::string& f : *parts) {
      if (!manager::IsDistributedPartFile(f)) continue;  // never anything but save parts
      if (fs_->DeleteFile(JoinPath(path, f)).ok()) ++deleted;
    }
    fs_->DeleteDir(path).IgnoreError();  // kept if something else lives there
  }
  if (deleted > 0) {
    LogInfo("CheckpointManager: removed " + std::to_string(deleted) + " part file(s) left in " + dir +
            " by an interrupted sharded or distributed save");
  }
}

// State shared by rank 0: latest (flag, path), last_preserved_timestamp,
// then each active checkpoint's path and timestamp (doubles as their bits).
std::string CheckpointManager::Impl::EncodeState() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  auto put_string = [&](std::string_view v) {
    coding::PutVarint64(&out, v.size());
    out += v;
  };
  auto put_double = [&](double d) { coding::PutFixed64(&out, std::bit_cast<uint64_t>(d)); };
  coding::PutVarint64(&out, state_.latest ? 1 : 0);
  put_string(state_.latest ? *state_.latest : std::string());
  put_double(state_.last_preserved_timestamp);
  coding::PutVarint64(&out, state_.active.size());
  for (const auto& c : state_.active) {
    put_string(c.path);
    put_double(c.timestamp);
  }
  return out;
}

Status CheckpointManager::Impl::AdoptState(std::string_view bytes) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  const Status malformed = DataLossError("CheckpointManager: malformed state from rank 0");
  auto get_string = [&](std::string* v) {
    uint64_t n;
    if (!coding::GetVarint64(&p, end, &n) || n > static_cast<uint64_t>(end - p)) return false;
    v->assign(p, static_cast<size_t>(n));
    p += n;
    return true;
  };
  auto get_double = [&](double* d) {
    if (end - p < 8) return false;
    *d = std::bit_cast<double>(coding::DecodeFixed64(p));
    p += 8;
    return true;
  };
  manager::ManagerState s;
  uint64_t has_latest, count;
  std::string latest;
  if (!coding::GetVarint64(&p, end, &has_latest) || has_latest > 1 || !get_string(&latest) ||
      !get_double(&s.last_preserved_timestamp) || !coding::GetVarint64(&p, end, &count) ||
      count > static_cast<uint64_t>(end - p)) {
    return malformed;
  }
  if (has_latest) s.latest = std::move(latest);
  for (uint64_t i = 0; i < count; ++i) {
    manager::TimedCheckpoint c;
    if (!get_string(&c.path) || !get_double(&c.timestamp)) return malformed;
    s.active.push_back(std::move(c));
  }
  if (p != end) return malformed;
  std::lock_guard<std::mutex> l(mu_);
  state_ = std::move(s);
  return OkStatus();
}

Status CheckpointManager::Impl::RecordAndSweep(const std::string& path) {
  Status s = RecordAndSweepLocked(path);
  NoteFailure(s);
  return s;
}

Status CheckpointManager::Impl::RecordAndSweepLocked(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  manager::RecordCheckpoint(state_, path, options_.clock());  // CM-12: time of completion
  CKPT_RETURN_IF_ERROR(WriteState());
  manager::SweepResult swept = manager::Sweep(state_, policy_);
  if (!swept.deleted.empty()) {
    CKPT_RETURN_IF_ERROR(DeleteCheckpoints(swept.deleted));
  }
  if (swept.deleted.empty() && swept.preserved.empty()) return OkStatus();
  return WriteState();
}

Status CheckpointManager::Impl::WriteState() {
  CheckpointStateOptions o;
  for (const auto& c : state_.active) {
    o.all_paths.push_back(c.path);
    o.timestamps.push_back(c.timestamp);
  }
  o.last_preserved_timestamp = state_.last_preserved_timestamp;
  o.save_relative_paths = true;
  o.fs = fs_;
  return UpdateCheckpointState(directory_, *state_.latest, o);
}

Status CheckpointManager::Impl::DeleteCheckpoints(const std::vector<std::string>& prefixes) {
  CKPT_ASSIGN_OR_RETURN(std::vector<std::string> children, fs_->GetChildren(directory_.empty() ? "." : directory_));
  bool deleted_any = false;
  for (const std::string& p : prefixes) {
    if (!manager::IsConfinedCheckpoint(directory_, p)) {
      // Deliberate: never delete outside our directory, or files not named
      // like checkpoints, whatever the state file says.
      LogWarning("CheckpointManager: not deleting " + p + ": it is not a checkpoint in " + directory_);
      continue;
    }
    std::vector<std::string> files = manager::DeletableFiles(directory_, p, children);
    for (const std::string& f : files) {
      Status s = fs_->DeleteFile(JoinPath(directory_, f));
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      deleted_any = deleted_any || s.ok();
    }
  }
  if (deleted_any) CKPT_RETURN_IF_ERROR(fs_->SyncDir(directory_.empty() ? "." : directory_));
  return OkStatus();
}

Result<std::unique_ptr<CheckpointManager>> CheckpointManager::Impl::Create(
    Checkpoint& checkpoint, std::unique_ptr<manager::ManagedCheckpoint> internals, std::string directory,
    std::optional<int> max_to_keep, CheckpointManagerOptions options) {
  if (max_to_keep && *max_to_keep <= 0) {
    return InvalidArgumentError("Expected a positive integer or `None` for `max_to_keep`, got " +
                                std::to_string(*max_to_keep) + ".");
  }
  if (options.checkpoint_interval && options.step_counter == nullptr) {
    return InvalidArgumentError("`step_counter` should be passed if `checkpoint_interval` is not None.");
  }
  CKPT_RETURN_IF_ERROR(checkpoint.status());
  auto impl = std::make_unique<Impl>(checkpoint, std::move(internals), std::move(directory), max_to_keep,
                                     std::move(options));
  CKPT_RETURN_IF_ERROR(impl->Init());
  // Async saves ahead: have the staging memory ready before the first one.
  if (impl->options_.save_options && impl->options_.save_options->async()) {
    checkpoint.PrepareAsync(*impl->options_.save_options).IgnoreError();  // the first save reports real errors
  }
  return std::unique_ptr<CheckpointManager>(new CheckpointManager(std::move(impl)));
}

CheckpointManager::CheckpointManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CheckpointManager::~CheckpointManager() {
  // Queued writes call back into this manager.
  impl_->internals_->WaitForWrites();
}

Result<std::optional<std::string>> CheckpointManager::Save(std::optional<int64_t> checkpoint_number,
                                                           bool check_interval) {
  return impl_->Save(nullptr, checkpoint_number, check_interval);
}

Result<std::optional<std::string>> CheckpointManager::Save(const CheckpointOptions& options,
                                                           std::optional<int64_t> checkpoint_number,
                                                           bool check_interval) {
  return impl_->Save(&options, checkpoint_number, check_interval);
}

Result<std::optional<std::string>> CheckpointManager::RestoreOrInitialize() { return impl_->RestoreOrInitialize(); }

Status CheckpointManager::Sync() {
  Status s = impl_->internals_->Sync();
  impl_->NoteFailure(s);
  return s;
}

std::optional<std::string> CheckpointManager::latest_checkpoint() const { return impl_->latest_checkpoint(); }
std::vector<std::string> CheckpointManager::checkpoints() const { return impl_->checkpoints(); }
const std::string& CheckpointManager::directory() const { return impl_->directory_; }
std::optional<int64_t> CheckpointManager::checkpoint_interval() const { return impl_->options_.checkpoint_interval; }
double CheckpointManager::last_preserved_timestamp() const { return impl_->last_preserved_timestamp(); }
Checkpoint& CheckpointManager::checkpoint() { return impl_->checkpoint_; }

}  // namespace ckpt
