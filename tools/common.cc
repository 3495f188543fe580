// Argument parsing, error reporting and path resolution shared by the
// subcommands.
#include <ckpt/bundle.h>
#include <ckpt/checkpoint_reader.h>

#include <cstdio>
#include <string>

#include "cli.h"

namespace ckpt_cli {

bool Args::Has(std::string_view flag) const {
  for (const auto& f : flags) {
    if (f == flag) return true;
  }
  return false;
}

const std::string* Args::Option(std::string_view name) const {
  for (const auto& [k, v] : options) {
    if (k == name) return &v;
  }
  return nullptr;
}

namespace {

// Fills `out` from `args`; false with `*error` set on a usage problem.
bool ParseArgs(const std::vector<std::string>& args, std::initializer_list<std::string_view> bool_flags,
               std::initializer_list<std::string_view> value_options, Args* out, std::string* error) {
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      out->positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      out->help = true;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (const size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    bool known = false;
    for (std::string_view f : bool_flags) {
      if (name == f) {
        if (has_value) {
          *error = "option " + name + " takes no value";
          return false;
        }
        out->flags.push_back(name);
        known = true;
      }
    }
    for (std::string_view o : value_options) {
      if (name == o) {
        if (!has_value) {
          if (i + 1 >= args.size()) {
            *error = "option " + name + " needs a value";
            return false;
          }
          value = args[++i];
        }
        out->options.emplace_back(name, value);
        known = true;
      }
    }
    if (!known) {
      *error = "unknown option " + a;
      return false;
    }
  }
  return true;
}

}  // namespace

int UsageError(const Command& cmd, std::string_view message) {
  std::fprintf(stderr, "ckpt %.*s: %.*s\n\n%.*s", static_cast<int>(cmd.name.size()), cmd.name.data(),
               static_cast<int>(message.size()), message.data(), static_cast<int>(cmd.usage.size()),
               cmd.usage.data());
  return kExitUsage;
}

int PrintHelp(const Command& cmd) {
  WriteStdout(cmd.usage);
  return kExitOk;
}

std::optional<int> ParseCommandLine(const Command& cmd, const std::vector<std::string>& argv,
                                    std::initializer_list<std::string_view> bool_flags,
                                    std::initializer_list<std::string_view> value_options, size_t positional,
                                    std::string_view expected, Args* out) {
  std::string error;
  if (!ParseArgs(argv, bool_flags, value_options, out, &error)) return UsageError(cmd, error);
  if (out->help) return PrintHelp(cmd);
  if (out->positional.size() != positional) return UsageError(cmd, expected);
  return std::nullopt;
}

int LibraryError(const Command& cmd, const ckpt::Status& status) {
  std::fprintf(stderr, "ckpt %.*s: %s\n", static_cast<int>(cmd.name.size()), cmd.name.data(),
               status.ToString().c_str());
  return kExitError;
}

void WriteStdout(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

ckpt::Result<std::string> ResolvePrefix(const std::string& path) {
  auto resolved = ckpt::ResolveCheckpointPath(path);
  if (!resolved.ok()) return resolved.status();
  if (!resolved->has_value()) {
    return ckpt::NotFoundError("no checkpoint found in directory " + path +
                               " (no `checkpoint` state file naming an existing checkpoint)");
  }
  return **resolved;
}

int64_t StoredBytes(const ckpt::TensorInfo& info) {
  // V1 entries and partitioned tensors carry no byte count of their own.
  if (info.slices.empty() && (info.size > 0 || info.shape.num_elements() == 0)) return info.size;
  const size_t esize = ckpt::DTypeSize(info.dtype);
  return esize == 0 ? -1 : info.shape.num_elements() * static_cast<int64_t>(esize);
}

ckpt::Result<std::unique_ptr<ckpt::CheckpointReader>> OpenCheckpoint(const std::string& path) {
  auto prefix = ResolvePrefix(path);
  if (!prefix.ok()) return prefix.status();
  // V2 (PREFIX.index) or V1 (a single file, or a pattern such as p-?????-of-00002).
  return ckpt::CheckpointReader::Open(*prefix);
}

int DataFileCount(const ckpt::CheckpointReader& reader) {
  if (const ckpt::BundleReader* bundle = reader.bundle_reader()) return bundle->num_shards();
  return static_cast<int>(reader.files().size());
}

}  // namespace ckpt_cli
