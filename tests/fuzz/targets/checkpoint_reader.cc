// Fuzz target checkpoint_reader: the readers the Python package uses
// (ckpt.train.load_checkpoint -> CheckpointReader: get_variable_to_shape_map
// and _dtype_map = List, has_tensor, get_tensor = Read; list_variables,
// load_variable) on a V2 checkpoint found through its directory's state
// file. Input: as the bundle target's (chunk 0 the .index, then the data
// shards); the state file names it. Reads must agree with the underlying
// BundleReader and between the entry points. Half the inputs are read with
// checksum verification off (CheckpointReaderOptions::verify_checksums):
// corrupt bytes then reach the decoders unchecked and must still give a
// clean error or some value, never a crash.
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/file_system.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "format/bundle_entry.h"
#include "format/slice_key.h"
#include "support/bundle_inputs.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

constexpr size_t kMaxTensors = 32;

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/d").ok(), "mkdir");
  const std::string prefix = "/d/ckpt-1";
  PutBundleInput(fs.get(), prefix, input);
  CheckpointState state;
  state.model_checkpoint_path = "ckpt-1";
  state.all_model_checkpoint_paths = {"ckpt-1"};
  PutFile(fs.get(), "/d/checkpoint", CheckpointStateToText(state));

  CheckpointReaderOptions o;
  o.fs = fs.get();
  o.verify_checksums = (Fnv1a(input) & 1) != 0;
  auto r = LoadCheckpoint("/d", o);
  auto vars = ListVariables("/d", o);
  if (!r.ok()) {
    CheckBadInputError(r.status(), "LoadCheckpoint");
    FUZZ_CHECK(!vars.ok() && vars.status().code() == r.status().code(), "ListVariables disagrees with LoadCheckpoint");
    return "open:" + Sig(r.status());
  }
  const CheckpointReader& reader = **r;
  FUZZ_CHECK(reader.format() == CheckpointFormat::kV2 && reader.bundle_reader() != nullptr, "not read as V2");
  const BundleReader& bundle = *reader.bundle_reader();
  const std::vector<TensorInfo> list = reader.List();
  FUZZ_CHECK(vars.ok() && vars->size() == list.size(), "ListVariables lists another number of tensors");
  std::string sig = o.verify_checksums ? "open:OK" : "open:OK:unverified";
  for (size_t i = 0; i < list.size() && i < kMaxTensors; ++i) {
    const TensorInfo& info = list[i];
    FUZZ_CHECK((*vars)[i].first == info.key && (*vars)[i].second == info.shape, "ListVariables differs from List");
    FUZZ_CHECK(reader.HasTensor(info.key), "listed tensor not found");
    auto looked = reader.Lookup(info.key);
    FUZZ_CHECK(looked.ok() && looked->dtype == info.dtype && looked->shape == info.shape, "Lookup differs from List");
    auto t = reader.Read(info.key);
    auto b = bundle.Read(info.key);
    if (!t.ok()) {
      CheckBadInputError(t.status(), "Read(" + format::PrintableKey(info.key) + ")");
      FUZZ_CHECK(!b.ok() && b.status().code() == t.status().code(), "CheckpointReader and BundleReader disagree: " +
                                                                         t.status().ToString() + " vs " +
                                                                         b.status().ToString());
      sig += "|read:" + Sig(t.status(), 30);
      continue;
    }
    FUZZ_CHECK(b.ok() && b->Equals(*t), "CheckpointReader::Read differs from BundleReader::Read");
    FUZZ_CHECK(t->dtype() == info.dtype && t->shape() == info.shape, "Read returned another dtype/shape");
    if (info.key.size() < 2 || info.key.compare(info.key.size() - 2, 2, ":0") != 0) {
      auto v = LoadVariable("/d", info.key + ":0", o);
      FUZZ_CHECK(v.ok() && v->Equals(*t), "LoadVariable(\"" + format::PrintableKey(info.key) +
                                              ":0\") differs from Read: " + v.status().ToString());
    }
  }
  FUZZ_CHECK(reader.Read("\x01no such key").status().code() == StatusCode::kNotFound, "missing key not NotFound");
  Status v = reader.VerifyAll();
  if (!v.ok()) CheckBadInputError(v, "VerifyAll");
  return sig + "|verify:" + Sig(v);
}

}  // namespace

// The bundle target's structure-aware mutation (targets/bundle.cc) fits
// these inputs too.
bool MutateBundleInput(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus);

CKPT_FUZZ_TARGET(checkpoint_reader) {
  return {.name = "checkpoint_reader", .seeds = PackedSeedBundles, .run = Run, .mutate = MutateBundleInput};
}

}  // namespace ckpt::fuzz
