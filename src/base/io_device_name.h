// Which rank a CheckpointOptions::experimental_io_device names.
//
// TF device strings name a task: "/job:worker/replica:0/task:1/device:CPU:0".
// In a distributed save the task index is the rank (one process per task), so
// that string names rank 1. Accepted: any '/'-separated device string with a
// "task:<decimal>" component ("/task:1", "/job:w/task:1", "/task:1/cpu:0",
// ...). No task component (the empty string, "/cpu:0", "/device:CPU:0",
// "/job:localhost"): no io rank, every rank writes its own part as without
// the option. A task component that is not a decimal number, or two of them:
// InvalidArgument.
#pragma once

#include <string_view>

#include "ckpt/status.h"

namespace ckpt {

// The task `device` names, or -1 when it names none.
Result<int> IoDeviceTask(std::string_view device);

// The io rank of a save by `size` ranks: -1 when there is none (size 1: a
// single process keeps today's behaviour whatever the string says, so TF's
// options round-trip; or no task named); InvalidArgument for a malformed
// string or a task >= size.
Result<int> IoRankFor(std::string_view device, int size);

// The rank that does a distributed save's commit and bookkeeping (merge,
// state file, manager lock and retention): the io rank, else rank 0 (also
// when `device` is invalid: the save itself reports that).
int LeadRankFor(std::string_view device, int size);

}  // namespace ckpt
