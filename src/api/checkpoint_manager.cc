// CheckpointManager::Create: the one piece of the manager that must see the
// Checkpoint's internals (Checkpoint::Impl, this layer). It wraps them in
// the interface the manager layer asks for (manager/managed_checkpoint.h)
// and hands them down; the manager itself is src/manager/checkpoint_manager.cc.
#include "ckpt/checkpoint_manager.h"

#include <memory>
#include <utility>

#include "api/checkpoint_impl.h"
#include "manager/checkpoint_manager_impl.h"
#include "manager/managed_checkpoint.h"

namespace ckpt {

Result<std::unique_ptr<CheckpointManager>> CheckpointManager::Create(Checkpoint& checkpoint, std::string directory,
                                                                     std::optional<int> max_to_keep,
                                                                     CheckpointManagerOptions options) {
  // Local to this member function so that it may name Checkpoint::Impl
  // (private; CheckpointManager is Checkpoint's friend).
  class Internals : public manager::ManagedCheckpoint {
   public:
    explicit Internals(Checkpoint::Impl& impl) : impl_(impl) {}
    FileSystem* fs() const override { return impl_.core.fs(); }
    Result<CheckpointOptions> Resolve(const CheckpointOptions* call) const override { return impl_.Resolve(call); }
    Result<Variable*> SaveCounter() override { return impl_.core.SaveCounter(); }
    Result<std::string> WriteAndNotify(const std::string& prefix, const CheckpointOptions& options,
                                       WriteCallback after, bool* written,
                                       const manager::DistributedHooks* hooks) override {
      return impl_.WriteAndNotify(prefix, options, std::move(after), written, hooks);
    }
    Status Sync() override { return impl_.Sync(); }
    void WaitForWrites() override { impl_.WaitForWrites(); }

   private:
    Checkpoint::Impl& impl_;
  };
  return Impl::Create(checkpoint, std::make_unique<Internals>(*checkpoint.impl_), std::move(directory), max_to_keep,
                      std::move(options));
}

}  // namespace ckpt
