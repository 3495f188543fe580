// Process-wide helper threads for the read path: the other half of a split
// warm read and the O_DIRECT requests a pipelined cold read keeps in flight.
//
// Why not std::async: a restore issues a request per 4 MiB segment and per
// large tensor, and spawning a thread for each costs tens of microseconds
// (more on a loaded VM), time in which the disk or a core idles.
//
// Contract: Run queues `task` (FIFO) for one of two threads and returns its
// future. Unlike std::async's, the future does NOT wait in its destructor:
// the caller must wait for every future before anything the task references
// goes away. Tasks must not wait for other tasks (two threads only). A task
// may wait for its submitter's progress (the cold read's ring reader waits
// for free buffers) as long as the submitter then waits only for that task
// and for tasks it queued before it: FIFO order makes those start first.
// Thread-safe. A forked child gets fresh threads on its first Run (the
// parent's do not exist there). The threads live until the process exits.
#pragma once

#include <functional>
#include <future>

#include "ckpt/status.h"

namespace ckpt::io {

std::future<Status> RunOnReadWorker(std::function<Status()> task);

}  // namespace ckpt::io
