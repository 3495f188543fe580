// long_run: many consecutive saves in one process (issue 14, scenario 6), run
// by scripts/stress.sh.
//
//   long_run DIR [--saves N] [--mib M] [--mode sync|async]
//
// One CheckpointManager (max_to_keep=3) saves an M MiB model N times on the
// real file system, the values changing every save. Measured after the first
// max_to_keep saves (buffers, staging sets and the writer thread exist by
// then) and after the last: resident memory (VmRSS) and open file
// descriptors. Checks: no fd drift (last == first), RSS grows by less than
// max(8 MiB, M/4 MiB), after every save at most max_to_keep checkpoints
// (index files) are in the directory and it holds no more bytes than
// max_to_keep + 1 checkpoints (the one being written), ending with exactly
// max_to_keep; the last checkpoint restores bit-exact.
// Prints one line "RESULT|long run (<mode>, ...)|N|failures|first/last RSS and fds ...".
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/variable.h"

namespace {

constexpr int kMaxToKeep = 3;
constexpr int kArrays = 4;

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

int OpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
    --n;  // the directory stream itself
  }
  return n;
}

struct DirUsage {
  int indexes = 0;
  long long bytes = 0;
};

DirUsage Usage(const std::string& dir) {
  DirUsage u;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (stat((dir + "/" + name).c_str(), &st) == 0) u.bytes += st.st_size;
      if (name.size() > 6 && name.compare(name.size() - 6, 6, ".index") == 0) ++u.indexes;
    }
    closedir(d);
  }
  return u;
}

struct Model : ckpt::Module {
  std::vector<std::unique_ptr<ckpt::Variable>> arrays;
  explicit Model(int64_t n) {
    for (int i = 0; i < kArrays; ++i) {
      arrays.push_back(std::make_unique<ckpt::Variable>(ckpt::DType::kFloat, ckpt::TensorShape{n}));
      if (!Track("a" + std::to_string(i), *arrays[i]).ok()) std::abort();
    }
  }
  void Fill(int64_t step) {
    for (int i = 0; i < kArrays; ++i) {
      auto a = arrays[i]->flat<float>();
      for (size_t j = 0; j < a.size(); ++j) a[j] = float(step * 1000 + i) + float(j % 7);
    }
  }
  bool Holds(int64_t step) {
    for (int i = 0; i < kArrays; ++i) {
      auto a = arrays[i]->flat<float>();
      for (size_t j = 0; j < a.size(); ++j) {
        if (a[j] != float(step * 1000 + i) + float(j % 7)) return false;
      }
    }
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: long_run DIR [--saves N] [--mib M] [--mode sync|async]\n");
    return 2;
  }
  const std::string dir = argv[1];
  int saves = 100;
  double mib = 16;
  std::string mode = "sync";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--saves")) saves = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--mib")) mib = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--mode")) mode = argv[i + 1];
    else return 2;
  }
  const bool async = mode == "async";
  std::vector<std::string> failures;
  auto fail = [&](std::string f) {
    if (failures.size() < 20) std::printf("FAIL %s\n", f.c_str());
    failures.push_back(std::move(f));
  };

  const int64_t n = int64_t(mib * (1 << 20) / 4 / kArrays);
  const long long checkpoint_bytes = static_cast<long long>(n) * 4 * kArrays;
  long rss_first = 0, rss_last = 0;
  int fds_first = 0, fds_last = 0;
  {
    Model model(n);
    ckpt::Variable step(ckpt::DType::kInt64, ckpt::TensorShape{});
    ckpt::CheckpointOptions o;
    o.enable_async = async;
    ckpt::Checkpoint checkpoint({{"model", &model}, {"step", &step}}, o);
    auto manager = ckpt::CheckpointManager::Create(checkpoint, dir, kMaxToKeep);
    if (!manager.ok()) {
      std::printf("FAIL create: %s\n", manager.status().ToString().c_str());
      return 1;
    }
    for (int s = 1; s <= saves; ++s) {
      model.Fill(s);
      step.flat<int64_t>()[0] = s;
      auto path = (*manager)->Save();
      if (!path.ok()) {
        fail("save " + std::to_string(s) + ": " + path.status().ToString());
        break;
      }
      if (async && s % 10 == 0) {
        // Let the writer catch up now and then, as a training loop's
        // evaluation would; the disk checks below need settled files.
        if (auto st = (*manager)->Sync(); !st.ok()) fail("sync: " + st.ToString());
      }
      if (!async || s % 10 == 0) {
        const DirUsage u = Usage(dir);
        if (u.indexes > kMaxToKeep) fail("save " + std::to_string(s) + ": " + std::to_string(u.indexes) + " checkpoints");
        if (u.bytes > (kMaxToKeep + 1) * checkpoint_bytes + (1 << 20)) {
          fail("save " + std::to_string(s) + ": directory holds " + std::to_string(u.bytes) + " bytes");
        }
      }
      if (s == kMaxToKeep) {
        if (auto st = (*manager)->Sync(); !st.ok()) fail("sync: " + st.ToString());
        rss_first = RssKiB();
        fds_first = OpenFds();
      }
    }
    if (auto st = (*manager)->Sync(); !st.ok()) fail("final sync: " + st.ToString());
    rss_last = RssKiB();
    fds_last = OpenFds();
    const DirUsage u = Usage(dir);
    if (u.indexes != kMaxToKeep) fail("at the end " + std::to_string(u.indexes) + " checkpoints on disk");
    if (u.bytes > kMaxToKeep * checkpoint_bytes + (1 << 20)) {
      fail("at the end the directory holds " + std::to_string(u.bytes) + " bytes, more than " +
           std::to_string(kMaxToKeep) + " checkpoints");
    }
    // The last checkpoint restores bit-exact (into zeroed variables).
    for (auto& a : model.arrays) std::fill(a->flat<float>().begin(), a->flat<float>().end(), 0.f);
    auto latest = (*manager)->latest_checkpoint();
    if (!latest) {
      fail("no latest checkpoint");
    } else if (auto r = checkpoint.Restore(*latest); !r.ok()) {
      fail("restore " + *latest + ": " + r.status().ToString());
    } else if (step.flat<int64_t>()[0] != saves || !model.Holds(saves)) {
      fail(*latest + " does not hold the last save's values");
    }
  }
  if (fds_last != fds_first) {
    fail("open fds drifted: " + std::to_string(fds_first) + " -> " + std::to_string(fds_last));
  }
  const long rss_slack = std::max(8L * 1024, static_cast<long>(mib * 1024 / 4));
  if (rss_last - rss_first > rss_slack) {
    fail("RSS drifted: " + std::to_string(rss_first / 1024) + " -> " + std::to_string(rss_last / 1024) + " MiB");
  }
  std::printf("RESULT|long run (%s, %g MiB, max_to_keep=%d)|%d|%zu|RSS %ld -> %ld MiB, open fds %d -> %d (first "
              "after save %d, last after save %d); <= %d checkpoints on disk after every save, %d at the end; last "
              "restores bit-exact\n",
              mode.c_str(), mib, kMaxToKeep, saves, failures.size(), rss_first / 1024, rss_last / 1024, fds_first,
              fds_last, kMaxToKeep, saves, kMaxToKeep, kMaxToKeep);
  return failures.empty() ? 0 : 1;
}
