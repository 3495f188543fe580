// manager_tool: test-only driver for tests/tf_compat/test_manager_tf.py.
// Runs a scripted sequence against a ckpt::Checkpoint and
// ckpt::CheckpointManager with an injected clock and prints one JSON object
// with what happened after every step. tf_manager_helper.py runs the same
// script through tf.train.CheckpointManager.
//
//   manager_tool <script-file> <dir> [--async]
//
// The managed objects: Checkpoint(model=Module(kernel f32[3,2], bias f32[2]),
// step=int64 scalar) — `step` is also the manager's step_counter.
// Script: one operation per line, `key=value` arguments, `#` comments:
//   time <seconds>            set the injected clock (seconds since the epoch)
//   manager [max_to_keep=<n>|none] [keep_hours=<h>] [name=<checkpoint_name>]
//           [interval=<k>] [last_step=<s>]
//                             a new CheckpointManager on <dir> (the previous
//                             one is destroyed first)
//   save [number=<n>] [check_interval=0|1]
//   step <s>                  set the step variable
//   values <seed>             set kernel/bias to deterministic values
//   restore_or_initialize     zero everything first; the manager's init_fn
//                             sets values(-1)
//   restore                   zero everything (save_counter too), then
//                             Checkpoint::Restore(manager's latest)
//   ckpt_save <name>          Checkpoint::Save(<dir>/<name>) (no manager)
//   fresh                     new objects (all zero, no save_counter), no manager
//                             (what a new process would have)
// --async: every save uses CheckpointOptions::enable_async and is followed by
// Sync() before the step is reported.
//
// Output: {"steps": [{"line", "result", "error", "latest", "checkpoints",
// "files", "state", ...}]}: result is the returned path (or null); latest and
// checkpoints are the manager's (null without one); files are the names in
// <dir> (sorted, without our .ckpt-manager.lock); state is the raw text of
// <dir>/checkpoint or null. restore/restore_or_initialize/save add
// "save_counter" and "values" (hex of the raw bytes) and "assert_consumed".
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/variable.h"
#include "json_util.h"
#include "variable_hex.h"

namespace {

using namespace ckpt;
using ckpt_test_tools::Hex;
using ckpt_test_tools::JsonString;

std::atomic<double> g_now{0.0};

std::string OptString(const std::optional<std::string>& s) { return s ? JsonString(*s) : "null"; }

std::string Number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

struct Objects {
  Module model;
  Variable kernel{DType::kFloat, TensorShape{3, 2}};
  Variable bias{DType::kFloat, TensorShape{2}};
  Variable step{DType::kInt64, TensorShape{}};
  std::unique_ptr<Checkpoint> ck;
  Objects() {
    model.Track("kernel", kernel).IgnoreError();
    model.Track("bias", bias).IgnoreError();
    ck = std::make_unique<Checkpoint>(std::vector<std::pair<std::string, Trackable*>>{{"model", &model}, {"step", &step}});
  }
  // Exactly representable in float32, identical in tf_manager_helper.py.
  void SetValues(double seed) {
    auto k = kernel.flat<float>();
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<float>(seed * 1.5 + static_cast<double>(i) * 0.125 - 3.0);
    auto b = bias.flat<float>();
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(-seed * 0.5 + static_cast<double>(i) * 0.25 + 0.0625);
  }
  void Zero() {
    std::memset(kernel.data(), 0, kernel.byte_size());
    std::memset(bias.data(), 0, bias.byte_size());
    std::memset(step.data(), 0, step.byte_size());
  }
  std::string Values() const {
    return "{\"model.kernel\": " + JsonString(Hex(kernel)) + ", \"model.bias\": " + JsonString(Hex(bias)) +
           ", \"step\": " + JsonString(Hex(step)) + "}";
  }
};

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

struct Args {
  std::map<std::string, std::string> kv;
  std::vector<std::string> positional;
  std::optional<std::string> Get(const std::string& k) const {
    auto it = kv.find(k);
    if (it == kv.end()) return std::nullopt;
    return it->second;
  }
};

Args ParseArgs(const std::vector<std::string>& words) {
  Args a;
  for (size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos) {
      a.positional.push_back(words[i]);
    } else {
      a.kv[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
  }
  return a;
}

std::string ReadFileOr(const std::filesystem::path& p, bool* exists) {
  std::ifstream in(p, std::ios::binary);
  *exists = static_cast<bool>(in);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Files(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n != ".ckpt-manager.lock") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + JsonString(names[i]);
  return out + "]";
}

class Runner {
 public:
  Runner(std::string dir, bool async) : dir_(std::move(dir)), async_(async) { objects_ = std::make_unique<Objects>(); }

  // Runs one line; appends its JSON step to `out`. Returns false on a script error.
  bool Step(const std::string& line, std::string& out) {
    std::vector<std::string> words = Split(line);
    if (words.empty() || words[0][0] == '#') return true;
    const std::string& op = words[0];
    Args args = ParseArgs(words);
    std::string extra;               // op-specific fields, each starting with ", "
    std::string result = "null";     // returned path
    std::optional<std::string> error;
    auto fail = [&](const Status& s) { error = s.message(); };

    if (op == "time") {
      g_now = std::stod(words.at(1));
    } else if (op == "step") {
      objects_->step.flat<int64_t>()[0] = std::stoll(words.at(1));
    } else if (op == "values") {
      objects_->SetValues(std::stod(words.at(1)));
    } else if (op == "fresh") {
      manager_.reset();
      objects_ = std::make_unique<Objects>();
    } else if (op == "manager") {
      manager_.reset();  // releases the directory lock, like dropping TF's object
      std::optional<int> max_to_keep;
      std::string mk = args.Get("max_to_keep").value_or("none");
      if (mk != "none") max_to_keep = std::stoi(mk);
      CheckpointManagerOptions o;
      if (auto h = args.Get("keep_hours")) o.keep_checkpoint_every_n_hours = std::stod(*h);
      if (auto n = args.Get("name")) o.checkpoint_name = *n;
      if (auto k = args.Get("interval")) {
        o.checkpoint_interval = std::stoll(*k);
        o.step_counter = &objects_->step;
      }
      if (auto s = args.Get("last_step")) o.last_checkpoint_step = std::stoll(*s);
      o.clock = [] { return g_now.load(); };
      o.init_fn = [this] {
        init_called_ = true;
        objects_->SetValues(-1);
        return OkStatus();
      };
      if (async_) {
        CheckpointOptions co;
        co.enable_async = true;
        o.save_options = co;
      }
      auto m = CheckpointManager::Create(*objects_->ck, dir_, max_to_keep, std::move(o));
      if (m.ok()) {
        manager_ = std::move(*m);
      } else {
        fail(m.status());
      }
    } else if (op == "save") {
      if (!manager_) {
        std::fprintf(stderr, "save without a manager\n");
        return false;
      }
      std::optional<int64_t> number;
      if (auto n = args.Get("number")) number = std::stoll(*n);
      bool check = args.Get("check_interval").value_or("1") != "0";
      auto r = manager_->Save(number, check);
      if (r.ok()) {
        if (*r) result = JsonString(**r);
        if (async_) {
          Status s = manager_->Sync();
          if (!s.ok()) fail(s);
        }
      } else {
        fail(r.status());
      }
      extra += ", \"save_counter\": " + std::to_string(objects_->ck->save_counter().flat<int64_t>()[0]);
    } else if (op == "ckpt_save") {
      CheckpointOptions co;
      co.enable_async = async_;
      auto r = objects_->ck->Save(dir_ + "/" + words.at(1), co);
      if (r.ok()) {
        result = JsonString(*r);
        Status s = objects_->ck->Sync();
        if (!s.ok()) fail(s);
      } else {
        fail(r.status());
      }
      extra += ", \"save_counter\": " + std::to_string(objects_->ck->save_counter().flat<int64_t>()[0]);
    } else if (op == "restore_or_initialize") {
      if (!manager_) {
        std::fprintf(stderr, "restore_or_initialize without a manager\n");
        return false;
      }
      objects_->Zero();
      init_called_ = false;
      auto r = manager_->RestoreOrInitialize();
      if (r.ok()) {
        if (*r) result = JsonString(**r);
      } else {
        fail(r.status());
      }
      extra += std::string(", \"init_called\": ") + (init_called_ ? "true" : "false");
      extra += ", \"save_counter\": " + std::to_string(objects_->ck->save_counter().flat<int64_t>()[0]);
      extra += ", \"values\": " + objects_->Values();
    } else if (op == "restore") {
      if (!manager_ || !manager_->latest_checkpoint()) {
        std::fprintf(stderr, "restore without a latest checkpoint\n");
        return false;
      }
      objects_->Zero();
      objects_->ck->save_counter().flat<int64_t>()[0] = 0;
      std::string path = *manager_->latest_checkpoint();
      auto st = objects_->ck->Restore(path);
      if (st.ok()) {
        result = JsonString(path);
        Status c = st->AssertConsumed();
        extra += ", \"assert_consumed\": " + JsonString(c.ok() ? "ok" : "fail: " + c.message());
      } else {
        fail(st.status());
      }
      extra += ", \"save_counter\": " + std::to_string(objects_->ck->save_counter().flat<int64_t>()[0]);
      extra += ", \"values\": " + objects_->Values();
    } else {
      std::fprintf(stderr, "unknown op %s\n", op.c_str());
      return false;
    }

    std::string s = "{\"line\": " + JsonString(line) + ", \"result\": " + result +
                    ", \"error\": " + OptString(error);
    if (manager_) {
      s += ", \"latest\": " + OptString(manager_->latest_checkpoint()) + ", \"checkpoints\": [";
      auto cps = manager_->checkpoints();
      for (size_t i = 0; i < cps.size(); ++i) s += (i ? ", " : "") + JsonString(cps[i]);
      s += "], \"last_preserved_timestamp\": " + Number(manager_->last_preserved_timestamp());
    } else {
      s += ", \"latest\": null, \"checkpoints\": null, \"last_preserved_timestamp\": null";
    }
    s += ", \"files\": " + Files(dir_);
    bool exists = false;
    std::string state = ReadFileOr(std::filesystem::path(dir_) / "checkpoint", &exists);
    s += ", \"state\": " + (exists ? JsonString(state) : std::string("null"));
    s += extra + "}";
    out += (out.empty() ? "" : ",\n  ") + s;
    return true;
  }

 private:
  std::string dir_;
  bool async_;
  std::unique_ptr<Objects> objects_;
  std::unique_ptr<CheckpointManager> manager_;
  bool init_called_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: manager_tool <script-file> <dir> [--async]\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  const bool async = argc > 3 && std::strcmp(argv[3], "--async") == 0;
  Runner runner(argv[2], async);
  std::string steps, line;
  while (std::getline(in, line)) {
    if (!runner.Step(line, steps)) return 2;
  }
  std::printf("{\"steps\": [\n  %s\n]}\n", steps.c_str());
  return 0;
}
