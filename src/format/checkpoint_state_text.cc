// Printing and parsing of the `checkpoint` state file's text.
//
// The printer is our own so that every byte matches Python's
// text_format.MessageToString (TensorFlow writes the file from Python); the
// C++ protobuf printer spells doubles differently ("1712345678" instead of
// "1712345678.0"). The parser is protobuf's text-format parser, which accepts
// the same general syntax Python's parser does.
#include "format/checkpoint_state_text.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ckpt/checkpoint_state.h"
#include "ckpt/proto/checkpoint_state.pb.h"
#include "ckpt/utf8.h"

namespace ckpt {
namespace format {

std::string PyFloatRepr(double v) {
  if (std::isnan(v)) return "nan";  // Python drops the sign of a NaN.
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";

  // Shortest round-trip digits in scientific form, e.g. "-1.5e-05", "1e+16".
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e_pos = sci.find('e');
  std::string_view mantissa = sci.substr(0, e_pos);
  const bool negative = !mantissa.empty() && mantissa[0] == '-';
  if (negative) mantissa.remove_prefix(1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  int exp10 = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp10);

  std::string out = negative ? "-" : "";
  // Python's repr switches to exponent form when the decimal point would sit
  // more than 16 digits right of the first digit or 4+ places left of it.
  const int decpt = exp10 + 1;  // value = 0.DIGITS * 10^decpt
  if (decpt > -4 && decpt <= 16) {
    const int n = static_cast<int>(digits.size());
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= n) {
      out += digits;
      out.append(static_cast<size_t>(decpt - n), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(decpt));
      out += '.';
      out += digits.substr(static_cast<size_t>(decpt));
    }
    return out;
  }
  out += digits[0];
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char ebuf[16];
  std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  out += ebuf;
  return out;
}

std::string PyStrRepr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof(b), "\\x%02x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

std::string PyListRepr(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += PyStrRepr(v[i]);
  }
  return out + "]";
}

std::string PyListRepr(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += PyFloatRepr(v[i]);
  }
  return out + "]";
}

std::string TextFormatEscape(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  std::string out;
  out.reserve(n);
  auto octal = [&out](unsigned char c) {
    out += '\\';
    out += static_cast<char>('0' + ((c >> 6) & 7));
    out += static_cast<char>('0' + ((c >> 3) & 7));
    out += static_cast<char>('0' + (c & 7));
  };
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c >= 0x80) {
      // Python prints non-ASCII characters as they are (as_utf8=True, the
      // default of the protobuf release TensorFlow 2.21 runs with); a byte
      // that is not part of well-formed UTF-8 gets an octal escape.
      const size_t start = i;
      uint32_t code_point;
      if (DecodeUtf8(bytes, &i, &code_point)) {
        out.append(bytes.substr(start, i - start));
      } else {
        octal(c);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          octal(c);
        }
    }
  }
  return out;
}

namespace {

// Keeps the first parse error (1-based line and column) instead of logging.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!error_.empty()) return;
    error_ = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace
}  // namespace format

std::string CheckpointStateToText(const CheckpointState& state) {
  std::string out;
  auto add_string = [&out](const char* name, std::string_view value) {
    out += name;
    out += ": \"";
    out += format::TextFormatEscape(value);
    out += "\"\n";
  };
  auto add_double = [&out](const char* name, double value) {
    out += name;
    out += ": ";
    out += format::PyFloatRepr(value);
    out += '\n';
  };
  if (!state.model_checkpoint_path.empty()) add_string("model_checkpoint_path", state.model_checkpoint_path);
  for (const std::string& p : state.all_model_checkpoint_paths) add_string("all_model_checkpoint_paths", p);
  for (double t : state.all_model_checkpoint_timestamps) add_double("all_model_checkpoint_timestamps", t);
  // proto3 presence: a singular double is omitted only when its bits are
  // those of +0.0 (so -0.0 and NaN are printed, as Python does).
  const double lp = state.last_preserved_timestamp;
  if (!(lp == 0 && !std::signbit(lp))) add_double("last_preserved_timestamp", lp);
  return out;
}

Result<CheckpointState> ParseCheckpointStateText(std::string_view text) {
  // TensorFlow decodes the file as UTF-8 before parsing and fails on bad bytes.
  if (const size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return DataLossError("not valid UTF-8 text (byte offset " + std::to_string(bad) + ")");
  }
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return DataLossError("checkpoint state text too large (" + std::to_string(text.size()) + " bytes)");
  }
  proto::CheckpointState msg;
  format::FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  // Merge (not Parse): a singular field given twice keeps the last value,
  // as Python's text_format.Merge does.
  if (!parser.MergeFromString(std::string(text), &msg)) {
    return DataLossError(errors.error().empty() ? std::string("malformed text format") : errors.error());
  }
  CheckpointState state;
  state.model_checkpoint_path = msg.model_checkpoint_path();
  state.all_model_checkpoint_paths.assign(msg.all_model_checkpoint_paths().begin(),
                                          msg.all_model_checkpoint_paths().end());
  state.all_model_checkpoint_timestamps.assign(msg.all_model_checkpoint_timestamps().begin(),
                                               msg.all_model_checkpoint_timestamps().end());
  state.last_preserved_timestamp = msg.last_preserved_timestamp();
  // Escapes can spell bytes that are not UTF-8; Python rejects such strings.
  auto check = [](const std::string& s, const char* field) -> Status {
    if (FindInvalidUtf8(s) != std::string_view::npos) {
      return DataLossError(std::string("field ") + field + " is not valid UTF-8");
    }
    return OkStatus();
  };
  Status s = check(state.model_checkpoint_path, "model_checkpoint_path");
  for (const std::string& p : state.all_model_checkpoint_paths) {
    if (s.ok()) s = check(p, "all_model_checkpoint_paths");
  }
  if (!s.ok()) return s;
  return state;
}

}  // namespace ckpt
