// Fail, Sig, CheckBadInputError (engine/checks.h).
#include "engine/checks.h"

#include <cstdio>
#include <cstdlib>

namespace ckpt::fuzz {

void Fail(const std::string& what) {
  std::fprintf(stderr, "\nckpt_fuzz: PROPERTY VIOLATED: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string Sig(const Status& s, size_t max_len) {
  if (s.ok()) return "OK";
  std::string out(StatusCodeName(s.code()));
  out += ':';
  bool in_quote = false;
  for (char c : s.message()) {
    if (c == '"') {
      in_quote = !in_quote;
      continue;
    }
    if (in_quote || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' || c == ':')) continue;
    out += c;
    if (out.size() > max_len) break;
  }
  return out;
}

namespace {

bool BadInputCode(StatusCode c) {
  return c == StatusCode::kDataLoss || c == StatusCode::kNotFound || c == StatusCode::kOutOfRange ||
         c == StatusCode::kInvalidArgument || c == StatusCode::kUnimplemented;
}

}  // namespace

void CheckBadInputError(const Status& s, const std::string& where) {
  FUZZ_CHECK(!s.ok(), where);
  FUZZ_CHECK(BadInputCode(s.code()), where + ": unexpected error code for corrupt input: " + s.ToString());
  FUZZ_CHECK(!s.message().empty(), where + ": empty error message");
}

}  // namespace ckpt::fuzz
