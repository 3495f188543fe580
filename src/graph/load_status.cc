// LoadStatus: a thin handle on a restore session.
#include "ckpt/checkpoint.h"
#include "graph/restore_session.h"

namespace ckpt {

LoadStatus::LoadStatus(std::shared_ptr<internal::RestoreSession> session) : session_(std::move(session)) {}
LoadStatus::~LoadStatus() = default;
LoadStatus::LoadStatus(LoadStatus&&) noexcept = default;
LoadStatus& LoadStatus::operator=(LoadStatus&&) noexcept = default;

Status LoadStatus::AssertConsumed() const { return session_->AssertConsumed(); }
Status LoadStatus::AssertExistingObjectsMatched() const { return session_->AssertExistingObjectsMatched(); }
Status LoadStatus::AssertNontrivialMatch() const { return session_->AssertNontrivialMatch(); }
Status LoadStatus::RunRestoreOps() const { return session_->RunRestoreOps(); }

LoadStatus& LoadStatus::ExpectPartial() {
  session_->SetExpectPartial();
  return *this;
}

bool LoadStatus::is_initialization_only() const { return session_->is_initialization_only(); }
bool LoadStatus::is_name_based() const { return session_->is_name_based(); }

}  // namespace ckpt
