// The installation point of saver/group_save.h.
#include "saver/group_save.h"

#include <atomic>

namespace ckpt::saver {
namespace {
// Constant-initialised, so an installation from another object file's static
// initialiser can never be overwritten by this one's.
constinit std::atomic<const GroupSave*> g_group_save{nullptr};
}  // namespace

void InstallGroupSave(const GroupSave* impl) { g_group_save.store(impl, std::memory_order_release); }

const GroupSave* InstalledGroupSave() { return g_group_save.load(std::memory_order_acquire); }

}  // namespace ckpt::saver
