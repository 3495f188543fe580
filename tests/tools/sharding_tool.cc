// sharding_tool: saves the variables of tests/tf_compat/tf_sharding_helper.py
// through Checkpoint with a sharding policy, restores them, and prints a
// bundle's index with shard ids, for the differential test against
// TensorFlow (tests/tf_compat/test_sharding_tf.py).
//
//   sharding_tool save <prefix> <max_shard_size|task> [async]   {"path": ...}
//   sharding_tool restore <prefix>      every variable's values as JSON
//   sharding_tool index <prefix>        {"num_shards": N, "entries": {...}}
//
// Values are a function of the element index (the helper computes the same).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/sharding.h"
#include "ckpt/variable.h"
#include "format/slice_key.h"
#include "json_util.h"

namespace {

using namespace ckpt;

struct Vars {
  // TF's tf.train.Checkpoint(**kwargs) orders its children by name; so does
  // ckpt's Checkpoint.
  Variable big{DType::kFloat, {40, 9}};
  Variable flags{DType::kBool, {17}};
  Variable ints{DType::kInt32, {300}};
  Variable small{DType::kDouble, {}};
  Variable wide{DType::kFloat, {3, 100}};
  Variable words{DType::kString, {3}};

  std::vector<std::pair<std::string, Trackable*>> Named() {
    return {{"big", &big}, {"flags", &flags}, {"ints", &ints}, {"small", &small}, {"wide", &wide}, {"words", &words}};
  }
  void Fill() {
    for (size_t i = 0; i < big.flat<float>().size(); ++i) big.flat<float>()[i] = static_cast<float>(i) * 0.5f - 3;
    for (size_t i = 0; i < flags.flat<bool>().size(); ++i) flags.flat<bool>()[i] = i % 3 == 0;
    for (size_t i = 0; i < ints.flat<int32_t>().size(); ++i) ints.flat<int32_t>()[i] = static_cast<int32_t>(i) * 7 - 1000;
    small.flat<double>()[0] = 2.5;
    for (size_t i = 0; i < wide.flat<float>().size(); ++i) wide.flat<float>()[i] = static_cast<float>(i) * 0.25f;
    words.strings() = {std::string(50, 'x'), "", std::string("\x00\x01", 2)};
  }
};

int Fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

std::string Hex(std::string_view s) {
  std::string out;
  char b[3];
  for (unsigned char c : s) {
    std::snprintf(b, sizeof(b), "%02x", c);
    out += b;
  }
  return out;
}

template <typename T>
std::string Numbers(std::span<const T> v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char b[40];
    std::snprintf(b, sizeof(b), "%s%.17g", i ? ", " : "", static_cast<double>(v[i]));
    out += b;
  }
  return out + "]";
}

int Save(const std::string& prefix, const std::string& policy, bool async) {
  Vars v;
  v.Fill();
  Checkpoint ck(v.Named());
  CheckpointOptions o;
  if (policy == "task") {
    o.experimental_sharding_callback = std::make_shared<ShardByTaskPolicy>();
  } else {
    o.experimental_sharding_callback = std::make_shared<MaxShardSizePolicy>(std::atoll(policy.c_str()));
  }
  o.enable_async = async;
  auto path = ck.Save(prefix, o);
  if (!path.ok()) return Fail(path.status());
  if (Status s = ck.Sync(); !s.ok()) return Fail(s);
  std::printf("{\"path\": %s}\n", ckpt_test_tools::JsonString(*path).c_str());
  return 0;
}

int Restore(const std::string& prefix) {
  Vars v;
  Checkpoint ck(v.Named());
  auto status = ck.Restore(prefix);
  if (!status.ok()) return Fail(status.status());
  if (Status s = status->AssertConsumed(); !s.ok()) return Fail(s);
  std::string words = "[";
  for (size_t i = 0; i < v.words.strings().size(); ++i) {
    words += (i ? ", " : "") + ckpt_test_tools::JsonString(Hex(v.words.strings()[i]));
  }
  words += "]";
  std::vector<int> flags;
  for (bool b : v.flags.flat<bool>()) flags.push_back(b ? 1 : 0);
  std::printf("{\"big\": %s, \"flags\": %s, \"ints\": %s, \"small\": %.17g, \"wide\": %s, \"words_hex\": %s}\n",
              Numbers<float>(v.big.flat<float>()).c_str(), Numbers<int>(flags).c_str(),
              Numbers<int32_t>(v.ints.flat<int32_t>()).c_str(), v.small.flat<double>()[0],
              Numbers<float>(v.wide.flat<float>()).c_str(), words.c_str());
  return 0;
}

std::string Shape(const TensorShape& s) {
  std::string out = "[";
  for (int d = 0; d < s.rank(); ++d) out += (d ? ", " : "") + std::to_string(s.dim(d));
  return out + "]";
}

// Every entry: full keys with their slice lists; each slice's own entry
// under "<key>@<slice>" with its shard id, size and checksum.
int Index(const std::string& prefix) {
  auto reader = BundleReader::Open(prefix);
  if (!reader.ok()) return Fail(reader.status());
  std::string out = "{\"num_shards\": " + std::to_string((*reader)->num_shards()) + ", \"entries\": {";
  bool first = true;
  auto entry = [&](const std::string& name, const TensorInfo& info, bool with_data, const std::string& slices) {
    out += std::string(first ? "" : ", ") + ckpt_test_tools::JsonString(name) +
           ": {\"dtype\": " + std::to_string(static_cast<int>(info.dtype)) + ", \"shape\": " + Shape(info.shape);
    if (with_data) {
      out += ", \"shard\": " + std::to_string(info.shard_id) + ", \"size\": " + std::to_string(info.size) +
             ", \"crc32c\": " + std::to_string(info.masked_crc32c);
    }
    out += slices + "}";
    first = false;
  };
  for (const TensorInfo& info : (*reader)->List()) {
    // The object graph differs between TF and ckpt in bytes (TF records
    // more attributes); its place is compared, not its size.
    const bool graph = info.key == "_CHECKPOINTABLE_OBJECT_GRAPH";
    if (info.slices.empty()) {
      if (graph) {
        out += std::string(first ? "" : ", ") + "\"_CHECKPOINTABLE_OBJECT_GRAPH\": {\"shard\": " +
               std::to_string(info.shard_id) + "}";
        first = false;
      } else {
        entry(info.key, info, true, "");
      }
      continue;
    }
    std::string slices = ", \"slices\": [";
    for (size_t i = 0; i < info.slices.size(); ++i) {
      slices += (i ? ", " : "") + ckpt_test_tools::JsonString(info.slices[i].ToString());
    }
    entry(info.key, info, false, slices + "]");
    for (const TensorSlice& s : info.slices) {
      auto sub = (*reader)->Lookup(format::EncodeTensorNameSlice(info.key, s));
      if (!sub.ok()) return Fail(sub.status());
      entry(info.key + "@" + s.ToString(), *sub, true, "");
    }
  }
  std::printf("%s}}\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sharding_tool save|restore|index <prefix> [max_shard_size|task] [async]\n");
    return 2;
  }
  const std::string cmd = argv[1], prefix = argv[2];
  if (cmd == "save" && argc >= 4) return Save(prefix, argv[3], argc >= 5 && std::strcmp(argv[4], "async") == 0);
  if (cmd == "restore") return Restore(prefix);
  if (cmd == "index") return Index(prefix);
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
