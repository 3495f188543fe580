// The name-based Saver. Save protocol (numbered as the durability steps run):
//   1. Validate the call (built, latest_filename, collision) and name the
//      checkpoint `<p>` / `<p>-<step>`.
//   2. Write the checkpoint: one bundle (V2), one bundle per device group
//      under `<p>_temp/part-0000i-of-0000N` merged into `<p>` by MergeBundles
//      (sharded V2), or one V1 table per group. Each file appears under its
//      final name only when complete (temp name + rename, fsync).
//   3. Record the path in last_checkpoints (evicting at most one, TF's rule).
//   4. Rewrite the state file (atomic, durable).
//   5. Delete the evicted checkpoint unless "every n hours" keeps it. A crash
//      between 4 and 5 leaves an unrecorded checkpoint on disk, never a
//      state file naming a deleted one.
//   6. Write the .meta file (io::AtomicFile: temp name, fsync, rename, fsync
//      the directory).
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <set>

#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/object_graph.h"
#include "ckpt/proto/meta_graph.pb.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/saver.h"
#include "ckpt/status_macros.h"
#include "format/v1_table.h"
#include "io/atomic_file.h"
#include "io/uri_file_system.h"
#include "saver/group_save.h"
#include "saver/saver_graph.h"

namespace ckpt {
namespace {

// One saveable: a key and the variable (or variable parts) saved under it.
struct Item {
  std::string key;
  std::vector<VariablePtr> parts;  // one entry unless partitioned
  bool partitioned = false;
};

std::string Wrap(const Status& s, std::string_view verbiage) {
  return "Restoring from checkpoint failed. This is most likely due to " + std::string(verbiage) +
         " from the checkpoint. Please ensure that you have not altered the graph expected based on the "
         "checkpoint. Original error:\n\n" +
         s.message();
}

Result<Tensor> Reshaped(Tensor t, const TensorShape& shape) {
  if (t.dtype() == DType::kString) return Tensor::FromStrings(shape, std::move(t.strings()));
  CKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::MakeUninitialized(t.dtype(), shape));
  if (t.byte_size() > 0) std::memcpy(out.data(), t.data(), t.byte_size());
  return out;
}

// A part's slice as TF's SaveSliceInfo spells it: every extent explicit
// ("0,2:0,2", never "0,2:-"). The spelling is part of the stored keys, so
// this keeps our files byte-identical to TF's for the same partitioning.
TensorSlice ExplicitSlice(const PartitionInfo& p) {
  std::vector<TensorSlice::Extent> extents;
  for (int d = 0; d < p.slice.rank(); ++d) {
    extents.push_back({p.slice.IsFullAt(d) ? 0 : p.slice.start(d), p.slice.ResolvedLength(d, p.full_shape)});
  }
  return TensorSlice(std::move(extents));
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

class Saver::Impl {
 public:
  Impl(VarList var_list, SaverOptions options)
      : var_list_(std::move(var_list)),
        options_(std::move(options)),
        uri_fs_(options_.fs != nullptr ? options_.fs : FileSystem::Default()),
        fs_(&uri_fs_) {}

  Status Init() {
    if (options_.defer_build && !var_list_.entries_.empty()) {
      return InvalidArgumentError(
          "If `var_list` is provided then build cannot be deferred. Either set defer_build=False or "
          "var_list=None.");
    }
    if (options_.saver_def) CKPT_RETURN_IF_ERROR(CheckSaverDef(*options_.saver_def));
    if (!options_.defer_build) CKPT_RETURN_IF_ERROR(Build());
    return OkStatus();
  }

  double Now() const {
    if (options_.clock) return options_.clock();
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  void Log(std::string_view severity, std::string_view message) const {
    if (options_.log) options_.log(severity, message);
  }

  Status CheckSaverDef(const SaverDef& d) const {
    if (d.save_tensor_name.empty()) {
      return InvalidArgumentError("saver_def must specify the save_tensor_name: " + d.DebugString());
    }
    if (d.restore_op_name.empty()) {
      return InvalidArgumentError("saver_def must specify the restore_op_name: " + d.DebugString());
    }
    return OkStatus();
  }

  Status Build() {
    if (built_) return OkStatus();
    std::vector<std::pair<std::string, VariablePtr>> entries = var_list_.entries_;
    bool map_form = var_list_.kind_ == VarList::Kind::kMap;
    if (var_list_.kind_ == VarList::Kind::kNone && var_list_.all_) {
      for (auto& v : var_list_.all_()) entries.emplace_back(std::string(), std::move(v));
    }
    CKPT_RETURN_IF_ERROR(Collect(entries, map_form));
    built_ = true;
    if (items_.empty()) {
      if (!options_.allow_empty) {
        built_ = false;
        return InvalidArgumentError("No variables to save");
      }
      is_empty_ = true;
      return OkStatus();
    }
    if (options_.saver_def) {
      def_ = *options_.saver_def;
      // A negative max_to_keep (a hostile or hand-edited .meta) keeps all, as
      // it does for SaverOptions below. DELIBERATE: TF pops the checkpoint it
      // just wrote and deletes it, so every save would vanish.
      def_.max_to_keep = std::max(0, def_.max_to_keep);
      if (!options_.name.empty()) {
        def_.filename_tensor_name = options_.name + "/" + def_.filename_tensor_name;
        def_.save_tensor_name = options_.name + "/" + def_.save_tensor_name;
        def_.restore_op_name = options_.name + "/" + def_.restore_op_name;
      }
    } else {
      const std::string scope = options_.name.empty() ? "save" : options_.name;
      def_.filename_tensor_name = scope + "/Const:0";
      if (!options_.sharded) {
        def_.save_tensor_name = scope + "/control_dependency:0";
      } else if (options_.write_version == CheckpointFormat::kV2) {
        def_.save_tensor_name = scope + "/Identity:0";
      } else {
        def_.save_tensor_name = scope + "/ShardedFilespec:0";
      }
      def_.restore_op_name = scope + "/restore_all";
      def_.max_to_keep = std::max(0, options_.max_to_keep);
      def_.sharded = options_.sharded;
      def_.keep_checkpoint_every_n_hours = static_cast<float>(options_.keep_checkpoint_every_n_hours);
      def_.version = static_cast<int32_t>(options_.write_version);
    }
    next_checkpoint_time_ = Now() + static_cast<double>(def_.keep_checkpoint_every_n_hours) * 3600.0;
    return OkStatus();
  }

  // TF's op_list_to_dict + validate_and_slice_inputs: keys, grouping of
  // partitions, duplicate checks; items sorted by key.
  Status Collect(const std::vector<std::pair<std::string, VariablePtr>>& entries, bool map_form) {
    std::map<std::string, Item> by_key;
    std::map<const SaveableVariable*, std::string> seen;
    std::vector<std::pair<std::string, VariablePtr>> sorted;
    for (const auto& [k, v] : entries) {
      if (v == nullptr) return InvalidArgumentError("Variables to save must not be null");
      std::string key = k;
      if (!map_form) key = v->partition() ? v->partition()->full_name : v->name();
      sorted.emplace_back(std::move(key), v);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
      return map_form ? a.first < b.first : a.second->name() < b.second->name();
    });
    for (const auto& [key, v] : sorted) {
      if (key.empty()) return InvalidArgumentError("Variables to save must have non-empty names");
      const bool part = v->partition().has_value();
      auto it = by_key.find(key);
      if (it != by_key.end()) {
        if (!part || !it->second.partitioned) {
          if (!map_form && part != it->second.partitioned) {
            return InvalidArgumentError("Mixing slices and non-slices with the same name: " + key);
          }
          return InvalidArgumentError("At least two variables have the same name: " + key);
        }
      }
      Item& item = by_key[key];
      item.key = key;
      item.partitioned = part;
      item.parts.push_back(v);
    }
    for (auto& [key, item] : by_key) {
      for (const auto& v : item.parts) {
        auto [it, inserted] = seen.emplace(v.get(), key);
        if (!inserted) return InvalidArgumentError("The same saveable will be restored with two names: " + key);
        const TensorView view = v->value();
        if (item.partitioned) {
          const PartitionInfo p = *v->partition();
          const PartitionInfo first = *item.parts[0]->partition();
          if (!(p.full_shape == first.full_shape) || view.dtype != item.parts[0]->value().dtype) {
            return InvalidArgumentError("The parts of partitioned variable " + key +
                                        " disagree on the full shape or dtype");
          }
          CKPT_RETURN_IF_ERROR(p.slice.CheckFits(p.full_shape).WithContext("partitioned variable " + key));
          if (!(p.slice.SliceShape(p.full_shape) == view.shape)) {
            return InvalidArgumentError("Part " + v->name() + " of " + key + " has shape " + view.shape.ToString() +
                                        " but its slice " + p.slice.ToString() + " of " +
                                        p.full_shape.ToString() + " has shape " +
                                        p.slice.SliceShape(p.full_shape).ToString());
          }
        }
      }
      items_.push_back(std::move(item));
    }
    return OkStatus();
  }

  // ------------------------------------------------------------------ save

  Result<std::optional<std::string>> Save(const std::string& save_path, const SaverSaveOptions& so) {
    if (!built_) return FailedPreconditionError("`build()` should be called before save if defer_build==True");
    const bool group = so.communicator != nullptr && so.communicator->size() > 1;
    if (group && def_.version != static_cast<int32_t>(CheckpointFormat::kV2)) {
      // Checked before any collective; the format is the Saver's, so every
      // rank of a job built alike fails here together.
      return UnimplementedError(
          "Saver.save from " + std::to_string(so.communicator->size()) +
          " processes (SaverSaveOptions.communicator of size > 1) needs write_version V2: a V1 checkpoint is "
          "one table file per device shard, with no way to merge tables written by several processes into one "
          "checkpoint (docs/distributed.md)");
    }
    if (group && saver::InstalledGroupSave() == nullptr) {
      return UnimplementedError("Saver.save with a group: the distributed save protocol is not linked");
    }
    const std::string& latest_filename = so.latest_filename.empty() ? std::string("checkpoint") : so.latest_filename;
    if (def_.version != static_cast<int32_t>(CheckpointFormat::kV2) && !is_empty_) {
      Log("WARNING", "*******************************************************");
      Log("WARNING", "TensorFlow's V1 checkpoint format has been deprecated.");
      Log("WARNING", "Consider switching to the more efficient V2 format:");
      Log("WARNING", "   `tf.train.Saver(write_version=tf.train.SaverDef.V2)`");
      Log("WARNING", "now on by default.");
      Log("WARNING", "*******************************************************");
    }
    Status invalid;  // with a group, reported through the plan exchange so no rank waits
    if (latest_filename.find('/') != std::string::npos) {
      invalid = InvalidArgumentError("'latest_filename' must not contain path components");
      if (!group) return invalid;
    }
    std::string checkpoint_file;
    if (so.global_step) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), options_.pad_step_number ? "%08lld" : "%lld",
                    static_cast<long long>(*so.global_step));
      checkpoint_file = save_path + "-" + buf;
    } else {
      checkpoint_file = save_path;
      if (Basename(save_path) == latest_filename && !options_.sharded && invalid.ok()) {
        invalid = InvalidArgumentError("'latest_filename' collides with 'save_path': '" + latest_filename +
                                       "' and '" + save_path + "'");
        if (!group) return invalid;
      }
    }
    const std::string parent(Dirname(save_path));
    if (group) return SaveInGroup(checkpoint_file, parent, latest_filename, so, invalid);
    std::string model_checkpoint_path;
    if (!is_empty_) {
      Status s = WriteAndRecord(checkpoint_file, parent, latest_filename, so, &model_checkpoint_path);
      if (!s.ok()) {
        if ((s.code() == StatusCode::kNotFound || s.code() == StatusCode::kFailedPrecondition) &&
            !fs_->IsDirectory(parent)) {
          return InvalidArgumentError("Parent directory of " + save_path + " doesn't exist, can't save.");
        }
        return s;
      }
    }
    if (so.write_meta_graph) {
      CKPT_RETURN_IF_ERROR(ExportMetaGraph(MetaGraphFilename(checkpoint_file, so.meta_graph_suffix)));
    }
    if (is_empty_) return std::optional<std::string>();
    return std::optional<std::string>(model_checkpoint_path);
  }

  // With a group of size > 1 (V2): every rank contributes its var_list —
  // parts of partitioned variables as TF slices, other variables as
  // replicated values written once — to one bundle through the distributed
  // protocol; then rank 0 alone does the bookkeeping (state file, retention,
  // .meta) and the others adopt its list of checkpoints, so every rank's
  // last_checkpoints() agrees and only rank 0 deletes.
  Result<std::optional<std::string>> SaveInGroup(const std::string& checkpoint_file, const std::string& parent,
                                                 const std::string& latest_filename, const SaverSaveOptions& so,
                                                 Status invalid) {
    Communicator& comm = *so.communicator;
    std::vector<NamedView> values;
    for (const Item& item : items_) {
      for (const auto& v : item.parts) {
        NamedView nv{item.key, v->value(), std::nullopt};
        if (item.partitioned) {
          const PartitionInfo p = *v->partition();
          nv.slice = SaveSliceInfo{p.full_shape, ExplicitSlice(p)};
        }
        values.push_back(std::move(nv));
      }
    }
    saver::GroupWriteOptions wo;
    wo.fs = fs_;
    wo.sync = options_.sync;
    wo.collective_timeout = so.collective_timeout;
    // The path holds global_step; the state-file name and write_state decide
    // what rank 0 records for everyone.
    wo.agreement = checkpoint_file + '\0' + latest_filename + '\0' + (so.write_state ? "1" : "0");
    wo.agreement_what = "the checkpoint path (save_path and global_step), latest_filename or write_state";
    wo.local_error = std::move(invalid);
    const saver::GroupSave& group = *saver::InstalledGroupSave();
    Result<std::string> written = group.Write(comm, values, checkpoint_file, wo);
    if (!written.ok()) {
      Status s = written.status();
      if ((s.code() == StatusCode::kNotFound || s.code() == StatusCode::kFailedPrecondition) &&
          !fs_->IsDirectory(parent)) {
        return InvalidArgumentError("Parent directory of " + checkpoint_file + " doesn't exist, can't save.");
      }
      return s;
    }
    Status kept;
    std::string state;
    if (comm.rank() == 0) {
      if (so.write_state) {
        RecordLastCheckpoint(checkpoint_file);
        CheckpointStateOptions st;
        st.all_paths = last_checkpoints();
        st.latest_filename = latest_filename;
        st.save_relative_paths = options_.save_relative_paths;
        st.fs = fs_;
        kept = UpdateCheckpointState(parent, checkpoint_file, st);
        if (kept.ok()) MaybeDeleteOldCheckpoints(so.meta_graph_suffix);
      }
      if (kept.ok() && so.write_meta_graph) {
        kept = ExportMetaGraph(MetaGraphFilename(checkpoint_file, so.meta_graph_suffix));
      }
      state = EncodeRetention();
    }
    CKPT_ASSIGN_OR_RETURN(std::string outcome,
                          group.BroadcastOutcome(comm, kept, state, DeadlineAfter(so.collective_timeout),
                                                 "Saver bookkeeping of " + checkpoint_file));
    if (comm.rank() != 0) CKPT_RETURN_IF_ERROR(AdoptRetention(outcome));
    return std::optional<std::string>(checkpoint_file);
  }

  // Rank 0's retention state (last_checkpoints with their times, the next
  // "every n hours" deadline) as bytes: <time>\n<path length>\n<path>...
  std::string EncodeRetention() const {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%a\n%zu\n", next_checkpoint_time_, last_.size());
    std::string out = buf;
    for (const auto& [path, time] : last_) {
      std::snprintf(buf, sizeof(buf), "%a\n%zu\n", time, path.size());
      out += buf;
      out += path;
    }
    return out;
  }

  Status AdoptRetention(std::string_view bytes) {
    const auto bad = [] { return InternalError("Saver with a group: rank 0's retention state does not parse"); };
    auto next_line = [&](std::string* line) {
      const size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) return false;
      *line = std::string(bytes.substr(0, nl));
      bytes.remove_prefix(nl + 1);
      return true;
    };
    std::string line;
    if (!next_line(&line)) return bad();
    const double next = std::strtod(line.c_str(), nullptr);
    if (!next_line(&line)) return bad();
    const size_t n = std::strtoull(line.c_str(), nullptr, 10);
    std::vector<std::pair<std::string, double>> last;
    for (size_t i = 0; i < n; ++i) {
      if (!next_line(&line)) return bad();
      const double time = std::strtod(line.c_str(), nullptr);
      if (!next_line(&line)) return bad();
      const size_t len = std::strtoull(line.c_str(), nullptr, 10);
      if (len > bytes.size()) return bad();
      last.emplace_back(std::string(bytes.substr(0, len)), time);
      bytes.remove_prefix(len);
    }
    if (!bytes.empty()) return bad();
    last_ = std::move(last);
    next_checkpoint_time_ = next;
    to_delete_.clear();  // rank 0 deletes
    return OkStatus();
  }

  Status WriteAndRecord(const std::string& checkpoint_file, const std::string& parent,
                        const std::string& latest_filename, const SaverSaveOptions& so, std::string* model_path) {
    CKPT_ASSIGN_OR_RETURN(*model_path, WriteCheckpoint(checkpoint_file));
    if (!so.write_state) return OkStatus();
    RecordLastCheckpoint(*model_path);
    CheckpointStateOptions state;
    state.all_paths = last_checkpoints();
    state.latest_filename = latest_filename;
    state.save_relative_paths = options_.save_relative_paths;
    state.fs = fs_;
    CKPT_RETURN_IF_ERROR(UpdateCheckpointState(parent, *model_path, state));
    MaybeDeleteOldCheckpoints(so.meta_graph_suffix);
    return OkStatus();
  }

  // Device groups in TF's order (sorted by canonical device name).
  std::vector<std::vector<const Item*>> Groups() const {
    std::map<std::string, std::vector<const Item*>> per_device;
    for (const auto& item : items_) per_device[CanonicalDeviceName(item.parts[0]->device())].push_back(&item);
    std::vector<std::vector<const Item*>> out;
    for (auto& [dev, items] : per_device) out.push_back(std::move(items));
    return out;
  }

  bool sharded() const { return options_.saver_def ? def_.sharded : options_.sharded; }

  std::vector<const Item*> AllItems() const {
    std::vector<const Item*> out;
    for (const auto& item : items_) out.push_back(&item);
    return out;
  }

  Result<std::string> WriteCheckpoint(const std::string& file) {
    std::vector<std::vector<const Item*>> groups;
    if (sharded()) {
      groups = Groups();
    } else {
      groups.push_back(AllItems());
    }
    const int n = static_cast<int>(groups.size());
    if (def_.version == static_cast<int32_t>(CheckpointFormat::kV2)) {
      if (!sharded()) {
        CKPT_RETURN_IF_ERROR(WriteBundle(file, groups[0]));
        return file;
      }
      const std::string tmp = file + "_temp/part";
      std::vector<std::string> prefixes;
      for (int i = 0; i < n; ++i) {
        prefixes.push_back(format::V1ShardedFilename(tmp, i, n));
        CKPT_RETURN_IF_ERROR(WriteBundle(prefixes.back(), groups[static_cast<size_t>(i)]));
      }
      MergeOptions mo;
      mo.fs = fs_;
      mo.delete_old_dirs = true;
      mo.sync = options_.sync;
      CKPT_RETURN_IF_ERROR(MergeBundles(prefixes, file, mo));
      return file;
    }
    if (!sharded()) {
      CKPT_RETURN_IF_ERROR(WriteV1(file, groups[0]));
      return file;
    }
    CKPT_RETURN_IF_ERROR(RetireV1Shards(file));
    for (int i = 0; i < n; ++i) {
      CKPT_RETURN_IF_ERROR(WriteV1(format::V1ShardedFilename(file, i, n), groups[static_cast<size_t>(i)]));
    }
    return format::V1ShardedFilespec(file, n);
  }

  // Sharded V1 files of an earlier save to the same path are removed (and
  // the removal made durable) before the first new shard is published: each
  // shard is replaced atomically, but the set is not, and a reader (or a
  // power cut) between two shards would otherwise restore a silent mix of
  // two saves. TF overwrites shard by shard.
  Status RetireV1Shards(const std::string& file) {
    auto old = fs_->GetMatchingPaths(file + "-?????-of-?????");
    if (!old.ok() || old->empty()) return OkStatus();  // nothing to retire; writing reports a bad directory
    for (const std::string& f : *old) {
      Status s = fs_->DeleteFile(f);
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    }
    if (!options_.sync) return OkStatus();
    const std::string dir(Dirname(file));
    return fs_->SyncDir(dir.empty() ? "." : dir);
  }

  Status WriteBundle(const std::string& prefix, const std::vector<const Item*>& items) {
    BundleWriterOptions bo;
    bo.fs = fs_;
    bo.sync = options_.sync;
    CKPT_ASSIGN_OR_RETURN(auto writer, BundleWriter::Create(prefix, bo));
    for (const Item* item : items) {
      for (const auto& v : item->parts) {
        const TensorView view = v->value();
        if (item->partitioned) {
          const PartitionInfo p = *v->partition();
          CKPT_RETURN_IF_ERROR(writer->AddSlice(item->key, p.full_shape, ExplicitSlice(p), view));
        } else {
          CKPT_RETURN_IF_ERROR(writer->Add(item->key, view));
        }
      }
    }
    return writer->Finish();
  }

  Status WriteV1(const std::string& filename, const std::vector<const Item*>& items) {
    format::V1Writer::Options wo;
    wo.fs = fs_;
    wo.sync = options_.sync;
    CKPT_ASSIGN_OR_RETURN(auto writer, format::V1Writer::Create(filename, wo));
    for (const Item* item : items) {
      for (const auto& v : item->parts) {
        const TensorView view = v->value();
        if (item->partitioned) {
          const PartitionInfo p = *v->partition();
          CKPT_RETURN_IF_ERROR(writer->Add(item->key, p.full_shape, ExplicitSlice(p), view));
        } else {
          CKPT_RETURN_IF_ERROR(writer->Add(item->key, view.shape, TensorSlice::Full(view.shape.rank()), view));
        }
      }
    }
    return writer->Finish();
  }

  void RecordLastCheckpoint(const std::string& path) {
    if (def_.max_to_keep == 0) return;
    std::erase_if(last_, [&](const auto& p) { return p.first == path; });
    last_.emplace_back(path, Now());
    if (static_cast<int>(last_.size()) > def_.max_to_keep) {
      to_delete_.push_back(last_.front());
      last_.erase(last_.begin());
    }
    while (options_.prune_beyond_max_to_keep && static_cast<int>(last_.size()) > def_.max_to_keep) {
      to_delete_.push_back(last_.front());
      last_.erase(last_.begin());
    }
  }

  void MaybeDeleteOldCheckpoints(const std::string& suffix) {
    do {
      if (to_delete_.empty()) return;
      const auto p = to_delete_.front();
      to_delete_.pop_front();
      if (p.second > next_checkpoint_time_) {
        next_checkpoint_time_ += static_cast<double>(def_.keep_checkpoint_every_n_hours) * 3600.0;
        continue;
      }
      const CheckpointFormat format =
          def_.version == static_cast<int32_t>(CheckpointFormat::kV2) ? CheckpointFormat::kV2 : CheckpointFormat::kV1;
      Status s = RemoveCheckpoint(p.first, format, suffix, fs_);
      if (!s.ok()) Log("WARNING", "Ignoring: " + s.ToString());
    } while (options_.prune_beyond_max_to_keep);
  }

  // --------------------------------------------------------------- restore

  Status Restore(const std::string& save_path) {
    if (is_empty_) return OkStatus();
    if (!built_) return FailedPreconditionError("`build()` should be called before restore if defer_build==True");
    if (save_path.empty()) return InvalidArgumentError("Can't load save_path when it is None.");
    if (!CheckpointExists(save_path, fs_)) {
      return InvalidArgumentError("The passed save_path is not a valid checkpoint: " + save_path);
    }
    Log("INFO", "Restoring parameters from " + save_path);
    CheckpointReaderOptions ro;
    ro.fs = fs_;
    auto reader = CheckpointReader::Open(save_path, ro);
    Status s = reader.ok() ? RestoreFrom(**reader, nullptr) : reader.status();
    if (s.code() == StatusCode::kNotFound && reader.ok() && (*reader)->HasTensor(kObjectGraphKey)) {
      return RestoreObjectBased(**reader);
    }
    if (s.code() == StatusCode::kNotFound) return Status(s.code(), Wrap(s, "a Variable name or other graph key that is missing"));
    if (s.code() == StatusCode::kInvalidArgument) {
      return Status(s.code(), Wrap(s, "a mismatch between the current graph and the graph"));
    }
    return s;
  }

  // SV-53: map the Saver's names through the stored object graph.
  Status RestoreObjectBased(const CheckpointReader& reader) {
    CKPT_ASSIGN_OR_RETURN(Tensor graph, reader.Read(kObjectGraphKey));
    proto::TrackableObjectGraph og;
    if (graph.dtype() != DType::kString || graph.strings().size() != 1 || !og.ParseFromString(graph.strings()[0])) {
      return DataLossError("The object graph of " + reader.path() + " does not parse");
    }
    std::map<std::string, std::string> names_to_keys;
    for (const auto& node : og.nodes()) {
      for (const auto& a : node.attributes()) names_to_keys[a.full_name()] = a.checkpoint_key();
    }
    Log("WARNING",
        "Restoring an object-based checkpoint using a name-based saver. This may be somewhat fragile, and will "
        "re-build the Saver. Instead, consider loading object-based checkpoints using tf.train.Checkpoint().");
    std::set<std::string> current, previous, missing, extra;
    for (const auto& item : items_) current.insert(item.key);
    for (const auto& [k, v] : names_to_keys) previous.insert(k);
    int matched = 0;
    for (const auto& n : current) (previous.count(n) ? matched++ : (missing.insert(n), 0));
    for (const auto& n : previous) {
      if (!current.count(n)) extra.insert(n);
    }
    if (!missing.empty()) {
      return NotFoundError(
          "\n\nExisting variables not in the checkpoint: " + Join(missing) +
          "\n\nVariables names when this checkpoint was written which don't exist now: " + Join(extra) + "\n\n(" +
          std::to_string(matched) +
          " variable name(s) did match)\n\nCould not find some variables in the checkpoint (see names above). "
          "Saver was attempting to load an object-based checkpoint (saved using tf.train.Checkpoint or "
          "tf.keras.Model.save_weights) using variable names. If the checkpoint was written with eager execution "
          "enabled, it's possible that variable names have changed (for example missing a '_1' suffix). It's "
          "also possible that there are new variables which did not exist when the checkpoint was written. You "
          "can construct a Saver(var_list=...) with only the variables which previously existed, and if variable "
          "names have changed you may need to make this a dictionary with the old names as keys.");
    }
    Status s = RestoreFrom(reader, &names_to_keys);
    if (s.code() == StatusCode::kInvalidArgument) {
      return Status(s.code(), Wrap(s, "a mismatch between the current graph and the graph"));
    }
    return s;
  }

  Status RestoreFrom(const CheckpointReader& reader, const std::map<std::string, std::string>* rename) {
    std::vector<std::pair<SaveableVariable*, Tensor>> pending;
    for (const auto& item : items_) {
      const std::string key = rename != nullptr ? rename->at(item.key) : item.key;
      for (const auto& v : item.parts) {
        CKPT_ASSIGN_OR_RETURN(Tensor t, ReadOne(reader, key, *v, item.partitioned));
        if (options_.restore_sequentially) {
          CKPT_RETURN_IF_ERROR(v->Assign(std::move(t)));
        } else {
          pending.emplace_back(v.get(), std::move(t));
        }
      }
    }
    for (auto& [v, t] : pending) CKPT_RETURN_IF_ERROR(v->Assign(std::move(t)));
    return OkStatus();
  }

  Result<Tensor> ReadOne(const CheckpointReader& reader, const std::string& key, const SaveableVariable& v,
                         bool partitioned) const {
    const TensorView view = v.value();
    CKPT_ASSIGN_OR_RETURN(TensorInfo info, reader.Lookup(key));
    if (info.dtype != view.dtype) {
      return InvalidArgumentError("tensor_name = " + key + "; expected dtype " + std::string(DTypeName(view.dtype)) +
                                  " does not equal original dtype " + std::string(DTypeName(info.dtype)));
    }
    if (partitioned) {
      const PartitionInfo p = *v.partition();
      if (!(info.shape == p.full_shape)) {
        return InvalidArgumentError("tensor_name = " + key + "; shape in shape_and_slice spec " +
                                    p.full_shape.ToString() + " does not match the shape stored in checkpoint: " +
                                    info.shape.ToString());
      }
      return reader.ReadSlice(key, p.slice);
    }
    CKPT_ASSIGN_OR_RETURN(Tensor t, reader.Read(key));
    if (t.shape() == view.shape) return t;
    if (!options_.reshape) {
      return InvalidArgumentError("Assign requires shapes of both tensors to match. lhs shape= " +
                                  view.shape.ToString() + " rhs shape= " + t.shape().ToString() + " (variable " +
                                  v.name() + ", checkpoint key " + key + ")");
    }
    if (t.num_elements() != view.shape.num_elements()) {
      return InvalidArgumentError("Input to reshape is a tensor with " + std::to_string(t.num_elements()) +
                                  " values, but the requested shape has " +
                                  std::to_string(view.shape.num_elements()) + " (restoring " + key + " of shape " +
                                  t.shape().ToString() + " into variable " + v.name() + " of shape " +
                                  view.shape.ToString() + ")");
    }
    return Reshaped(std::move(t), view.shape);
  }

  // ------------------------------------------------------------ bookkeeping

  std::vector<std::string> last_checkpoints() const {
    std::vector<std::string> out;
    for (const auto& p : last_) out.push_back(p.first);
    return out;
  }

  Status ExportMetaGraph(const std::string& filename) const {
    proto::MetaGraphDef mg;
    mg.mutable_meta_info_def();
    mg.mutable_graph_def();
    if (!is_empty_) {
      proto::SaverDef* sd = mg.mutable_saver_def();
      if (!sd->ParseFromString(def_.SerializeAsString())) return InternalError("SaverDef round trip");
      // The graph: variables plus TF's save/restore subgraph, so that
      // import_meta_graph + restore works in TensorFlow (saver_graph.h).
      std::vector<saver::GraphVariable> vars;
      int shard = 0;
      for (const auto& group : sharded() ? Groups() : std::vector<std::vector<const Item*>>{AllItems()}) {
        for (const Item* item : group) {
          for (const auto& v : item->parts) {
            const TensorView view = v->value();
            vars.push_back({v->name(), v->device(), view.dtype, view.shape, item->key, v->partition(), shard});
          }
        }
        ++shard;
      }
      saver::GraphOptions go;
      go.def = def_;
      go.sharded = sharded();
      go.num_shards = shard;
      go.filename = options_.filename.empty() ? "model" : options_.filename;
      go.reshape = options_.reshape;
      std::vector<proto::VariableDef> defs;
      CKPT_RETURN_IF_ERROR(saver::BuildSaverGraph(vars, go, mg.mutable_graph_def(), &defs));
      auto* list = (*mg.mutable_collection_def())["variables"].mutable_bytes_list();
      auto* trainable = (*mg.mutable_collection_def())["trainable_variables"].mutable_bytes_list();
      for (const auto& vd : defs) {
        std::string* bytes = list->add_value();
        *bytes = vd.SerializeAsString();
        *trainable->add_value() = *bytes;
      }
    }
    std::string bytes;
    if (!mg.SerializeToString(&bytes)) return InternalError("cannot serialize the MetaGraphDef for " + filename);
    io::AtomicFileOptions ao;
    ao.sync = options_.sync;
    return io::WriteFileAtomically(fs_, filename, bytes, ao);
  }

  VarList var_list_;
  SaverOptions options_;
  // Every file operation goes through this view so that `file://` save
  // paths work while the caller's spelling is kept in returned paths (SV-21).
  io::FileUriFileSystem uri_fs_;
  FileSystem* fs_;
  bool built_ = false;
  bool is_empty_ = false;
  std::vector<Item> items_;
  SaverDef def_;
  std::vector<std::pair<std::string, double>> last_;
  std::deque<std::pair<std::string, double>> to_delete_;
  double next_checkpoint_time_ = 0;
};

Saver::Saver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Saver::~Saver() = default;

Result<std::unique_ptr<Saver>> Saver::Create(VarList var_list, SaverOptions options) {
  auto impl = std::make_unique<Impl>(std::move(var_list), std::move(options));
  CKPT_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Saver>(new Saver(std::move(impl)));
}

Result<std::unique_ptr<Saver>> Saver::FromProto(const SaverDef& saver_def, std::string import_scope,
                                                VarList var_list, SaverOptions o) {
  o.saver_def = saver_def;
  o.name = std::move(import_scope);
  o.sharded = saver_def.sharded;
  return Create(std::move(var_list), std::move(o));
}

Status Saver::Build() { return impl_->Build(); }

Result<std::optional<std::string>> Saver::Save(const std::string& save_path, const SaverSaveOptions& options) {
  return impl_->Save(save_path, options);
}

Status Saver::Restore(const std::string& save_path) { return impl_->Restore(save_path); }

std::vector<std::string> Saver::last_checkpoints() const { return impl_->last_checkpoints(); }

void Saver::SetLastCheckpoints(std::vector<std::string> paths) {
  impl_->last_.clear();
  for (auto& p : paths) impl_->last_.emplace_back(std::move(p), std::numeric_limits<double>::infinity());
}

void Saver::SetLastCheckpointsWithTime(std::vector<std::pair<std::string, double>> paths_and_times) {
  impl_->last_ = std::move(paths_and_times);
}

void Saver::RecoverLastCheckpoints(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& p : paths) {
    auto mtimes = GetCheckpointMtimes({p}, impl_->fs_);
    if (!mtimes.empty()) out.emplace_back(p, mtimes[0]);
  }
  impl_->last_ = std::move(out);
}

SaverDef Saver::AsSaverDef() const { return impl_->def_; }

std::optional<SaverDef> Saver::ToProto(std::string_view export_scope) const {
  SaverDef d = impl_->def_;
  if (export_scope.empty()) return d;
  auto starts = [&](const std::string& s) { return s.compare(0, export_scope.size(), export_scope) == 0; };
  if (!starts(d.filename_tensor_name) || !starts(d.save_tensor_name) || !starts(d.restore_op_name)) {
    return std::nullopt;
  }
  // ops.strip_name_scope: drop "<scope>/" at the start of each name.
  auto strip = [&](std::string& s) {
    const std::string with_slash = std::string(export_scope) + "/";
    if (s.compare(0, with_slash.size(), with_slash) == 0) s = s.substr(with_slash.size());
  };
  strip(d.filename_tensor_name);
  strip(d.save_tensor_name);
  strip(d.restore_op_name);
  return d;
}

Status Saver::ExportMetaGraph(const std::string& filename) const { return impl_->ExportMetaGraph(filename); }

std::vector<std::string> Saver::keys() const {
  std::vector<std::string> out;
  for (const auto& item : impl_->items_) out.push_back(item.key);
  return out;
}

}  // namespace ckpt
