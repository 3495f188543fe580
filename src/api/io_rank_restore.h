// Checkpoint::Restore/Read with an io rank (CheckpointOptions::
// experimental_io_device naming a task in a group of N > 1): a collective
// in which the io rank R restores its own objects from storage and then
// serves the other ranks' file reads (distributed/io_rank_read.h), and every
// other rank restores through an IoRankClient, making no file-system call.
#pragma once

#include <functional>
#include <memory>

#include "ckpt/checkpoint.h"
#include "ckpt/file_system.h"

namespace ckpt {

// `read(fs)` runs the restore, reading through `fs` (null: the Checkpoint's
// own file system). Without a communicator, with a group of one, or with no
// task named: just read(nullptr), not collective. Otherwise every rank first
// agrees on the io rank in one all-gather (a malformed or out-of-range task,
// ranks naming different tasks, or a rank without point-to-point: the same
// InvalidArgument / Unimplemented on every rank, nothing read), then R runs
// read(nullptr) and serves the others; the others run read(client).
// Each rank returns its own restore's outcome (R's file errors reach the
// requesting rank unchanged); a communicator failure (a rank stalling past
// collective_timeout, an abort) aborts the group and fails the ranks that
// meet it.
Result<LoadStatus> ReadThroughIoRank(const CheckpointOptions& options,
                                     const std::function<Result<LoadStatus>(std::shared_ptr<FileSystem>)>& read);

}  // namespace ckpt
