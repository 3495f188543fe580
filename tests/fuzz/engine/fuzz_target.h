// A fuzz target of ckpt_fuzz: one parser of on-disk bytes, its valid seed
// inputs and optional structure-aware mutations. The engine (driver.cc)
// replays or mutates inputs and runs them through a target's entry.
//
// Adding a target is one file and one CMake list entry: write
// targets/<name>.cc, whose pieces live in namespace ckpt::fuzz (the helpers
// in an anonymous namespace), ending in
//
//   CKPT_FUZZ_TARGET(<name>) {
//     return {.name = "<name>", .seeds = Seeds, .run = Run, .mutate = Mutate, .dict = Dictionary()};
//   }
//
// inside namespace ckpt::fuzz, and add <name> to CKPT_FUZZ_TARGETS in
// tests/fuzz/CMakeLists.txt, which compiles the file, lists the target in
// the registry (engine/registry.cc) and adds its ctests (fuzz_<name>,
// fuzz_<name>_replay).
//
// `run` is a plain function of the input bytes, as LLVMFuzzerTestOneInput
// is, so a libFuzzer build of one target needs only a shim calling it (the
// checks abort, which libFuzzer reports as a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/mutator.h"

namespace ckpt::fuzz {

// Structure-aware mutation of one input: edits *input (drawing from `rng`;
// `m` and `corpus` for nested generic mutations) and returns true, or
// returns false when it does not apply, and the engine mutates generically.
using MutateFn = bool (*)(std::string* input, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus);

// The default: no structure-aware mutation.
inline bool NoStructureAwareMutation(std::string*, Rng&, const Mutator&, const std::vector<std::string>&) {
  return false;
}

struct Target {
  std::string name;
  // Valid inputs built in-process (real bundles, state files, ...): the
  // starting corpus of `run`, and replayed after every `replay`.
  std::vector<std::string> (*seeds)() = nullptr;
  // Runs one input and returns the shape of its outcome (for corpus
  // feedback). A violated property aborts through FUZZ_CHECK.
  std::string (*run)(const uint8_t* data, size_t size) = nullptr;
  MutateFn mutate = NoStructureAwareMutation;
  // Tokens worth inserting (the generic mutator's dictionary).
  std::vector<std::string> dict = {};
};

// Every target, in the order of CKPT_FUZZ_TARGETS.
const std::vector<Target>& AllTargets();

// The input bytes as a string, for targets that work on one.
inline std::string InputString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Defines the registry entry of target `name`, in namespace ckpt::fuzz (see
// the top of this file).
#define CKPT_FUZZ_TARGET(name) Target CkptFuzzTarget_##name()

}  // namespace ckpt::fuzz
