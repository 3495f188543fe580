#include "graph/key_escaping.h"

namespace ckpt::graph {

std::string EscapeLocalName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '.') {
      out += "..";
    } else if (c == '/') {
      out += ".S";
    } else {
      out += c;
    }
  }
  return out;
}

std::string JoinObjectPath(std::string_view parent_path, std::string_view escaped_child) {
  if (parent_path.empty()) return std::string(escaped_child);
  std::string out(parent_path);
  out += '/';
  out += escaped_child;
  return out;
}

std::string AttributeKey(std::string_view object_path, std::string_view attribute) {
  std::string out(object_path);
  out += '/';
  out += kAttributesMarker;
  out += '/';
  out += EscapeLocalName(attribute);
  return out;
}

std::string SlotVariablePath(std::string_view variable_path, std::string_view optimizer_path,
                             std::string_view slot_name) {
  std::string out(variable_path);
  out += '/';
  out += kOptimizerSlotMarker;
  out += '/';
  out += optimizer_path;
  out += '/';
  out += EscapeLocalName(slot_name);
  return out;
}

}  // namespace ckpt::graph
