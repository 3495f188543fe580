// sharding_bench: does MaxShardSizePolicy's one-writer-thread-per-data-file
// save beat the one-file save on one node?
//
// A Checkpoint over --tensors float32 Variables holding --total-mib in all is
// written (Checkpoint::Write, fsync on, as a user's save) with no callback
// (one data file, one writer) and with MaxShardSizePolicy(total / N) for each
// N of --shards (N data files, min(N, 8) writer threads), alternating, --reps
// times each. Prints the median wall time, the CPU time (user + sys of the
// whole process, every thread) per GiB, and the ratio to the one-file save.
//
// Usage: sharding_bench --dir D [--total-mib 1024] [--tensors 16] [--reps 3] [--shards 2,4,8]
#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "ckpt/checkpoint.h"
#include "ckpt/sharding.h"
#include "ckpt/variable.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Timing {
  std::vector<double> wall, cpu;
};

}  // namespace

int main(int argc, char** argv) {
  bench::DiskArgs args;
  args.tensors = 16;
  std::vector<int> shard_counts = {2, 4, 8};
  bench::ParseDiskArgs(argc, argv,
                       "sharding_bench --dir D [--total-mib 1024] [--tensors 16] [--reps 3] [--shards 2,4,8]", &args,
                       [&](const std::string& flag, const std::function<std::string()>& value) {
                         if (flag != "--shards") return false;
                         shard_counts.clear();
                         std::stringstream in(value());
                         for (std::string n; std::getline(in, n, ',');) shard_counts.push_back(std::stoi(n));
                         return true;
                       });

  // The model: float32 vectors, values written once and prefaulted.
  std::vector<std::unique_ptr<ckpt::Variable>> vars;
  std::vector<std::pair<std::string, ckpt::Trackable*>> named;
  const std::vector<size_t> elems = bench::SplitFloats(args.total_bytes(), args.tensors);
  for (size_t i = 0; i < elems.size(); ++i) {
    vars.push_back(std::make_unique<ckpt::Variable>(ckpt::DType::kFloat,
                                                    ckpt::TensorShape{static_cast<int64_t>(elems[i])}));
    bench::FillFloats(vars.back()->flat<float>().data(), elems[i], static_cast<uint32_t>(i));
    char name[32];
    std::snprintf(name, sizeof name, "v%05zu", i);
    named.emplace_back(name, vars.back().get());
  }
  ckpt::Checkpoint ck(named);
  const double gib = static_cast<double>(args.total_bytes()) / double(1 << 30);

  // Variant 0: no callback; then one per shard count.
  std::vector<int> variants = {1};
  variants.insert(variants.end(), shard_counts.begin(), shard_counts.end());
  std::vector<Timing> t(variants.size());
  const std::string prefix = args.dir + "/sharding_bench";
  auto run = [&](size_t v) {
    ckpt::CheckpointOptions o;
    if (variants[v] > 1) {
      // A little above total / N, so the object graph and rounding do not
      // spill into an extra file.
      o.experimental_sharding_callback = std::make_shared<ckpt::MaxShardSizePolicy>(
          static_cast<int64_t>(args.total_bytes() / static_cast<size_t>(variants[v]) + (1 << 20)));
    }
    const double c0 = CpuSeconds();
    const auto w0 = bench::Clock::now();
    bench::Take(ck.Write(prefix, o), "write");
    t[v].wall.push_back(bench::Seconds(w0, bench::Clock::now()));
    t[v].cpu.push_back(CpuSeconds() - c0);
  };
  run(0);  // warm-up: file system metadata, thread stacks
  for (int r = 0; r < args.reps; ++r) {
    for (size_t v = 0; v < variants.size(); ++v) run(r % 2 ? variants.size() - 1 - v : v);  // alternate order
  }

  std::printf("sharding_bench: %zu MiB in %zu float32 tensors, %d reps, dir %s, load %s\n", args.total_mib,
              args.tensors, args.reps, args.dir.c_str(), bench::LoadAverage().c_str());
  std::printf("%-22s %10s %12s %12s %14s\n", "save", "wall s", "GiB/s", "CPU s/GiB", "wall vs 1 file");
  // The warm-up is in variant 0's lists: drop it.
  t[0].wall.erase(t[0].wall.begin());
  t[0].cpu.erase(t[0].cpu.begin());
  const double base = bench::Median(t[0].wall);
  for (size_t v = 0; v < variants.size(); ++v) {
    const double wall = bench::Median(t[v].wall);
    const std::string name =
        variants[v] == 1 ? std::string("1 file (no callback)") : std::to_string(variants[v]) + " files (max size)";
    std::printf("%-22s %10.3f %12.2f %12.3f %14.2f\n", name.c_str(), wall, gib / wall, bench::Median(t[v].cpu) / gib,
                wall / base);
  }
  return 0;
}
