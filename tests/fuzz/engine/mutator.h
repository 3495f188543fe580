// The generic mutation engine of ckpt_fuzz: stacked byte-level edits
// (bit flips, byte sets, interesting integers such as 0xffffffff, INT64_MAX
// and 10-byte varints, truncation, erasure, duplication/insertion, splicing
// with another input, dictionary tokens).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ckpt::fuzz {

using Rng = std::mt19937_64;

// A uniform choice in [0, n) (0 when n is 0).
size_t Below(Rng& rng, size_t n);

// A boundary value (0, 0x7f, 0xffffffff, INT64_MAX, ...), sometimes negated
// or off by one.
uint64_t Interesting(Rng& rng);

struct Mutator {
  std::vector<std::string> dict;  // tokens worth inserting
  size_t max_len = 1 << 16;

  // One to six stacked mutations; the result is cut to max_len.
  void Mutate(std::string* s, Rng& rng, const std::vector<std::string>& corpus) const;
  // One mutation of a kind chosen at random; `corpus` feeds splicing.
  void MutateOnce(std::string* s, Rng& rng, const std::vector<std::string>& corpus) const;
};

}  // namespace ckpt::fuzz
