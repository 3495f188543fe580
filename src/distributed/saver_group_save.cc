// saver::GroupSave over SaveDistributed / BroadcastOutcome.
#include "distributed/saver_group_save.h"

#include "distributed/distributed_save.h"
#include "saver/group_save.h"

namespace ckpt::distributed {
namespace {

class DistributedGroupSave final : public saver::GroupSave {
 public:
  Result<std::string> Write(Communicator& comm, std::span<const NamedView> values, const std::string& prefix,
                            const saver::GroupWriteOptions& options) const override {
    DistributedSaveOptions o;
    o.fs = options.fs;
    o.sync = options.sync;
    o.collective_timeout = options.collective_timeout;
    o.agreement = options.agreement;
    o.agreement_what = options.agreement_what;
    o.local_error = options.local_error;
    return SaveDistributed(comm, values, prefix, o);
  }
  Result<std::string> BroadcastOutcome(Communicator& comm, const Status& status, std::string_view payload,
                                       Deadline deadline, std::string_view what) const override {
    return distributed::BroadcastOutcome(comm, status, payload, deadline, what);
  }
};

}  // namespace

bool InstallSaverGroupSave() {
  static const DistributedGroupSave kImpl;  // lives until exit
  saver::InstallGroupSave(&kImpl);
  return true;
}

}  // namespace ckpt::distributed
