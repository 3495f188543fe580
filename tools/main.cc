// `ckpt`: inspect TensorFlow V2 checkpoints from the shell.
//
//   ckpt ls PATH [--json]        ckpt dump PATH KEY [--json]
//   ckpt verify PATH [--json]    ckpt latest DIR
//   ckpt diff A B [--json]       ckpt convert SRC DST
//   ckpt graph PATH [--json]
//
// Exit codes: 0 success, 1 error reported by the library, 2 usage error
// (`ckpt diff`: 0 identical, 1 different, 2 error).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"

namespace {

const ckpt_cli::Command* const kCommands[] = {&ckpt_cli::kLsCommand,     &ckpt_cli::kDumpCommand,
                                              &ckpt_cli::kVerifyCommand, &ckpt_cli::kLatestCommand,
                                              &ckpt_cli::kDiffCommand,   &ckpt_cli::kConvertCommand,
                                              &ckpt_cli::kGraphCommand};

void PrintTopUsage(std::FILE* f) {
  std::fprintf(f,
               "usage: ckpt COMMAND [ARGS...]\n\n"
               "Inspect TensorFlow V2 checkpoints (tensor bundles). PATH is a checkpoint prefix\n"
               "(PREFIX.index exists), its .index file, or a directory whose `checkpoint` state\n"
               "file names the latest checkpoint. diff and convert also take safetensors and\n"
               ".npz files.\n\n"
               "commands:\n");
  for (const auto* c : kCommands) {
    std::fprintf(f, "  %-8.*s %.*s\n", static_cast<int>(c->name.size()), c->name.data(),
                 static_cast<int>(c->summary.size()), c->summary.data());
  }
  std::fprintf(f,
               "\n`ckpt COMMAND --help` describes one command.\n"
               "exit status: 0 success, 1 error (message on stderr), 2 usage error;\n"
               "diff: 0 identical, 1 different, 2 error.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintTopUsage(stderr);
    return ckpt_cli::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    if (name == "help" && argc > 2) {
      for (const auto* c : kCommands) {
        if (c->name == argv[2]) return ckpt_cli::PrintHelp(*c);
      }
    }
    PrintTopUsage(stdout);
    return ckpt_cli::kExitOk;
  }
  for (const auto* c : kCommands) {
    if (c->name == name) return c->run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "ckpt: unknown command \"%s\"\n\n", argv[1]);
  PrintTopUsage(stderr);
  return ckpt_cli::kExitUsage;
}
