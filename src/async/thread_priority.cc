#include "async/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ckpt::async {
namespace {
// From linux/ioprio.h (not every libc ships it).
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassBe = 2;
constexpr int kIoprioClassShift = 13;
}  // namespace

bool LowerCurrentThreadPriority() {
  // On Linux, PRIO_PROCESS with a thread id changes that thread only.
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int nice_now = ::getpriority(PRIO_PROCESS, tid);
  bool ok = errno == 0 && ::setpriority(PRIO_PROCESS, tid, std::min(19, nice_now + kNiceIncrement)) == 0;
#ifdef SYS_ioprio_set
  ok = ::syscall(SYS_ioprio_set, kIoprioWhoProcess, static_cast<int>(tid),
                 (kIoprioClassBe << kIoprioClassShift) | 7) == 0 && ok;
#else
  ok = false;
#endif
  return ok;
}

}  // namespace ckpt::async
