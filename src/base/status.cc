#include "ckpt/status.h"

#include <cstdio>
#include <cstdlib>

namespace ckpt {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message)
    : code_(code), message_(code == StatusCode::kOk ? std::string() : std::move(message)) {}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

std::ostream& operator<<(std::ostream& os, const Status& status) { return os << status.ToString(); }

namespace internal {
void DieOnErrorResult(const Status& status) {
  // stderr directly: the process is about to abort, no logger may be set up.
  std::fprintf(stderr, "ckpt: value of a Result holding an error: %s\n", status.ToString().c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

#define CKPT_DEFINE_ERROR(Name, Code) \
  Status Name(std::string message) { return Status(StatusCode::Code, std::move(message)); }
CKPT_DEFINE_ERROR(CancelledError, kCancelled)
CKPT_DEFINE_ERROR(UnknownError, kUnknown)
CKPT_DEFINE_ERROR(InvalidArgumentError, kInvalidArgument)
CKPT_DEFINE_ERROR(NotFoundError, kNotFound)
CKPT_DEFINE_ERROR(AlreadyExistsError, kAlreadyExists)
CKPT_DEFINE_ERROR(PermissionDeniedError, kPermissionDenied)
CKPT_DEFINE_ERROR(ResourceExhaustedError, kResourceExhausted)
CKPT_DEFINE_ERROR(FailedPreconditionError, kFailedPrecondition)
CKPT_DEFINE_ERROR(AbortedError, kAborted)
CKPT_DEFINE_ERROR(OutOfRangeError, kOutOfRange)
CKPT_DEFINE_ERROR(UnimplementedError, kUnimplemented)
CKPT_DEFINE_ERROR(InternalError, kInternal)
CKPT_DEFINE_ERROR(UnavailableError, kUnavailable)
CKPT_DEFINE_ERROR(DataLossError, kDataLoss)
#undef CKPT_DEFINE_ERROR

}  // namespace ckpt
