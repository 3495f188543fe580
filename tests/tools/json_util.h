// JSON string quoting shared by the test-only tools (their output is read by
// the Python tests with json.loads).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace ckpt_test_tools {

// A JSON string literal for `s`: quotes and backslashes escaped, control
// bytes as \u00XX; other bytes passed through (the tools print UTF-8).
inline std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof(b), "\\u%04x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace ckpt_test_tools
