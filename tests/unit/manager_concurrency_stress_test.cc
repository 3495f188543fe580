// Concurrency stress (issue 14, scenario 7): many threads, each with its own
// Checkpoint and/or CheckpointManager, save into different directories and
// into the same one at once, on the real file system, while readers restore
// what writers prune. Built into the TSan tree (the file name matches the
// tree's CKPT_UNIT_TEST_FILTER), so a data race anywhere on these paths fails
// the test command; every value restored is checked (SteppedModel), so a
// race that corrupts data fails without TSan too.
//
// One round runs these actors on their own threads, all released together:
//   shared    3 threads save plain Checkpoints into ONE directory under
//             distinct prefixes (Save and Write, sync and async alternating,
//             1 or 2 staging buffers, fsync on or off, write callbacks);
//   syncer    one thread saves async into that directory while another calls
//             Sync() on the same Checkpoint (the header's contract);
//   managers  2 threads each save with a CheckpointManager (max_to_keep=1) in
//             its own directory, sync/async alternating, while 2 readers
//             restore latest_checkpoint in a loop and call the manager's
//             accessors: every restore is a whole checkpoint or NotFound;
//   lock      one thread's manager saves while another creates managers on
//             the same directory: each of their saves gets the lock error and
//             the first never notices; once the first is destroyed the lock
//             is free;
//   transient a thread destroys Checkpoints and managers right after an async
//             save: the destructor finishes the write (and the bookkeeping);
//   dist      a 2-rank in-process group saves through the distributed save
//             protocol into the shared directory;
//   dist-ckpt a 2-rank in-process group saves through Checkpoint::Write with
//             CheckpointOptions::communicator (a ShardedVariable row per rank
//             and a replicated step) into the shared directory, and one
//             process restores each checkpoint whole.
//
// Rounds reuse the directories, so managers also recover what the previous
// round left (RestoreOrInitialize must give its last step). Environment:
// CKPT_STRESS_ROUNDS (default: the test command's bounded run, 1 round on
// the real disk, where fsync and O_DIRECT make a round slow, and 3 in memory)
// and CKPT_STRESS_SEED; with CKPT_STRESS_ROUNDS set the test also prints
// scripts/stress.sh's RESULT line.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/distributed.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "ckpt/variable.h"
#include "distributed/distributed_save.h"
#include "distributed/in_process_communicator.h"
#include "manager/retention.h"
#include "testing/pattern_tensor.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"
#include "stepped_model.h"

namespace ckpt {
namespace {

using test::SteppedModel;

constexpr int kSavesPerActor = 8;
// Float variable sizes: most models are small; one manager's carries 4 MiB,
// enough for the file system's O_DIRECT paths.
constexpr int64_t kFloats = 4096;
constexpr int64_t kBigFloats = int64_t{1} << 20;

#if defined(__SANITIZE_THREAD__)
constexpr const char* kSanitizer = "TSan";
#elif defined(__SANITIZE_ADDRESS__)
constexpr const char* kSanitizer = "ASan";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr const char* kSanitizer = "TSan";
#elif __has_feature(address_sanitizer)
constexpr const char* kSanitizer = "ASan";
#else
constexpr const char* kSanitizer = "no sanitizer";
#endif
#else
constexpr const char* kSanitizer = "no sanitizer";
#endif

// N of "<dir>/ckpt-N".
int64_t Number(const std::string& path) { return std::strtoll(path.c_str() + path.rfind('-') + 1, nullptr, 10); }

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

// Failures from any thread, and what was done.
struct Tally {
  std::atomic<int64_t> sync_saves{0}, async_saves{0}, writes{0}, restores_complete{0}, restores_not_found{0},
      lock_refusals{0}, destroyed_in_flight{0}, concurrent_syncs{0}, distributed_saves{0}, callbacks{0},
      callback_restores{0};
  std::atomic<int64_t> failures{0};

  void Fail(const std::string& what) {
    ++failures;
    ADD_FAILURE() << what;  // gtest assertions are thread-safe
  }
  void Check(bool ok, const std::string& what) {
    if (!ok) Fail(what);
  }
  void CheckOk(const Status& s, const std::string& what) {
    if (!s.ok()) Fail(what + ": " + s.ToString());
  }
};

// A flag one thread raises and others wait for.
class Flag {
 public:
  void Raise() {
    {
      std::lock_guard<std::mutex> l(mu_);
      up_ = true;
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return up_; });
  }
  bool up() const {
    std::lock_guard<std::mutex> l(mu_);
    return up_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool up_ = false;
};

// Records the paths a write callback saw (on the writer thread for async
// saves) and whether the checkpoint's index existed by then.
class CallbackLog {
 public:
  CallbackLog(FileSystem* fs, Tally& tally) : fs_(fs), tally_(tally) {}
  WriteCallback Callback() {
    return [this](const std::string& path) {
      ++tally_.callbacks;
      tally_.Check(fs_->FileExists(path + ".index").ok(), "callback ran before the index of " + path + " existed");
      std::lock_guard<std::mutex> l(mu_);
      paths_.push_back(path);
      return OkStatus();
    };
  }
  std::vector<std::string> paths() const {
    std::lock_guard<std::mutex> l(mu_);
    return paths_;
  }

 private:
  FileSystem* fs_;
  Tally& tally_;
  mutable std::mutex mu_;
  std::vector<std::string> paths_;
};

// What survives from round to round: the checkpoint each directory's
// manager must restore next.
struct Carried {
  std::map<std::string, int64_t> last_step;  // directory -> step of its latest checkpoint
};

class StressRound {
 public:
  StressRound(FileSystem* fs, const std::string& root, int round, uint64_t seed, Tally& tally, Carried& carried)
      : fs_(fs), root_(root), round_(round), seed_(seed), tally_(tally), carried_(carried) {}

  void Run() {
    std::vector<std::function<void()>> actors;
    for (int id = 0; id < 3; ++id) actors.push_back([this, id] { SharedSaver(id); });
    auto syncer = std::make_shared<SyncerShared>(Options(false, 2));
    actors.push_back([this, syncer] { SyncerSaver(*syncer); });
    actors.push_back([this, syncer] { SyncerSyncs(*syncer); });
    for (int id = 0; id < 2; ++id) {
      auto pair = std::make_shared<WriterReaders>();
      actors.push_back([this, id, pair] { ManagerWriter(id, *pair); });
      actors.push_back([this, id, pair] { ManagerReader(id, *pair); });
    }
    auto lock = std::make_shared<LockPair>();
    actors.push_back([this, lock] { LockHolder(*lock); });
    actors.push_back([this, lock] { LockContender(*lock); });
    actors.push_back([this] { Transient(); });
    actors.push_back([this] { DistributedActor(); });
    actors.push_back([this] { CheckpointGroupActor(); });

    std::latch start(static_cast<std::ptrdiff_t>(actors.size()));
    std::vector<std::thread> threads;
    for (auto& actor : actors) {
      threads.emplace_back([&start, &actor] {
        start.arrive_and_wait();
        actor();
      });
    }
    for (auto& t : threads) t.join();
    CheckSharedState();
  }

 private:
  // Distinct for every save of every actor in every round.
  int64_t Step(int actor, int i) const { return (int64_t{round_} * 100 + actor) * 1000 + i; }
  std::string Dir(const std::string& name) const { return root_ + "/" + name; }
  FileSystem* fs() const { return fs_; }
  // Manager 1's model is big on the real disk (O_DIRECT reads and writes);
  // in memory that path does not exist and size only costs time.
  int64_t ManagerFloats(int id) const { return id == 1 && fs_ == FileSystem::Default() ? kBigFloats : kFloats; }
  Result<std::optional<std::string>> Latest(const std::string& dir) const {
    return LatestCheckpoint(dir, kDefaultStateFilename, fs_);
  }

  CheckpointOptions Options(bool async, int buffers, bool fsync = false) const {
    CheckpointOptions o;
    o.fs = fs_;
    o.enable_async = async;
    o.async_staging_buffers = buffers;
    o.sync = fsync;
    return o;
  }

  std::mt19937_64 Rng(int actor) const { return std::mt19937_64(seed_ * 7919 + round_ * 131 + actor); }
  static void MaybeYield(std::mt19937_64& rng) {
    if (rng() % 3 == 0) std::this_thread::yield();
  }

  // Restores `path` into a fresh model and checks it holds `step` (or, with
  // step < 0, any one step consistently). NotFound is returned, not judged.
  Status RestoreAndCheck(const std::string& path, int64_t step, const std::string& who, int64_t floats = kFloats) {
    SteppedModel model(floats);
    Checkpoint c(model.Roots(), Options(false, 1));
    auto st = c.Restore(path);
    if (!st.ok()) return st.status();
    st->ExpectPartial();
    tally_.CheckOk(st->AssertExistingObjectsMatched(), who + ": restoring " + path);
    if (auto bad = model.Mismatch()) tally_.Fail(who + ": " + path + ": " + *bad);
    if (step >= 0) {
      tally_.Check(model.step() == step, who + ": " + path + " holds step " + std::to_string(model.step()) +
                                             ", expected " + std::to_string(step));
    }
    return OkStatus();
  }

  // --- shared: plain Checkpoints, one directory, distinct prefixes --------
  void SharedSaver(int id) {
    const std::string who = "shared saver " + std::to_string(id);
    auto rng = Rng(id);
    const int buffers = id == 0 ? 1 : 2;
    const bool fsync = id == 0;
    SteppedModel model;
    Checkpoint c(model.Roots(), Options(false, buffers, fsync));
    CallbackLog log(fs(), tally_);
    std::vector<std::string> issued;
    std::map<std::string, int64_t> expected;  // the last step written under each path
    for (int i = 0; i < kSavesPerActor; ++i) {
      const int64_t step = Step(id, i);
      model.Fill(step);
      CheckpointOptions o = Options((i + id + round_) % 2 == 1, buffers, fsync);
      o.experimental_write_callbacks.push_back(log.Callback());
      const bool write = i % 4 == 3;
      auto path = write ? c.Write(Dir("shared") + "/w" + std::to_string(id), o)
                        : c.Save(Dir("shared") + "/t" + std::to_string(id), o);
      if (!path.ok()) {
        tally_.Fail(who + ": save " + std::to_string(i) + ": " + path.status().ToString());
        continue;
      }
      ++(write ? tally_.writes : o.async() ? tally_.async_saves : tally_.sync_saves);
      issued.push_back(*path);
      expected[*path] = step;
      if (!write) last_shared_save(id, *path, step, model.floats());
      model.Scramble();  // the caller's values change at once; the save must not see them
      MaybeYield(rng);
    }
    tally_.CheckOk(c.Sync(), who + ": Sync");
    tally_.Check(log.paths() == issued, who + ": callbacks did not run once per save in call order");
    for (const auto& [path, step] : expected) {
      tally_.CheckOk(RestoreAndCheck(path, step, who, model.floats()), who + ": " + path);
    }
  }

  void last_shared_save(int actor, const std::string& path, int64_t step, int64_t floats) {
    std::lock_guard<std::mutex> l(shared_mu_);
    last_shared_[actor] = {path, step, floats};
  }

  // After every shared actor finished: the directory's state file names the
  // last Save of one of them (the last rename wins), and it restores.
  void CheckSharedState() {
    auto latest = Latest(Dir("shared"));
    if (!latest.ok() || !latest->has_value()) {
      tally_.Fail("shared directory: no readable latest checkpoint: " + latest.status().ToString());
      return;
    }
    bool found = false;
    for (const auto& [actor, last] : last_shared_) {
      if (last.path != **latest) continue;
      found = true;
      tally_.CheckOk(RestoreAndCheck(last.path, last.step, "shared latest", last.floats), "shared latest " + last.path);
    }
    tally_.Check(found, "shared directory: latest " + **latest + " is not the last save of any actor");
  }

  // --- syncer: Sync() from another thread while saving ---------------------
  struct SyncerShared {
    explicit SyncerShared(const CheckpointOptions& options) : model(), checkpoint(model.Roots(), options) {}
    SteppedModel model;
    Checkpoint checkpoint;
    std::mutex mu;
    std::condition_variable changed;
    std::vector<std::pair<std::string, int64_t>> returned;  // saves whose Save() returned
    bool done = false;
  };

  void SyncerSaver(SyncerShared& s) {
    const int actor = 3;
    auto rng = Rng(actor);
    for (int i = 0; i < kSavesPerActor; ++i) {
      const int64_t step = Step(actor, i);
      s.model.Fill(step);
      CheckpointOptions o = Options(i % 3 != 2, 2);  // mostly async, a sync one now and then
      auto path = s.checkpoint.Save(Dir("shared") + "/s", o);
      if (!path.ok()) {
        tally_.Fail("syncer: save: " + path.status().ToString());
        continue;
      }
      ++(o.async() ? tally_.async_saves : tally_.sync_saves);
      last_shared_save(actor, *path, step, kFloats);
      {
        std::lock_guard<std::mutex> l(s.mu);
        s.returned.emplace_back(*path, step);
      }
      s.changed.notify_all();
      MaybeYield(rng);
    }
    tally_.CheckOk(s.checkpoint.Sync(), "syncer: final Sync");
    {
      std::lock_guard<std::mutex> l(s.mu);
      s.done = true;
    }
    s.changed.notify_all();
  }

  // Every Sync() waits for the saves that had returned when it was called:
  // their files are complete afterwards. One Sync per returned save (or
  // more), while the saver goes on.
  void SyncerSyncs(SyncerShared& s) {
    size_t seen = 0;
    for (;;) {
      std::string path;
      {
        std::unique_lock<std::mutex> l(s.mu);
        s.changed.wait(l, [&] { return s.done || s.returned.size() > seen; });
        if (s.returned.size() == seen) break;  // done, nothing new
        seen = s.returned.size();
        path = s.returned.back().first;
      }
      tally_.CheckOk(s.checkpoint.Sync(), "syncer: concurrent Sync");
      ++tally_.concurrent_syncs;
      tally_.Check(fs()->FileExists(path + ".index").ok(), "syncer: " + path + " missing after Sync()");
    }
    // Values were checked once writing stopped (a later save of this
    // Checkpoint may rewrite none of these paths: every Save numbers anew).
    std::lock_guard<std::mutex> l(s.mu);
    for (const auto& [path, step] : s.returned) tally_.CheckOk(RestoreAndCheck(path, step, "syncer"), "syncer " + path);
  }

  // --- managers with readers -----------------------------------------------
  struct WriterReaders {
    Flag created, done;
    CheckpointManager* manager = nullptr;  // set before `created` is raised, valid until the reader finished
    Flag reader_finished;
  };

  void ManagerWriter(int id, WriterReaders& pair) {
    const int actor = 10 + id;
    const std::string who = "manager " + std::to_string(id);
    const std::string dir = Dir("m" + std::to_string(id));
    auto rng = Rng(actor);
    const int buffers = id + 1;
    const int64_t floats = ManagerFloats(id);
    SteppedModel model(floats);
    Checkpoint c(model.Roots(), Options(false, 1));
    CallbackLog log(fs(), tally_);
    CheckpointManagerOptions mo;
    mo.save_options = Options(false, buffers);
    mo.save_options->experimental_write_callbacks.push_back(log.Callback());
    // A second callback verifies each checkpoint by restoring it (on the
    // writer thread for async saves; callbacks of one Checkpoint never
    // overlap, so one verifier serves them all).
    SteppedModel verified(floats);
    Checkpoint verifier(verified.Roots(), Options(false, 1));
    int64_t last_verified = -1;
    mo.save_options->experimental_write_callbacks.push_back([&](const std::string& path) {
      ++tally_.callback_restores;
      auto st = verifier.Restore(path);
      if (!st.ok()) return st.status();
      st->ExpectPartial();
      if (auto bad = verified.Mismatch()) tally_.Fail(who + ": callback restore of " + path + ": " + *bad);
      tally_.Check(verified.step() > last_verified, who + ": callbacks out of order at " + path);
      last_verified = verified.step();
      return OkStatus();
    });
    auto made = CheckpointManager::Create(c, dir, 1, mo);
    if (!made.ok()) {
      tally_.Fail(who + ": Create: " + made.status().ToString());
      pair.done.Raise();
      pair.created.Raise();
      return;
    }
    std::unique_ptr<CheckpointManager> m = std::move(*made);
    auto restored = m->RestoreOrInitialize();
    tally_.CheckOk(restored.status(), who + ": RestoreOrInitialize");
    if (auto previous = carried_step(dir); previous && restored.ok()) {
      tally_.Check(restored->has_value() && model.step() == *previous && !model.Mismatch(),
                   who + ": RestoreOrInitialize did not give the previous round's last checkpoint");
    }
    pair.manager = m.get();
    pair.created.Raise();
    std::vector<std::string> issued;
    std::string last_path;
    int64_t last_step = -1;
    for (int i = 0; i < kSavesPerActor; ++i) {
      const int64_t step = Step(actor, i);
      model.Fill(step);
      CheckpointOptions o = *mo.save_options;
      o.enable_async = (i + round_) % 2 == 1;
      auto path = m->Save(o);
      if (!path.ok() || !path->has_value()) {
        tally_.Fail(who + ": save: " + path.status().ToString());
        continue;
      }
      ++(o.async() ? tally_.async_saves : tally_.sync_saves);
      issued.push_back(**path);
      last_path = **path;
      last_step = step;
      model.Scramble();
      MaybeYield(rng);
    }
    tally_.CheckOk(m->Sync(), who + ": Sync");
    pair.done.Raise();
    tally_.Check(log.paths() == issued, who + ": callbacks did not run once per save in call order");
    tally_.Check(m->checkpoints() == std::vector<std::string>{last_path},
                 who + ": checkpoints() is not just the last save");
    tally_.Check(m->latest_checkpoint() == last_path, who + ": latest_checkpoint() is not the last save");
    tally_.CheckOk(RestoreAndCheck(last_path, last_step, who, model.floats()), who + ": latest");
    auto children = fs()->GetChildren(dir);
    tally_.CheckOk(children.status(), who + ": listing");
    if (children.ok()) {
      int indexes = 0;
      for (const auto& f : *children) indexes += f.size() > 6 && f.substr(f.size() - 6) == ".index";
      tally_.Check(indexes == 1, who + ": " + std::to_string(indexes) + " checkpoints on disk, max_to_keep is 1");
      tally_.Check(manager::Litter("ckpt", kDefaultStateFilename, *children).empty(), who + ": litter left");
    }
    carried_step(dir, last_step);
    pair.reader_finished.Wait();  // the reader used the manager's accessors
  }

  void carried_step(const std::string& dir, int64_t step) {
    std::lock_guard<std::mutex> l(shared_mu_);
    carried_.last_step[dir] = step;
  }
  std::optional<int64_t> carried_step(const std::string& dir) {
    std::lock_guard<std::mutex> l(shared_mu_);
    auto it = carried_.last_step.find(dir);
    return it == carried_.last_step.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }

  // Restores the directory's latest checkpoint in a loop while the writer
  // saves and prunes: a whole checkpoint, or NotFound when it was pruned
  // between the lookup and the read.
  void ManagerReader(int id, WriterReaders& pair) {
    const std::string who = "reader " + std::to_string(id);
    const std::string dir = Dir("m" + std::to_string(id));
    pair.created.Wait();
    int reads = 0;
    std::string previous;  // restored last time: wait for a newer one
    while (!pair.done.up() || reads == 0) {
      if (pair.manager != nullptr) {
        // Accessors from another thread than the saving one (allowed).
        const std::vector<std::string> active = pair.manager->checkpoints();
        const std::optional<std::string> latest = pair.manager->latest_checkpoint();
        tally_.Check(active.size() <= 1, who + ": checkpoints() lists more than max_to_keep");
        // Two calls, so a save may be recorded in between: latest is at
        // least as new as what was listed.
        tally_.Check(active.empty() || (latest && Number(*latest) >= Number(active.back())),
                     who + ": latest_checkpoint() is older than the newest listed");
        (void)pair.manager->last_preserved_timestamp();
      }
      auto latest = Latest(dir);
      if (!latest.ok()) {
        tally_.Fail(who + ": reading the state file: " + latest.status().ToString());
        continue;
      }
      if (!latest->has_value() || **latest == previous) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling, not timing anything
        continue;
      }
      previous = **latest;
      if (++reads % 4 == 0 && pair.manager != nullptr) {
        tally_.CheckOk(pair.manager->Sync(), who + ": manager Sync() from the reader");
        ++tally_.concurrent_syncs;
      }
      Status s = RestoreAndCheck(**latest, -1, who, ManagerFloats(id));
      if (s.ok()) {
        ++tally_.restores_complete;
      } else if (s.code() == StatusCode::kNotFound) {
        ++tally_.restores_not_found;
      } else {
        tally_.Fail(who + ": restoring " + **latest + ": " + s.ToString());
      }
    }
    pair.reader_finished.Raise();
  }

  // --- two managers on one directory ---------------------------------------
  struct LockPair {
    Flag first_saved, contender_tried, holder_done, contender_stopped, released;
    std::mutex mu;
    std::condition_variable cv;
    int holder_saves = 0;  // the contender tries once per save of the holder
    void Saved() {
      {
        std::lock_guard<std::mutex> l(mu);
        ++holder_saves;
      }
      cv.notify_all();
    }
    // Waits for a save after `seen` (the holder counts its end as one too);
    // returns the count.
    int WaitForSaveAfter(int seen) {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return holder_saves > seen; });
      return holder_saves;
    }
  };

  void LockHolder(LockPair& lock) {
    const int actor = 20;
    const std::string dir = Dir("locked");
    auto rng = Rng(actor);
    SteppedModel model;
    Checkpoint c(model.Roots(), Options(false, 1));
    CheckpointManagerOptions mo;
    mo.save_options = Options(false, 1);
    auto made = CheckpointManager::Create(c, dir, 2, mo);
    if (!made.ok()) {
      tally_.Fail("lock holder: Create: " + made.status().ToString());
      lock.first_saved.Raise();
      lock.holder_done.Raise();
      lock.Saved();
      lock.released.Raise();
      lock.contender_tried.Raise();
      return;
    }
    std::unique_ptr<CheckpointManager> m = std::move(*made);
    tally_.CheckOk(m->RestoreOrInitialize().status(), "lock holder: RestoreOrInitialize");
    int64_t last_step = -1;
    std::string last_path;
    for (int i = 0; i < kSavesPerActor; ++i) {
      const int64_t step = Step(actor, i);
      model.Fill(step);
      CheckpointOptions o = *mo.save_options;
      o.enable_async = i % 2 == 0;
      auto path = m->Save(o);
      if (!path.ok() || !path->has_value()) {
        tally_.Fail("lock holder: save: " + path.status().ToString());
      } else {
        ++(o.async() ? tally_.async_saves : tally_.sync_saves);
        last_path = **path;
        last_step = step;
      }
      if (i == 0) {
        tally_.CheckOk(m->Sync(), "lock holder: first Sync");  // the lock is taken by the first Save
        lock.first_saved.Raise();
      }
      lock.Saved();
      MaybeYield(rng);
    }
    lock.contender_tried.Wait();
    tally_.CheckOk(m->Sync(), "lock holder: Sync");
    tally_.Check(m->latest_checkpoint() == last_path, "lock holder: latest is not its last save");
    lock.holder_done.Raise();
    lock.Saved();  // wakes the contender for its last try
    tally_.CheckOk(RestoreAndCheck(last_path, last_step, "lock holder"), "lock holder: latest");
    lock.contender_stopped.Wait();  // its last try must still have met this manager
    m.reset();
    lock.released.Raise();
  }

  void LockContender(LockPair& lock) {
    const std::string dir = Dir("locked");
    lock.first_saved.Wait();
    int seen = 0;
    do {
      seen = lock.WaitForSaveAfter(seen);
      SteppedModel model;
      model.Fill(Step(21, 0));
      Checkpoint c(model.Roots(), Options(false, 1));
      auto m = CheckpointManager::Create(c, dir, 2);
      if (!m.ok()) {
        tally_.Fail("lock contender: Create: " + m.status().ToString());
        break;
      }
      CheckpointOptions o = Options(lock.contender_tried.up(), 1);
      auto saved = (*m)->Save(o);
      const bool refused = saved.status().code() == StatusCode::kFailedPrecondition &&
                           saved.status().message().find("another CheckpointManager") != std::string::npos;
      tally_.Check(refused, "lock contender: a second manager saved into a managed directory: " +
                                (saved.ok() ? std::string("OK") : saved.status().ToString()));
      ++tally_.lock_refusals;
      tally_.Check(c.save_counter().flat<int64_t>()[0] == 0, "lock contender: a refused save counted");
      lock.contender_tried.Raise();
    } while (!lock.holder_done.up());
    lock.contender_stopped.Raise();
    // Once the holder is destroyed its lock is free: a new manager saves.
    lock.released.Wait();
    SteppedModel model;
    const int64_t step = Step(21, 1);
    model.Fill(step);
    Checkpoint c(model.Roots(), Options(false, 1));
    auto m = CheckpointManager::Create(c, dir, 2);
    if (!m.ok()) {
      tally_.Fail("lock contender: Create after release: " + m.status().ToString());
      return;
    }
    tally_.CheckOk((*m)->RestoreOrInitialize().status(), "lock contender: RestoreOrInitialize after release");
    model.Fill(step);
    auto saved = (*m)->Save();
    tally_.CheckOk(saved.status(), "lock contender: save after the holder was destroyed");
    if (saved.ok() && saved->has_value()) {
      ++tally_.sync_saves;
      tally_.CheckOk(RestoreAndCheck(**saved, step, "lock contender"), "lock contender: its save");
    }
  }

  // --- destruction with an async save in flight -----------------------------
  void Transient() {
    const int actor = 30;
    auto rng = Rng(actor);
    for (int k = 0; k < 3; ++k) {
      const int64_t step = Step(actor, k);
      const std::string dir = Dir("transient");
      std::string path;
      {
        SteppedModel model;
        Checkpoint c(model.Roots(), Options(false, 1));
        CheckpointManagerOptions mo;
        mo.save_options = Options(true, k % 2 + 1);
        auto m = CheckpointManager::Create(c, dir, 2, mo);
        if (!m.ok()) {
          tally_.Fail("transient: Create: " + m.status().ToString());
          return;
        }
        auto restored = (*m)->RestoreOrInitialize();
        tally_.CheckOk(restored.status(), "transient: RestoreOrInitialize");
        tally_.Check(!restored.ok() || !restored->has_value() || !model.Mismatch(),
                     "transient: restored a mixed checkpoint");
        model.Fill(step);
        auto saved = (*m)->Save();
        if (!saved.ok() || !saved->has_value()) {
          tally_.Fail("transient: save: " + saved.status().ToString());
          return;
        }
        ++tally_.async_saves;
        model.Scramble();
        m->reset();  // the manager goes with its save in flight; the Checkpoint stays
        ++tally_.destroyed_in_flight;
        tally_.Check(Latest(dir).ok() && *Latest(dir) == **saved, "transient: the destroyed manager's save is not latest");
        // A new manager over the same Checkpoint and directory: the lock is free again.
        m = CheckpointManager::Create(c, dir, 2, mo);
        if (!m.ok()) {
          tally_.Fail("transient: second Create: " + m.status().ToString());
          return;
        }
        model.Fill(step + 250);
        saved = (*m)->Save();
        if (!saved.ok() || !saved->has_value()) {
          tally_.Fail("transient: save of the second manager: " + saved.status().ToString());
          return;
        }
        path = **saved;
        ++tally_.async_saves;
        model.Scramble();
        MaybeYield(rng);
      }  // manager, then Checkpoint, destroyed with the write in flight
      ++tally_.destroyed_in_flight;
      auto latest = Latest(dir);
      tally_.Check(latest.ok() && *latest == path, "transient: the destroyed manager's save is not latest");
      tally_.CheckOk(RestoreAndCheck(path, step + 250, "transient"), "transient " + path);

      // A plain Checkpoint destroyed right after an async Save.
      const std::string plain_dir = Dir("transient_plain");
      {
        SteppedModel model;
        model.Fill(step + 500);
        Checkpoint c(model.Roots(), Options(true, k % 2 + 1));
        auto saved = c.Save(plain_dir + "/p");
        if (!saved.ok()) {
          tally_.Fail("transient plain: save: " + saved.status().ToString());
          return;
        }
        path = *saved;
        ++tally_.async_saves;
      }
      ++tally_.destroyed_in_flight;
      latest = Latest(plain_dir);
      tally_.Check(latest.ok() && *latest == path, "transient plain: the destroyed Checkpoint's save is not latest");
      tally_.CheckOk(RestoreAndCheck(path, step + 500, "transient plain"), "transient plain " + path);
    }
  }

  // --- the distributed save protocol, 2 ranks, into the shared directory ---
  void DistributedActor() {
    const int actor = 40;
    constexpr int kRanks = 2;
    constexpr int64_t kCols = 512;
    const std::string prefix = Dir("shared") + "/dist";
    for (int i = 0; i < kSavesPerActor / 2; ++i) {
      const int64_t step = Step(actor, i);
      const Tensor full = test::PatternTensor(DType::kFloat, TensorShape{kRanks, kCols}, static_cast<uint8_t>(step));
      Tensor step_tensor = *Tensor::Make(DType::kInt64, TensorShape{});
      step_tensor.flat<int64_t>()[0] = step;
      distributed::InProcessGroup group(kRanks);
      auto results = group.Run([&](Communicator& comm) {
        const int r = comm.rank();
        Tensor row = *Tensor::Make(DType::kFloat, TensorShape{1, kCols});
        std::memcpy(row.data(), static_cast<const char*>(full.data()) + r * kCols * sizeof(float),
                    kCols * sizeof(float));
        std::vector<NamedView> values = {
            {"w", row.view(), SaveSliceInfo{TensorShape{kRanks, kCols}, TensorSlice({{r, 1}, {0, kCols}})}},
            {"step", step_tensor.view()}};
        distributed::DistributedSaveOptions o;
        o.fs = fs_;
        o.sync = false;
        o.deadline = DeadlineAfter(std::chrono::minutes(5));  // only a hang would reach it
        return distributed::SaveDistributed(comm, values, prefix, o);
      });
      for (const auto& r : results) tally_.CheckOk(r.status(), "distributed save");
      if (!results[0].ok()) continue;
      ++tally_.distributed_saves;
      BundleReaderOptions ro;
      ro.fs = fs_;
      auto reader = BundleReader::Open(prefix, ro);
      if (!reader.ok()) {
        tally_.Fail("distributed: open " + prefix + ": " + reader.status().ToString());
        continue;
      }
      tally_.CheckOk((*reader)->VerifyAll(), "distributed: verify");
      auto w = (*reader)->Read("w");
      auto s = (*reader)->Read("step");
      tally_.Check(w.ok() && w->Equals(full) && s.ok() && s->flat<int64_t>()[0] == step,
                   "distributed: " + prefix + " does not hold step " + std::to_string(step));
    }
  }

  // Checkpoint::Write on the rank threads of a group of 2, then a restore
  // of the whole tensor in one process.
  void CheckpointGroupActor() {
    const int actor = 41;
    constexpr int kRanks = 2;
    constexpr int64_t kCols = 256;
    const TensorShape full_shape{kRanks, kCols};
    for (int i = 0; i < kSavesPerActor / 2; ++i) {
      const int64_t step = Step(actor, i);
      const std::string prefix = Dir("shared") + "/dist_ck-" + std::to_string(step);
      const Tensor full = test::PatternTensor(DType::kFloat, full_shape, static_cast<uint8_t>(step + 1));
      distributed::InProcessGroup group(kRanks);
      auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
        const int r = comm.rank();
        Tensor row = *Tensor::Make(DType::kFloat, TensorShape{1, kCols});
        std::memcpy(row.data(), static_cast<const char*>(full.data()) + r * kCols * sizeof(float),
                    kCols * sizeof(float));
        ShardedVariable w(DType::kFloat, full_shape, "w");
        CKPT_RETURN_IF_ERROR(w.AddShard({r, 0}, std::move(row)));
        Tensor step_tensor = *Tensor::Make(DType::kInt64, TensorShape{});
        step_tensor.flat<int64_t>()[0] = step;
        Variable s(std::move(step_tensor), "step");
        CheckpointOptions o;
        o.fs = fs_;
        o.sync = false;
        o.communicator = &comm;
        o.collective_timeout = std::chrono::minutes(5);  // only a hang would reach it
        return Checkpoint({{"w", &w}, {"step", &s}}, o).Write(prefix);
      });
      for (const auto& r : results) tally_.CheckOk(r.status(), "Checkpoint::Write with a group");
      if (!results[0].ok()) continue;
      ++tally_.distributed_saves;
      ShardedVariable w(DType::kFloat, full_shape, "w");
      tally_.CheckOk(w.AddShard({0, 0}, *Tensor::Make(DType::kFloat, full_shape)), "dist-ckpt: shard");
      Variable s(DType::kInt64, TensorShape{}, "step");
      CheckpointOptions o;
      o.fs = fs_;
      auto restored = Checkpoint({{"w", &w}, {"step", &s}}, o).Restore(prefix);
      if (!restored.ok()) {
        tally_.Fail("dist-ckpt: restore " + prefix + ": " + restored.status().ToString());
        continue;
      }
      const Variable& got = w.shard(0);
      tally_.Check(std::memcmp(got.data(), full.data(), full.byte_size()) == 0 &&
                       *static_cast<const int64_t*>(s.data()) == step,
                   "dist-ckpt: " + prefix + " does not hold step " + std::to_string(step));
    }
  }

  FileSystem* const fs_;
  const std::string root_;
  const int round_;
  const uint64_t seed_;
  Tally& tally_;
  Carried& carried_;
  std::mutex shared_mu_;
  struct LastSave {
    std::string path;
    int64_t step;
    int64_t floats;  // the model's size
  };
  std::map<int, LastSave> last_shared_;  // actor -> its last Save
};

// Runs the rounds on `fs` under `root`; prints the summary (and the RESULT
// line for scripts/stress.sh).
void RunStress(const std::string& fs_name, FileSystem* fs, const std::string& root, int default_rounds) {
  const int64_t rounds = EnvInt("CKPT_STRESS_ROUNDS", default_rounds);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("CKPT_STRESS_SEED", 1));
  Tally tally;
  Carried carried;
  for (int round = 0; round < rounds && tally.failures == 0; ++round) {
    StressRound(fs, root, round, seed, tally, carried).Run();
  }
  EXPECT_EQ(tally.failures, 0);
  const std::string checked =
      std::to_string(tally.sync_saves) + " sync + " + std::to_string(tally.async_saves) + " async saves, " +
      std::to_string(tally.writes) + " writes, " + std::to_string(tally.distributed_saves) +
      " 2-rank saves by 14 threads into 6 directories (one shared by 6 savers); " +
      std::to_string(tally.restores_complete) + " complete restores and " +
      std::to_string(tally.restores_not_found) + " clean NotFound while max_to_keep=1 pruned; " +
      std::to_string(tally.lock_refusals) + " second managers refused; " +
      std::to_string(tally.destroyed_in_flight) + " destroyed with a save in flight; " +
      std::to_string(tally.concurrent_syncs) + " Sync() from another thread; " +
      std::to_string(tally.callbacks) + " callbacks in order (" + std::to_string(tally.callback_restores) +
      " restoring their checkpoint); every value restored checked";
  std::printf("concurrency stress (%s, %s, seed %llu, %lld rounds): %s\n", fs_name.c_str(), kSanitizer,
              static_cast<unsigned long long>(seed), static_cast<long long>(rounds), checked.c_str());
  if (std::getenv("CKPT_STRESS_ROUNDS") != nullptr) {
    std::printf("RESULT|concurrency, %s (%s)|%lld|%lld|%s\n", fs_name.c_str(), kSanitizer,
                static_cast<long long>(rounds), static_cast<long long>(tally.failures.load()), checked.c_str());
  }
  std::fflush(stdout);
}

TEST(ConcurrencyStress, ManyThreadsSaveIntoDifferentAndTheSameDirectoriesOnDisk) {
  auto root = test::TempDir::Create("ckpt_concurrency_");
  ASSERT_OK(root);
  RunStress("real disk", FileSystem::Default(), root->path(), 1);
}

TEST(ConcurrencyStress, ManyThreadsSaveIntoDifferentAndTheSameDirectoriesInMemory) {
  auto fs = NewMemoryFileSystem();
  RunStress("in-memory FS", fs.get(), "/stress", 3);
}

}  // namespace
}  // namespace ckpt
