// Crash saving (engine/crash.h).
#include "engine/crash.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "engine/checks.h"  // Fnv1a
#include "engine/sanitizers.h"

#if CKPT_FUZZ_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

// GCC's UBSan runtime has its own copy of the death callback machinery:
// make it abort() instead, which the SIGABRT handler below sees.
extern "C" const char* __ubsan_default_options() { return "abort_on_error=1:print_stacktrace=1"; }

namespace ckpt::fuzz {
namespace {

const std::string* g_current = nullptr;
char g_crash_prefix[4096] = "./crash-";
std::atomic<bool> g_saved{false};

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t k = ::write(fd, p, n);
    if (k <= 0) return;
    p += k;
    n -= static_cast<size_t>(k);
  }
}

void WriteStr(int fd, const char* s) { WriteAll(fd, s, std::strlen(s)); }

// Async-signal-safe: only open/write/close and arithmetic.
void SaveCurrentInput() {
  if (g_current == nullptr || g_saved.exchange(true)) return;
  char path[4200];
  size_t n = std::strlen(g_crash_prefix);
  std::memcpy(path, g_crash_prefix, n);
  const uint64_t h = Fnv1a(*g_current);
  for (int i = 15; i >= 0; --i) path[n++] = "0123456789abcdef"[(h >> (4 * i)) & 15];
  path[n] = '\0';
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    WriteAll(fd, g_current->data(), g_current->size());
    ::close(fd);
    WriteStr(2, "\nckpt_fuzz: the failing input was saved to ");
    WriteStr(2, path);
    WriteStr(2, "\n");
  } else {
    WriteStr(2, "\nckpt_fuzz: could not save the failing input to ");
    WriteStr(2, path);
    WriteStr(2, "\n");
  }
}

void OnFatalSignal(int sig) {
  if (sig == SIGALRM) WriteStr(2, "\nckpt_fuzz: TIMEOUT: one input ran longer than the per-input limit\n");
  SaveCurrentInput();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void InstallCrashHandlers() {
#if CKPT_FUZZ_ASAN
  // ASan/UBSan print the report, then call this before exiting.
  __sanitizer_set_death_callback(&SaveCurrentInput);
  const int sigs[] = {SIGABRT, SIGALRM};
#else
  const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM};
#endif
  for (int s : sigs) ::signal(s, &OnFatalSignal);
}

void SetCrashPrefix(const std::string& dir, const std::string& target) {
  const std::string p = dir + "/crash-" + target + "-";
  std::snprintf(g_crash_prefix, sizeof(g_crash_prefix), "%s", p.c_str());
}

void SetCurrentInput(const std::string* input) { g_current = input; }

void WriteStderr(const char* s) { WriteStr(2, s); }

}  // namespace ckpt::fuzz
