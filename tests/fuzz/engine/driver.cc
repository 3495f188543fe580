// ckpt_fuzz: the engine that runs the fuzz targets of tests/fuzz/targets
// (one per parser of on-disk bytes), with its own mutation engine (no
// libFuzzer needed; builds with g++).
//
//   ckpt_fuzz list
//   ckpt_fuzz replay TARGET FILE_OR_DIR...
//   ckpt_fuzz run TARGET [--seconds N] [--seed S] [--runs N] [--max-len N]
//                        [--corpus DIR] [--crash-dir DIR] [--timeout N] [--stats]
//   ckpt_fuzz seeds TARGET DIR          (writes the built-in seeds)
//   --no-known-bugs: do not skip inputs hitting a known, unfixed bug (see
//   engine/known_bugs.h and crashers/README.md).
//
// `run` starts from seeds generated in-process from valid inputs (real
// bundles written to the memory file system), plus files under --corpus,
// and applies stacked mutations (engine/mutator.h) and the target's
// structure-aware ones (protobuf field edits of index entries, re-written
// tables, checksums recomputed so mutated bytes get past the crc checks).
// Inputs that produce a new kind of outcome (status code and message shape)
// join the working corpus -- a cheap stand-in for coverage.
//
// A crash, a sanitizer report, a hang (--timeout, default 20 s per input), a
// single allocation above 256 MiB (engine/alloc_limit.cc), or a violated
// property (a value read that contradicts another read of the same bytes, an
// unexpected error code, an empty error message) fails the process; the
// input is first saved as <crash-dir>/crash-<target>-<hash> (default crash
// dir: the current one; engine/crash.h).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "engine/crash.h"
#include "engine/fuzz_target.h"
#include "engine/known_bugs.h"

namespace ckpt::fuzz {
namespace {

// Runs one input through the target's entry.
std::string RunInput(const Target& t, const std::string& input) {
  return t.run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::vector<std::string> ListInputs(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(path)) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
  } else {
    out.push_back(path);
  }
  return out;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "ckpt_fuzz: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const Target* FindTarget(const std::vector<Target>& all, const std::string& name) {
  for (const auto& t : all)
    if (t.name == name) return &t;
  std::fprintf(stderr, "ckpt_fuzz: unknown target '%s'; targets:", name.c_str());
  for (const auto& t : all) std::fprintf(stderr, " %s", t.name.c_str());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

int Replay(const Target& t, const std::vector<std::string>& paths, unsigned timeout) {
  size_t n = 0;
  for (const auto& arg : paths) {
    for (const auto& file : ListInputs(arg)) {
      const std::string input = ReadWhole(file);
      std::fprintf(stderr, "replay %s %s (%zu bytes)\n", t.name.c_str(), file.c_str(), input.size());
      SetCurrentInput(&input);
      ::alarm(timeout);
      const std::string sig = RunInput(t, input);
      ::alarm(0);
      SetCurrentInput(nullptr);
      std::fprintf(stderr, "  -> %s\n", sig.c_str());
      ++n;
    }
  }
  // The built-in seeds are replayed too: they are the valid baseline.
  for (const auto& seed : t.seeds()) {
    SetCurrentInput(&seed);
    ::alarm(timeout);
    (void)RunInput(t, seed);
    ::alarm(0);
    SetCurrentInput(nullptr);
    ++n;
  }
  std::printf("ckpt_fuzz replay %s: %zu inputs OK (%llu skipped as known bugs)\n", t.name.c_str(), n,
              static_cast<unsigned long long>(KnownBugHits()));
  return 0;
}

struct RunOptions {
  double seconds = 10;
  uint64_t seed = 1;
  uint64_t runs = 0;  // 0 = until time is up
  size_t max_len = 1 << 16;
  unsigned timeout = 20;
  std::vector<std::string> corpus_dirs;
  bool stats = false;  // print how often each kind of outcome was seen
};

int Run(const Target& t, const RunOptions& o) {
  Rng rng(o.seed);
  Mutator m;
  m.dict = t.dict;
  m.max_len = o.max_len;
  std::vector<std::string> corpus = t.seeds();
  for (const auto& d : o.corpus_dirs) {
    std::error_code ec;
    if (!std::filesystem::exists(d, ec)) continue;
    for (const auto& f : ListInputs(d)) corpus.push_back(ReadWhole(f));
  }
  std::set<std::string> sigs;
  for (const auto& c : corpus) {
    SetCurrentInput(&c);
    ::alarm(o.timeout);
    sigs.insert(RunInput(t, c));
    ::alarm(0);
  }
  SetCurrentInput(nullptr);
  const size_t initial = corpus.size();
  const size_t kMaxCorpus = 4000;
  const auto start = std::chrono::steady_clock::now();
  uint64_t execs = 0;
  std::map<std::string, uint64_t> counts;
  std::string input;
  for (;;) {
    if (o.runs && execs >= o.runs) break;
    if ((execs & 15) == 0) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!o.runs && el >= o.seconds) break;
    }
    input = corpus[Below(rng, corpus.size())];
    const bool custom = t.mutate != nullptr && (rng() % 2 == 0);
    if (!custom || !t.mutate(&input, rng, m, corpus)) m.Mutate(&input, rng, corpus);
    if (input.size() > o.max_len) input.resize(o.max_len);
    SetCurrentInput(&input);
    ::alarm(o.timeout);
    std::string sig = RunInput(t, input);
    ::alarm(0);
    SetCurrentInput(nullptr);
    ++execs;
    if (o.stats) {
      // Count per piece of the outcome ("|"-separated), not per combination.
      size_t b = 0;
      while (b <= sig.size()) {
        const size_t e = std::min(sig.find('|', b), sig.size());
        ++counts[sig.substr(b, e - b)];
        b = e + 1;
      }
    }
    if (sigs.insert(std::move(sig)).second && corpus.size() < kMaxCorpus) corpus.push_back(input);
  }
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("ckpt_fuzz run %s: %llu execs in %.1f s (%.0f/s), seed %llu, corpus %zu -> %zu, %zu outcome kinds, %llu skipped as known bugs\n",
              t.name.c_str(), static_cast<unsigned long long>(execs), el, execs / std::max(el, 1e-9),
              static_cast<unsigned long long>(o.seed), initial, corpus.size(), sigs.size(),
              static_cast<unsigned long long>(KnownBugHits()));
  if (o.stats) {
    std::vector<std::pair<uint64_t, std::string>> v;
    for (const auto& [k, c] : counts) v.emplace_back(c, k);
    std::sort(v.rbegin(), v.rend());
    for (size_t i = 0; i < v.size() && i < 60; ++i) {
      std::printf("%10llu  %s\n", static_cast<unsigned long long>(v[i].first), v[i].second.c_str());
    }
  }
  return 0;
}

int WriteSeeds(const Target& t, const std::string& dir) {
  std::filesystem::create_directories(dir);
  int i = 0;
  for (const auto& s : t.seeds()) {
    char name[32];
    std::snprintf(name, sizeof(name), "seed-%02d", i++);
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  std::printf("wrote %d seeds to %s\n", i, dir.c_str());
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: ckpt_fuzz list\n"
               "       ckpt_fuzz replay TARGET FILE_OR_DIR... [--crash-dir DIR] [--timeout N]\n"
               "       ckpt_fuzz run TARGET [--seconds N] [--seed S] [--runs N] [--max-len N] [--corpus DIR]...\n"
               "                            [--crash-dir DIR] [--timeout N]\n"
               "       ckpt_fuzz seeds TARGET DIR\n"
               "--no-known-bugs: do not skip inputs that hit known, unfixed bugs (tests/fuzz/crashers/README.md)\n");
  return 2;
}

int Main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string mode = argv[1];
  const std::vector<Target>& all = AllTargets();
  if (mode == "list") {
    for (const auto& t : all) std::printf("%s\n", t.name.c_str());
    return 0;
  }
  if (argc < 3) return Usage();
  const Target& t = *FindTarget(all, argv[2]);
  if (mode == "seeds") {
    if (argc != 4) return Usage();
    return WriteSeeds(t, argv[3]);
  }
  RunOptions o;
  std::string crash_dir = ".";
  std::vector<std::string> files;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ckpt_fuzz: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--runs") o.runs = std::stoull(next());
    else if (a == "--max-len") o.max_len = std::stoull(next());
    else if (a == "--timeout") o.timeout = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--corpus") o.corpus_dirs.push_back(next());
    else if (a == "--crash-dir") crash_dir = next();
    else if (a == "--no-known-bugs") SetFilterKnownBugs(false);
    else if (a == "--stats") o.stats = true;
    else if (a.rfind("--", 0) == 0) return Usage();
    else files.push_back(a);
  }
  SetCrashPrefix(crash_dir, t.name);
  InstallCrashHandlers();
  google::protobuf::SetLogHandler(nullptr);  // parse failures are expected here
  if (mode == "replay") return Replay(t, files, o.timeout);
  if (mode == "run") {
    if (!files.empty()) return Usage();
    return Run(t, o);
  }
  return Usage();
}

}  // namespace
}  // namespace ckpt::fuzz

int main(int argc, char** argv) { return ckpt::fuzz::Main(argc, argv); }
