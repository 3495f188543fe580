// state_tool: a test-only command line over the `checkpoint` state file
// functions (include/ckpt/checkpoint_state.h), so that Python tests can
// compare them with TensorFlow. No logic of its own.
//
//   state_tool write DIR MODEL [--all P...] [--timestamps T...] [--last-preserved T]
//                              [--relative] [--latest-filename X]
//   state_tool generate DIR MODEL [--all P...] [--timestamps T...] [--last-preserved T] [--relative]
//                                               -> JSON state (nothing written)
//   state_tool read DIR [--latest-filename X]    -> JSON state, or null
//   state_tool latest DIR [--latest-filename X]  -> JSON string, or null
//   state_tool exists P                          -> true / false
//   state_tool mtimes P...                       -> JSON list of seconds
//   state_tool remove P [--v1] [--meta-suffix S]
//   state_tool meta-filename P [SUFFIX]          -> JSON string
//   state_tool text MODEL [--all P...] [--timestamps T...] [--last-preserved T]
//                                                -> the exact state-file text of that state
//   state_tool parse FILE                        -> JSON of the file's state, paths as stored
//
// A list option takes every following argument up to the next one starting
// with "--". Output goes to stdout followed by a newline (except `text`,
// which prints the bytes exactly). A failed call prints "<CODE>: <message>"
// to stderr and exits 1; a usage error exits 2.
#include "json_util.h"
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/checkpoint_state.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

using ckpt_test_tools::JsonString;

namespace {

using ckpt::CheckpointState;
using ckpt::Status;

struct Args {
  std::vector<std::string> positional;
  std::vector<std::string> all_paths;
  std::vector<double> timestamps;
  double last_preserved = 0;
  bool relative = false;
  bool v1 = false;
  std::string latest_filename = "checkpoint";
  std::string meta_suffix = "meta";
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr, "state_tool: %s (see the comment at the top of state_tool.cc)\n", why.c_str());
  std::exit(2);
}

double ParseDouble(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') Usage("not a number: " + s);
  return v;
}

Args ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    auto list = [&](auto&& add) {
      while (i + 1 < argc && std::string_view(argv[i + 1]).substr(0, 2) != "--") add(std::string(argv[++i]));
    };
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--all") {
      list([&](std::string s) { a.all_paths.push_back(std::move(s)); });
    } else if (arg == "--timestamps") {
      list([&](std::string s) { a.timestamps.push_back(ParseDouble(s)); });
    } else if (arg == "--last-preserved") {
      a.last_preserved = ParseDouble(value());
    } else if (arg == "--relative") {
      a.relative = true;
    } else if (arg == "--v1") {
      a.v1 = true;
    } else if (arg == "--latest-filename") {
      a.latest_filename = value();
    } else if (arg == "--meta-suffix") {
      a.meta_suffix = value();
    } else if (arg.substr(0, 2) == "--") {
      Usage("unknown option " + arg);
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}


// Shortest round-trip digits; Python's json reads Infinity / NaN too.
std::string JsonNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // keep it a float in Python
  return s;
}

std::string Json(const CheckpointState& s) {
  std::string out = "{\"model_checkpoint_path\": " + JsonString(s.model_checkpoint_path);
  out += ", \"all_model_checkpoint_paths\": [";
  for (size_t i = 0; i < s.all_model_checkpoint_paths.size(); ++i) {
    out += (i ? ", " : "") + JsonString(s.all_model_checkpoint_paths[i]);
  }
  out += "], \"all_model_checkpoint_timestamps\": [";
  for (size_t i = 0; i < s.all_model_checkpoint_timestamps.size(); ++i) {
    out += (i ? ", " : "") + JsonNumber(s.all_model_checkpoint_timestamps[i]);
  }
  out += "], \"last_preserved_timestamp\": " + JsonNumber(s.last_preserved_timestamp) + "}";
  return out;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

int Print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

ckpt::CheckpointStateOptions StateOptions(const Args& a) {
  ckpt::CheckpointStateOptions o;
  o.all_paths = a.all_paths;
  o.latest_filename = a.latest_filename;
  o.timestamps = a.timestamps;
  o.last_preserved_timestamp = a.last_preserved;
  o.save_relative_paths = a.relative;
  return o;
}

void NeedPositional(const Args& a, size_t lo, size_t hi) {
  if (a.positional.size() < lo || a.positional.size() > hi) Usage("wrong number of arguments");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Usage("missing command");
  const std::string cmd = argv[1];
  const Args a = ParseArgs(argc, argv, 2);

  if (cmd == "write") {
    NeedPositional(a, 2, 2);
    Status s = ckpt::UpdateCheckpointState(a.positional[0], a.positional[1], StateOptions(a));
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "generate") {
    NeedPositional(a, 2, 2);
    auto r = ckpt::GenerateCheckpointState(a.positional[0], a.positional[1], StateOptions(a));
    return r.ok() ? Print(Json(*r)) : Fail(r.status());
  }
  if (cmd == "read") {
    NeedPositional(a, 1, 1);
    auto r = ckpt::GetCheckpointState(a.positional[0], a.latest_filename);
    if (!r.ok()) return Fail(r.status());
    return Print(r->has_value() ? Json(**r) : "null");
  }
  if (cmd == "latest") {
    NeedPositional(a, 1, 1);
    auto r = ckpt::LatestCheckpoint(a.positional[0], a.latest_filename);
    if (!r.ok()) return Fail(r.status());
    return Print(r->has_value() ? JsonString(**r) : "null");
  }
  if (cmd == "exists") {
    NeedPositional(a, 1, 1);
    return Print(ckpt::CheckpointExists(a.positional[0]) ? "true" : "false");
  }
  if (cmd == "mtimes") {
    std::string out = "[";
    const std::vector<double> m = ckpt::GetCheckpointMtimes(a.positional);
    for (size_t i = 0; i < m.size(); ++i) out += (i ? ", " : "") + JsonNumber(m[i]);
    return Print(out + "]");
  }
  if (cmd == "remove") {
    NeedPositional(a, 1, 1);
    Status s = ckpt::RemoveCheckpoint(a.positional[0], a.v1 ? ckpt::CheckpointFormat::kV1 : ckpt::CheckpointFormat::kV2,
                                      a.meta_suffix);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "meta-filename") {
    NeedPositional(a, 1, 2);
    return Print(JsonString(ckpt::MetaGraphFilename(a.positional[0], a.positional.size() > 1 ? a.positional[1] : "meta")));
  }
  if (cmd == "text") {
    NeedPositional(a, 1, 1);
    CheckpointState s;
    s.model_checkpoint_path = a.positional[0];
    s.all_model_checkpoint_paths = a.all_paths;
    s.all_model_checkpoint_timestamps = a.timestamps;
    s.last_preserved_timestamp = a.last_preserved;
    const std::string text = ckpt::CheckpointStateToText(s);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (cmd == "parse") {
    NeedPositional(a, 1, 1);
    auto text = ckpt::FileSystem::Default()->ReadFileToString(a.positional[0]);
    if (!text.ok()) return Fail(text.status());
    auto r = ckpt::ParseCheckpointStateText(*text);
    return r.ok() ? Print(Json(*r)) : Fail(r.status());
  }
  Usage("unknown command " + cmd);
}
