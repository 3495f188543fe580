// restore_bench: a bundle restore against the disk and the page cache, with
// the CPU it costs, in one run.
//
// Usage: restore_bench --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=5] [--only ID,ID]
//
// Saves one bundle of T float32 tensors (N MiB), then runs every case R times,
// the order rotated from rep to rep so no case always follows the same one:
//   raw O_DIRECT read (cold)   4 MiB preads of the data file into page-aligned
//                              pre-faulted memory, one at a time; then the same
//                              into 2 MiB pages (the disk's limit on virtio:
//                              the ckpt cold cases are compared with this one)
//   raw buffered read (cold)   the same with plain pread in 4 MiB chunks (what
//                              a buffered reader like TensorFlow's gets from
//                              the kernel's readahead)
//   ckpt restore (cold)        BundleReader::Open + ReadInto x T into
//                              pre-faulted destinations that start 0, 16 or 64
//                              bytes past a page (checksums verified)
//   raw preadv (warm, 1 / 2 threads)  buffered preadv in 64 MiB chunks of the
//                              cached file: the warm-restore baseline
//   ckpt restore (warm)        the same restore with the file in the cache
// "Cold": fdatasync + posix_fadvise(DONTNEED) of the bundle's files before
// the case (mincore-checked); "warm": the file is read through the cache just
// before. Reports the median GB/s, the ratio to the matching raw case (each
// rep's pair, then the median of the per-rep ratios, so a load swing between
// reps cancels) and CPU seconds per GB of all threads (getrusage), which does
// not depend on the machine's load.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/tensor.h"

#include "bench_util.h"

namespace {

using namespace bench;

struct PageBuf {
  explicit PageBuf(size_t n) {
    p = static_cast<char*>(std::aligned_alloc(kPage, (n + 2 * kPage - 1) / kPage * kPage));
    if (p == nullptr) Die("out of memory");
    Prefault(p, n + kPage);
  }
  ~PageBuf() { std::free(p); }
  PageBuf(const PageBuf&) = delete;
  PageBuf& operator=(const PageBuf&) = delete;
  char* p;
};

double CpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

void SyncAndDrop(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CheckSys(fd >= 0, "open " + path);
  CheckSys(::fdatasync(fd) == 0, "fdatasync " + path);
  CheckSys(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "posix_fadvise " + path);
  ::close(fd);
}

double Resident(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CheckSys(fd >= 0, "open " + path);
  struct stat st;
  CheckSys(::fstat(fd, &st) == 0, "fstat " + path);
  const size_t n = static_cast<size_t>(st.st_size);
  void* m = ::mmap(nullptr, n, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  CheckSys(m != MAP_FAILED, "mmap " + path);
  std::vector<unsigned char> vec((n + kPage - 1) / kPage);
  CheckSys(::mincore(m, n, vec.data()) == 0, "mincore " + path);
  ::munmap(m, n);
  size_t in = 0;
  for (unsigned char v : vec) in += v & 1;
  return static_cast<double>(in) / static_cast<double>(vec.size());
}

size_t FileSize(const std::string& path) {
  struct stat st;
  CheckSys(::stat(path.c_str(), &st) == 0, "stat " + path);
  return static_cast<size_t>(st.st_size);
}

void ReadFile(const std::string& path, char* dst, size_t begin, size_t end, size_t chunk, bool direct) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
  CheckSys(fd >= 0, "open " + path);
  for (size_t off = begin; off < end;) {
    size_t n = std::min(chunk, end - off);
    if (direct) n = (n + kPage - 1) / kPage * kPage;  // the tail block: O_DIRECT reads whole blocks
    struct iovec iov{dst + off, n};
    const ssize_t r = ::preadv(fd, &iov, 1, static_cast<off_t>(off));
    CheckSys(r > 0, "preadv " + path);
    off += static_cast<size_t>(r);
  }
  ::close(fd);
}

struct Sample {
  double secs, cpu;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string only;  // comma-separated case ids; empty: all
  size_t total_mib = 1024, tensors = 128, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir") dir = v;
    else if (k == "--total-mib") total_mib = std::stoul(v);
    else if (k == "--tensors") tensors = std::stoul(v);
    else if (k == "--reps") reps = std::stoul(v);
    else if (k == "--only") only = "," + v + ",";
    else Die("unknown flag " + k);
  }
  if (dir.empty()) Die("usage: restore_bench --dir D [--total-mib N] [--tensors T] [--reps R]");
  const std::string load_before = LoadAverage();
  const std::vector<size_t> elems = SplitFloats(total_mib * kMiB, tensors);
  const size_t total = total_mib * kMiB;

  // Sources and destinations: one pre-faulted page-aligned buffer per tensor,
  // with a spare page so a destination can start 16 or 64 bytes in.
  std::vector<std::unique_ptr<PageBuf>> src, dst;
  for (size_t i = 0; i < tensors; ++i) {
    src.push_back(std::make_unique<PageBuf>(elems[i] * 4));
    FillFloats(reinterpret_cast<float*>(src[i]->p), elems[i], static_cast<uint32_t>(i));
    dst.push_back(std::make_unique<PageBuf>(elems[i] * 4));
  }
  PageBuf raw(total + kPage);
  char* raw_huge = HugePageMemory(total + kPage);

  const std::string prefix = dir + "/restore_bench";
  {
    ckpt::BundleWriterOptions o;
    o.sync = true;
    auto w = Take(ckpt::BundleWriter::Create(prefix, o), "BundleWriter::Create");
    for (size_t i = 0; i < tensors; ++i) {
      ckpt::TensorView v{ckpt::DType::kFloat, ckpt::TensorShape({static_cast<int64_t>(elems[i])}), src[i]->p, {}};
      Check(w->Add(VariableKey(i), v), "Add");
    }
    Check(w->Finish(), "Finish");
  }
  const std::string data = ckpt::DataFilename(prefix, 0, 1);
  const std::string meta = ckpt::MetaFilename(prefix);
  const size_t fsize = FileSize(data);

  auto cold = [&] {
    SyncAndDrop(data);
    SyncAndDrop(meta);
    if (Resident(data) > 0.001) Die("could not evict " + data);
  };
  auto warm = [&] {
    ReadFile(data, raw.p, 0, fsize, 64 * kMiB, false);
    if (Resident(data) < 0.999) std::fprintf(stderr, "note: only %.1f%% of the data file cached\n", 100 * Resident(data));
  };
  auto restore = [&](size_t pad, bool verify) {
    auto r = Take(ckpt::BundleReader::Open(prefix), "BundleReader::Open");
    for (size_t i = 0; i < tensors; ++i) {
      ckpt::MutableTensorView v{ckpt::DType::kFloat, ckpt::TensorShape({static_cast<int64_t>(elems[i])}), dst[i]->p + pad};
      Check(r->ReadInto(VariableKey(i), v), "ReadInto");
    }
    if (verify) {
      for (size_t i = 0; i < tensors; ++i) {
        if (std::memcmp(dst[i]->p + pad, src[i]->p, elems[i] * 4) != 0) Die("restored tensor differs: " + VariableKey(i));
        std::memset(dst[i]->p + pad, 0, elems[i] * 4);
      }
    }
  };

  struct Case {
    std::string id;
    std::string label;
    std::string base;  // id of the raw case it is compared with
    std::function<void()> prepare, run;
  };
  std::vector<Case> cases = {
      {"raw_direct", "raw O_DIRECT read 4MiB (cold)", "", cold, [&] { ReadFile(data, raw.p, 0, fsize, 4 * kMiB, true); }},
      {"raw_direct_huge", "raw O_DIRECT read 4MiB into 2MiB pages (cold)", "raw_direct", cold,
       [&] { ReadFile(data, raw_huge, 0, fsize, 4 * kMiB, true); }},
      {"raw_buffered_cold", "raw buffered read 4MiB (cold)", "raw_direct_huge", cold,
       [&] { ReadFile(data, raw.p, 0, fsize, 4 * kMiB, false); }},
      {"ckpt_cold", "ckpt restore (cold, dst page-aligned)", "raw_direct_huge", cold, [&] { restore(0, false); }},
      {"ckpt_cold16", "ckpt restore (cold, dst 4K+16)", "raw_direct_huge", cold, [&] { restore(16, false); }},
      {"ckpt_cold64", "ckpt restore (cold, dst 4K+64)", "raw_direct_huge", cold, [&] { restore(64, false); }},
      {"raw_warm", "raw buffered preadv 64MiB (warm, 1 thread)", "", warm,
       [&] { ReadFile(data, raw.p, 0, fsize, 64 * kMiB, false); }},
      {"raw_warm2", "raw buffered preadv 64MiB (warm, 2 threads)", "raw_warm", warm,
       [&] {
         const size_t half = fsize / 2 / kPage * kPage;
         std::thread other([&] { ReadFile(data, raw.p, half, fsize, 64 * kMiB, false); });
         ReadFile(data, raw.p, 0, half, 64 * kMiB, false);
         other.join();
       }},
      {"ckpt_warm", "ckpt restore (warm, dst page-aligned)", "raw_warm", warm, [&] { restore(0, false); }},
      {"ckpt_warm16", "ckpt restore (warm, dst 4K+16)", "raw_warm", warm, [&] { restore(16, false); }},
  };
  if (!only.empty()) {
    std::erase_if(cases, [&](const Case& c) {
      return only.find("," + c.id + ",") == std::string::npos;
    });
  }
  // Correctness first, untimed: every destination placement, cold and warm
  // (skipped with --only, which is for profiling a case).
  for (size_t pad : {0, 16, 64}) {
    if (!only.empty()) break;
    cold();
    restore(pad, true);
    warm();
    restore(pad, true);
  }
  std::map<std::string, std::vector<Sample>> samples;
  for (size_t rep = 0; rep < reps; ++rep) {
    for (size_t j = 0; j < cases.size(); ++j) {
      const Case& c = cases[(j + rep) % cases.size()];
      c.prepare();
      const double cpu0 = CpuSeconds();
      const auto t0 = Clock::now();
      c.run();
      const double secs = Seconds(t0, Clock::now());
      samples[c.id].push_back({secs, CpuSeconds() - cpu0});
    }
  }
  std::printf("restore_bench: %zu MiB in %zu float32 tensors, %zu reps; load before %s, after %s\n", total_mib,
              tensors, reps, load_before.c_str(), LoadAverage().c_str());
  std::printf("%-46s %8s %8s %8s %10s %9s\n", "case", "GB/s", "min", "max", "x base", "CPU s/GB");
  for (const Case& c : cases) {
    const auto& s = samples[c.id];
    std::vector<double> gbps, ratio, cpu;
    for (size_t r = 0; r < s.size(); ++r) {
      gbps.push_back(static_cast<double>(total) / 1e9 / s[r].secs);
      cpu.push_back(s[r].cpu / (static_cast<double>(total) / 1e9));
      if (!c.base.empty() && samples.count(c.base)) ratio.push_back(samples[c.base][r].secs / s[r].secs);
    }
    const auto [lo, hi] = std::minmax_element(gbps.begin(), gbps.end());
    char rs[32] = "-";
    if (!ratio.empty()) std::snprintf(rs, sizeof rs, "%.3f", Median(ratio));
    std::printf("%-46s %8.3f %8.3f %8.3f %10s %9.3f\n", c.label.c_str(), Median(gbps), *lo, *hi, rs, Median(cpu));
  }
  ::unlink(data.c_str());
  ::unlink(meta.c_str());
  return 0;
}
