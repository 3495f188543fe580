// The `checkpoint` state file: which checkpoints exist in a directory and
// which one is the latest (TensorFlow's checkpoint_management functions).
//
// A training directory holds bundles (`<prefix>.index`, `<prefix>.data-*`)
// plus one small text file, by default `<dir>/checkpoint`, that records
//
//   model_checkpoint_path: "ckpt-2"              the newest checkpoint
//   all_model_checkpoint_paths: "ckpt-1"         every kept checkpoint,
//   all_model_checkpoint_paths: "ckpt-2"         oldest first
//   all_model_checkpoint_timestamps: 1712345600.5  (optional) one per path,
//   all_model_checkpoint_timestamps: 1712345660.75 seconds since the epoch
//   last_preserved_timestamp: 1712345599.25      (optional)
//
// The file is protobuf text format of TensorFlow's CheckpointState message.
// What UpdateCheckpointState writes is byte-identical to what TensorFlow's
// tf.compat.v1.train.update_checkpoint_state (and the internal variant used
// by tf.train.Checkpoint / CheckpointManager) writes for the same inputs,
// and GetCheckpointState reads what TensorFlow writes with identical results.
// Behaviour items are cited as ST-xx (see docs/behaviours/st.md).
//
// Paths: plain strings, '/' separated. Relative paths are interpreted the
// way Python's os.path does (relative to the process's current directory
// where a relative path has to be compared with another one); nothing is
// normalised when a stored relative path is joined back onto the directory.
//
// Every function takes an optional FileSystem; nullptr means
// FileSystem::Default() (POSIX).
//
// Thread-safety: the functions keep no state and may be called from several
// threads. Two concurrent UpdateCheckpointState calls on one directory each
// publish a complete file; the last rename wins.
//
// Deliberate differences from TensorFlow (everything else matches):
//   * UpdateCheckpointState makes the new file durable: it fsyncs the
//     temporary file before the rename and the directory after it.
//     TensorFlow issues no fsync.
//   * GetCheckpointState reports a state file that cannot be parsed as
//     DataLoss (naming the file and the parse problem) and a file that
//     cannot be read with the I/O error. TensorFlow logs two warnings and
//     behaves as if there were no state file (returns None).
//   * GetCheckpointMtimes keeps sub-second precision. TensorFlow's POSIX
//     file system reports whole seconds.
//   * Glob patterns honour wildcards in the last path
//     component only (FileSystem::GetMatchingPaths); TensorFlow also expands
//     wildcards in directory components.
//   * Parsing uses the C++ protobuf text-format parser, which agrees with
//     TensorFlow's Python parser on every ordinary spelling (comments, field
//     order, quotes, concatenation, lists, integer/exponent numbers, inf,
//     nan, escapes, rejection of hex/octal numbers and of non-UTF-8 text).
//     Exotic spellings differ: Python also accepts the numbers `+5`, `1_000`
//     and `inff` and reads the escape `\?` as backslash + '?'; here `- 5`
//     (space after the sign) is accepted and `\?` reads as '?'.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt {

// The content of a state file (TensorFlow's CheckpointState proto, field
// numbers 1..4, printed in this order).
struct CheckpointState {
  // The newest checkpoint prefix. Never empty in a valid state.
  std::string model_checkpoint_path;
  // Every checkpoint still on disk, oldest first; the last element equals
  // model_checkpoint_path in anything this module writes.
  std::vector<std::string> all_model_checkpoint_paths;
  // Empty, or one creation time (seconds since the epoch) per path.
  std::vector<double> all_model_checkpoint_timestamps;
  // Creation time of the newest checkpoint kept forever by a
  // keep-every-N-hours policy; 0 = none (and then not written).
  double last_preserved_timestamp = 0;

  friend bool operator==(const CheckpointState&, const CheckpointState&) = default;
};

// Which files make up a checkpoint (TensorFlow's SaverDef.CheckpointFormatVersion,
// same numbers). kV2 is a tensor bundle (`P.index` + `P.data-*`); kV1 is the
// legacy single-pattern format whose files match `P` itself.
enum class CheckpointFormat : int {
  kV1 = 1,
  kV2 = 2,
};

// Default state file name inside a checkpoint directory.
inline constexpr std::string_view kDefaultStateFilename = "checkpoint";

// What UpdateCheckpointState and GenerateCheckpointState take besides the
// directory and the newest checkpoint: TensorFlow's keyword arguments of
// update_checkpoint_state, plus the file system. Defaults write a state file
// listing only the newest checkpoint, without timestamps.
struct CheckpointStateOptions {
  // all_model_checkpoint_paths: every checkpoint to list, oldest first.
  std::vector<std::string> all_paths;
  // The state file's name inside save_dir (UpdateCheckpointState only).
  std::string latest_filename = std::string(kDefaultStateFilename);
  // all_model_checkpoint_timestamps: empty, or one per listed path.
  std::vector<double> timestamps;
  double last_preserved_timestamp = 0;
  // Store paths relative to save_dir (see below).
  bool save_relative_paths = false;
  // Where to write (UpdateCheckpointState only); nullptr: FileSystem::Default().
  FileSystem* fs = nullptr;
};

// Builds the state that UpdateCheckpointState would write (no I/O; `fs` and
// `latest_filename` of the options are not used). Rules, applied in this
// order:
//   1. save_relative_paths (what tf.train.Checkpoint, CheckpointManager
//      and Saver(save_relative_paths=True) use): every ABSOLUTE path
//      (model_checkpoint_path and each entry of all_paths) is replaced by its
//      path relative to save_dir (Python os.path.relpath).
//   2. If all_paths is empty or its last element differs from
//      model_checkpoint_path, model_checkpoint_path is appended.
//   3. If timestamps is non-empty, its size must equal the size of the list
//      from step 2, else InvalidArgument "Checkpoint timestamps, if provided,
//      must match checkpoint paths (got paths [...] and timestamps [...])"
//. An empty timestamps vector skips the check.
//   4. If save_dir is a RELATIVE path, every relative path is rewritten
//      relative to save_dir (os.path.relpath, resolved against the current
//      directory): save_dir "train", path "train/model-0" -> "model-0"
//. Absolute paths are kept. Note that with save_relative_paths
//      and a relative save_dir both rules apply, exactly as in TensorFlow.
// Errors: InvalidArgument (step 3; an empty path that step 1/4 would have to
// relativise, "no path specified"; a path that is not valid UTF-8, which the
// text file cannot carry), Internal if the current directory cannot be
// determined.
CKPT_EXPORT Result<CheckpointState> GenerateCheckpointState(std::string_view save_dir,
                                                            std::string_view model_checkpoint_path,
                                                            const CheckpointStateOptions& options = {});

// Writes `<save_dir>/<options.latest_filename>` with the state built by
// GenerateCheckpointState (same arguments), on options.fs.
//
//   ckpt::CheckpointStateOptions o;
//   o.all_paths = {"/train/ckpt-1", "/train/ckpt-2"};
//   o.save_relative_paths = true;
//   CKPT_RETURN_IF_ERROR(ckpt::UpdateCheckpointState("/train", "/train/ckpt-2", o));
//
// If the resulting model_checkpoint_path equals the state file's own path
// (JoinPath(save_dir, latest_filename)), nothing is written and
// FailedPrecondition "Save path '<model_checkpoint_path>' conflicts with path
// used for checkpoint state.  Please use a different save path." is returned
// (TensorFlow raises RuntimeError with this text).
//
// The file is replaced atomically and durably (protocol in
// checkpoint_state.cc): written to `<state file>.tmp<32 lowercase hex>` in the
// same directory, fsynced, renamed over the state file, then the directory is
// fsynced. Readers see the old or the new file, never a mix. On a failure
// before the rename the temporary file is removed and the old state file is
// untouched. The directory is not created: a missing directory is NotFound.
CKPT_EXPORT Status UpdateCheckpointState(std::string_view save_dir, std::string_view model_checkpoint_path,
                                         const CheckpointStateOptions& options = {});

// Reads `<checkpoint_dir>/<latest_filename>`.
//   * no such file -> std::nullopt;
//   * the file exists but cannot be read -> that I/O error, with the path;
//   * not valid text format (or a string that is not UTF-8) -> DataLoss
//     "<file>: cannot parse checkpoint state: <line:column: problem>"
//     (DELIBERATE: TensorFlow returns None here);
//   * parses but model_checkpoint_path is empty (e.g. an empty file) ->
//     InvalidArgument "Invalid checkpoint state loaded from <checkpoint_dir>"
//.
// Relative paths in the file (the model path and each list entry) are
// returned joined onto checkpoint_dir with JoinPath, without normalisation:
// "./m-1" in dir "/d" comes back as "/d/./m-1". Absolute paths are
// returned as stored. The reader accepts general protobuf text format: any
// field order, '#' comments, single or double quotes, adjacent string
// concatenation, list syntax `[a, b]`, exponent and integer numbers,
// inf/nan; a repeated singular field keeps its last value.
CKPT_EXPORT Result<std::optional<CheckpointState>> GetCheckpointState(
    std::string_view checkpoint_dir, std::string_view latest_filename = kDefaultStateFilename,
    FileSystem* fs = nullptr);

// The newest checkpoint prefix in checkpoint_dir, if it still exists.
// Reads the state file as GetCheckpointState (its errors are returned) and
// takes model_checkpoint_path (never the last list element). It is returned
// if `<p>.index` (V2) or `<p>` itself (V1) matches at least one file
// (FileSystem::GetMatchingPaths, so a stored V1 pattern such as
// `<d>/m-?????-of-00002` is returned verbatim); otherwise nullopt
// (TensorFlow logs "Couldn't match files for checkpoint <p>"). nullopt also
// when there is no state file. latest_filename selects another state
// file.
CKPT_EXPORT Result<std::optional<std::string>> LatestCheckpoint(
    std::string_view checkpoint_dir, std::string_view latest_filename = kDefaultStateFilename,
    FileSystem* fs = nullptr);

// True iff `<prefix>.index` or `<prefix>` matches at least one existing path
//. So any existing path, e.g. a directory or a bare `.index` file's
// path, counts. Errors while matching count as "does not exist".
CKPT_EXPORT bool CheckpointExists(std::string_view checkpoint_prefix, FileSystem* fs = nullptr);

// Modification times, in seconds since the epoch, of the checkpoints named by
// `prefixes`: for each prefix, the first match of `<prefix>.index` (V2), else
// the first match of `<prefix>` (V1). Prefixes with no match (or whose file
// cannot be stat'ed) are skipped, so the result can be shorter than the input
//. Sub-second precision (TensorFlow: whole seconds on POSIX).
CKPT_EXPORT std::vector<double> GetCheckpointMtimes(const std::vector<std::string>& prefixes,
                                                    FileSystem* fs = nullptr);

// Deletes the files of one checkpoint:
//   every match of MetaGraphFilename(prefix, meta_graph_suffix), then
//   kV2: every match of `<prefix>.index` and of `<prefix>.data-?????-of-?????`;
//   kV1: every match of `<prefix>`.
// All names are glob patterns, so `*?[` inside prefix widen the match.
// Missing files are not an error (a file that vanishes between matching and
// deleting is skipped, as TensorFlow does after logging a warning). Any other
// deletion or matching error is returned at once; files deleted before it
// stay deleted.
CKPT_EXPORT Status RemoveCheckpoint(std::string_view checkpoint_prefix,
                                    CheckpointFormat format = CheckpointFormat::kV2,
                                    std::string_view meta_graph_suffix = "meta", FileSystem* fs = nullptr);

// The MetaGraphDef file name TF1's Saver writes beside a checkpoint:
// a trailing `-<digits or ?>-of-<digits>` (shard spec) is stripped, then
// `.<suffix>` appended.
//   "model.ckpt-123456-?????-of-00005" -> "model.ckpt-123456.meta"
//   "m-00001-of-00002" -> "m.meta";  "s1" -> "s1.meta"
// Only ASCII digits count as digits (Python's regex also accepts other
// Unicode decimal digits).
CKPT_EXPORT std::string MetaGraphFilename(std::string_view checkpoint_filename,
                                          std::string_view meta_graph_suffix = "meta");

// The exact bytes TensorFlow (Python protobuf text_format.MessageToString)
// produces for `state`: fields in order, one "name: value\n" line per value,
// empty string / zero fields omitted (-0.0 is printed), strings
// double-quoted with \n \r \t \" \' \\ escapes, other ASCII control bytes
// as 3-digit octal escapes and non-ASCII UTF-8 characters unescaped (the
// protobuf release TF 2.21 runs with prints as_utf8; older releases wrote
// octal escapes, which every reader accepts too), doubles as Python
// repr(float) ("1712345678.0", "0.0001", "1.5e-05", "1e+16", "inf", "nan").
// Bytes that are not well-formed UTF-8 (which TensorFlow cannot hold in a
// string field) are printed as octal escapes.
CKPT_EXPORT std::string CheckpointStateToText(const CheckpointState& state);

// Parses state file text (general protobuf text format, see
// GetCheckpointState). Paths are returned as stored (not joined onto a
// directory) and an empty model_checkpoint_path is not an error here.
// DataLoss on a parse error, with "<line>:<column>: <problem>".
CKPT_EXPORT Result<CheckpointState> ParseCheckpointStateText(std::string_view text);

}  // namespace ckpt
