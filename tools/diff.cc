// `ckpt diff A B [--json]`: what differs between two checkpoints (or
// safetensors / npz files). Exit status as diff(1): 0 identical, 1
// different, 2 error.
#include <ckpt/diff.h>
#include <ckpt/tensor_source.h>
#include <ckpt/utf8.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr int kExitDifferent = 1;
constexpr int kExitTrouble = 2;

constexpr std::string_view kUsage =
    "usage: ckpt diff A B [--json] [--all] [--atol X] [--rtol X] [--ignore-object-graph]\n\n"
    "Compares two checkpoints: keys only in A, keys only in B, dtype and shape\n"
    "changes, and for common keys the number of differing elements with the max\n"
    "absolute and max relative difference (|a-b| / max(|a|,|b|)). Values are\n"
    "compared as numbers (0.0 == -0.0, NaN == NaN); string tensors are equal or not.\n"
    "A and B may also be safetensors or .npz files (format detected by name).\n\n"
    "  A, B       a checkpoint prefix, its .index file, a directory with a\n"
    "             `checkpoint` state file, a .safetensors file, a\n"
    "             *.safetensors.index.json, or a .npz file\n"
    "  --atol X   elements within X of each other count as equal\n"
    "  --rtol X   elements within X*|b| of each other count as equal\n"
    "  --ignore-object-graph  leave _CHECKPOINTABLE_OBJECT_GRAPH out\n"
    "  --all      also list the tensors that are equal\n"
    "  --json     print {\"identical\", \"only_in_a\", \"only_in_b\", \"changed\",\n"
    "             \"num_common\", \"num_equal\"} (+ \"equal\" with --all); max_* values\n"
    "             that are infinite are the string \"inf\"\n\n"
    "exit status: 0 identical, 1 different, 2 error (also usage errors).\n";

int Trouble(const ckpt::Status& status) {
  std::fprintf(stderr, "ckpt diff: %s\n", status.ToString().c_str());
  return kExitTrouble;
}

bool ParseTolerance(const std::string* text, double* out) {
  if (text == nullptr) return true;
  char* end = nullptr;
  *out = std::strtod(text->c_str(), &end);
  return !text->empty() && *end == '\0' && *out >= 0;
}

std::string DTypeShape(ckpt::DType dtype, const ckpt::TensorShape& shape) {
  return std::string(ckpt::DTypeName(dtype)) + " " + ShapeString(shape);
}

void AppendKeyJson(const std::string& key, std::string* out) {
  *out += "\"key\": " + JsonString(key);
  if (!ckpt::IsValidUtf8(key)) *out += ", \"key_b64\": \"" + Base64(key) + "\"";
}

std::string Json(const ckpt::CheckpointDiff& d, bool all) {
  std::string out = "{\"identical\": ";
  out += d.identical() ? "true" : "false";
  for (const auto* side : {&d.only_in_a, &d.only_in_b}) {
    out += side == &d.only_in_a ? ",\n \"only_in_a\": [" : ",\n \"only_in_b\": [";
    for (size_t i = 0; i < side->size(); ++i) {
      const auto& k = (*side)[i];
      out += i ? ",\n   {" : "\n   {";
      AppendKeyJson(k.key, &out);
      out += ", \"dtype\": " + JsonString(ckpt::DTypeName(k.dtype)) + ", \"shape\": " + ShapeString(k.shape) + "}";
    }
    out += "]";
  }
  out += ",\n \"changed\": [";
  bool first = true;
  int64_t equal = 0;
  for (const auto& t : d.common) {
    if (t.kind == ckpt::TensorDiff::Kind::kEqual) {
      ++equal;
      continue;
    }
    out += first ? "\n   {" : ",\n   {";
    first = false;
    AppendKeyJson(t.key, &out);
    out += ", \"kind\": " + JsonString(ckpt::TensorDiffKindName(t.kind));
    out += ", \"dtype_a\": " + JsonString(ckpt::DTypeName(t.dtype_a)) + ", \"dtype_b\": " + JsonString(ckpt::DTypeName(t.dtype_b));
    out += ", \"shape_a\": " + ShapeString(t.shape_a) + ", \"shape_b\": " + ShapeString(t.shape_b);
    if (t.compared) {
      out += ", \"num_elements\": " + std::to_string(t.num_elements);
      out += ", \"num_different\": " + std::to_string(t.num_different);
      if (t.numeric) {
        out += ", \"max_abs_diff\": ";
        AppendDouble(t.max_abs_diff, true, &out);
        out += ", \"max_rel_diff\": ";
        AppendDouble(t.max_rel_diff, true, &out);
      }
    }
    if (!t.error.empty()) out += ", \"error\": " + JsonString(t.error);
    out += "}";
  }
  out += "],\n \"num_common\": " + std::to_string(d.common.size()) + ", \"num_equal\": " + std::to_string(equal);
  if (all) {
    out += ",\n \"equal\": [";
    bool f = true;
    for (const auto& t : d.common) {
      if (t.kind != ckpt::TensorDiff::Kind::kEqual) continue;
      out += (f ? "" : ", ") + JsonString(t.key);
      f = false;
    }
    out += "]";
  }
  return out + "}\n";
}

std::string Text(const ckpt::CheckpointDiff& d, bool all) {
  std::string out;
  for (const auto& k : d.only_in_a) out += "- " + EscapeText(k.key) + "  " + DTypeShape(k.dtype, k.shape) + "  (only in A)\n";
  for (const auto& k : d.only_in_b) out += "+ " + EscapeText(k.key) + "  " + DTypeShape(k.dtype, k.shape) + "  (only in B)\n";
  int64_t equal = 0;
  for (const auto& t : d.common) {
    using Kind = ckpt::TensorDiff::Kind;
    if (t.kind == Kind::kEqual) {
      ++equal;
      if (all) out += "  " + EscapeText(t.key) + "  " + DTypeShape(t.dtype_a, t.shape_a) + "  equal\n";
      continue;
    }
    std::string line = "~ " + EscapeText(t.key) + "  ";
    switch (t.kind) {
      case Kind::kShape:
        line += "shape " + ShapeString(t.shape_a) + " -> " + ShapeString(t.shape_b) + " (" +
                std::string(ckpt::DTypeName(t.dtype_a)) + (t.dtype_a == t.dtype_b ? "" : " -> " + std::string(ckpt::DTypeName(t.dtype_b))) + ")";
        break;
      case Kind::kDType:
        line += "dtype " + std::string(ckpt::DTypeName(t.dtype_a)) + " -> " + std::string(ckpt::DTypeName(t.dtype_b)) + " " +
                ShapeString(t.shape_a);
        break;
      case Kind::kUnreadable:
        line += "cannot compare: " + t.error;
        break;
      default:
        line += DTypeShape(t.dtype_a, t.shape_a);
        break;
    }
    if (t.compared) {
      line += "  " + std::to_string(t.num_different) + "/" + std::to_string(t.num_elements) + " elements differ";
      if (t.numeric) {
        line += ", max abs ";
        AppendDouble(t.max_abs_diff, false, &line);
        line += ", max rel ";
        AppendDouble(t.max_rel_diff, false, &line);
      }
    }
    out += line + "\n";
  }
  if (d.identical()) {
    out += "identical: " + std::to_string(d.common.size()) + " tensors, all equal\n";
  } else {
    out += "different: " + std::to_string(d.only_in_a.size()) + " only in A, " + std::to_string(d.only_in_b.size()) +
           " only in B, " + std::to_string(d.num_changed()) + " of " + std::to_string(d.common.size()) +
           " common tensors changed\n";
  }
  return out;
}

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kDiffCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {"--json", "--all", "--ignore-object-graph"}, {"--atol", "--rtol"}, 2,
                                   "expected two checkpoints A and B", &args)) {
    return *done;
  }
  ckpt::DiffOptions options;
  options.ignore_object_graph = args.Has("--ignore-object-graph");
  if (!ParseTolerance(args.Option("--atol"), &options.atol)) return UsageError(cmd, "--atol needs a number >= 0");
  if (!ParseTolerance(args.Option("--rtol"), &options.rtol)) return UsageError(cmd, "--rtol needs a number >= 0");
  auto a = ckpt::OpenTensorSource(args.positional[0]);
  if (!a.ok()) return Trouble(a.status());
  auto b = ckpt::OpenTensorSource(args.positional[1]);
  if (!b.ok()) return Trouble(b.status());
  auto d = ckpt::DiffTensorSources(**a, **b, options);
  if (!d.ok()) return Trouble(d.status());
  const std::string out = args.Has("--json") ? Json(*d, args.Has("--all")) : Text(*d, args.Has("--all"));
  WriteStdout(out);
  return d->identical() ? kExitOk : kExitDifferent;
}

}  // namespace

const Command kDiffCommand{"diff", "compare two checkpoints (keys, dtypes, shapes, values)", kUsage, &Run};

}  // namespace ckpt_cli
