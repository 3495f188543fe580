// async_bench: what does an async checkpoint cost the training thread?
//
// Usage: async_bench --dir D [--total-mib N=256] [--tensors T=32] [--reps R=5]
//                    [--loop-seconds S=4] [--saves P=4]
//
// A model of N MiB in T float32 variables (one ckpt::Checkpoint). Files go
// under D and are removed afterwards. Every figure is the median of R
// repetitions (min and max beside it) measured in this one process run:
//   (1) stall     time inside Checkpoint::Save with enable_async, steady
//                 state (a warm-up save first, so the staging buffers exist
//                 and are reused; the write of the previous rep is finished
//                 before the timed call, so nothing waits for it), against
//                 a memcpy of the same N MiB into a prefaulted buffer: the
//                 snapshot is a copy, so the copy is the floor. Also the
//                 synchronous Save (data + fsync + index + state file) and
//                 the async Save + Sync (when the checkpoint is durable).
//   (0) first   the stall of the FIRST async Save of a fresh Checkpoint (its
//                 staging memory does not exist yet: allocating and faulting
//                 it is part of that save unless it is prepared off the
//                 caller's clock), once per rep with a new Checkpoint over
//                 the same variables; beside it a memcpy of the same bytes
//                 into freshly mapped memory (first touch on the caller) and
//                 the time until that first save is durable. Then the same
//                 with Checkpoint::PrepareAsync() called at set-up (what a
//                 CheckpointManager with async save options does): the
//                 call's own cost, the one-time preparation it starts on
//                 the writer thread (timed separately), and the first save
//                 after it.
//   (2) step rate a CPU-bound "training step" (a 96x96 float matrix product
//                 on the training thread, plus a write into one model
//                 variable) run for about S seconds: without checkpoints,
//                 with CheckpointManager::Save (max_to_keep=1) every K steps
//                 async, and the same synchronously. K is chosen so there
//                 are P saves per run, each in the middle of a block of K
//                 steps; the async run ends with Sync() inside the timed
//                 region (every checkpoint durable), so a write that outlasts
//                 the loop is paid for. Modes are interleaved rep by rep.
//                 Also the time the loop spent blocked inside Save/Sync: the
//                 rest of the slowdown is the background writer taking CPU
//                 (a core the loop would otherwise have had, or caches).
// On a machine with few cores the background writer competes with the loop
// for a core; the printed load average says how busy the machine was.
// A final line starting with "JSON " carries every number for scripts.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/variable.h"
#include "async/staging_buffer.h"

#include "bench_util.h"

namespace {

using namespace bench;

struct Stats {
  double median = 0, min = 0, max = 0;
};
Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Stats s;
  s.min = v.front();
  s.max = v.back();
  const size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return s;
}

// One training step: C = A*B (96x96), A = C scaled back, so every step does
// the same work and nothing can be optimized away.
struct Trainer {
  static constexpr int kN = 96;
  std::vector<float> a, b, c;
  Trainer() : a(kN * kN), b(kN * kN), c(kN * kN) {
    FillFloats(a.data(), a.size(), 1);
    FillFloats(b.data(), b.size(), 2);
  }
  void Step() {
    for (int i = 0; i < kN; ++i) {
      float* ci = &c[i * kN];
      std::fill(ci, ci + kN, 0.0f);
      for (int k = 0; k < kN; ++k) {
        const float aik = a[i * kN + k];
        const float* bk = &b[k * kN];
        for (int j = 0; j < kN; ++j) ci[j] += aik * bk[j];
      }
    }
    float norm = 0;
    for (float x : c) norm += x * x;
    const float scale = 1.0f / std::max(1e-6f, std::sqrt(norm / (kN * kN)));
    for (int i = 0; i < kN * kN; ++i) a[i] = c[i] * scale;
  }
};

struct Args : DiskArgs {
  double loop_seconds = 4;
  int saves = 4;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  a.total_mib = 256;
  a.tensors = 32;
  a.reps = 5;
  ParseDiskArgs(argc, argv,
                "usage: async_bench --dir D [--total-mib N=256] [--tensors T=32] [--reps R=5] [--loop-seconds S=4] "
                "[--saves N=4]",
                &a, [&](const std::string& k, const std::function<std::string()>& value) {
                  if (k == "--loop-seconds") a.loop_seconds = std::stod(value());
                  else if (k == "--saves") a.saves = std::stoi(value());
                  else return false;
                  return true;
                });
  if (a.saves < 1) Die("--saves must be >= 1");
  return a;
}

void RemoveCheckpointFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename().string() != ".ckpt-manager.lock") std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  const size_t total = args.total_bytes();
  const size_t per = total / args.tensors / sizeof(float);
  const size_t bytes = per * sizeof(float) * args.tensors;
  const std::string stall_dir = args.dir + "/stall", loop_dir = args.dir + "/loop";
  std::filesystem::create_directories(stall_dir);
  std::filesystem::create_directories(loop_dir);

  std::vector<std::unique_ptr<ckpt::Variable>> vars;
  std::vector<std::pair<std::string, ckpt::Trackable*>> named;
  for (size_t i = 0; i < args.tensors; ++i) {
    vars.push_back(std::make_unique<ckpt::Variable>(ckpt::DType::kFloat, ckpt::TensorShape{static_cast<int64_t>(per)}));
    FillFloats(vars.back()->flat<float>().data(), per, static_cast<uint32_t>(i + 1));
    named.emplace_back("v" + std::to_string(i), vars.back().get());
  }
  ckpt::Checkpoint ck(named);
  Check(ck.status(), "Checkpoint");

  std::printf("async_bench: %.1f MiB in %zu float32 tensors, %d reps, dir %s; %ld cores, load average %s\n",
              static_cast<double>(bytes) / kMiB, args.tensors, args.reps, args.dir.c_str(), sysconf(_SC_NPROCESSORS_ONLN),
              LoadAverage().c_str());

  // ---------------------------------------------------------------- (1) stall
  std::vector<char> dst(bytes);
  Prefault(dst.data(), bytes);
  ckpt::CheckpointOptions async_opts;
  async_opts.enable_async = true;
  const ckpt::CheckpointOptions sync_opts;
  const std::string prefix = stall_dir + "/ckpt";

  // ---------------------------------------------------------------- (0) first save
  std::vector<double> t_first, t_first_durable, t_fresh_memcpy, t_prepare_cost, t_prepare_call, t_first_prepared;
  for (int r = 0; r < args.reps; ++r) {
    {
      void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      CheckSys(m != MAP_FAILED, "mmap");
      auto t0 = Clock::now();
      size_t off = 0;
      for (const auto& v : vars) {
        std::memcpy(static_cast<char*>(m) + off, v->data(), v->byte_size());
        off += v->byte_size();
      }
      t_fresh_memcpy.push_back(Seconds(t0, Clock::now()));
      ::munmap(m, bytes);
    }
    {
      // The one-time preparation itself (what PrepareAsync runs on the writer thread).
      ckpt::async::StagingBuffer staging;
      auto t0 = Clock::now();
      Check(staging.Prepare(bytes), "StagingBuffer::Prepare");
      t_prepare_cost.push_back(Seconds(t0, Clock::now()));
    }
    {
      ckpt::Checkpoint fresh(named);
      Check(fresh.status(), "Checkpoint");
      auto t0 = Clock::now();
      Take(fresh.Save(prefix, async_opts), "first async save");
      auto t1 = Clock::now();
      Check(fresh.Sync(), "first sync");
      auto t2 = Clock::now();
      t_first.push_back(Seconds(t0, t1));
      t_first_durable.push_back(Seconds(t0, t2));
      RemoveCheckpointFiles(stall_dir);
    }
    {
      // Prepared at set-up; training runs meanwhile (here: a sleep of three times
      // the measured preparation cost), then the first save.
      ckpt::Checkpoint fresh(named);
      Check(fresh.status(), "Checkpoint");
      auto t0 = Clock::now();
      Check(fresh.PrepareAsync(async_opts), "PrepareAsync");
      t_prepare_call.push_back(Seconds(t0, Clock::now()));
      std::this_thread::sleep_for(std::chrono::duration<double>(3 * t_prepare_cost.back() + 0.2));
      auto t1 = Clock::now();
      Take(fresh.Save(prefix, async_opts), "first async save (prepared)");
      t_first_prepared.push_back(Seconds(t1, Clock::now()));
      Check(fresh.Sync(), "first sync (prepared)");
      RemoveCheckpointFiles(stall_dir);
    }
  }

  // Warm-up: staging buffers allocated and faulted, files created once.
  Take(ck.Save(prefix, async_opts), "warm-up async save");
  Check(ck.Sync(), "warm-up sync");
  Take(ck.Save(prefix, sync_opts), "warm-up sync save");
  RemoveCheckpointFiles(stall_dir);

  std::vector<double> t_memcpy, t_async, t_async_durable, t_sync;
  for (int r = 0; r < args.reps; ++r) {
    {
      auto t0 = Clock::now();
      size_t off = 0;
      for (const auto& v : vars) {
        std::memcpy(dst.data() + off, v->data(), v->byte_size());
        off += v->byte_size();
      }
      t_memcpy.push_back(Seconds(t0, Clock::now()));
    }
    {
      auto t0 = Clock::now();
      Take(ck.Save(prefix, async_opts), "async save");
      auto t1 = Clock::now();
      vars[static_cast<size_t>(r) % vars.size()]->flat<float>()[0] += 1.0f;  // mutate right away: allowed
      Check(ck.Sync(), "sync after async save");
      auto t2 = Clock::now();
      t_async.push_back(Seconds(t0, t1));
      t_async_durable.push_back(Seconds(t0, t2));
    }
    RemoveCheckpointFiles(stall_dir);
    {
      auto t0 = Clock::now();
      Take(ck.Save(prefix, sync_opts), "sync save");
      t_sync.push_back(Seconds(t0, Clock::now()));
    }
    RemoveCheckpointFiles(stall_dir);
  }
  const Stats memcpy_s = Summarize(t_memcpy), async_s = Summarize(t_async),
              durable_s = Summarize(t_async_durable), sync_s = Summarize(t_sync);
  auto row = [&](const char* name, const Stats& s) {
    std::printf("  %-44s %9.2f ms  (min %.2f, max %.2f)  %6.2f GB/s\n", name, s.median * 1e3, s.min * 1e3, s.max * 1e3,
                static_cast<double>(bytes) / s.median / 1e9);
  };
  std::printf("\n(1) time the caller is blocked, median of %d\n", args.reps);
  row("memcpy of the same bytes (prefaulted dst)", memcpy_s);
  row("async Save() (staging copy; the stall)", async_s);
  row("async Save() + Sync() (durable)", durable_s);
  row("sync Save() (fsync'ed)", sync_s);
  std::printf("  async stall / memcpy = %.2fx; async stall / sync save = %.3f\n", async_s.median / memcpy_s.median,
              async_s.median / sync_s.median);
  const Stats first_s = Summarize(t_first), first_durable_s = Summarize(t_first_durable),
              fresh_s = Summarize(t_fresh_memcpy), prep_cost_s = Summarize(t_prepare_cost),
              prep_call_s = Summarize(t_prepare_call), first_prep_s = Summarize(t_first_prepared);
  std::printf("\n(0) first async Save() of a fresh Checkpoint, median of %d\n", args.reps);
  row("memcpy into fresh memory (first touch)", fresh_s);
  row("first async Save(), not prepared (stall)", first_s);
  row("first async Save() + Sync() (durable)", first_durable_s);
  row("one-time preparation (map + pre-fault)", prep_cost_s);
  row("PrepareAsync() call (caller's share)", prep_call_s);
  row("first async Save() after PrepareAsync", first_prep_s);
  std::printf("  first stall / memcpy (prefaulted dst): not prepared %.2fx, prepared %.2fx; steady %.2fx\n",
              first_s.median / memcpy_s.median, first_prep_s.median / memcpy_s.median,
              async_s.median / memcpy_s.median);

  // ---------------------------------------------------------------- (2) step rate
  Trainer trainer;
  // Calibrate the step time.
  int calib = 0;
  auto c0 = Clock::now();
  while (Seconds(c0, Clock::now()) < 0.5) {
    trainer.Step();
    ++calib;
  }
  const double step_s = Seconds(c0, Clock::now()) / calib;
  const long steps_per_save = std::max(1L, static_cast<long>(args.loop_seconds / args.saves / step_s));
  const long steps = steps_per_save * args.saves;
  std::printf("\n(2) training loop: %ld steps of ~%.3f ms, a save every %ld steps (%d per run), median of %d\n", steps,
              step_s * 1e3, steps_per_save, args.saves, args.reps);

  enum Mode { kNone, kAsync, kSync };
  // Per run: steps/s, and the seconds the training thread spent inside Save
  // (so the rest of the slowdown is the writer competing for a core).
  struct LoopResult {
    double rate, blocked;
  };
  auto run_loop = [&](Mode mode) -> LoopResult {
    std::unique_ptr<ckpt::CheckpointManager> manager;
    if (mode != kNone) {
      RemoveCheckpointFiles(loop_dir);
      ckpt::CheckpointManagerOptions mo;
      if (mode == kAsync) mo.save_options = async_opts;
      manager = Take(ckpt::CheckpointManager::Create(ck, loop_dir, 1, std::move(mo)), "CheckpointManager");
    }
    double blocked = 0;
    auto t0 = Clock::now();
    for (long i = 0; i < steps; ++i) {
      trainer.Step();
      vars[static_cast<size_t>(i) % vars.size()]->flat<float>()[1] = trainer.a[0];  // the step updates the model
      if (manager && i % steps_per_save == steps_per_save / 2) {
        auto s0 = Clock::now();
        Take(manager->Save(), "manager save");
        blocked += Seconds(s0, Clock::now());
      }
    }
    if (manager) {
      auto s0 = Clock::now();
      Check(manager->Sync(), "manager sync");
      blocked += Seconds(s0, Clock::now());
    }
    const double t = Seconds(t0, Clock::now());
    manager.reset();
    return {static_cast<double>(steps) / t, blocked};
  };
  std::vector<double> r_none, r_async, r_sync, b_async, b_sync;
  for (int r = 0; r < args.reps; ++r) {
    r_none.push_back(run_loop(kNone).rate);
    LoopResult a = run_loop(kAsync);
    r_async.push_back(a.rate);
    b_async.push_back(a.blocked);
    LoopResult y = run_loop(kSync);
    r_sync.push_back(y.rate);
    b_sync.push_back(y.blocked);
  }
  RemoveCheckpointFiles(loop_dir);
  const Stats none_s = Summarize(r_none), rasync_s = Summarize(r_async), rsync_s = Summarize(r_sync);
  auto rate = [&](const char* name, const Stats& s) {
    std::printf("  %-44s %9.1f steps/s  (min %.1f, max %.1f)  %5.1f%% of no-checkpoint\n", name, s.median, s.min, s.max,
                100.0 * s.median / none_s.median);
  };
  rate("no checkpointing", none_s);
  rate("async manager save every K steps", rasync_s);
  rate("sync manager save every K steps", rsync_s);
  const Stats ba_s = Summarize(b_async), bs_s = Summarize(b_sync);
  std::printf("  blocked in Save/Sync per run (%d saves): async %.1f ms, sync %.1f ms (medians)\n", args.saves,
              ba_s.median * 1e3, bs_s.median * 1e3);
  std::printf("  step rate async / none = %.3f, sync / none = %.3f, async / sync = %.2fx\n",
              rasync_s.median / none_s.median, rsync_s.median / none_s.median, rasync_s.median / rsync_s.median);

  std::filesystem::remove_all(stall_dir);
  std::filesystem::remove_all(loop_dir);
  std::printf(
      "\nJSON {\"bench\":\"async\",\"total_mib\":%.3f,\"tensors\":%zu,\"reps\":%d,\"memcpy_s\":%.6f,"
      "\"async_stall_s\":%.6f,\"first_stall_s\":%.6f,\"first_over_memcpy\":%.4f,\"first_prepared_stall_s\":%.6f,\"first_prepared_over_memcpy\":%.4f,\"prepare_s\":%.6f,\"async_durable_s\":%.6f,\"sync_save_s\":%.6f,\"stall_over_memcpy\":%.4f,"
      "\"step_s\":%.6f,\"steps\":%ld,\"steps_per_save\":%ld,\"rate_none\":%.2f,\"rate_async\":%.2f,"
      "\"rate_sync\":%.2f,\"blocked_async_s\":%.6f,\"blocked_sync_s\":%.6f,\"async_over_none\":%.4f,\"sync_over_none\":%.4f,\"load_average\":\"%s\"}\n",
      static_cast<double>(bytes) / kMiB, args.tensors, args.reps, memcpy_s.median, async_s.median, first_s.median,
      first_s.median / memcpy_s.median, first_prep_s.median, first_prep_s.median / memcpy_s.median,
      prep_cost_s.median, durable_s.median,
      sync_s.median, async_s.median / memcpy_s.median, step_s, steps, steps_per_save, none_s.median,
      rasync_s.median, rsync_s.median, ba_s.median, bs_s.median, rasync_s.median / none_s.median, rsync_s.median / none_s.median,
      LoadAverage().c_str());
  return 0;
}
