// What a fuzz target checks: violated properties abort the process (so the
// input is saved as a crash), and error statuses of corrupt input must have
// an expected code and a message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ckpt/status.h"

namespace ckpt::fuzz {

// Prints "PROPERTY VIOLATED: what" and aborts.
[[noreturn]] void Fail(const std::string& what);

#define FUZZ_CHECK(cond, msg)                                                     \
  do {                                                                            \
    if (!(cond)) ::ckpt::fuzz::Fail(std::string(#cond) + " -- " + std::string(msg)); \
  } while (0)

// The shape of an outcome: the code plus the message with numbers and
// quoted parts removed (so "bytes [3, 9)" and "bytes [4, 10)" are alike).
std::string Sig(const Status& s, size_t max_len = 60);

// A failed read of corrupt input must be DataLoss, NotFound, OutOfRange,
// InvalidArgument or Unimplemented, with a message.
void CheckBadInputError(const Status& s, const std::string& where);

// FNV-1a of the bytes: names saved crash files, seeds per-input choices.
inline uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace ckpt::fuzz
