#include "distributed/distributed_save.h"

#include <cstdio>

#include "base/coding.h"
#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "distributed/save_plan.h"
#include "distributed/value_list.h"

namespace ckpt::distributed {
namespace {

// A status as bytes for the vote and the commit broadcast:
// varint code, then the message.
std::string EncodeStatus(const Status& s) {
  std::string out;
  coding::PutVarint64(&out, static_cast<uint64_t>(s.code()));
  out += s.message();
  return out;
}

Status DecodeStatus(std::string_view bytes, int from) {
  const char* p = bytes.data();
  uint64_t code;
  if (!coding::GetVarint64(&p, bytes.data() + bytes.size(), &code) || code > 16) {
    return DataLossError("malformed status from rank " + std::to_string(from));
  }
  if (code == 0) return OkStatus();
  return Status(static_cast<StatusCode>(code), std::string(p, bytes.data() + bytes.size()));
}

std::string TempDir(const std::string& prefix) { return prefix + "_temp"; }

// A communicator failure: give up on the group so nobody keeps waiting.
Status GroupFailure(Communicator& comm, const Status& s, std::string_view phase) {
  comm.Abort(std::string(phase) + ": " + s.message());
  return s.WithContext("distributed save (" + std::string(phase) + ")");
}

Status WritePart(FileSystem* fs, bool sync, const std::string& part, std::span<const NamedView> values,
                 const std::vector<size_t>& mine) {
  CKPT_RETURN_IF_ERROR(fs->RecursivelyCreateDir(std::string(Dirname(part))));
  BundleWriterOptions wo;
  wo.fs = fs;
  wo.sync = sync;
  CKPT_ASSIGN_OR_RETURN(auto writer, BundleWriter::Create(part, wo));
  for (size_t i : mine) {
    const NamedView& v = values[i];
    if (IsEmptyShare(v)) continue;
    CKPT_RETURN_IF_ERROR(v.slice ? writer->AddSlice(v.key, v.slice->full_shape, v.slice->slice, v.view)
                            : writer->Add(v.key, v.view));
  }
  return writer->Finish();
}

void RemovePart(FileSystem* fs, const std::string& part) {
  fs->DeleteFile(MetaFilename(part)).IgnoreError();
  fs->DeleteFile(DataFilename(part, 0, 1)).IgnoreError();
}

}  // namespace

std::string PartPrefix(const std::string& prefix, int rank, int size) {
  char name[64];
  std::snprintf(name, sizeof(name), "part-%05d-of-%05d", rank, size);
  return JoinPath(TempDir(prefix), name);
}

Result<std::string> SaveDistributed(Communicator& comm, std::span<const NamedView> values, const std::string& prefix,
                                    const DistributedSaveOptions& options) {
  FileSystem* fs = options.fs ? options.fs : FileSystem::Default();
  const int rank = comm.rank(), size = comm.size();

  // 1. plan
  const std::vector<ValueDesc> mine = DescribeValues(values);
  auto gathered = comm.AllGather(EncodeValueList(mine), options.deadline);
  if (!gathered.ok()) return GroupFailure(comm, gathered.status(), "plan");
  std::vector<std::vector<ValueDesc>> lists;
  for (int r = 0; r < size; ++r) {
    CKPT_ASSIGN_OR_RETURN(auto list, DecodeValueList((*gathered)[static_cast<size_t>(r)], "rank " + std::to_string(r)));
    lists.push_back(std::move(list));
  }
  CKPT_ASSIGN_OR_RETURN(SavePlan plan, PlanSave(lists));  // same input everywhere: same result everywhere

  // 2. write
  const std::vector<size_t>& my_writes = plan.writes[static_cast<size_t>(rank)];
  const std::string part = PartPrefix(prefix, rank, size);
  Status written = OkStatus();
  if (!my_writes.empty()) written = WritePart(fs, options.sync, part, values, my_writes);

  // 3. vote
  auto votes = comm.AllGather(EncodeStatus(written), options.deadline);
  if (!votes.ok()) {
    RemovePart(fs, part);
    return GroupFailure(comm, votes.status(), "vote");
  }
  Status failed;
  std::string failures;
  std::vector<std::string> parts;
  for (int r = 0; r < size; ++r) {
    const Status s = DecodeStatus((*votes)[static_cast<size_t>(r)], r);
    if (!s.ok()) {
      if (failed.ok()) failed = s;
      failures += (failures.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + s.ToString());
    } else if (!plan.writes[static_cast<size_t>(r)].empty()) {
      parts.push_back(PartPrefix(prefix, r, size));
    }
  }
  if (!failed.ok()) {
    RemovePart(fs, part);
    if (rank == 0) fs->DeleteDir(TempDir(prefix)).IgnoreError();  // empty once every rank removed its part
    return Status(failed.code(), "distributed save of " + prefix + " failed; nothing was published: " + failures);
  }

  // 4. commit
  std::string outcome;
  if (rank == 0) {
    Status merged;
    if (parts.empty()) {
      // Nothing to write anywhere: an empty checkpoint.
      BundleWriterOptions wo;
      wo.fs = fs;
      wo.sync = options.sync;
      auto w = BundleWriter::Create(prefix, wo);
      merged = w.ok() ? (*w)->Finish() : w.status();
    } else {
      MergeOptions mo;
      mo.fs = fs;
      mo.sync = options.sync;
      merged = MergeBundles(parts, prefix, mo);
      if (!merged.ok()) {
        // A failed save publishes nothing, even when the merge failed after
        // its index was in place (a later fsync or cleanup step).
        fs->DeleteFile(MetaFilename(prefix)).IgnoreError();
        const int k = static_cast<int>(parts.size());
        for (int i = 0; i < k; ++i) fs->DeleteFile(DataFilename(prefix, i, k)).IgnoreError();
        for (const std::string& p : parts) RemovePart(fs, p);
      }
    }
    fs->DeleteDir(TempDir(prefix)).IgnoreError();
    if (!merged.ok()) {
      merged = Status(merged.code(), "distributed save of " + prefix + ": rank 0 could not merge the parts: " +
                                         merged.message());
    }
    outcome = EncodeStatus(merged);
  }
  auto committed = comm.Broadcast(outcome, 0, options.deadline);
  if (!committed.ok()) return GroupFailure(comm, committed.status(), "commit");
  CKPT_RETURN_IF_ERROR(DecodeStatus(*committed, 0));
  // 5.
  return prefix;
}

}  // namespace ckpt::distributed
