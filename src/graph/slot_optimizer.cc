// SlotOptimizer: per-variable slots, restored when they are created (CK-41).
#include "ckpt/variable.h"

#include "graph/trackable_state.h"

namespace ckpt {

Result<Variable*> SlotOptimizer::CreateSlot(Variable& var, std::string_view slot_name) {
  if (Variable* existing = GetSlot(var, slot_name)) return existing;
  if (slot_name.empty()) return InvalidArgumentError("A slot needs a non-empty name.");
  std::string name = var.name().empty() ? std::string() : var.name() + "/" + std::string(slot_name);
  auto slot = std::make_unique<Variable>(var.dtype(), var.shape(), std::move(name));
  Variable* raw = slot.get();
  slots_.push_back(Slot{&var, internal::SharedStateOf(var), std::string(slot_name), std::move(slot)});
  Status s = OnSlotCreated(var, slot_name, *raw);
  if (!s.ok()) return s;
  return raw;
}

Variable* SlotOptimizer::GetSlot(const Variable& var, std::string_view slot_name) const {
  for (const Slot& s : slots_) {
    if (s.original == &var && !s.original_alive.expired() && s.name == slot_name) return s.slot.get();
  }
  return nullptr;
}

std::vector<SlotVariable> SlotOptimizer::slot_variables() {
  std::vector<SlotVariable> out;
  out.reserve(slots_.size());
  for (Slot& s : slots_) {
    if (!s.original_alive.expired()) out.push_back(SlotVariable{s.original, s.name, s.slot.get()});
  }
  return out;
}

}  // namespace ckpt
