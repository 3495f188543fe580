// Printing tensor elements, strings and shapes as text or JSON.
#include <ckpt/dtype.h>
#include <ckpt/utf8.h>

#include <charconv>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"

namespace ckpt_cli {
namespace {

using ckpt::DType;

template <typename T>
T Load(const ckpt::Tensor& t, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const char*>(t.data()) + static_cast<size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

template <typename F>
void AppendFloating(F v, bool json, std::string* out) {
  if (std::isnan(v) || std::isinf(v)) {
    const char* s = std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    if (json) {
      *out += '"';
      *out += s;
      *out += '"';
    } else {
      *out += s;
    }
    return;
  }
  char buf[64];
  // Shortest text that reads back as the same F.
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  *out += s;
  // Keep it a floating-point literal so JSON readers don't turn -0.0 into 0.
  if (s.find_first_of(".e") == std::string_view::npos) *out += ".0";
}

template <typename I>
void AppendInt(I v, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    if (!ckpt::DecodeUtf8(s, &i, &cp)) cp = 0xFFFD;
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp < 0x20 || cp == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
          out += buf;
        } else {
          ckpt::AppendUtf8(cp, &out);
        }
    }
  }
  out += '"';
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string EscapeText(std::string_view s) {
  std::string out;
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const bool ok = ckpt::DecodeUtf8(s, &i, &cp);
    if (ok && cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && cp != '\\' && cp != '"') {
      out.append(s.substr(start, i - start));
      continue;
    }
    if (ok && cp < 0x80) {
      switch (cp) {
        case '\\': out += "\\\\"; continue;
        case '"': out += "\\\""; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        default: break;
      }
    }
    // Escape each byte of a control character or an invalid sequence.
    for (size_t k = start; k < i; ++k) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<uint8_t>(s[k]));
      out += buf;
    }
  }
  return out;
}

std::string ShapeString(const ckpt::TensorShape& shape) {
  std::string out = "[";
  for (int d = 0; d < shape.rank(); ++d) {
    if (d > 0) out += ',';
    AppendInt(shape.dim(d), &out);
  }
  out += ']';
  return out;
}

void AppendElement(const ckpt::Tensor& t, int64_t i, bool json, std::string* out) {
  switch (t.dtype()) {
    case DType::kFloat: return AppendFloating(Load<float>(t, i), json, out);
    case DType::kDouble: return AppendFloating(Load<double>(t, i), json, out);
    case DType::kHalf:
    case DType::kBFloat16:
      return AppendFloating(*ckpt::WidenSmallFloat(t.dtype(), Load<uint16_t>(t, i)), json, out);
    case DType::kFloat8E5M2:
    case DType::kFloat8E4M3FN:
    case DType::kFloat8E4M3FNUZ:
    case DType::kFloat8E4M3B11FNUZ:
    case DType::kFloat8E5M2FNUZ:
      return AppendFloating(*ckpt::WidenSmallFloat(t.dtype(), Load<uint8_t>(t, i)), json, out);
    case DType::kComplex64:
    case DType::kComplex128: {
      *out += '[';
      if (t.dtype() == DType::kComplex64) {
        AppendFloating(Load<float>(t, 2 * i), json, out);
        *out += ", ";
        AppendFloating(Load<float>(t, 2 * i + 1), json, out);
      } else {
        AppendFloating(Load<double>(t, 2 * i), json, out);
        *out += ", ";
        AppendFloating(Load<double>(t, 2 * i + 1), json, out);
      }
      *out += ']';
      return;
    }
    case DType::kBool: *out += Load<uint8_t>(t, i) != 0 ? "true" : "false"; return;
    case DType::kInt8:
    case DType::kQInt8: return AppendInt(Load<int8_t>(t, i), out);
    case DType::kUInt8:
    case DType::kQUInt8: return AppendInt(Load<uint8_t>(t, i), out);
    case DType::kInt16:
    case DType::kQInt16: return AppendInt(Load<int16_t>(t, i), out);
    case DType::kUInt16:
    case DType::kQUInt16: return AppendInt(Load<uint16_t>(t, i), out);
    case DType::kInt32:
    case DType::kQInt32: return AppendInt(Load<int32_t>(t, i), out);
    case DType::kUInt32: return AppendInt(Load<uint32_t>(t, i), out);
    case DType::kInt64: return AppendInt(Load<int64_t>(t, i), out);
    case DType::kUInt64: return AppendInt(Load<uint64_t>(t, i), out);
    // Sub-byte integers: one per byte, the value in the low bits.
    case DType::kInt4: return AppendInt(static_cast<int8_t>(static_cast<uint8_t>(Load<uint8_t>(t, i) << 4)) >> 4, out);
    case DType::kUInt4: return AppendInt(Load<uint8_t>(t, i) & 0x0F, out);
    case DType::kInt2: return AppendInt(static_cast<int8_t>(static_cast<uint8_t>(Load<uint8_t>(t, i) << 6)) >> 6, out);
    case DType::kUInt2: return AppendInt(Load<uint8_t>(t, i) & 0x03, out);
    default: {
      // Unknown fixed-size type: the raw bytes in hex.
      const size_t esize = ckpt::DTypeSize(t.dtype());
      const auto* p = static_cast<const uint8_t*>(t.data()) + static_cast<size_t>(i) * esize;
      std::string hex = "0x";
      for (size_t k = 0; k < esize; ++k) {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%02x", p[k]);
        hex += buf;
      }
      *out += json ? JsonString(hex) : hex;
    }
  }
}

void AppendDouble(double v, bool json, std::string* out) { AppendFloating(v, json, out); }

std::string HumanBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace ckpt_cli
