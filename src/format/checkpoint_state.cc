// The `checkpoint` state file (TensorFlow's checkpoint_management functions).
//
// State-file update protocol (UpdateCheckpointState). TensorFlow renames a
// temporary file over the state file but never fsyncs; we add steps 4 and 6
// so that a power cut cannot leave an empty or stale-but-renamed file.
//   1. Build the state (GenerateCheckpointState) and refuse a model path that
//      equals the state file's own path (ST-08). Nothing touched yet.
//   2. Serialize it exactly as Python's text_format.MessageToString would.
//   3. Create `<state file>.tmp<32 random lowercase hex>` in the same
//      directory (TensorFlow's temp-name spelling, io::TempFileName) and
//      write the text.
//   4. fsync the temporary file, close it.
//   5. Rename it over `<state file>` (atomic replace; readers see the old or
//      the new file, never a mix).
//   6. fsync the directory so the rename itself is durable.
// A failure in steps 3-5 deletes the temporary file (best effort) and leaves
// the previous state file untouched. A failure in step 6 is reported, but the
// new file is already visible; nothing is rolled back.
//
// Crash outcomes: before 5 -> the old state file (plus possibly a stray
// `.tmp` file, which no reader looks at); after 5 -> the new one, complete.
// Steps 3-6 are io::AtomicFile's protocol (src/io/atomic_file.h).
#include "ckpt/checkpoint_state.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/status_macros.h"
#include "format/checkpoint_state_text.h"
#include "io/atomic_file.h"

namespace ckpt {
namespace {

FileSystem* OrDefault(FileSystem* fs) { return fs ? fs : FileSystem::Default(); }

// Python's os.getcwd().
Result<std::string> CurrentDir() {
  std::vector<char> buf(4096);
  while (::getcwd(buf.data(), buf.size()) == nullptr) {
    if (errno != ERANGE || buf.size() > (1u << 20)) {
      return InternalError(std::string("cannot determine the current directory: ") + std::strerror(errno));
    }
    buf.resize(buf.size() * 2);
  }
  return std::string(buf.data());
}

// Components of Python's os.path.abspath(path) (which normalises lexically:
// "" and "." dropped, ".." removes the previous component, never above "/").
Status AbsComponents(std::string_view path, std::vector<std::string>* out) {
  out->clear();
  auto push_all = [out](std::string_view p) {
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string_view::npos) end = p.size();
      const std::string_view comp = p.substr(start, end - start);
      if (comp == "..") {
        if (!out->empty()) out->pop_back();
      } else if (!comp.empty() && comp != ".") {
        out->emplace_back(comp);
      }
      start = end + 1;
    }
  };
  if (!IsAbsolutePath(path)) {
    CKPT_ASSIGN_OR_RETURN(const std::string cwd, CurrentDir());
    push_all(cwd);
  }
  push_all(path);
  return OkStatus();
}

// Python's os.path.relpath(path, start).
Result<std::string> RelPath(std::string_view path, std::string_view start) {
  if (path.empty()) return InvalidArgumentError("no path specified");
  std::vector<std::string> from, to;
  CKPT_RETURN_IF_ERROR(AbsComponents(start, &from));
  CKPT_RETURN_IF_ERROR(AbsComponents(path, &to));
  size_t common = 0;
  while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
  std::string out;
  for (size_t i = common; i < from.size(); ++i) out += out.empty() ? ".." : "/..";
  for (size_t i = common; i < to.size(); ++i) {
    if (!out.empty()) out += '/';
    out += to[i];
  }
  return out.empty() ? std::string(".") : out;
}

// Deletes every path matching `pattern`; a file that is already gone is fine.
Status DeleteMatching(FileSystem* fs, const std::string& pattern) {
  CKPT_ASSIGN_OR_RETURN(const std::vector<std::string> matches, fs->GetMatchingPaths(pattern));
  for (const std::string& path : matches) {
    Status s = fs->DeleteFile(path);
    // Another process may be deleting the same checkpoint (TF logs a warning).
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  return OkStatus();
}

bool AnyMatch(FileSystem* fs, const std::string& pattern) {
  auto matches = fs->GetMatchingPaths(pattern);
  return matches.ok() && !matches->empty();
}

// Steps 3-6 of the protocol at the top of this file.
Status WriteAtomically(FileSystem* fs, const std::string& path, std::string_view contents) {
  auto out = io::AtomicFile::Create(fs, path);
  if (!out.ok()) return out.status().WithContext("writing checkpoint state file " + path);
  Status s = (*out)->file()->Append(contents);
  if (s.ok()) s = (*out)->Commit();
  if (s.ok()) return s;
  if ((*out)->published()) return s.WithContext("syncing the directory of checkpoint state file " + path);
  return s.WithContext("writing checkpoint state file " + path);
}

}  // namespace

Result<CheckpointState> GenerateCheckpointState(std::string_view save_dir, std::string_view model_checkpoint_path,
                                                const std::vector<std::string>& all_paths,
                                                const std::vector<double>& timestamps,
                                                double last_preserved_timestamp, bool save_relative_paths) {
  // CheckpointState.model_checkpoint_path is a proto3 string: UTF-8 only. A
  // file holding other bytes would be unreadable (by TensorFlow and by us).
  auto check_utf8 = [](std::string_view p) -> Status {
    const size_t bad = format::FindInvalidUtf8(p);
    if (bad == std::string_view::npos) return OkStatus();
    return InvalidArgumentError("checkpoint path " + format::PyStrRepr(p) + " is not valid UTF-8 (byte " +
                                std::to_string(bad) + ")");
  };
  CKPT_RETURN_IF_ERROR(check_utf8(model_checkpoint_path));
  for (const std::string& p : all_paths) CKPT_RETURN_IF_ERROR(check_utf8(p));

  CheckpointState state;
  state.model_checkpoint_path = std::string(model_checkpoint_path);
  state.all_model_checkpoint_paths = all_paths;
  std::string& model = state.model_checkpoint_path;
  std::vector<std::string>& paths = state.all_model_checkpoint_paths;

  // ST-07: absolute paths become relative to save_dir.
  if (save_relative_paths) {
    if (IsAbsolutePath(model)) {
      CKPT_ASSIGN_OR_RETURN(model, RelPath(model, save_dir));
    }
    for (std::string& p : paths) {
      if (IsAbsolutePath(p)) {
        CKPT_ASSIGN_OR_RETURN(p, RelPath(p, save_dir));
      }
    }
  }
  // ST-03: the list always ends with the model path.
  if (paths.empty() || paths.back() != model) paths.push_back(model);
  // ST-05.
  if (!timestamps.empty() && timestamps.size() != paths.size()) {
    return InvalidArgumentError("Checkpoint timestamps, if provided, must match checkpoint paths (got paths " +
                                format::PyListRepr(paths) + " and timestamps " + format::PyListRepr(timestamps) +
                                ")");
  }
  // ST-04: under a relative save_dir, relative paths become relative to it.
  if (!IsAbsolutePath(save_dir)) {
    if (!IsAbsolutePath(model)) {
      CKPT_ASSIGN_OR_RETURN(model, RelPath(model, save_dir));
    }
    for (std::string& p : paths) {
      if (!IsAbsolutePath(p)) {
        CKPT_ASSIGN_OR_RETURN(p, RelPath(p, save_dir));
      }
    }
  }
  state.all_model_checkpoint_timestamps = timestamps;
  state.last_preserved_timestamp = last_preserved_timestamp;
  return state;
}

Status UpdateCheckpointState(std::string_view save_dir, std::string_view model_checkpoint_path,
                             const std::vector<std::string>& all_paths, std::string_view latest_filename,
                             const std::vector<double>& timestamps, double last_preserved_timestamp,
                             bool save_relative_paths, FileSystem* fs) {
  fs = OrDefault(fs);
  const std::string state_path = JoinPath(save_dir, latest_filename);
  CKPT_ASSIGN_OR_RETURN(const CheckpointState state,
                   GenerateCheckpointState(save_dir, model_checkpoint_path, all_paths, timestamps,
                                           last_preserved_timestamp, save_relative_paths));
  // ST-08 (the message quotes the path as the caller gave it).
  if (state.model_checkpoint_path == state_path) {
    return FailedPreconditionError("Save path '" + std::string(model_checkpoint_path) +
                                   "' conflicts with path used for checkpoint state.  Please use a different "
                                   "save path.");
  }
  return WriteAtomically(fs, state_path, CheckpointStateToText(state));
}

Result<std::optional<CheckpointState>> GetCheckpointState(std::string_view checkpoint_dir,
                                                          std::string_view latest_filename, FileSystem* fs) {
  fs = OrDefault(fs);
  const std::string state_path = JoinPath(checkpoint_dir, latest_filename);
  const Status exists = fs->FileExists(state_path);
  if (exists.code() == StatusCode::kNotFound) return std::optional<CheckpointState>();  // ST-09
  if (!exists.ok()) return exists.WithContext("checking checkpoint state file " + state_path);

  auto text = fs->ReadFileToString(state_path);
  if (!text.ok()) return text.status().WithContext("reading checkpoint state file " + state_path);
  auto parsed = ParseCheckpointStateText(*text);
  if (!parsed.ok()) {
    // DELIBERATE: TensorFlow logs and returns None here (ST-11).
    return DataLossError(state_path + ": cannot parse checkpoint state: " + parsed.status().message());
  }
  CheckpointState state = *std::move(parsed);
  if (state.model_checkpoint_path.empty()) {  // ST-10
    return InvalidArgumentError("Invalid checkpoint state loaded from " + std::string(checkpoint_dir));
  }
  // ST-12: join, never normalise (JoinPath keeps absolute paths as they are).
  state.model_checkpoint_path = JoinPath(checkpoint_dir, state.model_checkpoint_path);
  for (std::string& p : state.all_model_checkpoint_paths) p = JoinPath(checkpoint_dir, p);
  return std::optional<CheckpointState>(std::move(state));
}

Result<std::optional<std::string>> LatestCheckpoint(std::string_view checkpoint_dir, std::string_view latest_filename,
                                                    FileSystem* fs) {
  fs = OrDefault(fs);
  CKPT_ASSIGN_OR_RETURN(const std::optional<CheckpointState> state,
                   GetCheckpointState(checkpoint_dir, latest_filename, fs));
  if (!state) return std::optional<std::string>();  // ST-14
  const std::string& prefix = state->model_checkpoint_path;
  // V2 (the index file) first, then V1 (the prefix itself); both are globs (ST-15).
  CKPT_ASSIGN_OR_RETURN(const std::vector<std::string> v2, fs->GetMatchingPaths(prefix + ".index"));
  if (!v2.empty()) return std::optional<std::string>(prefix);
  CKPT_ASSIGN_OR_RETURN(const std::vector<std::string> v1, fs->GetMatchingPaths(prefix));
  if (!v1.empty()) return std::optional<std::string>(prefix);
  return std::optional<std::string>();
}

bool CheckpointExists(std::string_view checkpoint_prefix, FileSystem* fs) {
  fs = OrDefault(fs);
  const std::string prefix(checkpoint_prefix);
  return AnyMatch(fs, prefix + ".index") || AnyMatch(fs, prefix);  // ST-18, ST-19
}

std::vector<double> GetCheckpointMtimes(const std::vector<std::string>& prefixes, FileSystem* fs) {
  fs = OrDefault(fs);
  std::vector<double> mtimes;
  auto try_pattern = [&](const std::string& pattern) {
    auto matches = fs->GetMatchingPaths(pattern);
    if (!matches.ok() || matches->empty()) return false;
    auto mtime = fs->GetModificationTime(matches->front());
    if (!mtime.ok()) return false;
    mtimes.push_back(*mtime);
    return true;
  };
  for (const std::string& prefix : prefixes) {
    if (!try_pattern(prefix + ".index")) try_pattern(prefix);  // ST-20
  }
  return mtimes;
}

Status RemoveCheckpoint(std::string_view checkpoint_prefix, CheckpointFormat format,
                        std::string_view meta_graph_suffix, FileSystem* fs) {
  fs = OrDefault(fs);
  const std::string prefix(checkpoint_prefix);
  CKPT_RETURN_IF_ERROR(DeleteMatching(fs, MetaGraphFilename(prefix, meta_graph_suffix)));
  if (format == CheckpointFormat::kV2) {
    CKPT_RETURN_IF_ERROR(DeleteMatching(fs, prefix + ".index"));
    // ".data-?????-of-?????", spelled so no "??-" trigraph warning fires.
    return DeleteMatching(fs, prefix + ".data-" + std::string(5, '?') + "-of-" + std::string(5, '?'));
  }
  return DeleteMatching(fs, prefix);
}

std::string MetaGraphFilename(std::string_view checkpoint_filename, std::string_view meta_graph_suffix) {
  // Python: re.sub(r"-[\d\?]+-of-\d+$", "", name) + "." + suffix. The match is
  // the leftmost '-' from which the rest is `-[0-9?]+-of-[0-9]+`; like
  // Python's `$`, the end may also be just before one final '\n'.
  const std::string_view s = checkpoint_filename;
  auto shard_spec_at = [](std::string_view rest) {
    size_t i = 1;  // rest[0] == '-'
    while (i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '?')) ++i;
    if (i == 1 || rest.substr(i, 4) != "-of-") return false;
    i += 4;
    if (i == rest.size()) return false;
    for (; i < rest.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
    }
    return true;
  };
  std::string base(s);
  const bool trailing_newline = !s.empty() && s.back() == '\n';
  for (size_t pos = s.find('-'); pos != std::string_view::npos; pos = s.find('-', pos + 1)) {
    if (shard_spec_at(s.substr(pos))) {
      base = std::string(s.substr(0, pos));
      break;
    }
    if (trailing_newline && shard_spec_at(s.substr(pos, s.size() - 1 - pos))) {
      base = std::string(s.substr(0, pos)) + "\n";
      break;
    }
  }
  return base + "." + std::string(meta_graph_suffix);
}

}  // namespace ckpt
