// `ckpt latest DIR`: the latest checkpoint recorded in DIR's state file.
#include <ckpt/checkpoint_state.h>

#include <cstdio>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt latest DIR [--latest-filename NAME]\n\n"
    "Prints the prefix of the latest checkpoint recorded in DIR's `checkpoint`\n"
    "state file (as tf.train.latest_checkpoint does: relative paths are joined\n"
    "onto DIR, and the checkpoint must exist). Exits 1 when there is none.\n\n"
    "  DIR                     the checkpoint directory\n"
    "  --latest-filename NAME  read DIR/NAME instead of DIR/checkpoint\n";

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kLatestCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {}, {"--latest-filename"}, 1, "expected exactly one DIR", &args)) {
    return *done;
  }
  const std::string& dir = args.positional[0];
  const std::string* name = args.Option("--latest-filename");
  auto latest = ckpt::LatestCheckpoint(dir, name != nullptr ? *name : std::string("checkpoint"));
  if (!latest.ok()) return LibraryError(cmd, latest.status());
  if (!latest->has_value()) {
    return LibraryError(cmd, ckpt::NotFoundError("no checkpoint found in " + dir));
  }
  std::printf("%s\n", (*latest)->c_str());
  return kExitOk;
}

}  // namespace

const Command kLatestCommand{"latest", "print the latest checkpoint recorded in a directory", kUsage, &Run};

}  // namespace ckpt_cli
