#include "io/posix_error.h"

#include <cerrno>
#include <cstring>

namespace ckpt::io {

Status ErrnoToStatus(int err, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  switch (err) {
    case 0: return OkStatus();
    case ENOENT: return NotFoundError(std::move(msg));
    case EEXIST: return AlreadyExistsError(std::move(msg));
    case EACCES:
    case EPERM:
    case EROFS: return PermissionDeniedError(std::move(msg));
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM: return ResourceExhaustedError(std::move(msg));
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
    case EBUSY: return FailedPreconditionError(std::move(msg));
    case EINVAL:
    case ENAMETOOLONG: return InvalidArgumentError(std::move(msg));
    case EAGAIN:
    case EINTR: return UnavailableError(std::move(msg));
    default: return UnknownError(std::move(msg));
  }
}

}  // namespace ckpt::io
