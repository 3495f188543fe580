// The bookkeeping of tf.train.CheckpointManager as pure functions over the
// list of active checkpoints: recovery from a state file, recording a new
// checkpoint, the max_to_keep / keep_checkpoint_every_n_hours sweep, the
// checkpoint_interval rule, and which files a deletion may touch. No I/O:
// everything here is tested without a file system.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/checkpoint_state.h"

namespace ckpt::manager {

struct TimedCheckpoint {
  std::string path;
  double timestamp = 0;
  friend bool operator==(const TimedCheckpoint&, const TimedCheckpoint&) = default;
};

struct ManagerState {
  std::optional<std::string> latest;
  std::vector<TimedCheckpoint> active;  // oldest first
  double last_preserved_timestamp = 0;
};

struct Recovery {
  ManagerState state;
  // Set when the clock is behind the stored last_preserved_timestamp: by how
  // many seconds (TF logs a warning, CM-24).
  std::optional<double> clock_behind_by;
};

// What a new manager makes of the state file (`state` as GetCheckpointState
// returns it: paths already joined onto the directory) at time `now`:
//   * no state file: nothing active, last_preserved = now - 1 (CM-18);
//   * else latest = model_checkpoint_path (CM-22, not checked, CM-27);
//     last_preserved = stored value, or `now` if the clock is behind it
//     (CM-24); timestamps missing -> every entry gets last_preserved
//     (CM-25); each timestamp is clamped to now and the entry is active only
//     if it is newer than last_preserved (CM-23). Paths and timestamps are
//     paired in order; extra entries of the longer list are ignored.
Recovery Recover(const std::optional<CheckpointState>& state, double now);

// Appends `path` with `timestamp`, first removing an existing entry of the
// same path (a re-save moves it to the newest position, CM-10), and makes it
// latest.
void RecordCheckpoint(ManagerState& state, std::string path, double timestamp);

struct RetentionPolicy {
  std::optional<int> max_to_keep;  // nullopt: keep everything (CM-17)
  std::optional<double> keep_checkpoint_every_n_hours;
};

struct SweepResult {
  std::vector<std::string> deleted;    // files to delete, oldest first
  std::vector<std::string> preserved;  // kept forever, dropped from the list
};

// While more than max_to_keep are active, takes the oldest: preserved when
// keep_every_n_hours is set and its timestamp - hours*3600 >=
// last_preserved (which then becomes its timestamp), otherwise deleted
// (CM-14, CM-16, CM-19..CM-21). Updates `state` in place.
SweepResult Sweep(ManagerState& state, const RetentionPolicy& policy);

// CM-31..CM-35: whether a save at `step` is skipped, given the step of the
// last save (nullopt: none yet).
bool SkipForInterval(std::optional<int64_t> last_step, int64_t step, int64_t interval, bool check_interval);

// True when `prefix` lies directly in `dir` (after lexical normalisation) and
// its base name looks like `<name>-<digits>`: the only checkpoints a manager
// ever deletes.
bool IsConfinedCheckpoint(std::string_view dir, std::string_view prefix);

// Deletion confinement: the file names (in `dir`'s listing `children`) that
// deleting checkpoint `prefix` may remove — `<base>.index` and
// `<base>.data-NNNNN-of-NNNNN` — where <base> is Basename(prefix). Empty
// unless IsConfinedCheckpoint(dir, prefix). The index comes first (a
// checkpoint without its index no longer counts as existing).
std::vector<std::string> DeletableFiles(std::string_view dir, std::string_view prefix,
                                        const std::vector<std::string>& children);

// What a process that died in the middle of a save leaves in a manager's
// directory, from its listing `children` (sorted, names only):
//   * temporary files of a checkpoint `<name>-<digits>.index` or
//     `.data-NNNNN-of-NNNNN`, or of the state file `state_filename`: the
//     name followed by ".tmp<hex>" (io::TempFileName) or ".tempstate<digits>"
//     (TensorFlow's spelling, and ckpt's before it had one helper);
//   * data files `<name>-<digits>.data-NNNNN-of-NNNNN` whose
//     `<name>-<digits>.index` is absent: the index is published last, so
//     such data belongs to a save that never completed.
// A checkpoint whose index exists is never litter, listed in the state file
// or not, and nothing of another name is touched. Only safe to delete while
// no save into the directory can be in flight: the manager calls it once,
// holding the directory lock, with its own writes drained.
std::vector<std::string> Litter(std::string_view checkpoint_name, std::string_view state_filename,
                                const std::vector<std::string>& children);

// The part directories of distributed saves (`<name>-<digits>_temp`,
// distributed/distributed_save.h) in a manager's directory listing. A save
// removes its own when it finishes, so one that exists while no save of this
// manager's job is writing was left by a dead one.
std::vector<std::string> DistributedTempDirs(std::string_view checkpoint_name,
                                             const std::vector<std::string>& children);
// Whether a file inside such a directory is a part of a save
// (`part-RRRRR-of-NNNNN.index`, `.data-...`, or a temporary of either):
// the only files the manager deletes there.
bool IsDistributedPartFile(std::string_view name);

}  // namespace ckpt::manager
