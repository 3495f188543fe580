// The libFuzzer entry points for one ckpt_fuzz target (CKPT_FUZZ_ENGINE=
// libfuzzer builds one binary per target, ckpt_libfuzzer_<name>, with this
// file compiled with CKPT_LIBFUZZER_TARGET=<name>). The target's `run` is
// the test function; its structure-aware `mutate` is offered to libFuzzer as
// a custom mutator half of the time, libFuzzer's own mutations the other
// half. A violated property aborts, which libFuzzer reports as a crash.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "engine/fuzz_target.h"

#define CKPT_STR2(x) #x
#define CKPT_STR(x) CKPT_STR2(x)

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace ckpt::fuzz {
namespace {

const Target& TheTarget() {
  static const Target* t = [] {
    for (const Target& x : AllTargets())
      if (x.name == CKPT_STR(CKPT_LIBFUZZER_TARGET)) return &x;
    std::fprintf(stderr, "ckpt_libfuzzer: no target %s\n", CKPT_STR(CKPT_LIBFUZZER_TARGET));
    std::abort();
  }();
  return *t;
}

}  // namespace
}  // namespace ckpt::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // parse failures are expected here
  (void)ckpt::fuzz::TheTarget();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ckpt::fuzz::TheTarget().run(data, size);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  using namespace ckpt::fuzz;
  const Target& t = TheTarget();
  Rng rng(seed);
  if (t.mutate != NoStructureAwareMutation && (rng() & 1)) {
    // The built-in seeds feed the structure-aware mutation's splicing.
    static const std::vector<std::string> seeds = t.seeds();
    Mutator m;
    m.dict = t.dict;
    m.max_len = max_size;
    std::string input(reinterpret_cast<const char*>(data), size);
    if (t.mutate(&input, rng, m, seeds) && input.size() <= max_size) {
      std::memcpy(data, input.data(), input.size());
      return input.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
