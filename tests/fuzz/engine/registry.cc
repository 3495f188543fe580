// The list of fuzz targets. CMake writes fuzz_targets.inc from
// CKPT_FUZZ_TARGETS (one CKPT_FUZZ_LISTED(name) per target, in list order),
// so a new target needs no edit here.
#include <cstdio>
#include <cstdlib>

#include "engine/fuzz_target.h"

namespace ckpt::fuzz {

#define CKPT_FUZZ_LISTED(name) CKPT_FUZZ_TARGET(name);
#include "fuzz_targets.inc"
#undef CKPT_FUZZ_LISTED

namespace {

// A target's entry, checked to carry the name it is listed under.
Target Listed(Target t, const char* listed_as) {
  if (t.name != listed_as || t.seeds == nullptr || t.run == nullptr) {
    std::fprintf(stderr, "ckpt_fuzz: target %s is defined as '%s' or lacks seeds/run\n", listed_as, t.name.c_str());
    std::abort();
  }
  return t;
}

}  // namespace

const std::vector<Target>& AllTargets() {
  static const std::vector<Target> all = {
#define CKPT_FUZZ_LISTED(name) Listed(CkptFuzzTarget_##name(), #name),
#include "fuzz_targets.inc"
#undef CKPT_FUZZ_LISTED
  };
  return all;
}

}  // namespace ckpt::fuzz
