// The subjects and checks shared by the fault-file-system campaigns of issue 14
// (power_cut_campaign.cc, io_error_campaign.cc): each subject is one way of
// saving -- Checkpoint (sync or async), CheckpointManager, Saver (V1 or V2,
// sharded or not), MergeBundles, the state file -- with random options drawn
// from a seed, driven operation by operation over a FileSystem; the checks
// look at what a reader would find in the directory.
//
// Included by exactly one translation unit per program (each .cc under
// tests/tools/ is a program), hence the unnamed namespace.
#pragma once

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
#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/saver.h"
#include "ckpt/variable.h"
#include "ckpt/status_macros.h"
#include "manager/retention.h"
#include "testing/fault_injection_file_system.h"

namespace ckpt {
namespace {

constexpr const char* kDir = "/d";

// ---------------------------------------------------------------------------
// Values: every tensor of operation `op` is derived from (trial seed, op, key)
// so any checkpoint can be checked bit for bit.
// ---------------------------------------------------------------------------
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t KeySeed(uint64_t trial_seed, int op, const std::string& key) {
  uint64_t h = Mix(trial_seed * 1000003 + static_cast<uint64_t>(op));
  for (char c : key) h = Mix(h ^ static_cast<unsigned char>(c));
  return h;
}

Tensor Pattern(DType dt, const TensorShape& shape, uint64_t seed) {
  if (dt == DType::kString) {
    std::vector<std::string> v;
    for (int64_t i = 0; i < shape.num_elements(); ++i) {
      const uint64_t r = Mix(seed + i);
      v.push_back(std::string(r % 40, static_cast<char>('a' + r % 26)) + std::to_string(r));
    }
    return Tensor::FromStrings(shape, std::move(v));
  }
  Tensor t = *Tensor::Make(dt, shape);
  auto* p = static_cast<uint8_t*>(t.data());
  uint64_t r = seed;
  for (size_t i = 0; i < t.byte_size(); ++i) {
    if (i % 8 == 0) r = Mix(r);
    p[i] = static_cast<uint8_t>(r >> (8 * (i % 8)));
  }
  return t;
}

// One tensor a subject saves.
struct Spec {
  std::string name;
  DType dtype;
  TensorShape shape;
};

std::vector<Spec> RandomSpecs(std::mt19937_64& rng) {
  std::vector<Spec> specs;
  specs.push_back({"w", DType::kFloat, TensorShape{static_cast<int64_t>(1 + rng() % 3000)}});
  specs.push_back({"b", DType::kInt64, TensorShape{static_cast<int64_t>(1 + rng() % 17), 3}});
  if (rng() % 2) specs.push_back({"s", DType::kString, TensorShape{static_cast<int64_t>(1 + rng() % 4)}});
  if (rng() % 2) specs.push_back({"h", DType::kHalf, TensorShape{static_cast<int64_t>(1 + rng() % 100)}});
  return specs;
}

// ---------------------------------------------------------------------------
// Subjects
// ---------------------------------------------------------------------------
class Subject {
 public:
  virtual ~Subject() = default;
  virtual std::string Describe() const = 0;
  // A new process over the files: builds its objects and, as a user would,
  // restores the latest checkpoint (or recovers the state). Returns the
  // prefix restored, if any, after checking it holds the values it should.
  // restore = false: a process that starts afresh (after a lost rewrite).
  virtual Result<std::optional<std::string>> Start(FileSystem* fs, bool restore = true) = 0;
  // Ends the process (waits for async writes; their errors do not matter).
  virtual void Stop() = 0;
  // Operation `op`: one save (and its wait); returns what it published.
  virtual Result<std::string> Op(int op) = 0;
  // What a reader takes as the latest checkpoint (nullopt: none).
  virtual Result<std::optional<std::string>> Latest(FileSystem* fs) = 0;
  // The checkpoint keys of op `op` with their values.
  virtual std::map<std::string, Tensor> Expected(int op) const = 0;
  // The manager's checkpoint_name for the litter check, and whether the
  // subject itself is a manager (else a janitor manager saves once).
  virtual std::string checkpoint_name() const { return "ckpt"; }
  virtual bool managed() const { return false; }
  virtual bool v1() const { return false; }
  // The state file's view is checked by the state subject itself.
  virtual bool is_state_file() const { return false; }
};

// Which op wrote each prefix, filled while the subject runs: a prefix can be
// rewritten (Saver without global_step, manager re-saving a number).
using Writers = std::map<std::string, std::vector<int>>;

// --- Checkpoint / CheckpointManager over a Module of Variables ---
class ObjectSubject : public Subject {
 public:
  ObjectSubject(uint64_t seed, std::mt19937_64& rng, bool manager, bool async)
      : seed_(seed), specs_(RandomSpecs(rng)), manager_mode_(manager), async_(async), rng_(Mix(seed)) {
    if (manager_mode_) {
      const int r = static_cast<int>(rng() % 6);
      max_to_keep_ = r == 0 ? kKeepAll : std::optional<int>(r);
      if (rng() % 3 == 0) keep_hours_ = 1.0;
      staging_ = 1 + static_cast<int>(rng() % 2);
      explicit_numbers_ = rng() % 4 == 0;
    }
  }
  std::string Describe() const override {
    std::string d = manager_mode_ ? "manager" : (async_ ? "checkpoint-async" : "checkpoint-sync");
    if (manager_mode_) {
      d += " max_to_keep=" + (max_to_keep_ ? std::to_string(*max_to_keep_) : std::string("all"));
      if (keep_hours_) d += " keep_hours=1";
      d += " staging=" + std::to_string(staging_);
      if (explicit_numbers_) d += " explicit-numbers";
    }
    return d;
  }
  bool managed() const override { return manager_mode_; }

  Result<std::optional<std::string>> Start(FileSystem* fs, bool restore) override {
    fs_ = fs;
    module_ = std::make_unique<Module>();
    vars_.clear();
    for (const Spec& s : specs_) {
      vars_.push_back(std::make_unique<Variable>(s.dtype, s.shape));
      CKPT_RETURN_IF_ERROR(module_->Track(s.name, *vars_.back()));
    }
    CheckpointOptions o;
    o.fs = fs;
    o.enable_async = async_;
    o.async_staging_buffers = staging_;
    checkpoint_ = std::make_unique<Checkpoint>(std::vector<std::pair<std::string, Trackable*>>{{"m", module_.get()}}, o);
    std::optional<std::string> restored;
    if (manager_mode_) {
      CheckpointManagerOptions mo;
      mo.clock = [this] { return now_; };
      mo.keep_checkpoint_every_n_hours = keep_hours_;
      CKPT_ASSIGN_OR_RETURN(manager_, CheckpointManager::Create(*checkpoint_, kDir, max_to_keep_, mo));
      if (restore) {
        CKPT_ASSIGN_OR_RETURN(restored, manager_->RestoreOrInitialize());
      }
    } else if (restore) {
      CKPT_ASSIGN_OR_RETURN(std::optional<std::string> latest, LatestCheckpoint(kDir, kDefaultStateFilename, fs));
      if (latest) {
        CKPT_ASSIGN_OR_RETURN(LoadStatus st, checkpoint_->Restore(*latest));
        (void)st;
        restored = latest;
      }
    }
    if (restored) CKPT_RETURN_IF_ERROR(CheckVariables(*restored));
    return restored;
  }
  void Stop() override {
    if (manager_) (void)manager_->Sync();
    if (checkpoint_) (void)checkpoint_->Sync();
    manager_.reset();
    checkpoint_.reset();
    vars_.clear();
    module_.reset();
  }
  Result<std::string> Op(int op) override {
    for (size_t i = 0; i < specs_.size(); ++i) {
      Tensor t = Pattern(specs_[i].dtype, specs_[i].shape, KeySeed(seed_, op, Key(specs_[i].name)));
      CKPT_RETURN_IF_ERROR(vars_[i]->Assign(t.view()));
    }
    now_ += 1000 + static_cast<double>(rng_() % 1000);  // ~20 minutes apart
    if (!manager_mode_) {
      CKPT_ASSIGN_OR_RETURN(std::string path, checkpoint_->Save(std::string(kDir) + "/ckpt"));
      CKPT_RETURN_IF_ERROR(checkpoint_->Sync());
      return path;
    }
    CheckpointOptions o;
    o.fs = fs_;
    o.enable_async = rng_() % 2 == 0;
    o.async_staging_buffers = staging_;
    std::optional<int64_t> number;
    if (explicit_numbers_ && rng_() % 2) number = next_number_ + static_cast<int64_t>(rng_() % 3);
    CKPT_ASSIGN_OR_RETURN(std::optional<std::string> path, manager_->Save(o, number));
    CKPT_RETURN_IF_ERROR(manager_->Sync());
    if (!path) return InternalError("manager skipped a save");
    next_number_ = std::stoll(path->substr(path->rfind('-') + 1)) + 1;
    return *path;
  }
  Result<std::optional<std::string>> Latest(FileSystem* fs) override {
    return LatestCheckpoint(kDir, kDefaultStateFilename, fs);
  }
  std::map<std::string, Tensor> Expected(int op) const override {
    std::map<std::string, Tensor> out;
    for (const Spec& s : specs_) out.emplace(Key(s.name), Pattern(s.dtype, s.shape, KeySeed(seed_, op, Key(s.name))));
    return out;
  }

  // Set by the campaign: which op wrote a prefix, to check restored values.
  const Writers* writers = nullptr;

 private:
  static std::string Key(const std::string& name) { return "m/" + name + "/.ATTRIBUTES/VARIABLE_VALUE"; }

  Status CheckVariables(const std::string& prefix) {
    auto it = writers->find(prefix);
    if (it == writers->end()) return InternalError("restored " + prefix + ", which no operation wrote");
    for (int op : it->second) {
      bool all = true;
      const auto expected = Expected(op);
      for (size_t i = 0; i < specs_.size() && all; ++i) {
        Tensor got = *Tensor::Make(specs_[i].dtype, specs_[i].shape);
        if (specs_[i].dtype == DType::kString) {
          got = Tensor::FromStrings(specs_[i].shape, vars_[i]->strings());
        } else {
          std::memcpy(got.data(), vars_[i]->data(), got.byte_size());
        }
        all = got.Equals(expected.at(Key(specs_[i].name)));
      }
      if (all) return OkStatus();
    }
    return DataLossError("restoring " + prefix + " through the API did not give the values saved there");
  }

  uint64_t seed_;
  std::vector<Spec> specs_;
  bool manager_mode_, async_;
  std::optional<int> max_to_keep_ = 2;
  std::optional<double> keep_hours_;
  int staging_ = 1;
  bool explicit_numbers_ = false;
  int64_t next_number_ = 1;
  std::mt19937_64 rng_;
  double now_ = 1.7e9;
  FileSystem* fs_ = nullptr;
  std::unique_ptr<Module> module_;
  std::vector<std::unique_ptr<Variable>> vars_;
  std::unique_ptr<Checkpoint> checkpoint_;
  std::unique_ptr<CheckpointManager> manager_;
};

// --- Saver (V1/V2, sharded or not) ---
class SaverSubject : public Subject {
 public:
  SaverSubject(uint64_t seed, std::mt19937_64& rng, bool v1, bool sharded)
      : seed_(seed), specs_(RandomSpecs(rng)), v1_(v1), sharded_(sharded) {
    max_to_keep_ = static_cast<int>(rng() % 5);
    if (rng() % 3 == 0) keep_hours_ = 0.5;
    prune_ = rng() % 2;
    meta_ = rng() % 2;
    global_step_ = rng() % 6 != 0;  // without: every save rewrites model.ckpt
    if (v1_) {
      // V1 cannot store half floats.
      for (Spec& s : specs_) {
        if (s.dtype == DType::kHalf) s.dtype = DType::kFloat;
      }
    }
  }
  std::string Describe() const override {
    return std::string("saver ") + (v1_ ? "V1" : "V2") + (sharded_ ? " sharded" : "") +
           " max_to_keep=" + std::to_string(max_to_keep_) + (keep_hours_ < 1e3 ? " keep_hours=0.5" : "") +
           (prune_ ? " prune" : "") + (meta_ ? " meta" : "") + (global_step_ ? "" : " no-global-step");
  }
  std::string checkpoint_name() const override { return "model.ckpt"; }
  bool v1() const override { return v1_; }

  Result<std::optional<std::string>> Start(FileSystem* fs, bool restore) override {
    vars_.clear();
    std::vector<VariablePtr> list;
    for (size_t i = 0; i < specs_.size(); ++i) {
      const Spec& s = specs_[i];
      vars_.push_back(std::make_shared<TensorVariable>(s.name, *Tensor::Make(s.dtype, s.shape),
                                                       sharded_ ? "/cpu:" + std::to_string(i % 2) : ""));
      list.push_back(vars_.back());
    }
    SaverOptions o;
    o.fs = fs;
    o.sharded = sharded_;
    o.write_version = v1_ ? CheckpointFormat::kV1 : CheckpointFormat::kV2;
    o.max_to_keep = max_to_keep_;
    o.keep_checkpoint_every_n_hours = keep_hours_;
    o.prune_beyond_max_to_keep = prune_;
    o.clock = [this] { return now_; };
    CKPT_ASSIGN_OR_RETURN(saver_, Saver::Create(VarList::List(list), o));
    CKPT_ASSIGN_OR_RETURN(std::optional<CheckpointState> state, GetCheckpointState(kDir, kDefaultStateFilename, fs));
    if (!state || !restore) return std::optional<std::string>();
    saver_->RecoverLastCheckpoints(state->all_model_checkpoint_paths);
    CKPT_ASSIGN_OR_RETURN(std::optional<std::string> latest, LatestCheckpoint(kDir, kDefaultStateFilename, fs));
    if (!latest) return std::optional<std::string>();
    CKPT_RETURN_IF_ERROR(saver_->Restore(*latest));
    auto it = writers->find(*latest);
    if (it == writers->end()) return InternalError("restored " + *latest + ", which no operation wrote");
    for (int op : it->second) {
      bool all = true;
      for (size_t i = 0; i < specs_.size() && all; ++i) {
        all = vars_[i]->tensor().Equals(Expected(op).at(specs_[i].name));
      }
      if (all) return latest;
    }
    return DataLossError("Saver::Restore of " + *latest + " did not give the values saved there");
  }
  void Stop() override {
    saver_.reset();
    vars_.clear();
  }
  Result<std::string> Op(int op) override {
    for (size_t i = 0; i < specs_.size(); ++i) {
      vars_[i]->tensor() = Pattern(specs_[i].dtype, specs_[i].shape, KeySeed(seed_, op, specs_[i].name));
    }
    now_ += 1000;
    SaverSaveOptions so;
    if (global_step_) so.global_step = op + 1;
    so.write_meta_graph = meta_;
    CKPT_ASSIGN_OR_RETURN(std::optional<std::string> path, saver_->Save(std::string(kDir) + "/model.ckpt", so));
    if (!path) return InternalError("empty saver");
    return *path;
  }
  Result<std::optional<std::string>> Latest(FileSystem* fs) override {
    return LatestCheckpoint(kDir, kDefaultStateFilename, fs);
  }
  std::map<std::string, Tensor> Expected(int op) const override {
    std::map<std::string, Tensor> out;
    for (const Spec& s : specs_) out.emplace(s.name, Pattern(s.dtype, s.shape, KeySeed(seed_, op, s.name)));
    return out;
  }
  const Writers* writers = nullptr;

 private:
  uint64_t seed_;
  std::vector<Spec> specs_;
  bool v1_, sharded_;
  int max_to_keep_ = 5;
  double keep_hours_ = 10000.0;
  bool prune_ = false, meta_ = false, global_step_ = true;
  double now_ = 1.7e9;
  std::vector<std::shared_ptr<TensorVariable>> vars_;
  std::unique_ptr<Saver> saver_;
};

// --- MergeBundles of 1..3 freshly written parts ---
class MergeSubject : public Subject {
 public:
  MergeSubject(uint64_t seed, std::mt19937_64& rng) : seed_(seed), specs_(RandomSpecs(rng)) {
    parts_ = 1 + static_cast<int>(rng() % 3);
    delete_old_dirs_ = rng() % 2;
    separate_dir_ = rng() % 2;
  }
  std::string Describe() const override {
    return "merge parts=" + std::to_string(parts_) + (separate_dir_ ? " parts-in-subdir" : " parts-beside") +
           (delete_old_dirs_ ? " delete_old_dirs" : "");
  }
  Result<std::optional<std::string>> Start(FileSystem* fs, bool) override {
    fs_ = fs;
    return std::optional<std::string>();
  }
  void Stop() override {}
  Result<std::string> Op(int op) override {
    const std::string out = std::string(kDir) + "/m-" + std::to_string(op + 1);
    std::vector<std::string> inputs;
    const auto expected = Expected(op);
    if (separate_dir_) CKPT_RETURN_IF_ERROR(RecursivelyCreateDir(fs_, out + "_temp"));
    for (int p = 0; p < parts_; ++p) {
      const std::string part = separate_dir_ ? out + "_temp/part-" + std::to_string(p)
                                             : out + "-part-" + std::to_string(p);
      BundleWriterOptions wo;
      wo.fs = fs_;
      CKPT_ASSIGN_OR_RETURN(auto w, BundleWriter::Create(part, wo));
      int i = 0;
      for (const auto& [k, t] : expected) {
        if (i++ % parts_ == p) CKPT_RETURN_IF_ERROR(w->Add(k, t));
      }
      CKPT_RETURN_IF_ERROR(w->Finish());
      inputs.push_back(part);
    }
    MergeOptions mo;
    mo.fs = fs_;
    mo.delete_old_dirs = delete_old_dirs_;
    CKPT_RETURN_IF_ERROR(MergeBundles(inputs, out, mo));
    return out;
  }
  Result<std::optional<std::string>> Latest(FileSystem*) override { return std::optional<std::string>(); }
  std::map<std::string, Tensor> Expected(int op) const override {
    std::map<std::string, Tensor> out;
    for (const Spec& s : specs_) out.emplace(s.name, Pattern(s.dtype, s.shape, KeySeed(seed_, op, s.name)));
    return out;
  }

 private:
  static Status RecursivelyCreateDir(FileSystem* fs, const std::string& dir) {
    if (fs->IsDirectory(dir)) return OkStatus();
    Status s = fs->CreateDir(dir);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
    return fs->SyncDir(kDir);
  }
  uint64_t seed_;
  std::vector<Spec> specs_;
  int parts_ = 1;
  bool delete_old_dirs_ = true, separate_dir_ = true;
  FileSystem* fs_ = nullptr;
};

// --- the state file alone ---
class StateSubject : public Subject {
 public:
  StateSubject(uint64_t seed, std::mt19937_64& rng) : rng_(Mix(seed)) {
    relative_ = rng() % 2;
    timestamps_ = rng() % 2;
  }
  std::string Describe() const override {
    return std::string("state-file") + (relative_ ? " relative" : "") + (timestamps_ ? " timestamps" : "");
  }
  bool is_state_file() const override { return true; }
  Result<std::optional<std::string>> Start(FileSystem* fs, bool) override {
    fs_ = fs;
    return std::optional<std::string>();
  }
  void Stop() override {}
  Result<std::string> Op(int op) override {
    CheckpointState st = StateOf(op);
    CheckpointStateOptions o;
    o.all_paths = st.all_model_checkpoint_paths;
    o.timestamps = st.all_model_checkpoint_timestamps;
    o.last_preserved_timestamp = st.last_preserved_timestamp;
    o.save_relative_paths = relative_;
    o.fs = fs_;
    CKPT_RETURN_IF_ERROR(UpdateCheckpointState(kDir, st.model_checkpoint_path, o));
    return st.model_checkpoint_path;
  }
  // The state op `op` writes, as GetCheckpointState returns it.
  CheckpointState StateOf(int op) const {
    CheckpointState st;
    st.model_checkpoint_path = std::string(kDir) + "/ckpt-" + std::to_string(op + 1);
    for (int i = std::max(0, op - 2); i <= op; ++i) {
      st.all_model_checkpoint_paths.push_back(std::string(kDir) + "/ckpt-" + std::to_string(i + 1));
      if (timestamps_) st.all_model_checkpoint_timestamps.push_back(1.7e9 + 1000.25 * i);
    }
    if (timestamps_ && op >= 3) st.last_preserved_timestamp = 1.7e9 + 0.5;
    return st;
  }
  Result<std::optional<std::string>> Latest(FileSystem* fs) override {
    CKPT_ASSIGN_OR_RETURN(std::optional<CheckpointState> st, GetCheckpointState(kDir, kDefaultStateFilename, fs));
    if (!st) return std::optional<std::string>();
    return std::optional<std::string>(st->model_checkpoint_path);
  }
  std::map<std::string, Tensor> Expected(int) const override { return {}; }

 private:
  std::mt19937_64 rng_;
  bool relative_ = false, timestamps_ = false;
  FileSystem* fs_ = nullptr;
};

// ---------------------------------------------------------------------------
// Checks on a directory
// ---------------------------------------------------------------------------
void ListRecursively(FileSystem* fs, const std::string& dir, std::vector<std::string>& out) {
  auto children = fs->GetChildren(dir);
  if (!children.ok()) return;
  for (const std::string& c : *children) {
    const std::string p = dir + "/" + c;
    if (fs->IsDirectory(p)) {
      ListRecursively(fs, p, out);
    } else {
      out.push_back(p);
    }
  }
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsTemporary(const std::string& name) {
  return name.find(".tmp") != std::string::npos || name.find(".tempstate") != std::string::npos;
}

// Every published file that a reader could open: each .index is a bundle and
// must verify; for V1 subjects each table file too.
std::vector<std::string> HalfWrittenPublished(FileSystem* fs, bool v1) {
  std::vector<std::string> files, bad;
  ListRecursively(fs, kDir, files);
  for (const std::string& f : files) {
    const std::string base = f.substr(f.rfind('/') + 1);
    if (IsTemporary(base)) continue;
    if (EndsWith(f, ".index")) {
      auto r = BundleReader::Open(f.substr(0, f.size() - 6), {fs, true});
      if (!r.ok()) {
        bad.push_back(f + ": " + r.status().ToString());
      } else if (Status s = (*r)->VerifyAll(); !s.ok()) {
        bad.push_back(f + ": " + s.ToString());
      }
    } else if (v1 && base.rfind("model.ckpt", 0) == 0 && !EndsWith(base, ".meta") &&
               base.find(".data-") == std::string::npos) {
      auto r = CheckpointReader::Open(f, {fs, true});
      if (!r.ok()) {
        bad.push_back(f + ": " + r.status().ToString());
      } else if (Status s = (*r)->VerifyAll(); !s.ok()) {
        bad.push_back(f + ": " + s.ToString());
      }
    }
  }
  return bad;
}

// OK when `prefix` opens and holds exactly the values of one of `ops`.
Status HoldsOneOf(FileSystem* fs, const Subject& subject, const std::string& prefix, const std::vector<int>& ops) {
  auto r = CheckpointReader::Open(prefix, {fs, true});
  if (!r.ok()) return r.status();
  CKPT_RETURN_IF_ERROR((*r)->VerifyAll());
  for (int op : ops) {
    bool all = true;
    for (const auto& [key, want] : subject.Expected(op)) {
      auto got = (*r)->Read(key);
      if (!got.ok() || !got->Equals(want)) {
        all = false;
        break;
      }
    }
    if (all) return OkStatus();
  }
  return DataLossError(prefix + " does not hold the values any operation saved there");
}

// What a cut left at a prefix that was being rewritten in place.
enum class Outcome { kComplete, kAbsent, kIncomplete, kCorrupt };

Outcome Classify(FileSystem* fs, const Subject& subject, const std::string& prefix, const std::vector<int>& ops) {
  if (HoldsOneOf(fs, subject, prefix, ops).ok()) return Outcome::kComplete;
  auto r = CheckpointReader::Open(prefix, {fs, true});
  if (!r.ok()) return r.status().code() == StatusCode::kNotFound ? Outcome::kAbsent : Outcome::kCorrupt;
  if (!(*r)->VerifyAll().ok()) return Outcome::kCorrupt;
  // Readable and verified: incomplete (a V1 shard set cut short) when some
  // key is missing and every present key holds one save's value; a mix of
  // saves otherwise.
  bool missing = false;
  for (const auto& [key, want] : subject.Expected(ops.front())) {
    if (!(*r)->HasTensor(key)) missing = true;
  }
  return missing ? Outcome::kIncomplete : Outcome::kCorrupt;
}

// ---------------------------------------------------------------------------
// One trial
// ---------------------------------------------------------------------------
enum class Kind { kCheckpointSync, kCheckpointAsync, kManager, kSaverV2, kSaverV2Sharded, kSaverV1, kSaverV1Sharded,
                  kMerge, kStateFile, kCount };

std::unique_ptr<Subject> MakeSubject(Kind kind, uint64_t seed, Writers* writers) {
  std::mt19937_64 rng(seed);
  switch (kind) {
    case Kind::kCheckpointSync:
    case Kind::kCheckpointAsync:
    case Kind::kManager: {
      auto s = std::make_unique<ObjectSubject>(seed, rng, kind == Kind::kManager, kind == Kind::kCheckpointAsync);
      s->writers = writers;
      return s;
    }
    case Kind::kSaverV2:
    case Kind::kSaverV2Sharded:
    case Kind::kSaverV1:
    case Kind::kSaverV1Sharded: {
      auto s = std::make_unique<SaverSubject>(seed, rng, kind == Kind::kSaverV1 || kind == Kind::kSaverV1Sharded,
                                              kind == Kind::kSaverV2Sharded || kind == Kind::kSaverV1Sharded);
      s->writers = writers;
      return s;
    }
    case Kind::kMerge:
      return std::make_unique<MergeSubject>(seed, rng);
    default:
      return std::make_unique<StateSubject>(seed, rng);
  }
}

class World {
 public:
  World() : fs_(NewMemoryFileSystem()) {
    (void)fs_.CreateDir(kDir);
    (void)fs_.SyncDir("/");
    (void)fs_.SyncDir(kDir);
  }
  test::FaultInjectionFileSystem& fs() { return fs_; }

 private:
  test::FaultInjectionFileSystem fs_;
};

// The dry run every trial starts with: ops 0..history on a fresh world,
// recording each op's prefix, how many mutating calls the last op made (the
// steps a fault or a cut can land on) and which prefixes hold a complete
// checkpoint after it.
struct DryRun {
  std::string description;
  std::vector<std::string> prefixes;
  uint64_t steps = 0;
  std::set<std::string> after;
};

Result<DryRun> RunDry(Kind kind, uint64_t seed, int history) {
  DryRun dry;
  Writers writers;
  World w;
  auto subject = MakeSubject(kind, seed, &writers);
  dry.description = subject->Describe();
  CKPT_RETURN_IF_ERROR(subject->Start(&w.fs()).status().WithContext("dry start"));
  for (int op = 0; op <= history; ++op) {
    const uint64_t before = w.fs().mutating_calls();
    auto p = subject->Op(op);
    CKPT_RETURN_IF_ERROR(p.status().WithContext("dry op " + std::to_string(op)));
    dry.prefixes.push_back(*p);
    writers[*p].push_back(op);
    dry.steps = w.fs().mutating_calls() - before;
  }
  if (!subject->is_state_file()) {
    for (const std::string& p : dry.prefixes) {
      if (HoldsOneOf(&w.fs(), *subject, p, writers[p]).ok()) dry.after.insert(p);
    }
  }
  subject->Stop();
  return dry;
}

// The real run up to its last op: ops 0..history-1 done on `fs` by a new
// subject, and the prefixes that hold a complete checkpoint then.
struct Replay {
  std::unique_ptr<Writers> writers = std::make_unique<Writers>();  // the subject points at it
  std::unique_ptr<Subject> subject;
  std::set<std::string> before;
};

Status ReplayHistory(Kind kind, uint64_t seed, int history, FileSystem* fs, Replay* r) {
  r->subject = MakeSubject(kind, seed, r->writers.get());
  CKPT_RETURN_IF_ERROR(r->subject->Start(fs).status().WithContext("start"));
  for (int op = 0; op < history; ++op) {
    auto p = r->subject->Op(op);
    CKPT_RETURN_IF_ERROR(p.status().WithContext("history op " + std::to_string(op)));
    (*r->writers)[*p].push_back(op);
  }
  if (!r->subject->is_state_file()) {
    for (const auto& [p, ops] : *r->writers) {
      if (HoldsOneOf(fs, *r->subject, p, ops).ok()) r->before.insert(p);
    }
  }
  return OkStatus();
}

// A trial up to op h: the dry run (RunDry), then on a new world ops 0..h-1
// replayed, the latest checkpoint then, op h's prefix (noted as written by
// op h) and whether op h saves again over a complete checkpoint (an in-place
// rewrite). The campaign then injects its fault and runs op h.
struct TrialStart {
  DryRun dry;
  std::unique_ptr<World> world = std::make_unique<World>();
  FileSystem* fs = &world->fs();
  Replay replay;
  std::optional<std::string> prev_latest;
  std::string target;
  bool rewrite = false;
};

// Fills `t` as far as it gets (t->dry.description as soon as the dry run ran).
Status StartTrial(Kind kind, uint64_t seed, int history, TrialStart* t) {
  CKPT_ASSIGN_OR_RETURN(t->dry, RunDry(kind, seed, history));
  CKPT_RETURN_IF_ERROR(ReplayHistory(kind, seed, history, t->fs, &t->replay).WithContext("replay"));
  auto latest = t->replay.subject->Latest(t->fs);
  CKPT_RETURN_IF_ERROR(latest.status().WithContext("latest before op " + std::to_string(history)));
  t->prev_latest = *latest;
  t->target = t->dry.prefixes[history];
  t->rewrite = t->replay.before.count(t->target) > 0;
  (*t->replay.writers)[t->target].push_back(history);
  return OkStatus();
}

// A failure line for a step that must succeed: false (and `what` + the
// status appended to `failures`) when it did not.
bool CheckOk(std::vector<std::string>& failures, const Status& s, const std::string& what) {
  if (s.ok()) return true;
  failures.push_back(what + ": " + s.ToString());
  return false;
}

// Every checkpoint complete before op h that the uninterrupted run still
// had after it (t.dry.after) is intact and bit-exact; the target of a
// rewrite is left to the campaign's rewrite check.
void CheckKeptCheckpoints(TrialStart& t, const std::string& what, std::vector<std::string>& failures) {
  for (const std::string& p : t.replay.before) {
    if (!t.dry.after.count(p) || (t.rewrite && p == t.target)) continue;
    if (Status s = HoldsOneOf(t.fs, *t.replay.subject, p, (*t.replay.writers)[p]); !s.ok()) {
      failures.push_back(what + ": " + s.ToString());
    }
  }
}

// The command line both campaigns take: [--trials N] [--seed S] [--verbose].
// False (after printing the usage) on anything else. Without --verbose,
// stderr goes to /dev/null: the library logs expected warnings (litter
// removed, failed deletions) by the thousand here.
struct CampaignArgs {
  uint64_t trials = 2000, seed = 1;
  bool verbose = false;
};

bool ParseCampaignArgs(int argc, char** argv, const char* name, CampaignArgs* a) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--trials") && i + 1 < argc) {
      a->trials = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      a->seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--verbose")) {
      a->verbose = true;
    } else {
      std::fprintf(stderr, "usage: %s [--trials N] [--seed S] [--verbose]\n", name);
      return false;
    }
  }
  return a->verbose || std::freopen("/dev/null", "w", stderr) != nullptr;
}

// Runs `args.trials` trials, trial t with a seed mixed from args.seed and t
// (so one failing trial reruns alone from its printed seed): a FAIL line with
// the trial's failures for each failed one (an ok line for the others with
// --verbose). `tally` sees every result. Returns the number of failed trials.
// Trial: constructible from its seed, Run() -> a result with `failures`,
// describe() and history().
template <typename Trial, typename Tally>
uint64_t RunTrials(const CampaignArgs& args, Tally tally) {
  uint64_t failed = 0;
  for (uint64_t t = 0; t < args.trials; ++t) {
    const uint64_t trial_seed = Mix(args.seed * 0x100000001b3ull + t);
    Trial trial(trial_seed);
    const auto r = trial.Run();
    tally(r);
    if (!r.failures.empty()) {
      ++failed;
      std::printf("FAIL trial %llu seed %llu [%s, history %d]\n", (unsigned long long)t,
                  (unsigned long long)trial_seed, trial.describe().c_str(), trial.history());
      for (const std::string& f : r.failures) std::printf("  %s\n", f.c_str());
    } else if (args.verbose) {
      std::printf("ok trial %llu [%s, history %d]\n", (unsigned long long)t, trial.describe().c_str(),
                  trial.history());
    }
  }
  return failed;
}

// A manager (lock held) saving once into the directory of an unmanaged
// subject: only a manager's first save may clean what a dead save left there.
Status JanitorSave(FileSystem* fs, const std::string& checkpoint_name) {
  Variable v(DType::kInt32, TensorShape{3});
  CheckpointOptions o;
  o.fs = fs;
  Checkpoint c({{"janitor", &v}}, o);
  CheckpointManagerOptions mo;
  mo.checkpoint_name = checkpoint_name;
  CKPT_ASSIGN_OR_RETURN(auto m, CheckpointManager::Create(c, kDir, kKeepAll, mo));
  return m->Save(int64_t{900000}).status();
}

// manager::Litter of the directory (names only).
std::vector<std::string> LitterIn(FileSystem* fs, const std::string& checkpoint_name) {
  auto children = fs->GetChildren(kDir);
  if (!children.ok()) return {"cannot list " + std::string(kDir) + ": " + children.status().ToString()};
  std::sort(children->begin(), children->end());
  return manager::Litter(checkpoint_name, kDefaultStateFilename, *children);
}

}  // namespace
}  // namespace ckpt
