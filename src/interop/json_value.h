// A small JSON reader and writer for the metadata of foreign tensor files
// (the safetensors header, model.safetensors.index.json).
//
// The input is untrusted: nesting depth and total size are bounded, and every
// malformed document is an error, never a crash. Numbers keep their text so
// that 64-bit offsets are read exactly (no detour through double).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/status.h"

namespace ckpt::interop {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the literal as written
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in document order

  // Defined out of line, where JsonValue is complete: clang with libstdc++
  // rejects the implicit ones (std::pair<std::string, JsonValue> is
  // incomplete inside the class).
  JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;
  ~JsonValue();

  bool is_object() const { return type == Type::kObject; }
  bool is_array() const { return type == Type::kArray; }
  bool is_string() const { return type == Type::kString; }
  // A non-negative integer literal that fits in uint64 ("12", not "1.0"/"1e3"/"-1").
  std::optional<uint64_t> AsUint64() const;
  // The member `key` of an object (the first one), nullptr when absent.
  const JsonValue* Find(std::string_view key) const;
};

// Parses a complete document (surrounding whitespace allowed). Duplicate
// object keys are rejected, since readers would disagree on which one wins.
Result<JsonValue> ParseJson(std::string_view text, int max_depth = 64);

// Appends `s` as a JSON string literal (quotes included). `s` should be
// UTF-8; control characters are \u-escaped, other bytes copied.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace ckpt::interop
