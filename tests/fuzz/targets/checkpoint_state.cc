// Fuzz target checkpoint_state: ParseCheckpointStateText,
// GetCheckpointState and LatestCheckpoint on an in-memory directory; parsed
// states must survive a print/parse round trip.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ckpt/checkpoint_state.h"
#include "ckpt/file_system.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

bool HasNan(const CheckpointState& s) {
  if (std::isnan(s.last_preserved_timestamp)) return true;
  for (double t : s.all_model_checkpoint_timestamps)
    if (std::isnan(t)) return true;
  return false;
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  auto parsed = ParseCheckpointStateText(input);
  if (parsed.ok()) {
    if (!HasNan(*parsed)) {
      const std::string text = CheckpointStateToText(*parsed);
      auto again = ParseCheckpointStateText(text);
      FUZZ_CHECK(again.ok(), "printed state does not parse: " + again.status().ToString() + "\n" + text);
      FUZZ_CHECK(*again == *parsed, "print/parse round trip changed the state:\n" + text);
      FUZZ_CHECK(CheckpointStateToText(*again) == text, "printing is not stable");
    }
  } else {
    FUZZ_CHECK(parsed.status().code() == StatusCode::kDataLoss && !parsed.status().message().empty(),
               parsed.status().ToString());
  }
  // The same text as a state file in a directory with a couple of bundles.
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/d").ok(), "mkdir");
  PutFile(fs.get(), "/d/checkpoint", input);
  PutFile(fs.get(), "/d/ckpt-1.index", "");
  PutFile(fs.get(), "/d/ckpt-2.index", "");
  PutFile(fs.get(), "/d/model.ckpt-00000-of-00001", "");
  auto got = GetCheckpointState("/d", "checkpoint", fs.get());
  if (!parsed.ok()) {
    FUZZ_CHECK(!got.ok() && got.status().code() == StatusCode::kDataLoss,
               "parse failed but GetCheckpointState: " + got.status().ToString());
  } else if (parsed->model_checkpoint_path.empty()) {
    FUZZ_CHECK(!got.ok() && got.status().code() == StatusCode::kInvalidArgument, "empty model path not rejected");
  } else {
    FUZZ_CHECK(got.ok() && got->has_value(), "GetCheckpointState failed: " + got.status().ToString());
    FUZZ_CHECK((*got)->all_model_checkpoint_paths.size() == parsed->all_model_checkpoint_paths.size(), "path count");
    auto latest = LatestCheckpoint("/d", "checkpoint", fs.get());
    FUZZ_CHECK(latest.ok(), "LatestCheckpoint failed: " + latest.status().ToString());
  }
  return parsed.ok() ? "OK:" + std::to_string(std::min<size_t>(parsed->all_model_checkpoint_paths.size(), 3))
                     : Sig(parsed.status(), 24);
}

// Mostly-ASCII edits: most random bytes would only exercise the UTF-8 check.
bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  m.Mutate(s, rng, corpus);
  for (char& c : *s) {
    if (static_cast<unsigned char>(c) >= 0x80 && Below(rng, 8) != 0) c = static_cast<char>(0x20 + Below(rng, 0x5f));
  }
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  CheckpointState s;
  s.model_checkpoint_path = "ckpt-2";
  s.all_model_checkpoint_paths = {"ckpt-1", "ckpt-2"};
  s.all_model_checkpoint_timestamps = {1712345600.5104358, 1712345660.7891233};
  s.last_preserved_timestamp = 1712345599.1234567;
  out.push_back(CheckpointStateToText(s));
  CheckpointState t;
  t.model_checkpoint_path = "/abs/model.ckpt-00000-of-00001";
  t.all_model_checkpoint_paths = {"/abs/model.ckpt-00000-of-00001"};
  out.push_back(CheckpointStateToText(t));
  CheckpointState u;
  u.model_checkpoint_path = std::string("caf\xc3\xa9 \"q\" 'a' \\ \t\n", 16);
  u.all_model_checkpoint_timestamps = {1e16, 1.5e-05, -0.0};
  out.push_back(CheckpointStateToText(u));
  out.push_back(
      "# a comment\nall_model_checkpoint_paths: ['ckpt-1', \"ckpt-\" '2']\nmodel_checkpoint_path: 'ckpt-2'\n"
      "all_model_checkpoint_timestamps: [1e3, 2.5E+2, inf, -inf, 7]\nlast_preserved_timestamp: 0x10\n");
  out.push_back("model_checkpoint_path: \"\\303\\251\\x41\\n\"  last_preserved_timestamp: nan\n");
  out.push_back("");
  return out;
}

// Tokens worth inserting (the generic mutator's dictionary).
std::vector<std::string> Dictionary() {
  return {"model_checkpoint_path", "all_model_checkpoint_paths", "all_model_checkpoint_timestamps",
          "last_preserved_timestamp", ": ", ":", "\"", "'", "[", "]", ",", "#", "\n", " ", "inf", "nan",
          "-", "1e308", "1e-400", "0x", "0", "\\", "\\377", "\\x", "\\u00e9", "{", "}", "<", ">", ";",
          "\xc3", "\xff", "9999999999999999999999", "1.7976931348623157e308", "unknown_field: 1\n",
          "-0.0"};
}

}  // namespace

CKPT_FUZZ_TARGET(checkpoint_state) {
  return {.name = "checkpoint_state", .seeds = Seeds, .run = Run, .mutate = Mutate, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
