// power_cut_campaign: the randomized power-cut campaign of issue 14
// (scenario 2), run by scripts/stress.sh.
//
//   power_cut_campaign [--trials N] [--seed S] [--verbose]   (--verbose: every trial, and the library's log)
//
// Each trial picks a subject -- Checkpoint (sync or async), CheckpointManager
// (random max_to_keep, keep_checkpoint_every_n_hours, sync/async per save,
// explicit numbers, staging buffers), Saver (V1 or V2, sharded or not, random
// retention, with or without global_step), MergeBundles, or the state file --
// and a random history of h operations, all over the fault-injection file
// system (src/testing/fault_injection_file_system.h) on an in-memory disk.
// A dry run counts the mutating calls of operation h; the real run cuts the
// power at a random one of them (CrashAfter), drops what was not durable
// (SimulateCrash) and starts a new "process" over the files. Checks:
//   * nothing half-written is published: every .index that exists (in the
//     directory and below) opens and verifies, every V1 table file too;
//   * the latest checkpoint is the new one if the operation returned OK, else
//     the new or the previous one, and it restores bit-exact through the
//     subject's own API (and through CheckpointReader);
//   * no checkpoint complete before the cut is lost: every one that the
//     uninterrupted run still had afterwards is there and bit-exact (the ones
//     retention deletes may be gone, never damaged);
//   * the next operation succeeds and publishes a bit-exact checkpoint;
//   * no litter: after the manager's next save manager::Litter of the
//     directory is empty (unmanaged subjects: after a manager's first save
//     into the directory -- only a manager holding the lock may clean).
// Prints one line per failure and, last,
//   RESULT|power cuts (fault FS)|<trials>|<failures>|<what was checked>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "campaign_subjects.h"


namespace ckpt {
namespace {

struct TrialResult {
  std::vector<std::string> failures;
  bool cut = false;         // the power went before the operation returned
  bool op_ok = false;       // the interrupted operation still returned OK
  size_t unmanaged_leftovers = 0;
  bool rewrite_lost = false;  // an in-place rewrite cut short: old version gone, as asked
};

class Trial {
 public:
  Trial(uint64_t seed) : seed_(seed), rng_(seed) {
    kind_ = static_cast<Kind>(rng_() % static_cast<uint64_t>(Kind::kCount));
    history_ = static_cast<int>(rng_() % 7);
  }

  TrialResult Run() {
    TrialResult res;
    // The dry run (the prefixes, the steps of op h, what survives it), then
    // the real run up to op h. Op h's prefix may be a rewrite (a complete
    // checkpoint saved again in place): either the old or the new values are fine.
    TrialStart t;
    const Status started = StartTrial(kind_, seed_, history_, &t);
    describe_ = t.dry.description;
    if (!Check(res, started, "before the cut")) return res;
    if (t.dry.steps == 0) {
      res.failures.push_back("operation made no mutating call");
      return res;
    }
    FileSystem* fs = t.fs;
    Writers& writers = *t.replay.writers;
    auto& subject = t.replay.subject;
    // The real run, cut at step cut_at of op h.
    const uint64_t cut_at = 1 + rng_() % t.dry.steps;
    t.world->fs().CrashAfter(cut_at);
    auto op_status = subject->Op(history_);
    subject->Stop();
    res.cut = t.world->fs().power_cut();
    res.op_ok = op_status.ok();
    if (!Check(res, t.world->fs().SimulateCrash(), "SimulateCrash")) return res;
    const std::string where = " (cut at step " + std::to_string(cut_at) + " of " + std::to_string(t.dry.steps) + ")";

    // 1. Nothing half-written is published.
    for (const std::string& bad : HalfWrittenPublished(fs, subject->v1())) {
      res.failures.push_back("half-written file published" + where + ": " + bad);
    }
    // A rewrite leaves the old version, nothing (or for sharded V1 an
    // incomplete set, which fails to restore), or the new one: never a mix.
    if (t.rewrite) {
      const Outcome o = Classify(fs, *subject, t.target, writers[t.target]);
      if (o == Outcome::kCorrupt) {
        res.failures.push_back("rewrite of " + t.target + " left a mix of two saves or a corrupt bundle" + where);
      }
      res.rewrite_lost = o != Outcome::kComplete;
    }
    const bool lost_rewrite = t.rewrite && res.rewrite_lost;
    // 2. The latest checkpoint.
    auto latest = subject->Latest(fs);
    if (!Check(res, latest.status(), "latest after the cut" + where)) return res;
    if (subject->is_state_file()) {
      CheckStateFile(res, fs, *subject, op_status.ok(), where);
    } else if (kind_ == Kind::kMerge) {
      if (op_status.ok() && !HoldsOneOf(fs, *subject, t.target, writers[t.target]).ok()) {
        res.failures.push_back("a finished merge was lost" + where);
      }
    } else {
      if (op_status.ok() && *latest != std::optional<std::string>(t.target)) {
        res.failures.push_back("a finished save is not the latest" + where + ": " + latest->value_or("none"));
      }
      const bool rewrite_gone = lost_rewrite && !*latest && t.prev_latest == std::optional<std::string>(t.target);
      if (*latest != t.prev_latest && *latest != std::optional<std::string>(t.target) && !rewrite_gone) {
        res.failures.push_back("latest is neither the previous (" + t.prev_latest.value_or("none") + ") nor the new " +
                               t.target + where + ": " + latest->value_or("none"));
      }
      if (*latest && !(lost_rewrite && **latest == t.target)) {
        if (Status s = HoldsOneOf(fs, *subject, **latest, writers[**latest]); !s.ok()) {
          res.failures.push_back("latest does not restore bit-exact" + where + ": " + s.ToString());
        }
      } else if (t.prev_latest && !(lost_rewrite && *t.prev_latest == t.target)) {
        res.failures.push_back("latest checkpoint vanished" + where);
      }
    }
    // 3. No checkpoint complete before the cut is lost (only retention's
    // victims, by the uninterrupted run, may be gone).
    CheckKeptCheckpoints(t, "checkpoint complete before the cut lost" + where, res.failures);
    // 4. A new process restores and saves again.
    auto restored = subject->Start(fs);
    if (!restored.ok() && lost_rewrite) {
      subject->Stop();
      restored = subject->Start(fs, /*restore=*/false);  // the user starts afresh
    }
    if (!Check(res, restored.status(), "restart (restore of the latest)" + where)) return res;
    auto next = subject->Op(history_ + 1);
    if (!Check(res, next.status(), "next save after the cut" + where)) {
      subject->Stop();
      return res;
    }
    writers[*next].push_back(history_ + 1);
    subject->Stop();
    if (!subject->is_state_file()) {
      if (Status s = HoldsOneOf(fs, *subject, *next, {history_ + 1}); !s.ok()) {
        res.failures.push_back("next save not bit-exact" + where + ": " + s.ToString());
      }
    }
    auto latest2 = subject->Latest(fs);
    if (kind_ != Kind::kMerge && (!latest2.ok() || *latest2 != std::optional<std::string>(*next))) {
      res.failures.push_back("next save is not the latest" + where);
    }
    // 5. Litter: empty after a manager's save into the directory.
    if (!subject->managed()) {
      std::vector<std::string> files;
      ListRecursively(fs, kDir, files);
      for (const std::string& f : files) res.unmanaged_leftovers += IsTemporary(f) ? 1 : 0;
      Check(res, JanitorSave(fs, subject->checkpoint_name()), "janitor save" + where);
    }
    for (const std::string& l : LitterIn(fs, subject->checkpoint_name())) {
      res.failures.push_back("litter after the next manager save" + where + ": " + l);
    }
    for (const std::string& bad : HalfWrittenPublished(fs, subject->v1())) {
      res.failures.push_back("half-written file published after the next save" + where + ": " + bad);
    }
    return res;
  }

  const std::string& describe() const { return describe_; }
  int history() const { return history_; }

 private:
  bool Check(TrialResult& res, const Status& s, const std::string& what) { return CheckOk(res.failures, s, what); }

  void CheckStateFile(TrialResult& res, FileSystem* fs, const Subject& subject, bool op_ok, const std::string& where) {
    const auto& st = static_cast<const StateSubject&>(subject);
    auto got = GetCheckpointState(kDir, kDefaultStateFilename, fs);
    if (!got.ok()) {
      res.failures.push_back("state file unreadable" + where + ": " + got.status().ToString());
      return;
    }
    const bool is_new = *got && **got == st.StateOf(history_);
    const bool is_old = history_ == 0 ? !got->has_value() : (*got && **got == st.StateOf(history_ - 1));
    if (!is_new && !is_old) res.failures.push_back("state file is neither the old nor the new one" + where);
    if (op_ok && !is_new) res.failures.push_back("a finished state update was lost" + where);
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  Kind kind_;
  int history_;
  std::string describe_;
};

}  // namespace
}  // namespace ckpt

int main(int argc, char** argv) {
  ckpt::CampaignArgs args;
  if (!ckpt::ParseCampaignArgs(argc, argv, "power_cut_campaign", &args)) return 2;
  const uint64_t trials = args.trials;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t cut = 0, finished_anyway = 0, leftovers = 0, rewrites_lost = 0;
  const uint64_t failed = ckpt::RunTrials<ckpt::Trial>(args, [&](const ckpt::TrialResult& r) {
    cut += r.cut;
    finished_anyway += r.op_ok;
    leftovers += r.unmanaged_leftovers;
    rewrites_lost += r.rewrite_lost;
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("power_cut_campaign: %llu trials in %.1f s; the power went mid-operation in %llu; %llu operations "
              "returned OK before the cut; %llu temp files left by unmanaged saves (cleaned by the janitor); %llu "
              "in-place rewrites cut short (old version gone, new one absent: never a mix)\n",
              (unsigned long long)trials, secs, (unsigned long long)cut, (unsigned long long)finished_anyway,
              (unsigned long long)leftovers, (unsigned long long)rewrites_lost);
  std::printf("RESULT|power cuts (fault FS, random)|%llu|%llu|cut at a random step of Checkpoint sync/async, "
              "CheckpointManager, Saver V1/V2 (sharded or not), MergeBundles, state file: no half-written "
              "file published, latest restores bit-exact, no complete checkpoint lost, next save OK, no "
              "litter after a manager save\n",
              (unsigned long long)trials, (unsigned long long)failed);
  return failed ? 1 : 0;
}
