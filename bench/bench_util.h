// What every benchmark program needs: sizes, a clock, dying with a message on
// an error (a benchmark has nothing to recover), touching memory before
// timing so page faults are not measured, the flags every disk benchmark takes,
// and the median of repeated timings.
#pragma once

#include <errno.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

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

// Deterministic non-constant floats in [-0.5, 0.5) (so nothing downstream can
// shortcut zeros); the same seed gives the same values.
// n bytes of 2 MiB-aligned anonymous memory advised MADV_HUGEPAGE (what THP's
// "madvise" mode needs) and touched, so huge pages back it where the kernel
// has them. Never freed (the benchmarks map it once). On virtio disks an
// O_DIRECT request into 2 MiB pages goes out whole, one into 4 KiB pages is
// cut at max_segments pages: this is the memory a "raw at the disk's limit"
// baseline reads into and writes from.
inline char* HugePageMemory(size_t n) {
  const size_t huge = size_t{2} << 20;
  void* m = ::mmap(nullptr, n + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CheckSys(m != MAP_FAILED, "mmap");
  char* p = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(m) + huge - 1) / huge * huge);
  ::madvise(p, n, MADV_HUGEPAGE);
  std::memset(p, 0, n);
  return p;
}

inline void FillFloats(float* f, size_t n, uint32_t seed) {
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    f[i] = static_cast<float>(x >> 8) * (1.0f / 16777216.0f) - 0.5f;
  }
}

// The 1, 5 and 15 minute load averages, printed with results so a noisy run
// shows itself.
inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Splits `total_bytes` of float32 data into `parts` tensors: element counts
// that are whole floats, differ by at most one and add up to total_bytes / 4.
inline std::vector<size_t> SplitFloats(size_t total_bytes, size_t parts) {
  const size_t floats = total_bytes / sizeof(float);
  std::vector<size_t> elems(parts);
  for (size_t i = 0; i < parts; ++i) elems[i] = floats / parts + (i < floats % parts ? 1 : 0);
  return elems;
}

// The checkpoint key of tensor i, shaped like a TF2 object-graph variable key
// so key handling costs what it costs on a real model.
inline std::string VariableKey(size_t i) {
  char b[64];
  std::snprintf(b, sizeof b, "model/layer_%05zu/kernel/.ATTRIBUTES/VARIABLE_VALUE", i);
  return b;
}

// Median of repeated timings (v is non-empty): robust to one slow repetition.
inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The flags every disk benchmark takes: where to write, how many MiB in how
// many tensors, how many repetitions. Defaults are the save/bundle benches';
// a program with other defaults sets them before ParseDiskArgs.
struct DiskArgs {
  std::string dir;
  size_t total_mib = 1024;
  size_t tensors = 128;
  int reps = 3;

  size_t total_bytes() const { return total_mib * kMiB; }
};

// Called for a flag that is not a DiskArgs one; `value` yields the flag's
// value (dying when it is missing). Returns false for a flag it does not know.
using ExtraFlag = std::function<bool(const std::string& flag, const std::function<std::string()>& value)>;

// Reads argv as "--flag value" pairs: --dir, --total-mib, --tensors and --reps
// into *args, any other flag through `extra`, then creates --dir (and its parents)
// unless it exists. -h/--help prints `usage` and exits 0. Dies on an unknown
// flag, a missing value, no --dir, a zero --total-mib / --tensors / --reps, or
// a --dir it cannot create.
inline void ParseDiskArgs(int argc, char** argv, const char* usage, DiskArgs* args, const ExtraFlag& extra) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + k);
      return argv[++i];
    };
    if (k == "--dir") args->dir = next();
    else if (k == "--total-mib") args->total_mib = std::stoull(next());
    else if (k == "--tensors") args->tensors = std::stoull(next());
    else if (k == "--reps") args->reps = std::stoi(next());
    else if (k == "-h" || k == "--help") {
      std::printf("%s\n", usage);
      std::exit(0);
    } else if (!extra(k, next)) {
      Die("unknown argument " + k);
    }
  }
  if (args->dir.empty()) Die("--dir is required");
  if (args->total_mib == 0 || args->tensors == 0 || args->reps < 1) Die("--total-mib, --tensors and --reps must be >= 1");
  std::error_code ec;
  std::filesystem::create_directories(args->dir, ec);
  if (ec) Die("mkdir " + args->dir + ": " + ec.message());
}

}  // namespace bench
