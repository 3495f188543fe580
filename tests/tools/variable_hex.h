// A variable's bytes as lowercase hex, the form in which the test-only tools
// print values for the Python tests to compare with TensorFlow's.
#pragma once

#include <cstddef>
#include <string>

#include "ckpt/variable.h"

namespace ckpt_test_tools {

inline std::string Hex(const ckpt::Variable& v) {
  static const char* d = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.byte_size(); ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

}  // namespace ckpt_test_tools
