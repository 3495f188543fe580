// TF's object-based key scheme (docs/tf-format.md): escaping of local names and
// the keys built from object paths.
#pragma once

#include <string>
#include <string_view>

namespace ckpt::graph {

inline constexpr std::string_view kAttributesMarker = ".ATTRIBUTES";
inline constexpr std::string_view kOptimizerSlotMarker = ".OPTIMIZER_SLOT";

// "." -> "..", then "/" -> ".S" (FL-07). A '.' never stands alone after
// escaping, so the reserved components above cannot collide with user names.
std::string EscapeLocalName(std::string_view name);

// Object path from already-escaped components joined by '/'; the root is "".
std::string JoinObjectPath(std::string_view parent_path, std::string_view escaped_child);

// `<path>/.ATTRIBUTES/<escape(attribute)>` (FL-06, FL-09: the root's path is
// empty, so its keys start with '/').
std::string AttributeKey(std::string_view object_path, std::string_view attribute);

// Path of a slot variable node (FL-11):
// `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<escape(slot name)>`.
std::string SlotVariablePath(std::string_view variable_path, std::string_view optimizer_path,
                             std::string_view slot_name);

}  // namespace ckpt::graph
