#include "distributed/distributed_save.h"

#include <algorithm>
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

// After a failure every rank removes its part and then tries to remove the
// part directory, which succeeds once it is empty: whichever rank removes
// the last part removes the directory too. A rank that never gets here (dead)
// leaves its part to the next save's cleanup (CheckpointManager).
void RemovePartAndTempDir(FileSystem* fs, const std::string& prefix, const std::string& part) {
  RemovePart(fs, part);
  fs->DeleteDir(TempDir(prefix)).IgnoreError();
}

// Removes a merged checkpoint of `num_data` data files: the index first, so
// it stops counting as a checkpoint before any data goes.
void Unpublish(FileSystem* fs, const std::string& prefix, int num_data) {
  fs->DeleteFile(MetaFilename(prefix)).IgnoreError();
  for (int i = 0; i < num_data; ++i) fs->DeleteFile(DataFilename(prefix, i, num_data)).IgnoreError();
}

// What each rank contributes to the plan all-gather:
//   varint flags (bit 0: rank 0 runs before_write; bit 1: this rank failed,
//   the rest is its status), varint agreement length, agreement bytes, then
//   the value list (value_list.h).
std::string EncodePlanInput(bool before_write, std::string_view agreement, std::string_view values) {
  std::string out;
  coding::PutVarint64(&out, before_write ? 1 : 0);
  coding::PutVarint64(&out, agreement.size());
  out += agreement;
  out += values;
  return out;
}

std::string EncodeFailedPlanInput(const Status& error) {
  std::string out;
  coding::PutVarint64(&out, 2);
  out += EncodeStatus(error);
  return out;
}

struct PlanInput {
  bool before_write = false;
  Status failed;  // the rank could not take part
  std::string_view agreement;
  std::string_view values;
};

Result<PlanInput> DecodePlanInput(std::string_view bytes, int from) {
  const char* p = bytes.data();
  const char* end = bytes.data() + bytes.size();
  uint64_t flags, len;
  if (coding::GetVarint64(&p, end, &flags) && flags == 2) {
    PlanInput in;
    in.failed = DecodeStatus(std::string_view(p, static_cast<size_t>(end - p)), from);
    if (in.failed.ok()) in.failed = DataLossError("malformed save plan input from rank " + std::to_string(from));
    return in;
  }
  p = bytes.data();
  if (!coding::GetVarint64(&p, end, &flags) || flags > 1 || !coding::GetVarint64(&p, end, &len) ||
      len > static_cast<uint64_t>(end - p)) {
    return DataLossError("malformed save plan input from rank " + std::to_string(from));
  }
  PlanInput in;
  in.before_write = flags == 1;
  in.agreement = std::string_view(p, static_cast<size_t>(len));
  p += len;
  in.values = std::string_view(p, static_cast<size_t>(end - p));
  return in;
}

// The deadline of the next collective.
Deadline NextDeadline(const DistributedSaveOptions& o) {
  if (o.collective_timeout.count() <= 0) return o.deadline;
  return std::min(o.deadline, DeadlineAfter(o.collective_timeout));
}

}  // namespace

std::string TempDir(const std::string& prefix) { return prefix + "_temp"; }

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
  const std::string my_input =
      options.local_error.ok()
          ? EncodePlanInput(rank == 0 && options.before_write != nullptr, options.agreement,
                            EncodeValueList(DescribeValues(values)))
          : EncodeFailedPlanInput(options.local_error);
  auto gathered = comm.AllGather(my_input, NextDeadline(options));
  if (!gathered.ok()) return GroupFailure(comm, gathered.status(), "plan");
  std::vector<PlanInput> inputs;
  Status failed_before;
  std::string failed_ranks;
  for (int r = 0; r < size; ++r) {
    CKPT_ASSIGN_OR_RETURN(PlanInput in, DecodePlanInput((*gathered)[static_cast<size_t>(r)], r));
    if (!in.failed.ok()) {
      if (failed_before.ok()) failed_before = in.failed;
      failed_ranks += (failed_ranks.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + in.failed.ToString());
    }
    inputs.push_back(in);
  }
  if (!failed_before.ok()) {
    return Status(failed_before.code(),
                  "distributed save failed before writing; nothing was written: " + failed_ranks);
  }
  std::string disagree;
  for (int r = 1; r < size; ++r) {
    if (inputs[static_cast<size_t>(r)].agreement != inputs[0].agreement) {
      disagree += (disagree.empty() ? "" : ", ") + std::to_string(r);
    }
  }
  if (!disagree.empty()) {
    // Not naming `prefix`: it may be what differs, and every rank must
    // return the same message.
    return InvalidArgumentError("distributed save: rank(s) " + disagree +
                                " disagree with rank 0 about " + options.agreement_what +
                                "; every rank must save the same objects to the same path. Nothing was written");
  }
  std::vector<std::vector<ValueDesc>> lists;
  for (int r = 0; r < size; ++r) {
    CKPT_ASSIGN_OR_RETURN(auto list, DecodeValueList(inputs[static_cast<size_t>(r)].values, "rank " + std::to_string(r)));
    lists.push_back(std::move(list));
  }
  CKPT_ASSIGN_OR_RETURN(SavePlan plan, PlanSave(lists));  // same input everywhere: same result everywhere
  if (inputs[0].before_write) {
    // Every rank is in this save and none writes before the barrier.
    if (rank == 0) options.before_write();
    Status cleaned = comm.Barrier(NextDeadline(options));
    if (!cleaned.ok()) return GroupFailure(comm, cleaned, "plan");
  }

  // 2. write
  const std::vector<size_t>& my_writes = plan.writes[static_cast<size_t>(rank)];
  const std::string part = PartPrefix(prefix, rank, size);
  Status written = OkStatus();
  if (!my_writes.empty()) written = WritePart(fs, options.sync, part, values, my_writes);

  // 3. vote
  auto votes = comm.AllGather(EncodeStatus(written), NextDeadline(options));
  if (!votes.ok()) {
    RemovePartAndTempDir(fs, prefix, part);
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
    RemovePartAndTempDir(fs, prefix, part);
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
      mo.canonical_slice_order = true;  // the same index whichever rank held which block
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
  // An empty checkpoint has one data file, a merge one per part.
  const int num_data = parts.empty() ? 1 : static_cast<int>(parts.size());
  auto committed = comm.Broadcast(outcome, 0, NextDeadline(options));
  if (!committed.ok()) {
    // Rank 0 cannot tell whether the others heard of the commit: it takes
    // the checkpoint back, so that no rank is told of one that exists.
    if (rank == 0) Unpublish(fs, prefix, num_data);
    return GroupFailure(comm, committed.status(), "commit")
        .WithContext("nothing was published");
  }
  CKPT_RETURN_IF_ERROR(DecodeStatus(*committed, 0));
  // 5. ack: on rank 0, completion means every rank has the outcome.
  Status acked = comm.Barrier(NextDeadline(options));
  if (!acked.ok()) {
    if (rank == 0) {
      Unpublish(fs, prefix, num_data);
      return GroupFailure(comm, acked, "commit acknowledgement").WithContext("nothing was published");
    }
    return GroupFailure(comm, acked, "commit acknowledgement")
        .WithContext("rank 0 published " + prefix + " but this rank cannot tell whether it kept it (it removes it "
                     "when its own acknowledgement fails)");
  }
  // 6.
  return prefix;
}

Status AgreeOnStatus(Communicator& comm, const Status& mine, Deadline deadline, std::string_view what) {
  auto all = comm.AllGather(EncodeStatus(mine), deadline);
  if (!all.ok()) return GroupFailure(comm, all.status(), what);
  Status first;
  std::string failures;
  for (int r = 0; r < comm.size(); ++r) {
    const Status s = DecodeStatus((*all)[static_cast<size_t>(r)], r);
    if (s.ok()) continue;
    if (first.ok()) first = s;
    failures += (failures.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + s.ToString());
  }
  if (first.ok()) return OkStatus();
  return Status(first.code(), std::string(what) + ": " + failures);
}

Result<std::string> BroadcastOutcome(Communicator& comm, const Status& status, std::string_view payload,
                                     Deadline deadline, std::string_view what) {
  std::string mine;
  if (comm.rank() == 0) {
    const std::string encoded = EncodeStatus(status);
    coding::PutVarint64(&mine, encoded.size());
    mine += encoded;
    if (status.ok()) mine += payload;
  }
  auto got = comm.Broadcast(mine, 0, deadline);
  if (!got.ok()) return GroupFailure(comm, got.status(), what);
  const char* p = got->data();
  const char* end = p + got->size();
  uint64_t len;
  if (!coding::GetVarint64(&p, end, &len) || len > static_cast<uint64_t>(end - p)) {
    return DataLossError("malformed outcome from rank 0 (" + std::string(what) + ")");
  }
  CKPT_RETURN_IF_ERROR(DecodeStatus(std::string_view(p, static_cast<size_t>(len)), 0));
  return std::string(p + len, end);
}

}  // namespace ckpt::distributed
