// Recursive-descent JSON parser (RFC 8259) with a depth limit.
#include "interop/json_value.h"

#include <charconv>

#include "ckpt/utf8.h"

namespace ckpt::interop {
namespace {

class Parser {
 public:
  Parser(std::string_view s, int max_depth) : s_(s), max_depth_(max_depth) {}

  Result<JsonValue> Document() {
    JsonValue v;
    Status st = Value(&v, 0);
    if (!st.ok()) return st;
    SkipSpace();
    if (pos_ != s_.size()) return Error("trailing characters after the document");
    return v;
  }

 private:
  Status Error(std::string_view what) const {
    return DataLossError("invalid JSON at byte " + std::to_string(pos_) + ": " + std::string(what));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool Consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }

  Status Value(JsonValue* v, int depth) {
    if (depth > max_depth_) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= s_.size()) return Error("unexpected end of input");
    const char c = s_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->type = JsonValue::Type::kString;
      return String(&v->text);
    }
    if (Consume("true")) {
      v->type = JsonValue::Type::kBool;
      v->boolean = true;
      return OkStatus();
    }
    if (Consume("false")) {
      v->type = JsonValue::Type::kBool;
      return OkStatus();
    }
    if (Consume("null")) {
      v->type = JsonValue::Type::kNull;
      return OkStatus();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return Number(v);
    return Error("unexpected character");
  }

  Status Number(JsonValue* v) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (s_[pos_] == '-') ++pos_;
    const size_t int_start = pos_;
    const size_t n = digits();
    if (n == 0) return Error("bad number");
    if (n > 1 && s_[int_start] == '0') return Error("leading zero in number");
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Error("bad fraction");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Error("bad exponent");
    }
    v->type = JsonValue::Type::kNumber;
    v->text.assign(s_.substr(start, pos_ - start));
    return OkStatus();
  }

  Status Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Error("short \\u escape");
    uint32_t x = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      x <<= 4;
      if (c >= '0' && c <= '9') x |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') x |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') x |= static_cast<uint32_t>(c - 'A' + 10);
      else return Error("bad \\u escape");
    }
    *out = x;
    return OkStatus();
  }

  Status String(std::string* out) {
    ++pos_;  // opening quote
    out->clear();
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) return Error("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (Status st = Hex4(&cp); !st.ok()) return st;
          if (cp >= 0xd800 && cp < 0xdc00) {  // high surrogate: a low one must follow
            uint32_t lo = 0;
            if (!Consume("\\u")) return Error("unpaired surrogate");
            if (Status st = Hex4(&lo); !st.ok()) return st;
            if (lo < 0xdc00 || lo >= 0xe000) return Error("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            return Error("unpaired surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
    return OkStatus();
  }

  Status Array(JsonValue* v, int depth) {
    ++pos_;
    v->type = JsonValue::Type::kArray;
    SkipSpace();
    if (Consume("]")) return OkStatus();
    while (true) {
      v->array.emplace_back();
      if (Status st = Value(&v->array.back(), depth + 1); !st.ok()) return st;
      SkipSpace();
      if (Consume("]")) return OkStatus();
      if (!Consume(",")) return Error("expected ',' or ']'");
    }
  }

  Status Object(JsonValue* v, int depth) {
    ++pos_;
    v->type = JsonValue::Type::kObject;
    SkipSpace();
    if (Consume("}")) return OkStatus();
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("expected a member name");
      std::string key;
      if (Status st = String(&key); !st.ok()) return st;
      if (v->Find(key) != nullptr) return Error("duplicate member \"" + key + "\"");
      SkipSpace();
      if (!Consume(":")) return Error("expected ':'");
      v->object.emplace_back(std::move(key), JsonValue{});
      if (Status st = Value(&v->object.back().second, depth + 1); !st.ok()) return st;
      SkipSpace();
      if (Consume("}")) return OkStatus();
      if (!Consume(",")) return Error("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  int max_depth_;
};

}  // namespace

JsonValue::JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;
JsonValue::~JsonValue() = default;

std::optional<uint64_t> JsonValue::AsUint64() const {
  if (type != Type::kNumber || text.empty() || text[0] == '-') return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  // Linear: objects here are small, except the safetensors header, which is
  // walked in order instead of searched.
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<JsonValue> ParseJson(std::string_view text, int max_depth) { return Parser(text, max_depth).Document(); }

void AppendJsonString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  *out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (u < 0x20) {
      *out += "\\u00";
      *out += kHex[u >> 4];
      *out += kHex[u & 15];
    } else {
      *out += c;
    }
  }
  *out += '"';
}

}  // namespace ckpt::interop
