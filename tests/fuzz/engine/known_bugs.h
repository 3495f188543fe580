// The known-bug filter: while a bug found by fuzzing is unfixed, the target
// that reaches it recognises inputs hitting it and skips them (outcome
// "skipped:KB-n"), so fuzzing goes on past it and the ctests stay
// meaningful. `--no-known-bugs` turns the filter off.
// tests/fuzz/crashers/README.md describes each bug and its inputs.
#pragma once

#include <cstdint>

namespace ckpt::fuzz {

// Whether targets skip inputs that hit a known bug (off by default: no known
// bug is open; the filter stays for the next one).
bool FilterKnownBugs();
void SetFilterKnownBugs(bool on);

// Counts one skipped input (reported at the end of replay and run).
void CountKnownBugHit();
uint64_t KnownBugHits();

}  // namespace ckpt::fuzz
