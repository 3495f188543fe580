// Test-only driver of ckpt::Saver for tests/tf_compat/test_saver_tf.py.
//
//   saver_tool < script
//
// One command per line (fields separated by single spaces), one JSON line of
// output per command:
//   var NAME DTYPE DIMS HEX [device=D] [part=FULL_NAME;FULL_DIMS;SLICE]
//        DIMS "2,3" or "-" (scalar); HEX the raw little-endian bytes.
//        -> {"ok":true}
//   saver [sharded=1] [max_to_keep=N] [v1=1] [pad=1] [relative=1] [reshape=1] [hours=H]
//         [filename=F]
//        -> builds a Saver over every var so far (list form)
//   save PATH [step=N] [latest=F] [meta=0] [state=0]   -> {"ok":true,"path":P|null}
//   restore PATH      -> {"ok":true} or {"ok":false,"code":"NOT_FOUND","message":...}
//   get NAME          -> {"ok":true,"dtype":..,"shape":[..],"hex":..}
//   last              -> {"ok":true,"last":[..]}
//   groupsave N PATH [step=N]   -> {"ok":true,"path":P}: N in-process ranks
//        (distributed::InProcessGroup), each a Saver (options of the last
//        `saver` command) over the vars given rank=R and those given no rank
//        (replicated), saving together with SaverSaveOptions::communicator;
//        every rank must return the same outcome
//   var ... [rank=R]  the var belongs to rank R of a groupsave only
#include "json_util.h"
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ckpt/saver.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::string Json(const std::string& s) { return ckpt_test_tools::JsonString(s); }

ckpt::TensorShape Dims(const std::string& s) {
  std::vector<int64_t> d;
  if (s != "-" && !s.empty()) {
    for (const auto& p : Split(s, ',')) d.push_back(std::stoll(p));
  }
  return ckpt::TensorShape(d);
}

std::string Hex(const void* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    out += digits[b[i] >> 4];
    out += digits[b[i] & 15];
  }
  return out;
}

void Error(const ckpt::Status& s) {
  std::cout << "{\"ok\":false,\"code\":" << Json(std::string(ckpt::StatusCodeName(s.code())))
            << ",\"message\":" << Json(s.message()) << "}" << std::endl;
}

}  // namespace

int main() {
  std::vector<std::shared_ptr<ckpt::TensorVariable>> vars;
  std::unique_ptr<ckpt::Saver> saver;
  ckpt::SaverOptions saver_options;
  std::map<const ckpt::TensorVariable*, int> rank_of;  // vars given rank=R
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    auto f = Split(line, ' ');
    std::map<std::string, std::string> kv;
    for (size_t i = 1; i < f.size(); ++i) {
      const auto eq = f[i].find('=');
      if (eq != std::string::npos) kv[f[i].substr(0, eq)] = f[i].substr(eq + 1);
    }
    const std::string& cmd = f[0];
    if (cmd == "var") {
      auto dtype = ckpt::DTypeFromName(f[2]);
      if (!dtype) {
        std::cerr << "bad dtype " << f[2] << std::endl;
        return 2;
      }
      auto t = ckpt::Tensor::Make(*dtype, Dims(f[3]));
      if (!t.ok()) {
        Error(t.status());
        continue;
      }
      const std::string& hex = f[4];
      auto* out = static_cast<unsigned char*>(t->data());
      for (size_t i = 0; i + 1 < hex.size() && i / 2 < t->byte_size(); i += 2) {
        out[i / 2] = static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      }
      std::optional<ckpt::PartitionInfo> part;
      if (kv.count("part")) {
        auto p = Split(kv["part"], ';');
        part = ckpt::PartitionInfo{p[0], Dims(p[1]), *ckpt::TensorSlice::Parse(p[2])};
      }
      vars.push_back(std::make_shared<ckpt::TensorVariable>(f[1], *std::move(t), kv["device"], part));
      if (kv.count("rank")) rank_of[vars.back().get()] = std::stoi(kv["rank"]);
      std::cout << "{\"ok\":true}" << std::endl;
    } else if (cmd == "saver") {
      ckpt::SaverOptions o;
      o.sharded = kv["sharded"] == "1";
      if (kv.count("max_to_keep")) o.max_to_keep = std::stoi(kv["max_to_keep"]);
      if (kv["v1"] == "1") o.write_version = ckpt::CheckpointFormat::kV1;
      o.pad_step_number = kv["pad"] == "1";
      o.save_relative_paths = kv["relative"] == "1";
      o.reshape = kv["reshape"] == "1";
      if (kv.count("hours")) o.keep_checkpoint_every_n_hours = std::stod(kv["hours"]);
      if (kv.count("filename")) o.filename = kv["filename"];
      std::vector<ckpt::VariablePtr> list(vars.begin(), vars.end());
      auto s = ckpt::Saver::Create(ckpt::VarList::List(list), o);
      if (!s.ok()) {
        Error(s.status());
        continue;
      }
      saver = *std::move(s);
      saver_options = o;
      std::cout << "{\"ok\":true}" << std::endl;
    } else if (cmd == "groupsave") {
      const int n = std::stoi(f[1]);
      ckpt::distributed::InProcessGroup group(n);
      auto results = group.Run([&](ckpt::Communicator& comm) -> ckpt::Result<std::optional<std::string>> {
        std::vector<ckpt::VariablePtr> mine;
        for (const auto& v : vars) {
          auto it = rank_of.find(v.get());
          if (it == rank_of.end() || it->second == comm.rank()) mine.push_back(v);
        }
        CKPT_ASSIGN_OR_RETURN(auto s, ckpt::Saver::Create(ckpt::VarList::List(mine), saver_options));
        ckpt::SaverSaveOptions so;
        if (kv.count("step")) so.global_step = std::stoll(kv["step"]);
        so.communicator = &comm;
        so.collective_timeout = std::chrono::seconds(60);
        return s->Save(f[2], so);
      });
      bool same = true;
      for (const auto& r : results) {
        same = same && r.ok() == results[0].ok() && (r.ok() ? *r == *results[0] : r.status() == results[0].status());
      }
      if (!same) {
        Error(ckpt::InternalError("the ranks of a groupsave returned different outcomes"));
      } else if (!results[0].ok()) {
        Error(results[0].status());
      } else {
        std::cout << "{\"ok\":true,\"path\":" << Json(results[0]->value_or("")) << "}" << std::endl;
      }
    } else if (cmd == "save") {
      ckpt::SaverSaveOptions so;
      if (kv.count("step")) so.global_step = std::stoll(kv["step"]);
      if (kv.count("latest")) so.latest_filename = kv["latest"];
      if (kv.count("meta")) so.write_meta_graph = kv["meta"] == "1";
      if (kv.count("state")) so.write_state = kv["state"] == "1";
      auto r = saver->Save(f[1], so);
      if (!r.ok()) {
        Error(r.status());
        continue;
      }
      std::cout << "{\"ok\":true,\"path\":" << (r->has_value() ? Json(**r) : "null") << "}" << std::endl;
    } else if (cmd == "restore") {
      auto s = saver->Restore(f[1]);
      if (!s.ok()) {
        Error(s);
        continue;
      }
      std::cout << "{\"ok\":true}" << std::endl;
    } else if (cmd == "get") {
      bool found = false;
      for (const auto& v : vars) {
        if (v->name() != f[1]) continue;
        found = true;
        const auto& t = v->tensor();
        std::cout << "{\"ok\":true,\"dtype\":" << Json(std::string(ckpt::DTypeName(t.dtype()))) << ",\"shape\":[";
        for (int d = 0; d < t.shape().rank(); ++d) std::cout << (d ? "," : "") << t.shape().dim(d);
        std::cout << "],\"hex\":" << Json(Hex(t.data(), t.byte_size())) << "}" << std::endl;
        break;
      }
      if (!found) Error(ckpt::NotFoundError("no variable " + f[1]));
    } else if (cmd == "last") {
      std::cout << "{\"ok\":true,\"last\":[";
      auto last = saver->last_checkpoints();
      for (size_t i = 0; i < last.size(); ++i) std::cout << (i ? "," : "") << Json(last[i]);
      std::cout << "]}" << std::endl;
    } else {
      std::cerr << "unknown command " << cmd << std::endl;
      return 2;
    }
  }
  return 0;
}
