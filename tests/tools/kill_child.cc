// kill_child: the C++ twin of tests/stress/kill_child.py, the process the
// real-kill campaign (tests/stress/kill_campaign.py --child cpp) SIGKILLs.
//
//   kill_child DIR [--seed S] [--saves N] [--mib M] [--max-to-keep K] [--mode random|sync|async]
//
// Restores the latest checkpoint of DIR (or starts at step 0), then saves
// step after step with a CheckpointManager, synchronously or asynchronously
// at random. Every element of array i at step s is s * 1000 + i, so a reader
// can tell whether a checkpoint's bytes are right. After a save is durable it
// prints "durable <number> <step>"; the same keys as the Python child.
// Public API only.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/trackable.h"
#include "ckpt/variable.h"

namespace {

constexpr int kArrays = 4;

struct State : ckpt::Module {
  std::vector<std::unique_ptr<ckpt::Variable>> arrays;
  explicit State(int64_t n) {
    for (int i = 0; i < kArrays; ++i) {
      arrays.push_back(std::make_unique<ckpt::Variable>(ckpt::DType::kFloat, ckpt::TensorShape{n}));
      if (!Track("a" + std::to_string(i), *arrays[i]).ok()) std::abort();
    }
  }
  void Fill(int64_t step) {
    for (int i = 0; i < kArrays; ++i) {
      for (float& x : arrays[i]->flat<float>()) x = float(step * 1000 + i);
    }
  }
  bool Holds(int64_t step) {
    for (int i = 0; i < kArrays; ++i) {
      auto a = arrays[i]->flat<float>();
      if (a.front() != float(step * 1000 + i) || a.back() != float(step * 1000 + i)) return false;
    }
    return true;
  }
};

int Fail(const char* what, const ckpt::Status& s) {
  std::fprintf(stderr, "kill_child: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kill_child DIR [--seed S] [--saves N] [--mib M] [--max-to-keep K] [--mode random|sync|async]\n");
    return 2;
  }
  const std::string dir = argv[1];
  uint64_t seed = 0;
  int64_t saves = int64_t{1} << 40;
  double mib = 8;
  int max_to_keep = 2;
  std::string mode = "random";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--saves")) saves = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--mib")) mib = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--max-to-keep")) max_to_keep = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--mode")) mode = argv[i + 1];
    else return 2;
  }
  std::mt19937_64 rng(seed);
  State state(int64_t(mib * (1 << 20) / 4 / kArrays));
  ckpt::Variable step(ckpt::DType::kInt64, ckpt::TensorShape{});
  ckpt::Checkpoint checkpoint({{"state", &state}, {"step", &step}});
  auto manager = ckpt::CheckpointManager::Create(checkpoint, dir, max_to_keep);
  if (!manager.ok()) return Fail("create", manager.status());
  auto restored = (*manager)->RestoreOrInitialize();
  if (!restored.ok()) return Fail("restore", restored.status());
  int64_t s = step.flat<int64_t>()[0];
  if (*restored && !state.Holds(s)) {
    std::printf("BAD-RESTORE %s step %lld\n", (*restored)->c_str(), (long long)s);
    return 3;
  }
  std::printf("ready %s %lld\n", *restored ? (*restored)->c_str() : "-", (long long)s);
  std::fflush(stdout);
  for (int64_t k = 0; k < saves; ++k) {
    ++s;
    state.Fill(s);
    step.flat<int64_t>()[0] = s;
    ckpt::CheckpointOptions options;
    options.enable_async = mode == "random" ? (rng() & 1) != 0 : mode == "async";
    auto path = (*manager)->Save(options);
    if (!path.ok()) return Fail("save", path.status());
    if (options.enable_async) {
      if (auto st = (*manager)->Sync(); !st.ok()) return Fail("sync", st);
    }
    const std::string& p = **path;
    std::printf("durable %s %lld\n", p.substr(p.rfind('-') + 1).c_str(), (long long)s);
    std::fflush(stdout);
  }
  return 0;
}
