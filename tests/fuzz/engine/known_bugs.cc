// The known-bug filter's switch and counter (engine/known_bugs.h).
#include "engine/known_bugs.h"

namespace ckpt::fuzz {
namespace {

bool g_filter_known_bugs = false;
uint64_t g_known_bug_hits = 0;

}  // namespace

bool FilterKnownBugs() { return g_filter_known_bugs; }
void SetFilterKnownBugs(bool on) { g_filter_known_bugs = on; }
void CountKnownBugHit() { ++g_known_bug_hits; }
uint64_t KnownBugHits() { return g_known_bug_hits; }

}  // namespace ckpt::fuzz
