// What every benchmark program needs: sizes, a clock, dying with a message on
// an error (a benchmark has nothing to recover), and touching memory before
// timing so page faults are not measured.
#pragma once

#include <errno.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ckpt/status.h"

namespace bench {

using Clock = std::chrono::steady_clock;
constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kPage = 4096;

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
  std::exit(1);
}

inline void Check(const ckpt::Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

template <typename T>
T Take(ckpt::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return *std::move(r);
}

inline void CheckSys(bool ok, const std::string& what) {
  if (!ok) Die(what + ": " + std::strerror(errno));
}

inline double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Touches every page of [p, p + n) so later timings see no first-touch faults.
inline void Prefault(void* p, size_t n) {
  volatile char* c = static_cast<char*>(p);
  for (size_t i = 0; i < n; i += kPage) c[i] = c[i];
}

}  // namespace bench
