// Background writer threads yield to the training thread: a lower CPU
// priority (nice) and the lowest best-effort I/O priority for the calling
// thread. Threads it starts later (file writer, checksum) inherit both.
//
// Best effort: where the kernel refuses (containers, seccomp), nothing changes.
#pragma once

namespace ckpt::async {

// Raises the calling thread's nice value by kNiceIncrement (capped at 19)
// and sets its I/O priority to best-effort level 7. Returns true when both
// took effect.
inline constexpr int kNiceIncrement = 10;
bool LowerCurrentThreadPriority();

}  // namespace ckpt::async
