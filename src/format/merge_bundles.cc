// MergeBundles (TensorFlow's MergeV2Checkpoints).
//
// Protocol:
//   1. Create dirname(M). Read every input's index (header + entries); check
//      that versions and endianness agree; union slice lists of partitioned
//      tensors; any other key seen twice is an error. Nothing is changed on
//      disk until every input has been read and checked.
//   2. Delete the input indexes and an existing M.index, then fsync their
//      directories. TF deletes the input indexes last; but once step 3 has
//      moved an input's data file (and a directory fsync made that durable)
//      its index names a missing file, and a power cut before the deletion
//      leaves that half-written bundle published for good (and an old M.index
//      would name the new data files). Retiring every index first means a
//      crash or failure from here on leaves unindexed data, never a bundle
//      that does not read.
//   3. Give each distinct input data file a new shard number (first-seen
//      order) and rename it to M.data-<new>-of-<K>.
//   4. Write M.index under a temporary name, fsync it, fsync the directory,
//      rename it into place, fsync the directory (io::AtomicFile with
//      sync_dir_before_rename; TF writes M.index directly and syncs nothing).
//   5. (delete_old_dirs) Remove the input directories that differ from
//      dirname(M), if they are now empty.
// Unlike TF, the merged header's num_shards is K, the number of data files
// actually renamed, so that every data file name agrees with the header.
#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/status_macros.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_order.h"
#include "format/slice_key.h"
#include "io/atomic_file.h"

namespace ckpt {
namespace {

// MergeOptions::canonical_slice_order: each full-tensor entry's slice list
// in format::SliceOrderLess order (stable: equal spellings keep their order).
Status SortSliceLists(std::map<std::string, proto::BundleEntryProto>& merged) {
  for (auto& [key, entry] : merged) {
    if (entry.slices_size() < 2) continue;
    std::vector<std::pair<TensorSlice, proto::TensorSliceProto>> slices;
    for (const auto& p : entry.slices()) {
      CKPT_ASSIGN_OR_RETURN(TensorSlice s, format::SliceFromProto(p));
      slices.emplace_back(std::move(s), p);
    }
    std::stable_sort(slices.begin(), slices.end(),
                     [](const auto& a, const auto& b) { return format::SliceOrderLess(a.first, b.first); });
    entry.clear_slices();
    for (auto& [s, p] : slices) *entry.add_slices() = std::move(p);
  }
  return OkStatus();
}

}  // namespace

Status MergeBundles(std::span<const std::string> inputs, const std::string& output_prefix,
                    const MergeOptions& options) {
  FileSystem* fs = options.fs ? options.fs : FileSystem::Default();
  const std::string out_dir(Dirname(output_prefix));
  if (!out_dir.empty()) CKPT_RETURN_IF_ERROR(fs->RecursivelyCreateDir(out_dir));

  // Step 1.
  std::map<std::string, proto::BundleEntryProto> merged;
  std::vector<std::string> old_data_files;            // in new-shard order
  std::map<std::string, int32_t> new_shard_of;        // old data file -> new shard id
  std::vector<std::pair<proto::BundleEntryProto*, std::string>> assign;  // entry -> old data file
  std::vector<std::string> merged_inputs;
  bool have_header = false;
  proto::BundleHeaderProto first_header;
  for (const std::string& in : inputs) {
    const std::string index_path = MetaFilename(in);
    if (!fs->FileExists(index_path).ok()) {
      if (options.allow_missing_files) continue;
      return NotFoundError("MergeBundles: input " + index_path + " does not exist");
    }
    CKPT_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(index_path));
    CKPT_ASSIGN_OR_RETURN(auto kvs, format::ReadIndexTable(*file));
    proto::BundleHeaderProto header;
    if (kvs.empty() || !kvs[0].first.empty() || !header.ParseFromString(kvs[0].second) ||
        header.num_shards() < 1) {
      return DataLossError("MergeBundles: " + index_path + " has no valid header");
    }
    if (!have_header) {
      first_header = header;
      have_header = true;
    } else if (header.endianness() != first_header.endianness() ||
               header.version().SerializeAsString() != first_header.version().SerializeAsString()) {
      return InvalidArgumentError("MergeBundles: " + index_path +
                                  " has a different endianness or format version than the first input");
    }
    merged_inputs.push_back(in);
    for (size_t i = 1; i < kvs.size(); ++i) {
      const std::string& key = kvs[i].first;
      const std::string shown = format::PrintableKey(key);
      // Validate the entry exactly as a reader would before trusting it.
      if (auto parsed = format::ParseEntry(key, kvs[i].second, header.num_shards()); !parsed.ok()) {
        return parsed.status().WithContext("MergeBundles: " + index_path + ": entry \"" + shown + "\"");
      }
      proto::BundleEntryProto entry;
      entry.ParseFromString(kvs[i].second);
      auto it = merged.find(key);
      if (it != merged.end()) {
        if (it->second.slices_size() == 0 || entry.slices_size() == 0) {
          return InvalidArgumentError("MergeBundles: duplicate tensor \"" + shown + "\" (in " + index_path + ")");
        }
        if (it->second.dtype() != entry.dtype() ||
            it->second.shape().SerializeAsString() != entry.shape().SerializeAsString()) {
          return InvalidArgumentError("MergeBundles: slices of tensor \"" + shown +
                                      "\" disagree on dtype or shape (in " + index_path + ")");
        }
        for (const auto& s : entry.slices()) *it->second.add_slices() = s;
        continue;
      }
      auto& stored = merged[key];
      stored = std::move(entry);
      // Like TF, every first-seen entry (also the data-less full-key entry of
      // a partitioned tensor) is renumbered, so the merged index is
      // byte-identical to MergeV2Checkpoints' output.
      if (stored.shard_id() >= 0 && stored.shard_id() < header.num_shards()) {
        const std::string old = DataFilename(in, stored.shard_id(), header.num_shards());
        if (!new_shard_of.count(old)) {
          new_shard_of[old] = static_cast<int32_t>(old_data_files.size());
          old_data_files.push_back(old);
        }
        assign.emplace_back(&stored, old);
      }
    }
  }
  if (!have_header) return NotFoundError("MergeBundles: none of the " + std::to_string(inputs.size()) + " inputs exist");
  if (options.canonical_slice_order) CKPT_RETURN_IF_ERROR(SortSliceLists(merged));

  // Step 2.
  const std::string index_final = MetaFilename(output_prefix);
  {
    std::set<std::string> retired_in;  // directories to fsync
    std::vector<std::string> indexes;
    for (const std::string& in : merged_inputs) indexes.push_back(MetaFilename(in));
    if (fs->FileExists(index_final).ok()) indexes.push_back(index_final);
    for (const std::string& index : indexes) {
      Status s = fs->DeleteFile(index);
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      const std::string dir(Dirname(index));
      retired_in.insert(dir.empty() ? "." : dir);
    }
    if (options.sync) {
      for (const std::string& dir : retired_in) CKPT_RETURN_IF_ERROR(fs->SyncDir(dir));
    }
  }

  // Step 3.
  const int32_t k = std::max<int32_t>(1, static_cast<int32_t>(old_data_files.size()));
  for (auto& [entry, old] : assign) entry->set_shard_id(new_shard_of[old]);
  for (size_t i = 0; i < old_data_files.size(); ++i) {
    CKPT_RETURN_IF_ERROR(fs->RenameFile(old_data_files[i], DataFilename(output_prefix, static_cast<int32_t>(i), k)));
  }
  if (old_data_files.empty()) {
    // No tensor bytes at all: still leave the one (empty) data file readers
    // expect. Its rename is made durable by the index's directory sync.
    io::AtomicFileOptions data_options;
    data_options.sync = options.sync;
    data_options.sync_dir_after_rename = false;
    CKPT_ASSIGN_OR_RETURN(auto empty, io::AtomicFile::Create(fs, DataFilename(output_prefix, 0, 1), data_options));
    CKPT_RETURN_IF_ERROR(empty->Commit());
  }

  // Step 4.
  proto::BundleHeaderProto header = first_header;
  header.set_num_shards(k);
  std::vector<format::KeyValue> kvs;
  kvs.reserve(merged.size() + 1);
  kvs.emplace_back("", header.SerializeAsString());
  for (const auto& [key, entry] : merged) kvs.emplace_back(key, entry.SerializeAsString());
  {
    io::AtomicFileOptions index_options;
    index_options.sync = options.sync;
    index_options.sync_dir_before_rename = true;  // the renamed data files first
    CKPT_ASSIGN_OR_RETURN(auto index, io::AtomicFile::Create(fs, index_final, index_options));
    CKPT_RETURN_IF_ERROR(format::WriteIndexTable(index->file(), kvs));
    CKPT_RETURN_IF_ERROR(index->Commit());
  }

  // Step 5 (best effort, as in TF).
  std::set<std::string> old_dirs;
  for (const std::string& in : merged_inputs) {
    const std::string dir(Dirname(in));
    if (dir != out_dir) old_dirs.insert(dir);
  }
  if (options.delete_old_dirs) {
    for (const std::string& dir : old_dirs) fs->DeleteDir(dir).IgnoreError();
  }
  return OkStatus();
}

}  // namespace ckpt
