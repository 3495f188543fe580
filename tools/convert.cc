// `ckpt convert SRC DST`: between TensorFlow checkpoints, safetensors
// (single or sharded) and .npz. The conversion itself is
// ckpt::ConvertTensorFile; this file parses options and prints the report.
#include <ckpt/convert.h>
#include <ckpt/utf8.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt convert SRC DST [--to FORMAT] [--from FORMAT] [--max-shard-size SIZE]\n"
    "                    [--strict] [--force] [--dry-run] [--zip64] [--no-progress] [--json]\n\n"
    "Converts between TensorFlow checkpoints, safetensors and numpy .npz, tensor by\n"
    "tensor (memory stays near the largest tensor). Keys, dtypes, shapes and bytes\n"
    "are kept exactly. Formats are chosen by name: *.safetensors, *.index.json\n"
    "(sharded safetensors, Hugging Face layout), *.npz; anything else is a\n"
    "checkpoint (a bundle prefix for DST).\n\n"
    "Tensors the output cannot hold (strings, complex128, quantized, int4... in\n"
    "safetensors; non-UTF-8 keys; strings ending in NUL in npz) are skipped and\n"
    "listed on stderr. npz stores dtypes numpy lacks (bfloat16, float8_*, int4,\n"
    "qint8, ...) as raw bits in a one-field structured dtype named after the\n"
    "dtype, e.g. [('bfloat16', '<u2')]; ckpt reads them back as that dtype.\n\n"
    "  SRC, DST     paths (SRC: a checkpoint prefix, .index file or directory;\n"
    "               a .safetensors file or a directory holding model.safetensors\n"
    "               or model.safetensors.index.json; a .npz file)\n"
    "  --from/--to FORMAT  checkpoint | safetensors | safetensors-sharded | npz\n"
    "  --max-shard-size SIZE  write sharded safetensors, at most SIZE bytes of\n"
    "               tensors per shard (e.g. 5GB, 500MB, 2GiB; default 5GB when\n"
    "               DST is *.index.json)\n"
    "  --strict     fail (exit 1, nothing written) if any tensor would be skipped\n"
    "  --force      replace existing output files\n"
    "  --dry-run    print what would be written and skipped; write nothing\n"
    "  --zip64      npz: write ZIP64 records even when the archive is small\n"
    "  --no-progress  no progress bar (it is shown on stderr only when stderr\n"
    "               is a terminal)\n"
    "  --json       print the report as JSON: {\"from\", \"to\", \"source\",\n"
    "               \"outputs\", \"tensors_written\", \"bytes_written\", \"skipped\":\n"
    "               [{\"key\", \"dtype\", \"reason\"}], \"notes\": [{\"key\", \"dtype\",\n"
    "               \"note\"}], \"dry_run\"}\n\n"
    "exit status: 0 converted (possibly with skipped tensors), 1 error, 2 usage error.\n";

// "5GB" (10^9), "2GiB" (2^30), "123" (bytes). -1 when malformed.
int64_t ParseSize(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !(v > 0)) return -1;
  std::string unit(end);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KB" || unit == "K") mult = 1e3;
  else if (unit == "MB" || unit == "M") mult = 1e6;
  else if (unit == "GB" || unit == "G") mult = 1e9;
  else if (unit == "TB" || unit == "T") mult = 1e12;
  else if (unit == "KIB") mult = 1024.0;
  else if (unit == "MIB") mult = 1024.0 * 1024;
  else if (unit == "GIB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "TIB") mult = 1024.0 * 1024 * 1024 * 1024;
  else return -1;
  const double bytes = std::floor(v * mult);
  return bytes < 1 || bytes > 9e18 ? -1 : static_cast<int64_t>(bytes);
}

// A one-line bar redrawn in place (\r); at most ~10 redraws a second.
class ProgressBar {
 public:
  void Update(const ckpt::ConvertProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.tensors_done == p.tensors_total;
    if (!last && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    const double frac = p.bytes_total > 0 ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                                          : static_cast<double>(p.tensors_done) / static_cast<double>(std::max<int64_t>(1, p.tensors_total));
    constexpr int kWidth = 30;
    const int fill = static_cast<int>(frac * kWidth);
    std::string key = EscapeText(p.key);
    if (key.size() > 40) key = "..." + key.substr(key.size() - 37);
    std::fprintf(stderr, "\r[%s%s] %3d%% %lld/%lld tensors %s  %-40s", std::string(static_cast<size_t>(fill), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - fill), ' ').c_str(), static_cast<int>(frac * 100),
                 static_cast<long long>(p.tensors_done), static_cast<long long>(p.tensors_total),
                 HumanBytes(p.bytes_done).c_str(), key.c_str());
    std::fflush(stderr);
  }
  void Done() {
    if (drawn_) std::fputc('\n', stderr);
  }

 private:
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

std::string Json(const ckpt::ConvertReport& r, bool dry_run) {
  std::string out = "{\"from\": " + JsonString(ckpt::TensorFileFormatName(r.from));
  out += ", \"to\": " + JsonString(ckpt::TensorFileFormatName(r.to));
  out += ", \"source\": " + JsonString(r.source);
  out += ",\n \"outputs\": [";
  for (size_t i = 0; i < r.outputs.size(); ++i) out += (i ? ", " : "") + JsonString(r.outputs[i]);
  out += "],\n \"tensors_written\": " + std::to_string(r.tensors_written);
  out += ", \"bytes_written\": " + std::to_string(r.bytes_written);
  out += ",\n \"skipped\": [";
  for (size_t i = 0; i < r.skipped.size(); ++i) {
    const auto& s = r.skipped[i];
    out += i ? ",\n   {" : "\n   {";
    out += "\"key\": " + JsonString(s.key);
    if (!ckpt::IsValidUtf8(s.key)) out += ", \"key_b64\": \"" + Base64(s.key) + "\"";
    out += ", \"dtype\": " + JsonString(ckpt::DTypeName(s.dtype)) + ", \"reason\": " + JsonString(s.reason) + "}";
  }
  out += "],\n \"notes\": [";
  for (size_t i = 0; i < r.notes.size(); ++i) {
    const auto& n = r.notes[i];
    out += i ? ",\n   {" : "\n   {";
    out += "\"key\": " + JsonString(n.key) + ", \"dtype\": " + JsonString(ckpt::DTypeName(n.dtype)) +
           ", \"note\": " + JsonString(n.note) + "}";
  }
  out += "],\n \"dry_run\": ";
  out += dry_run ? "true" : "false";
  return out + "}\n";
}

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kConvertCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv,
                                   {"--json", "--strict", "--force", "--dry-run", "--zip64", "--no-progress"},
                                   {"--from", "--to", "--max-shard-size"}, 2, "expected SRC and DST", &args)) {
    return *done;
  }
  ckpt::ConvertOptions options;
  for (const auto& [flag, field] : {std::pair{"--from", &options.from}, std::pair{"--to", &options.to}}) {
    if (const std::string* v = args.Option(flag)) {
      auto f = ckpt::TensorFileFormatFromName(*v);
      if (!f) return UsageError(cmd, "unknown format \"" + *v + "\"");
      *field = *f;
    }
  }
  if (const std::string* v = args.Option("--max-shard-size")) {
    options.max_shard_bytes = ParseSize(*v);
    if (options.max_shard_bytes <= 0) return UsageError(cmd, "bad --max-shard-size \"" + *v + "\"");
  }
  options.skip_unrepresentable = !args.Has("--strict");
  options.overwrite = args.Has("--force");
  options.dry_run = args.Has("--dry-run");
  options.force_zip64 = args.Has("--zip64");
  ProgressBar bar;
  if (!args.Has("--no-progress") && isatty(STDERR_FILENO)) {
    options.progress = [&bar](const ckpt::ConvertProgress& p) { bar.Update(p); };
  }
  auto report = ckpt::ConvertTensorFile(args.positional[0], args.positional[1], options);
  bar.Done();
  if (!report.ok()) return LibraryError(cmd, report.status());
  const ckpt::ConvertReport& r = *report;
  for (const auto& s : r.skipped) {
    std::fprintf(stderr, "ckpt convert: skipped %s (%s): %s\n", EscapeText(s.key).c_str(),
                 std::string(ckpt::DTypeName(s.dtype)).c_str(), s.reason.c_str());
  }
  std::string out;
  if (args.Has("--json")) {
    out = Json(r, options.dry_run);
  } else {
    for (const auto& n : r.notes) out += "note: " + EscapeText(n.key) + ": " + n.note + "\n";
    out += std::string(options.dry_run ? "would convert " : "converted ") +
           std::to_string(options.dry_run ? static_cast<int64_t>(0) : r.tensors_written) + " tensors";
    if (options.dry_run) out = "dry run: nothing written";
    else out += " (" + HumanBytes(r.bytes_written) + ")";
    out += " from " + std::string(ckpt::TensorFileFormatName(r.from)) + " " + r.source + " to " +
           std::string(ckpt::TensorFileFormatName(r.to)) + ":\n";
    for (const auto& f : r.outputs) out += "  " + f + "\n";
    if (!r.skipped.empty()) out += std::to_string(r.skipped.size()) + " tensor(s) skipped (listed on stderr)\n";
  }
  WriteStdout(out);
  return kExitOk;
}

}  // namespace

const Command kConvertCommand{"convert", "convert between checkpoints, safetensors and .npz", kUsage, &Run};

}  // namespace ckpt_cli
