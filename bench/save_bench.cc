// save_bench: does a bundle save from arrays that are NOT page-aligned keep
// up with the disk, and what does a save cost in memory?
//
// Usage: save_bench --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=3]
//                   [--offsets 0,16,64]
//
// One source region holds T float32 tensors (N MiB in all). Tensor i starts
// `off` bytes past a page boundary, for each `off` in --offsets (numpy and
// torch arrays typically start 16 or 64 bytes past a page; 0 is the
// page-aligned case that O_DIRECT can write straight from). Each repetition
// runs, in this order and in the same process:
//   raw      O_DIRECT pwrite of the same N MiB from page-aligned memory in
//            8 MiB chunks + fdatasync (the disk's figure)
//   ckpt+X   BundleWriter Create/Add x T/Finish, sync and direct_io on, with
//            every source X bytes past a page
// and reports medians (min, max beside them) and the ratio to raw measured
// in the same run, so load from other processes cancels out as far as it
// can. Peak extra RSS of each save (VmHWM reset through clear_refs before
// the save, minus VmRSS before it) is reported as the max over reps: it is
// the bounce / coalescing memory the save needs on top of the caller's data.
// "CPU s/GB" (user + system time of all threads per GB, median) does not
// depend on how busy the machine is: it is the work a save puts on the CPUs.
// Files are removed after each case. A final line "JSON {...}" carries every
// number for scripts.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/tensor.h"

#include "bench_util.h"

namespace {

using namespace bench;

constexpr size_t kRawChunk = 8 * kMiB;

struct Args : DiskArgs {
  std::vector<size_t> offsets = {0, 16, 64};
};

Args Parse(int argc, char** argv) {
  Args a;
  ParseDiskArgs(argc, argv,
                "usage: save_bench --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=3] [--offsets 0,16,64]", &a,
                [&](const std::string& k, const std::function<std::string()>& value) {
                  if (k != "--offsets") return false;
                  a.offsets.clear();
                  std::stringstream ss(value());
                  for (std::string t; std::getline(ss, t, ',');) a.offsets.push_back(std::stoull(t));
                  return true;
                });
  if (a.offsets.empty()) Die("--offsets must not be empty");
  for (size_t o : a.offsets) {
    if (o >= kPage) Die("offsets must be < 4096");
  }
  return a;
}

// "VmRSS" / "VmHWM" of this process in bytes.
size_t StatusBytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string want = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(want, 0) == 0) return std::stoull(line.substr(want.size())) * 1024;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when refused.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

// CPU seconds (user + system, all threads) this process has used.
double CpuSeconds() {
  struct rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void RemoveBundle(const std::string& prefix) {
  ::unlink(ckpt::MetaFilename(prefix).c_str());
  ::unlink(ckpt::DataFilename(prefix, 0, 1).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  const size_t total = args.total_bytes();
  const size_t T = args.tensors;
  std::vector<size_t> bytes = SplitFloats(total, T), page_start(T);
  size_t region = 0;
  for (size_t i = 0; i < T; ++i) {
    bytes[i] *= sizeof(float);
    page_start[i] = region;
    region += (bytes[i] + kPage + kPage - 1) / kPage * kPage;  // room for the offset
  }
  // One region, so an 8 GiB state needs 8 GiB (not 8 GiB per offset): tensor
  // i lives at page_start[i] + off. Contents differ per offset (same bytes
  // shifted), which does not matter for timing.
  char* base = static_cast<char*>(std::aligned_alloc(kPage, region));
  if (base == nullptr) Die("out of memory for the source region");
  for (size_t off = 0; off < region; off += 64 * kMiB) {
    const size_t n = std::min(region - off, 64 * kMiB);
    FillFloats(reinterpret_cast<float*>(base + off), n / sizeof(float), static_cast<uint32_t>(off / kMiB));
  }
  std::printf("save_bench: %zu MiB (%.3f GB) in %zu float32 tensors, %d reps, medians; load average %s\n",
              args.total_mib, total / 1e9, T, args.reps, LoadAverage().c_str());
  std::printf("dir: %s\n", args.dir.c_str());

  std::map<std::string, std::vector<double>> secs, cpu;
  std::map<std::string, size_t> extra_rss;
  std::vector<std::string> order = {"raw"};
  for (size_t o : args.offsets) order.push_back("ckpt+" + std::to_string(o));
  const bool rss_ok = ResetPeakRss();

  const std::string raw_path = args.dir + "/raw.bin";
  const std::string prefix = args.dir + "/save_bench";
  for (int rep = 0; rep < args.reps; ++rep) {
    std::fprintf(stderr, "rep %d/%d (load %s)\n", rep + 1, args.reps, LoadAverage().c_str());
    // Rotate the order each rep so no case always runs first or last (the
    // machine may be shared: drift then spreads evenly over the cases).
    const size_t ncases = order.size();
    for (size_t c = 0; c < ncases; ++c) {
      const std::string& id = order[(c + static_cast<size_t>(rep)) % ncases];
      if (id == "raw") {
        ::unlink(raw_path.c_str());
        const double c0 = CpuSeconds();
        const auto t0 = Clock::now();
        const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644);
        CheckSys(fd >= 0, "open O_DIRECT " + raw_path);
        for (size_t off = 0; off < total; off += kRawChunk) {
          const size_t n = std::min(kRawChunk, total - off);
          CheckSys(::pwrite(fd, base + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pwrite");
        }
        CheckSys(::fdatasync(fd) == 0, "fdatasync");
        ::close(fd);
        secs["raw"].push_back(Seconds(t0, Clock::now()));
        cpu["raw"].push_back(CpuSeconds() - c0);
        ::unlink(raw_path.c_str());
        continue;
      }
      const size_t o = std::stoull(id.substr(5));
      RemoveBundle(prefix);
      const size_t rss0 = StatusBytes("VmRSS");
      if (rss_ok) ResetPeakRss();
      ckpt::BundleWriterOptions opt;
      opt.sync = true;
      opt.direct_io = true;
      const double c0 = CpuSeconds();
      const auto t0 = Clock::now();
      auto w = Take(ckpt::BundleWriter::Create(prefix, opt), "BundleWriter::Create");
      for (size_t i = 0; i < T; ++i) {
        ckpt::TensorView v;
        v.dtype = ckpt::DType::kFloat;
        v.shape = ckpt::TensorShape({static_cast<int64_t>(bytes[i] / sizeof(float))});
        v.data = base + page_start[i] + o;
        Check(w->Add(VariableKey(i), v), "Add");
      }
      Check(w->Finish(), "Finish");
      secs[id].push_back(Seconds(t0, Clock::now()));
      cpu[id].push_back(CpuSeconds() - c0);
      w.reset();
      const size_t hwm = StatusBytes("VmHWM");
      extra_rss[id] = std::max(extra_rss[id], hwm > rss0 ? hwm - rss0 : 0);
      RemoveBundle(prefix);
    }
  }

  const double raw_gbps = total / 1e9 / Median(secs["raw"]);
  std::printf("%-12s %9s %9s %9s %8s %8s %9s %14s\n", "case", "median s", "min s", "max s", "GB/s", "vs raw",
              "CPU s/GB", "peak extra RSS");
  std::string json = "{\"bench\":\"ckpt_save\",\"total_mib\":" + std::to_string(args.total_mib) +
                     ",\"tensors\":" + std::to_string(T) + ",\"reps\":" + std::to_string(args.reps);
  for (const std::string& id : order) {
    const auto& v = secs[id];
    const double med = Median(v);
    const double gbps = total / 1e9 / med;
    std::string rss = "-";
    if (id != "raw") rss = rss_ok ? std::to_string(extra_rss[id] / kMiB) + " MiB" : "n/a";
    const double cpu_per_gb = Median(cpu[id]) / (total / 1e9);
    std::printf("%-12s %9.4f %9.4f %9.4f %8.3f %8.3f %9.3f %14s\n", id.c_str(), med,
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()), gbps, gbps / raw_gbps,
                cpu_per_gb, rss.c_str());
    json += ",\"" + id + "_gbps\":" + std::to_string(gbps) + ",\"" + id + "_vs_raw\":" + std::to_string(gbps / raw_gbps);
    if (id != "raw" && rss_ok) json += ",\"" + id + "_extra_rss_mib\":" + std::to_string(extra_rss[id] / kMiB);
  }
  std::printf("load average after: %s\nJSON %s}\n", LoadAverage().c_str(), json.c_str());
  std::free(base);
  return 0;
}
