// `ckpt ls PATH [--json]`: every tensor of a bundle with dtype, shape and
// stored size.
#include <ckpt/checkpoint.h>
#include <ckpt/object_graph.h>
#include <ckpt/utf8.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt ls PATH [--json]\n\n"
    "Lists every tensor of the checkpoint: key, dtype, shape, bytes stored.\n"
    "A partitioned tensor is listed once under its full key (with its slices);\n"
    "its bytes are the sum of its slices.\n\n"
    "  PATH     a checkpoint prefix, its .index file, or a directory with a\n"
    "           `checkpoint` state file (its latest checkpoint is listed)\n"
    "  --json   print a JSON list of {\"key\", \"dtype\", \"shape\", \"bytes\"}\n"
    "           (+ \"slices\" for partitioned tensors; \"key_b64\" when the key\n"
    "           is not UTF-8; \"object_path\" for object-based checkpoints)\n\n"
    "For object-based (tf.train.Checkpoint) checkpoints each key is followed by\n"
    "the object it belongs to, e.g. (root).model.dense.kernel.\n";

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kLsCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {"--json"}, {}, 1, "expected exactly one PATH", &args)) return *done;
  auto reader = OpenCheckpoint(args.positional[0]);
  if (!reader.ok()) return LibraryError(cmd, reader.status());
  const std::vector<ckpt::TensorInfo> infos = (*reader)->List();
  // Object paths from the checkpoint's object graph, when it has one.
  std::map<std::string, std::string> object_path;
  if (const ckpt::BundleReader* bundle = (*reader)->bundle_reader();
      bundle != nullptr && ckpt::HasObjectGraph(*bundle)) {
    auto keys = ckpt::ListObjectKeys(*bundle);
    if (!keys.ok()) return LibraryError(cmd, keys.status());
    for (auto& k : *keys) object_path[k.key] = std::move(k.object_path);
  }

  std::string out;
  if (args.Has("--json")) {
    out += "[";
    for (size_t i = 0; i < infos.size(); ++i) {
      const auto& info = infos[i];
      out += i == 0 ? "\n  {" : ",\n  {";
      out += "\"key\": " + JsonString(info.key);
      if (!ckpt::IsValidUtf8(info.key)) out += ", \"key_b64\": \"" + Base64(info.key) + "\"";
      out += ", \"dtype\": " + JsonString(ckpt::DTypeName(info.dtype));
      out += ", \"shape\": " + ShapeString(info.shape);
      const int64_t bytes = StoredBytes(info);
      out += ", \"bytes\": " + (bytes < 0 ? std::string("null") : std::to_string(bytes));
      if (auto it = object_path.find(info.key); it != object_path.end()) {
        out += ", \"object_path\": " + JsonString(it->second);
      }
      if (!info.slices.empty()) {
        out += ", \"slices\": [";
        for (size_t s = 0; s < info.slices.size(); ++s) {
          out += (s ? ", " : "") + JsonString(info.slices[s].ToString());
        }
        out += "]";
      }
      out += "}";
    }
    out += infos.empty() ? "]\n" : "\n]\n";
  } else {
    // Columns are aligned; a key longer than kMaxKeyColumn just pushes its own row.
    constexpr size_t kMaxKeyColumn = 100;
    std::vector<std::string> keys, shapes;
    size_t wkey = 0, wdtype = 0, wshape = 0;
    for (const auto& info : infos) {
      keys.push_back(EscapeText(info.key));
      shapes.push_back(ShapeString(info.shape));
      if (keys.back().size() <= kMaxKeyColumn) wkey = std::max(wkey, keys.back().size());
      wdtype = std::max(wdtype, ckpt::DTypeName(info.dtype).size());
      wshape = std::max(wshape, shapes.back().size());
    }
    for (size_t i = 0; i < infos.size(); ++i) {
      const auto& info = infos[i];
      const std::string_view dtype = ckpt::DTypeName(info.dtype);
      std::string line = keys[i] + std::string(wkey - std::min(wkey, keys[i].size()) + 2, ' ');
      line += std::string(dtype) + std::string(wdtype - dtype.size() + 2, ' ');
      line += shapes[i] + std::string(wshape - shapes[i].size() + 2, ' ');
      const int64_t bytes = StoredBytes(info);
      line += bytes < 0 ? "?" : std::to_string(bytes);
      if (auto it = object_path.find(info.key); it != object_path.end()) line += "  " + EscapeText(it->second);
      if (!info.slices.empty()) {
        line += "  (partitioned: " + std::to_string(info.slices.size()) + " slices";
        for (const auto& s : info.slices) line += " " + s.ToString();
        line += ")";
      }
      out += line + "\n";
    }
  }
  WriteStdout(out);
  return kExitOk;
}

}  // namespace

const Command kLsCommand{"ls", "list the tensors of a checkpoint (key, dtype, shape, bytes)", kUsage, &Run};

}  // namespace ckpt_cli
