// `ckpt dump PATH KEY [--json]`: the values of one tensor (a partitioned
// tensor is assembled from its slices by the reader).
#include <ckpt/utf8.h>

#include <cstdio>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt dump PATH KEY [--json]\n\n"
    "Prints the values of tensor KEY (partitioned tensors assembled), row-major.\n"
    "Floating-point values are printed with enough digits to round-trip;\n"
    "float16/bfloat16/float8 as their float values; strings as text, escaped\n"
    "where not printable.\n\n"
    "  PATH     a checkpoint prefix, its .index file, or a directory with a\n"
    "           `checkpoint` state file\n"
    "  KEY      the tensor's key as `ckpt ls` shows it (use -- before a key\n"
    "           that starts with '-')\n"
    "  --json   print {\"key\", \"dtype\", \"shape\", \"values\"}: values a flat\n"
    "           row-major list; NaN/Inf as \"nan\"/\"inf\"/\"-inf\"; complex as\n"
    "           [re, im]; strings as UTF-8 text, or base64 under \"values_b64\"\n"
    "           when any element is not UTF-8\n";

void AppendValue(const ckpt::Tensor& t, int64_t i, bool json, std::string* out) {
  if (t.dtype() != ckpt::DType::kString) return AppendElement(t, i, json, out);
  const std::string& s = t.strings()[static_cast<size_t>(i)];
  *out += json ? JsonString(s) : "\"" + EscapeText(s) + "\"";
}

// Text layout like numpy's: nested brackets, one innermost row per line.
void AppendNested(const ckpt::Tensor& t, int dim, int64_t* next, std::string* out) {
  const auto& shape = t.shape();
  *out += '[';
  for (int64_t k = 0; k < shape.dim(dim); ++k) {
    if (dim + 1 == shape.rank()) {
      if (k > 0) *out += ", ";
      AppendValue(t, (*next)++, false, out);
    } else {
      if (k > 0) *out += ",\n" + std::string(static_cast<size_t>(dim) + 1, ' ');
      AppendNested(t, dim + 1, next, out);
    }
  }
  *out += ']';
}

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kDumpCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {"--json"}, {}, 2, "expected PATH and KEY", &args)) return *done;
  const std::string& key = args.positional[1];
  auto reader = OpenCheckpoint(args.positional[0]);
  if (!reader.ok()) return LibraryError(cmd, reader.status());
  auto tensor = (*reader)->Read(key);
  if (!tensor.ok()) return LibraryError(cmd, tensor.status());
  const ckpt::Tensor& t = *tensor;
  const int64_t n = t.num_elements();

  std::string out;
  if (args.Has("--json")) {
    out += "{\"key\": " + JsonString(key);
    if (!ckpt::IsValidUtf8(key)) out += ", \"key_b64\": \"" + Base64(key) + "\"";
    out += ", \"dtype\": " + JsonString(ckpt::DTypeName(t.dtype()));
    out += ", \"shape\": " + ShapeString(t.shape());
    bool b64 = false;
    if (t.dtype() == ckpt::DType::kString) {
      for (const auto& s : t.strings()) b64 = b64 || !ckpt::IsValidUtf8(s);
    }
    out += b64 ? ", \"values_b64\": [" : ", \"values\": [";
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0) out += ", ";
      if (b64) {
        out += "\"" + Base64(t.strings()[static_cast<size_t>(i)]) + "\"";
      } else {
        AppendValue(t, i, true, &out);
      }
    }
    out += "]}\n";
  } else {
    out += EscapeText(key) + ": " + std::string(ckpt::DTypeName(t.dtype())) + " " + ShapeString(t.shape()) + "\n";
    if (t.shape().rank() == 0) {
      AppendValue(t, 0, false, &out);
    } else {
      int64_t next = 0;
      AppendNested(t, 0, &next, &out);
    }
    out += "\n";
  }
  WriteStdout(out);
  return kExitOk;
}

}  // namespace

const Command kDumpCommand{"dump", "print the values of one tensor", kUsage, &Run};

}  // namespace ckpt_cli
