// Streaming a distributed save's values to its io rank
// (CheckpointOptions::experimental_io_device naming a task): the io rank R
// performs all file I/O; every other rank sends it the values the plan gives
// that rank, in bounded chunks, over Communicator::Send/Recv.
//
// R writes, for every rank r with planned values, the same part
// <prefix>_temp/part-r-of-N the rank would have written itself — entry for
// entry and byte for byte (BundleWriter::AddEncoded) — so the merged
// checkpoint is identical to the save without an io rank.
//
// Messages, per planned value of the sender (in plan order; empty shares of
// an uneven split are skipped by both sides, as the writer skips them):
//   header  varint size, fixed32 entry crc32c, fixed32 crc32c of the bytes
//   pieces  `size` bytes of the value's on-disk encoding, in messages of at
//           most the chunk size (none when size is 0)
// The receiver checks the bytes' crc (and the writer the entry crc of
// fixed-size dtypes), so a damaged transfer is DataLoss, never a bad file.
//
// Memory: a sender sends fixed-size values straight from their buffers and
// assembles string values in one chunk buffer; R holds one received message
// at a time. With the transport's in-flight messages, each rank holds a few
// chunks, never a whole tensor (strings: plus the varint lengths header).
//
// Order and deadlines: R takes the ranks in rank order, one rank's stream
// at a time, so a rank's first Send may wait while R writes lower ranks'
// values; each Send/Recv waits up to the collective timeout.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/named_view.h"
#include "ckpt/distributed.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "distributed/save_plan.h"
#include "distributed/value_list.h"

namespace ckpt::distributed {

// Bytes per message (4 MiB): large enough that per-message costs vanish,
// small enough that a few in flight are nothing next to a model.
inline constexpr size_t kIoChunkBytes = size_t{4} << 20;

using DeadlineFn = std::function<Deadline()>;

// On a rank other than the io rank: sends values[i] for i in `indices`, in
// order. An error is a communicator failure (the caller aborts the group).
Status SendValuesToIoRank(Communicator& comm, int io_rank, std::span<const NamedView> values,
                          std::span<const size_t> indices, size_t chunk_bytes, const DeadlineFn& deadline);

struct IoRankWrite {
  Status comm;   // a communicator failure: the caller aborts the group
  Status write;  // a file or data failure: voted like a rank's write failure
};

// On the io rank: writes every rank's part, receiving the other ranks'
// values (`lists[r]`: what rank r described in the plan exchange). After a
// write failure it keeps receiving (and discards) the remaining bytes, so the
// senders finish and the failure reaches every rank through the vote; the
// parts already written are left for the caller to remove.
IoRankWrite WritePartsAtIoRank(Communicator& comm, FileSystem* fs, bool sync, const std::string& prefix,
                               std::span<const NamedView> own_values, std::span<const std::vector<ValueDesc>> lists,
                               const SavePlan& plan, const DeadlineFn& deadline);

}  // namespace ckpt::distributed
