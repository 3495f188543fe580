// io_error_campaign: I/O errors in the middle of a save (issue 14, scenario 3,
// the fault-file-system part), run by scripts/stress.sh.
//
//   io_error_campaign [--trials N] [--seed S] [--verbose]
//
// Each trial picks a subject and a random history as power_cut_campaign does
// (campaign_subjects.h), counts the mutating calls of operation h in a dry
// run, and makes one of them fail -- with EIO (Unknown, as io::ErrnoToStatus
// maps it), ENOSPC (ResourceExhausted) or EACCES/EROFS (PermissionDenied) --
// while the process keeps running. Checks:
//   * a failed save reports the injected error: same code, a message naming
//     the file (or the directory whose fsync failed) -- no error is swallowed
//     or turned into another;
//   * the previous latest is still the latest (or the new one, when only a
//     step after its publication failed) and restores bit-exact; every
//     checkpoint the uninterrupted run kept is intact;
//   * nothing half-written is published (every .index and V1 file verifies);
//   * the same process saves again successfully once the fault is gone, and
//     a new process restores the latest;
//   * no litter: after the manager's next save (unmanaged subjects: a
//     manager's first save) manager::Litter of the directory is empty.
// Prints one line per failure, a summary of which calls failed, and
//   RESULT|I/O errors (fault FS: EIO/ENOSPC/EACCES)|<trials>|<failures>|<checked>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "campaign_subjects.h"

namespace ckpt {
namespace {

struct Fault {
  StatusCode code;
  const char* errno_name;
};
constexpr Fault kFaults[] = {{StatusCode::kUnknown, "EIO"},
                             {StatusCode::kResourceExhausted, "ENOSPC"},
                             {StatusCode::kPermissionDenied, "EACCES"}};

struct TrialResult {
  std::vector<std::string> failures;
  bool absorbed = false;     // the failed call was a best-effort step: the save returned OK
  std::string failed_call;   // "append", "sync", "rename", ... (from the injected message)
};

class Trial {
 public:
  explicit Trial(uint64_t seed) : seed_(seed), rng_(seed) {
    kind_ = static_cast<Kind>(rng_() % static_cast<uint64_t>(Kind::kCount));
    history_ = static_cast<int>(rng_() % 6);
    fault_ = kFaults[rng_() % 3];
  }
  const std::string& describe() const { return describe_; }
  int history() const { return history_; }

  TrialResult Run() {
    TrialResult res;
    TrialStart t;
    const Status started = StartTrial(kind_, seed_, history_, &t);
    describe_ = t.dry.description + " " + fault_.errno_name;
    if (!Check(res, started, "before the fault")) return res;
    FileSystem* fs = t.fs;
    Writers& writers = *t.replay.writers;
    auto& subject = t.replay.subject;
    const uint64_t fail_at = 1 + rng_() % t.dry.steps;

    t.world->fs().FailAfter(fail_at, fault_.code);
    auto op = subject->Op(history_);
    t.world->fs().ClearFaults();
    const std::string where = " (" + std::string(fault_.errno_name) + " at step " + std::to_string(fail_at) + " of " +
                              std::to_string(t.dry.steps) + ")";
    res.absorbed = op.ok();
    if (!op.ok()) {
      const Status& s = op.status();
      const std::string& m = s.message();
      const size_t at = m.find("injected fault: ");
      if (at != std::string::npos) res.failed_call = m.substr(at + 16, m.find(' ', at + 16) - at - 16);
      if (s.code() != fault_.code) {
        res.failures.push_back("the save's error is not the injected one" + where + ": " + s.ToString());
      }
      if (m.find(kDir) == std::string::npos) {  // the file, or the directory whose fsync failed
        res.failures.push_back("the error names no path" + where + ": " + s.ToString());
      }
    }

    // Nothing half-written; the latest and every kept checkpoint intact.
    for (const std::string& bad : HalfWrittenPublished(fs, subject->v1())) {
      res.failures.push_back("half-written file published" + where + ": " + bad);
    }
    bool lost_rewrite = false;
    if (t.rewrite) {
      const Outcome o = Classify(fs, *subject, t.target, writers[t.target]);
      if (o == Outcome::kCorrupt) res.failures.push_back("rewrite of " + t.target + " left a mix" + where);
      lost_rewrite = o != Outcome::kComplete;
    }
    auto latest = subject->Latest(fs);
    if (!Check(res, latest.status(), "latest after the fault" + where)) return res;
    if (!subject->is_state_file() && kind_ != Kind::kMerge) {
      const std::optional<std::string> new_one(t.target);
      if (op.ok() && *latest != new_one) res.failures.push_back("a finished save is not the latest" + where);
      const bool rewrite_gone = lost_rewrite && !*latest && t.prev_latest == new_one;
      if (*latest != t.prev_latest && *latest != new_one && !rewrite_gone) {
        res.failures.push_back("latest moved to " + latest->value_or("none") + where);
      }
      if (*latest && !(lost_rewrite && **latest == t.target)) {
        if (Status s = HoldsOneOf(fs, *subject, **latest, writers[**latest]); !s.ok()) {
          res.failures.push_back("latest does not restore bit-exact" + where + ": " + s.ToString());
        }
      }
    }
    CheckKeptCheckpoints(t, "kept checkpoint damaged" + where, res.failures);

    // The same process saves again once the fault is gone.
    auto next = subject->Op(history_ + 1);
    if (!Check(res, next.status(), "next save in the same process" + where)) {
      subject->Stop();
      return res;
    }
    writers[*next].push_back(history_ + 1);
    if (!subject->is_state_file()) {
      if (Status s = HoldsOneOf(fs, *subject, *next, {history_ + 1}); !s.ok()) {
        res.failures.push_back("next save not bit-exact" + where + ": " + s.ToString());
      }
    }
    if (subject->managed()) {
      for (const std::string& l : LitterIn(fs, subject->checkpoint_name())) {
        res.failures.push_back("litter after the same manager's next save" + where + ": " + l);
      }
    }
    subject->Stop();
    // A new process restores it; unmanaged directories get a manager's save.
    auto restored = subject->Start(fs);
    if (!Check(res, restored.status(), "restart" + where)) return res;
    subject->Stop();
    if (!subject->managed()) {
      Check(res, JanitorSave(fs, subject->checkpoint_name()), "janitor save" + where);
      for (const std::string& l : LitterIn(fs, subject->checkpoint_name())) {
        res.failures.push_back("litter after a manager's save" + where + ": " + l);
      }
    }
    for (const std::string& bad : HalfWrittenPublished(fs, subject->v1())) {
      res.failures.push_back("half-written file published at the end" + where + ": " + bad);
    }
    return res;
  }

 private:
  bool Check(TrialResult& res, const Status& s, const std::string& what) { return CheckOk(res.failures, s, what); }

  uint64_t seed_;
  std::mt19937_64 rng_;
  Kind kind_;
  int history_;
  Fault fault_;
  std::string describe_;
};

}  // namespace
}  // namespace ckpt

int main(int argc, char** argv) {
  ckpt::CampaignArgs args;
  if (!ckpt::ParseCampaignArgs(argc, argv, "io_error_campaign", &args)) return 2;
  const uint64_t trials = args.trials;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t absorbed = 0;
  std::map<std::string, uint64_t> calls;
  const uint64_t failed = ckpt::RunTrials<ckpt::Trial>(args, [&](const ckpt::TrialResult& r) {
    absorbed += r.absorbed;
    if (!r.failed_call.empty()) ++calls[r.failed_call];
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string by_call;
  for (const auto& [call, n] : calls) by_call += " " + call + "=" + std::to_string(n);
  std::printf("io_error_campaign: %llu trials in %.1f s; failed calls that failed the save:%s; %llu faults hit a "
              "best-effort step (save OK)\n",
              (unsigned long long)trials, secs, by_call.c_str(), (unsigned long long)absorbed);
  std::printf("RESULT|I/O errors (fault FS: EIO/ENOSPC/EACCES)|%llu|%llu|one failing call at a random step of "
              "every subject: the save reports that error naming the file, previous latest intact and bit-exact, "
              "nothing half-written published, same process saves again, no litter after a manager save\n",
              (unsigned long long)trials, (unsigned long long)failed);
  return failed ? 1 : 0;
}
