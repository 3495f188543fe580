// The Saver's way to the distributed save protocol without depending on it.
//
// The protocol (plan, write, vote, commit: distributed/distributed_save.h)
// lives in distributed/, a layer above saver/ (docs/distributed.md, "Saver
// with a group"). The Saver needs only two of its operations, declared here
// as an interface the distributed layer implements and installs
// (distributed/saver_group_save.cc, installed when the library loads — by
// the object file that defines the Communicator base, so it is present
// whenever a communicator is). Without an installation a Saver save with a
// group of size > 1 returns Unimplemented.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "base/named_view.h"
#include "ckpt/distributed.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::saver {

struct GroupWriteOptions {
  FileSystem* fs = nullptr;
  bool sync = true;
  std::chrono::milliseconds collective_timeout{0};
  // Bytes every rank must give identically, and what they mean (for the
  // InvalidArgument naming the ranks that disagree with rank 0).
  std::string agreement;
  std::string agreement_what;
  // A rank that failed before it could list its values takes part with it.
  Status local_error;
};

class GroupSave {
 public:
  virtual ~GroupSave() = default;
  // One V2 bundle at `prefix` from every rank's `values` (slices as TF
  // slices, whole values written once): returns `prefix` on every rank or
  // the same error on every rank; nothing is published on failure.
  virtual Result<std::string> Write(Communicator& comm, std::span<const NamedView> values, const std::string& prefix,
                                    const GroupWriteOptions& options) const = 0;
  // Rank 0's `status` and, when OK, `payload` reach every rank.
  virtual Result<std::string> BroadcastOutcome(Communicator& comm, const Status& status, std::string_view payload,
                                               Deadline deadline, std::string_view what) const = 0;
};

// Installs the implementation (the distributed layer does, once, at load
// time; `impl` must outlive every Saver). Thread-safe.
void InstallGroupSave(const GroupSave* impl);
// nullptr until installed. Thread-safe.
const GroupSave* InstalledGroupSave();

}  // namespace ckpt::saver
