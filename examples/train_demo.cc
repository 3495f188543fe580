// train_demo: a small MLP trained with Adam, checkpointed asynchronously by
// a CheckpointManager every N steps, resumable after a crash.
//
//   train_demo --dir DIR [--steps 400] [--save-every 20] [--max-to-keep 3] [--sync] [--step-ms MS]
//
// --step-ms pretends each step takes that long (so a demo can kill the run
// half way through); it does not change any number.
//
// On start it restores the latest checkpoint in DIR (model, optimizer with
// its slot variables, step) or initialises from a fixed seed, then trains
// and prints "step <n> loss <value>" for every step. Batches are a pure
// function of the step number, so a resumed run repeats the exact float
// trajectory of an uninterrupted one: scripts/demo.sh kills a run with
// SIGKILL and compares.
//
// Only the public API (include/ckpt/) is used.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <chrono>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/variable.h"

namespace {

constexpr int kIn = 8, kHidden = 32, kBatch = 64;

// Deterministic pseudo-random numbers (splitmix64).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  float Uniform() { return float(Next() >> 40) / float(1 << 24) * 2.0f - 1.0f; }  // [-1, 1)
};

// A dense layer: y = x W + b. Each member registers itself as a dependency.
struct Dense : ckpt::Module {
  ckpt::Tracked<ckpt::Variable> kernel;
  ckpt::Tracked<ckpt::Variable> bias;
  int in, out;
  Dense(int in, int out, const std::string& name)
      : kernel{this, "kernel", ckpt::DType::kFloat, ckpt::TensorShape{in, out}, name + "/kernel"},
        bias{this, "bias", ckpt::DType::kFloat, ckpt::TensorShape{out}, name + "/bias"},
        in(in),
        out(out) {}
  void Init(Rng& rng) {
    const float scale = 1.0f / std::sqrt(float(in));
    for (float& w : kernel.flat<float>()) w = rng.Uniform() * scale;
  }
};

struct Mlp : ckpt::Module {
  ckpt::Tracked<Dense> hidden{this, "hidden", kIn, kHidden, "hidden"};
  ckpt::Tracked<Dense> output{this, "output", kHidden, 1, "output"};
  std::vector<ckpt::Variable*> Variables() { return {&hidden.kernel, &hidden.bias, &output.kernel, &output.bias}; }
};

// Adam with slot variables "m" and "v" per model variable (checkpointed
// under .OPTIMIZER_SLOT, as TF's optimizers do) and an iteration counter.
struct Adam : ckpt::SlotOptimizer {
  ckpt::Tracked<ckpt::Variable> iterations{this, "iter", ckpt::DType::kInt64, ckpt::TensorShape{}, "Adam/iter"};
  float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-7f;

  ckpt::Status Apply(ckpt::Variable& var, const std::vector<float>& grad) {
    auto m = CreateSlot(var, "m");
    if (!m.ok()) return m.status();
    auto v = CreateSlot(var, "v");
    if (!v.ok()) return v.status();
    const double t = double(iterations.flat<int64_t>()[0] + 1);
    const float c1 = 1.0f - float(std::pow(beta1, t)), c2 = 1.0f - float(std::pow(beta2, t));
    auto w = var.flat<float>();
    auto mm = (*m)->flat<float>();
    auto vv = (*v)->flat<float>();
    for (size_t i = 0; i < w.size(); ++i) {
      mm[i] = beta1 * mm[i] + (1 - beta1) * grad[i];
      vv[i] = beta2 * vv[i] + (1 - beta2) * grad[i] * grad[i];
      w[i] -= lr * (mm[i] / c1) / (std::sqrt(vv[i] / c2) + eps);
    }
    return ckpt::OkStatus();
  }
};

// One step of full-batch gradient descent on y = sin(3 * <a, x>) for a
// batch drawn from the step number alone. Returns the loss before the update.
float TrainStep(Mlp& model, Adam& opt, int64_t step) {
  Rng rng{0x5eed0000ULL + uint64_t(step)};
  std::vector<float> x(kBatch * kIn), y(kBatch);
  for (int b = 0; b < kBatch; ++b) {
    float dot = 0;
    for (int i = 0; i < kIn; ++i) {
      x[b * kIn + i] = rng.Uniform();
      dot += x[b * kIn + i] * (0.1f * float(i + 1));
    }
    y[b] = std::sin(3.0f * dot);
  }
  auto W1 = model.hidden.kernel.flat<float>(), b1 = model.hidden.bias.flat<float>();
  auto W2 = model.output.kernel.flat<float>(), b2 = model.output.bias.flat<float>();
  std::vector<float> h(kBatch * kHidden), pred(kBatch);
  for (int b = 0; b < kBatch; ++b) {
    float p = b2[0];
    for (int j = 0; j < kHidden; ++j) {
      float a = b1[j];
      for (int i = 0; i < kIn; ++i) a += x[b * kIn + i] * W1[i * kHidden + j];
      h[b * kHidden + j] = std::tanh(a);
      p += h[b * kHidden + j] * W2[j];
    }
    pred[b] = p;
  }
  float loss = 0;
  std::vector<float> gW1(W1.size(), 0), gb1(b1.size(), 0), gW2(W2.size(), 0), gb2(1, 0);
  for (int b = 0; b < kBatch; ++b) {
    const float err = pred[b] - y[b];
    loss += err * err / kBatch;
    const float d = 2 * err / kBatch;
    gb2[0] += d;
    for (int j = 0; j < kHidden; ++j) {
      gW2[j] += d * h[b * kHidden + j];
      const float dh = d * W2[j] * (1 - h[b * kHidden + j] * h[b * kHidden + j]);
      gb1[j] += dh;
      for (int i = 0; i < kIn; ++i) gW1[i * kHidden + j] += dh * x[b * kIn + i];
    }
  }
  const std::vector<std::vector<float>*> grads = {&gW1, &gb1, &gW2, &gb2};
  auto vars = model.Variables();
  for (size_t k = 0; k < vars.size(); ++k) {
    if (auto s = opt.Apply(*vars[k], *grads[k]); !s.ok()) {
      std::fprintf(stderr, "optimizer: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  opt.iterations.flat<int64_t>()[0] += 1;
  return loss;
}

int Fail(const ckpt::Status& s) {
  std::fprintf(stderr, "train_demo: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int64_t steps = 400, save_every = 20;
  int max_to_keep = 3;
  bool async = true;
  int step_ms = 0;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (arg("--dir")) dir = argv[++i];
    else if (arg("--steps")) steps = std::atoll(argv[++i]);
    else if (arg("--save-every")) save_every = std::atoll(argv[++i]);
    else if (arg("--max-to-keep")) max_to_keep = std::atoi(argv[++i]);
    else if (arg("--step-ms")) step_ms = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--sync") == 0) async = false;
    else {
      std::fprintf(stderr,
                   "usage: train_demo --dir DIR [--steps N] [--save-every K] [--max-to-keep M] [--sync] [--step-ms MS]\n");
      return 2;
    }
  }
  if (dir.empty() || save_every <= 0) return Fail(ckpt::InvalidArgumentError("--dir and a positive --save-every are required"));

  Mlp model;
  Adam opt;
  ckpt::Variable step(ckpt::DType::kInt64, ckpt::TensorShape{}, "global_step");
  ckpt::Checkpoint checkpoint({{"model", &model}, {"optimizer", &opt}, {"step", &step}});

  ckpt::CheckpointManagerOptions mo;
  mo.step_counter = &step;
  mo.checkpoint_interval = save_every;
  ckpt::CheckpointOptions so;
  so.enable_async = async;  // save() returns after a memcpy; files are written in the background
  mo.save_options = so;
  mo.init_fn = [&] {
    Rng rng{42};
    model.hidden.Init(rng);
    model.output.Init(rng);
    return ckpt::OkStatus();
  };
  auto manager = ckpt::CheckpointManager::Create(checkpoint, dir, max_to_keep, mo);
  if (!manager.ok()) return Fail(manager.status());

  auto restored = (*manager)->RestoreOrInitialize();
  if (!restored.ok()) return Fail(restored.status());
  if (*restored) {
    std::printf("resumed from %s at step %lld\n", (*restored)->c_str(), (long long)step.flat<int64_t>()[0]);
  } else {
    std::printf("no checkpoint in %s: starting from scratch\n", dir.c_str());
  }
  std::fflush(stdout);

  for (int64_t& s = step.flat<int64_t>()[0]; s < steps;) {
    const float loss = TrainStep(model, opt, s);
    if (step_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
    ++s;
    std::printf("step %lld loss %.9g\n", (long long)s, loss);
    std::fflush(stdout);
    // Saves when the step is a multiple of the interval away from the last save.
    auto saved = (*manager)->Save();
    if (!saved.ok()) return Fail(saved.status());
  }
  if (auto s = (*manager)->Sync(); !s.ok()) return Fail(s);
  std::printf("done: latest checkpoint %s\n", (*manager)->latest_checkpoint().value_or("<none>").c_str());
  return 0;
}
