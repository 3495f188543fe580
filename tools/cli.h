// Shared pieces of the `ckpt` command-line tool: argument parsing, error
// reporting, checkpoint path resolution and value/JSON formatting.
//
// Each subcommand lives in its own file (ls.cc, dump.cc, verify.cc,
// latest.cc, diff.cc, convert.cc, graph.cc) and is a few lines over the
// public API in include/ckpt/; this header holds only presentation helpers,
// never checkpoint logic.
//
// Exit codes: 0 success, 1 an error from the library (its Status printed on
// stderr), 2 a usage error (message on stderr). `ckpt diff` follows diff(1)
// instead: 0 identical, 1 different, 2 error of any kind.
#pragma once

#include <ckpt/bundle.h>
#include <ckpt/checkpoint_reader.h>
#include <ckpt/status.h>
#include <ckpt/tensor.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt_cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// One subcommand: its name, a one-line summary for `ckpt --help`, its usage
// text (printed by `ckpt CMD --help` and after usage errors) and its body.
struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  int (*run)(const std::vector<std::string>& args);
};

// The subcommands, each defined (constant-initialized) in its own file.
extern const Command kLsCommand;
extern const Command kDumpCommand;
extern const Command kVerifyCommand;
extern const Command kLatestCommand;
extern const Command kDiffCommand;
extern const Command kConvertCommand;
extern const Command kGraphCommand;

// Parsed command line of one subcommand: flags anywhere, "--" ends flags.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::string> flags;  // the boolean flags that were given
  std::vector<std::pair<std::string, std::string>> options;  // --name VALUE / --name=VALUE
  bool help = false;

  bool Has(std::string_view flag) const;
  const std::string* Option(std::string_view name) const;
};

// Parses the command line of `cmd` (everything after its name): the boolean
// flags in `bool_flags`, the valued options in `value_options`, -h/--help,
// and exactly `positional` positional arguments (`expected` is the usage
// error when the count is off, e.g. "expected exactly one PATH"). Returns the
// exit code when the command is done already -- help printed (kExitOk) or a
// usage error reported (kExitUsage) -- else nullopt with `*out` filled.
std::optional<int> ParseCommandLine(const Command& cmd, const std::vector<std::string>& argv,
                                    std::initializer_list<std::string_view> bool_flags,
                                    std::initializer_list<std::string_view> value_options, size_t positional,
                                    std::string_view expected, Args* out);

// Prints "ckpt CMD: MESSAGE" and the usage on stderr; returns kExitUsage.
int UsageError(const Command& cmd, std::string_view message);
// Prints the usage on stdout; returns kExitOk.
int PrintHelp(const Command& cmd);
// Prints "ckpt CMD: CODE: message" on stderr; returns kExitError.
int LibraryError(const Command& cmd, const ckpt::Status& status);
// Writes a command's output to stdout as it is (bytes, no formatting).
void WriteStdout(std::string_view text);

// Turns what the user typed into a bundle prefix by the library's rule
// (ckpt::ResolveCheckpointPath: PREFIX, PREFIX.index, or a directory with a
// `checkpoint` state file); a directory that names no checkpoint is NotFound.
// Anything else is returned unchanged, for CheckpointReader::Open to read (V1) or report.
ckpt::Result<std::string> ResolvePrefix(const std::string& path);

// Bytes the data files hold for the tensor (TensorInfo::size). For a
// partitioned fixed-size tensor the slices tile it, so that is its element
// count times the element size; -1 (unknown) for a partitioned string tensor.
int64_t StoredBytes(const ckpt::TensorInfo& info);

// Opens the checkpoint PATH names (after ResolvePrefix): a V2 bundle, or a
// V1 checkpoint file or file pattern.
ckpt::Result<std::unique_ptr<ckpt::CheckpointReader>> OpenCheckpoint(const std::string& path);
// Number of data files (V2 shards, or V1 files) the checkpoint consists of.
int DataFileCount(const ckpt::CheckpointReader& reader);

// ---- formatting ----

// A JSON string literal (with quotes) for UTF-8 text; control characters
// are \u-escaped. Invalid UTF-8 bytes are written as U+FFFD.
std::string JsonString(std::string_view utf8);
std::string Base64(std::string_view bytes);
// Text for a terminal: printable UTF-8 kept, everything else C-escaped
// (\n, \t, \\, \", \xNN).
std::string EscapeText(std::string_view bytes);
// "[2,3]" (the same text is valid JSON).
std::string ShapeString(const ckpt::TensorShape& shape);

// Element `i` of a fixed-size tensor as text that is also valid JSON when
// `json` is set: integers in full, floating-point values with the fewest
// digits that round-trip (float16/bfloat16/float8 converted to float),
// NaN/Inf as "nan"/"inf"/"-inf" (quoted in JSON, bare in text), complex as
// [re, im], bool as true/false.
void AppendElement(const ckpt::Tensor& t, int64_t i, bool json, std::string* out);
// A double with the fewest digits that round-trip; NaN/Inf as in AppendElement.
void AppendDouble(double v, bool json, std::string* out);
// "1.5 MB" style (decimal units) for humans.
std::string HumanBytes(int64_t bytes);

}  // namespace ckpt_cli
