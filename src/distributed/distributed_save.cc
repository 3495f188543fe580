#include "distributed/distributed_save.h"

#include <algorithm>
#include <cstdio>

#include "base/coding.h"
#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "distributed/io_rank_stream.h"
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
  // The rank that writes (io rank) or merges (always) and runs before_write.
  const bool io = options.io_rank >= 0;
  const int lead = io ? options.io_rank : 0;
  Status local_error = options.local_error;
  if (local_error.ok() && io && (options.io_rank >= size || !comm.SupportsPointToPoint())) {
    local_error = options.io_rank >= size
                      ? InvalidArgumentError("io rank " + std::to_string(options.io_rank) + " outside the group")
                      : UnimplementedError(
                            "an io rank (experimental_io_device) needs a communicator with point-to-point "
                            "Send/Recv, and this rank's transport has none");
  }
  // Ranks must agree on the io rank as on the agreement bytes.
  std::string agreement;
  coding::PutVarint64(&agreement, static_cast<uint64_t>(options.io_rank + 1));
  agreement += options.agreement;

  // 1. plan
  const std::string my_input =
      local_error.ok()
          ? EncodePlanInput(rank == lead && options.before_write != nullptr, agreement,
                            EncodeValueList(DescribeValues(values)))
          : EncodeFailedPlanInput(local_error);
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
    // The io rank leads the agreement bytes (one varint byte for any
    // plausible rank count): name it when that is what differs.
    bool io_differs = false;
    for (int r = 1; r < size; ++r) {
      io_differs = io_differs || inputs[static_cast<size_t>(r)].agreement.substr(0, 1) != inputs[0].agreement.substr(0, 1);
    }
    return InvalidArgumentError("distributed save: rank(s) " + disagree + " disagree with rank 0 about " +
                                (io_differs ? std::string("the io rank (experimental_io_device)")
                                            : options.agreement_what) +
                                "; every rank must save the same objects to the same path. Nothing was written");
  }
  std::vector<std::vector<ValueDesc>> lists;
  for (int r = 0; r < size; ++r) {
    CKPT_ASSIGN_OR_RETURN(auto list, DecodeValueList(inputs[static_cast<size_t>(r)].values, "rank " + std::to_string(r)));
    lists.push_back(std::move(list));
  }
  CKPT_ASSIGN_OR_RETURN(SavePlan plan, PlanSave(lists));  // same input everywhere: same result everywhere
  bool before_write = false;
  for (const PlanInput& in : inputs) before_write = before_write || in.before_write;  // set by the lead only
  if (before_write) {
    // Every rank is in this save and none writes before the barrier.
    if (rank == lead) options.before_write();
    Status cleaned = comm.Barrier(NextDeadline(options));
    if (!cleaned.ok()) return GroupFailure(comm, cleaned, "plan");
  }

  // 2. write
  const std::vector<size_t>& my_writes = plan.writes[static_cast<size_t>(rank)];
  const std::string part = PartPrefix(prefix, rank, size);
  Status written = OkStatus();
  const DeadlineFn next_deadline = [&options] { return NextDeadline(options); };
  if (io && rank == lead) {
    IoRankWrite w = WritePartsAtIoRank(comm, fs, options.sync, prefix, values, lists, plan, next_deadline);
    if (!w.comm.ok()) {
      for (int r = 0; r < size; ++r) RemovePart(fs, PartPrefix(prefix, r, size));
      fs->DeleteDir(TempDir(prefix)).IgnoreError();
      return GroupFailure(comm, w.comm, "write (receiving values at the io rank)");
    }
    written = w.write;
  } else if (io) {
    Status sent = SendValuesToIoRank(comm, lead, values, my_writes, options.io_chunk_bytes, next_deadline);
    if (!sent.ok()) return GroupFailure(comm, sent, "write (sending values to io rank " + std::to_string(lead) + ")");
  } else if (!my_writes.empty()) {
    written = WritePart(fs, options.sync, part, values, my_writes);
  }
  // The parts this rank removes after a failure: its own, or at the io rank
  // every rank's (the others touch no file).
  auto remove_mine = [&] {
    if (!io) {
      RemovePartAndTempDir(fs, prefix, part);
    } else if (rank == lead) {
      for (int r = 0; r < size; ++r) RemovePart(fs, PartPrefix(prefix, r, size));
      fs->DeleteDir(TempDir(prefix)).IgnoreError();
    }
  };

  // 3. vote
  auto votes = comm.AllGather(EncodeStatus(written), NextDeadline(options));
  if (!votes.ok()) {
    remove_mine();
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
    remove_mine();
    return Status(failed.code(), "distributed save of " + prefix + " failed; nothing was published: " + failures);
  }

  // 4. commit
  std::string outcome;
  if (rank == lead) {
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
      merged = Status(merged.code(), "distributed save of " + prefix + ": rank " + std::to_string(lead) +
                                         " could not merge the parts: " +
                                         merged.message());
    }
    outcome = EncodeStatus(merged);
  }
  // An empty checkpoint has one data file, a merge one per part.
  const int num_data = parts.empty() ? 1 : static_cast<int>(parts.size());
  auto committed = comm.Broadcast(outcome, lead, NextDeadline(options));
  if (!committed.ok()) {
    // The lead cannot tell whether the others heard of the commit: it takes
    // the checkpoint back, so that no rank is told of one that exists.
    if (rank == lead) Unpublish(fs, prefix, num_data);
    return GroupFailure(comm, committed.status(), "commit")
        .WithContext("nothing was published");
  }
  CKPT_RETURN_IF_ERROR(DecodeStatus(*committed, lead));
  // 5. ack: on rank 0, completion means every rank has the outcome.
  Status acked = comm.Barrier(NextDeadline(options));
  if (!acked.ok()) {
    if (rank == lead) {
      Unpublish(fs, prefix, num_data);
      return GroupFailure(comm, acked, "commit acknowledgement").WithContext("nothing was published");
    }
    return GroupFailure(comm, acked, "commit acknowledgement")
        .WithContext("rank " + std::to_string(lead) + " published " + prefix + " but this rank cannot tell whether it kept it (it removes it "
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
                                     Deadline deadline, std::string_view what, int root) {
  std::string mine;
  if (comm.rank() == root) {
    const std::string encoded = EncodeStatus(status);
    coding::PutVarint64(&mine, encoded.size());
    mine += encoded;
    if (status.ok()) mine += payload;
  }
  auto got = comm.Broadcast(mine, root, deadline);
  if (!got.ok()) return GroupFailure(comm, got.status(), what);
  const char* p = got->data();
  const char* end = p + got->size();
  uint64_t len;
  if (!coding::GetVarint64(&p, end, &len) || len > static_cast<uint64_t>(end - p)) {
    return DataLossError("malformed outcome from rank " + std::to_string(root) + " (" + std::string(what) + ")");
  }
  CKPT_RETURN_IF_ERROR(DecodeStatus(std::string_view(p, static_cast<size_t>(len)), root));
  return std::string(p + len, end);
}

}  // namespace ckpt::distributed
