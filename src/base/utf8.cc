// The one UTF-8 decoder/validator/encoder of the library (ckpt/utf8.h).
#include "ckpt/utf8.h"

namespace ckpt {

bool DecodeUtf8(std::string_view text, size_t* pos, uint32_t* code_point) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + *pos;
  const size_t n = text.size() - *pos;
  const unsigned char c = p[0];
  if (c < 0x80) {
    *code_point = c;
    ++*pos;
    return true;
  }
  // Unicode table 3-7: the lead byte fixes the length and the range of the
  // second byte, which is where overlong forms, surrogates and values above
  // U+10FFFF are excluded; later bytes are plain continuation bytes.
  size_t len;
  uint32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    ++*pos;
    return false;
  }
  if (n < len || p[1] < lo || p[1] > hi) {
    ++*pos;
    return false;
  }
  for (size_t k = 1; k < len; ++k) {
    if (p[k] < 0x80 || p[k] > 0xBF) {
      ++*pos;
      return false;
    }
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  *code_point = cp;
  *pos += len;
  return true;
}

size_t FindInvalidUtf8(std::string_view text) {
  uint32_t cp;
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    if (!DecodeUtf8(text, &i, &cp)) return start;
  }
  return std::string_view::npos;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  const uint32_t cp = code_point;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace ckpt
