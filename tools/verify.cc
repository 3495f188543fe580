// `ckpt verify PATH [--json]`: reads every tensor and checks every checksum.
#include <algorithm>
#include <cstdio>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt verify PATH [--json]\n\n"
    "Reads every tensor (every stored slice) of the checkpoint and checks its\n"
    "checksum and encoding. Prints a one-line OK summary and exits 0, or names\n"
    "the failing file and key on stderr and exits 1.\n\n"
    "  PATH     a checkpoint prefix, its .index file, or a directory with a\n"
    "           `checkpoint` state file\n"
    "  --json   print {\"ok\": true|false, \"prefix\", \"tensors\", \"bytes\",\n"
    "           \"shards\"} (and \"error\" when not ok) on stdout\n";

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kVerifyCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {"--json"}, {}, 1, "expected exactly one PATH", &args)) return *done;
  const bool json = args.Has("--json");
  auto report = [&](const std::string& prefix, const ckpt::Status& status, size_t tensors, int64_t bytes,
                    int32_t shards) {
    if (json) {
      std::string out = "{\"ok\": " + std::string(status.ok() ? "true" : "false");
      out += ", \"prefix\": " + JsonString(prefix);
      if (status.ok()) {
        out += ", \"tensors\": " + std::to_string(tensors) + ", \"bytes\": " + std::to_string(bytes) +
               ", \"shards\": " + std::to_string(shards);
      } else {
        out += ", \"error\": " + JsonString(status.ToString());
      }
      out += "}\n";
      WriteStdout(out);
    }
    if (!status.ok()) return LibraryError(cmd, status);
    if (!json) {
      std::printf("OK %s: %zu tensors, %lld bytes in %d data file%s verified\n", prefix.c_str(), tensors,
                  static_cast<long long>(bytes), shards, shards == 1 ? "" : "s");
    }
    return kExitOk;
  };

  auto prefix = ResolvePrefix(args.positional[0]);
  if (!prefix.ok()) return report(args.positional[0], prefix.status(), 0, 0, 0);
  auto reader = OpenCheckpoint(*prefix);
  if (!reader.ok()) return report(*prefix, reader.status(), 0, 0, 0);
  const ckpt::Status status = (*reader)->VerifyAll();
  int64_t bytes = 0;
  const auto infos = (*reader)->List();
  for (const auto& info : infos) bytes += std::max<int64_t>(0, StoredBytes(info));
  return report(*prefix, status, infos.size(), bytes, DataFileCount(**reader));
}

}  // namespace

const Command kVerifyCommand{"verify", "read every tensor and check every checksum", kUsage, &Run};

}  // namespace ckpt_cli
