// `ckpt graph PATH [--json]`: the object graph of an object-based
// (tf.train.Checkpoint) checkpoint as an indented tree.
#include <ckpt/object_graph.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"

namespace ckpt_cli {
namespace {

constexpr std::string_view kUsage =
    "usage: ckpt graph PATH [--json]\n\n"
    "Prints the object graph of an object-based checkpoint (tf.train.Checkpoint):\n"
    "every object as an indented tree from the root, the tensors saved for it\n"
    "(attribute name, dtype, shape, checkpoint key) and the optimizer slot\n"
    "variables it keeps (\"slot 'm' for (root).dense.kernel\"). An object reached\n"
    "a second time is shown once, then referred to as \"= PATH\".\n"
    "A name-based checkpoint (tf.compat.v1 Saver) has no object graph: exit 1.\n\n"
    "  PATH     a checkpoint prefix, its .index file, or a directory with a\n"
    "           `checkpoint` state file\n"
    "  --json   print {\"prefix\", \"nodes\": [{\"id\", \"path\", \"children\": [{\"name\",\n"
    "           \"node_id\"}], \"attributes\": [{\"name\", \"checkpoint_key\",\n"
    "           \"full_name\", \"dtype\", \"shape\"}], \"slot_variables\": [{\"slot_name\",\n"
    "           \"original_variable_node_id\", \"slot_variable_node_id\"}]}]}\n"
    "           (+ \"registered_saver\" where set; dtype/shape null when the key is\n"
    "           missing from the checkpoint)\n";

class Printer {
 public:
  Printer(const ckpt::ObjectGraph& g, const ckpt::BundleReader& r) : g_(g), r_(r), shown_(g.nodes.size(), false) {}

  std::string Text() {
    Node(0, "(root)", 0);
    // Nodes nothing points at (possible in hand-made graphs): listed, not lost.
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!shown_[i]) Node(static_cast<int>(i), "(unreachable) " + EscapeText(g_.nodes[i].path), 0);
    }
    return out_;
  }

 private:
  void Node(int id, const std::string& label, int depth) {
    const std::string pad(static_cast<size_t>(depth) * 2, ' ');
    const auto& n = g_.nodes[static_cast<size_t>(id)];
    if (shown_[static_cast<size_t>(id)]) {
      out_ += pad + label + "  #" + std::to_string(id) + " = " + EscapeText(n.path) + "\n";
      return;
    }
    shown_[static_cast<size_t>(id)] = true;
    out_ += pad + label + "  #" + std::to_string(id);
    if (!n.registered_saver.empty()) out_ += "  (registered saver " + EscapeText(n.registered_saver) + ")";
    out_ += "\n";
    for (const auto& a : n.attributes) {
      out_ += pad + "  ." + EscapeText(a.name) + ": ";
      auto info = r_.Lookup(a.checkpoint_key);
      out_ += info.ok() ? std::string(ckpt::DTypeName(info->dtype)) + " " + ShapeString(info->shape) : "(missing from the checkpoint)";
      out_ += "  <- " + EscapeText(a.checkpoint_key) + "\n";
    }
    for (const auto& c : n.children) Node(c.node_id, EscapeText(c.name), depth + 1);
    for (const auto& s : n.slot_variables) {
      const auto& orig = g_.nodes[static_cast<size_t>(s.original_variable_node_id)];
      Node(s.slot_variable_node_id, "slot '" + EscapeText(s.slot_name) + "' for " + EscapeText(orig.path), depth + 1);
    }
  }

  const ckpt::ObjectGraph& g_;
  const ckpt::BundleReader& r_;
  std::vector<bool> shown_;
  std::string out_;
};

std::string Json(const ckpt::ObjectGraph& g, const ckpt::BundleReader& r) {
  std::string out = "{\"prefix\": " + JsonString(r.prefix()) + ", \"nodes\": [";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    out += i ? ",\n  {" : "\n  {";
    out += "\"id\": " + std::to_string(i) + ", \"path\": " + JsonString(n.path);
    out += ", \"children\": [";
    for (size_t k = 0; k < n.children.size(); ++k) {
      out += (k ? ", " : "") + std::string("{\"name\": ") + JsonString(n.children[k].name) +
             ", \"node_id\": " + std::to_string(n.children[k].node_id) + "}";
    }
    out += "], \"attributes\": [";
    for (size_t k = 0; k < n.attributes.size(); ++k) {
      const auto& a = n.attributes[k];
      out += (k ? ", " : "") + std::string("{\"name\": ") + JsonString(a.name) +
             ", \"checkpoint_key\": " + JsonString(a.checkpoint_key) + ", \"full_name\": " + JsonString(a.full_name);
      auto info = r.Lookup(a.checkpoint_key);
      out += info.ok() ? ", \"dtype\": " + JsonString(ckpt::DTypeName(info->dtype)) + ", \"shape\": " + ShapeString(info->shape)
                       : std::string(", \"dtype\": null, \"shape\": null");
      out += "}";
    }
    out += "], \"slot_variables\": [";
    for (size_t k = 0; k < n.slot_variables.size(); ++k) {
      const auto& s = n.slot_variables[k];
      out += (k ? ", " : "") + std::string("{\"slot_name\": ") + JsonString(s.slot_name) +
             ", \"original_variable_node_id\": " + std::to_string(s.original_variable_node_id) +
             ", \"slot_variable_node_id\": " + std::to_string(s.slot_variable_node_id) + "}";
    }
    out += "]";
    if (!n.registered_saver.empty()) out += ", \"registered_saver\": " + JsonString(n.registered_saver);
    out += "}";
  }
  return out + "\n]}\n";
}

int Run(const std::vector<std::string>& argv) {
  const Command& cmd = kGraphCommand;
  Args args;
  if (auto done = ParseCommandLine(cmd, argv, {"--json"}, {}, 1, "expected exactly one PATH", &args)) return *done;
  auto reader = OpenCheckpoint(args.positional[0]);
  if (!reader.ok()) return LibraryError(cmd, reader.status());
  const ckpt::BundleReader* bundle = (*reader)->bundle_reader();
  if (bundle == nullptr || !ckpt::HasObjectGraph(*bundle)) {
    std::fprintf(stderr,
                 "ckpt graph: %s is a name-based checkpoint: it has no object graph "
                 "(_CHECKPOINTABLE_OBJECT_GRAPH); `ckpt ls` lists its tensors\n",
                 (*reader)->path().c_str());
    return kExitError;
  }
  auto graph = ckpt::ReadObjectGraph(*bundle);
  if (!graph.ok()) return LibraryError(cmd, graph.status());
  const std::string out = args.Has("--json") ? Json(*graph, *bundle) : Printer(*graph, *bundle).Text();
  WriteStdout(out);
  return kExitOk;
}

}  // namespace

const Command kGraphCommand{"graph", "print the object graph of an object-based checkpoint", kUsage, &Run};

}  // namespace ckpt_cli
