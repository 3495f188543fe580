// Test-only program for tests/tf_compat/test_sharded_tf.py: saves and restores
// ShardedVariables through Checkpoint, and prints a bundle's index entries
// (slice entries included) so the test can compare them with TensorFlow's.
//
//   sharded_tool save <prefix>           writes the scenario, prints {"path": ...}
//   sharded_tool save-distributed <prefix> <n>
//                                        the same from n in-process ranks (rank r
//                                        holds blocks r, r+n, ...), one checkpoint
//   sharded_tool restore <prefix> <n>    restores every variable into n row blocks,
//                                        prints the assembled values
//   sharded_tool index <prefix>          prints every entry of the index
//
// Values are a function of the flat element index i (Value() below), so the
// Python side computes the expectation with numpy.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/variable.h"
#include "distributed/in_process_communicator.h"
#include "format/slice_key.h"
#include "json_util.h"

namespace {

using namespace ckpt;

struct Spec {
  const char* name;
  DType dtype;
  TensorShape full;
  // Saved blocks: (offset, shape).
  std::vector<std::pair<std::vector<int64_t>, TensorShape>> blocks;
};

std::vector<Spec> Specs() {
  return {
      {"rows", DType::kFloat, {10, 3}, {{{0, 0}, {4, 3}}, {{4, 0}, {3, 3}}, {{7, 0}, {3, 3}}}},
      {"cols", DType::kDouble, {4, 6}, {{{0, 0}, {4, 2}}, {{0, 2}, {4, 4}}}},
      {"grid", DType::kInt32, {4, 6}, {{{0, 0}, {2, 3}}, {{0, 3}, {2, 3}}, {{2, 0}, {2, 3}}, {{2, 3}, {2, 3}}}},
      {"i64", DType::kInt64, {5}, {{{0}, {3}}, {{3}, {2}}}},
  };
}

double Value(DType dtype, int64_t i) {
  switch (dtype) {
    case DType::kFloat: return static_cast<double>(i) + 0.5;
    case DType::kDouble: return static_cast<double>(i) * 0.25;
    case DType::kInt32: return static_cast<double>(i * 3 - 7);
    case DType::kInt64: return static_cast<double>(i * 1000);
    default: return 0;
  }
}

void Set(Tensor& t, int64_t at, double v) {
  switch (t.dtype()) {
    case DType::kFloat: t.flat<float>()[at] = static_cast<float>(v); break;
    case DType::kDouble: t.flat<double>()[at] = v; break;
    case DType::kInt32: t.flat<int32_t>()[at] = static_cast<int32_t>(v); break;
    case DType::kInt64: t.flat<int64_t>()[at] = static_cast<int64_t>(v); break;
    default: break;
  }
}

double Get(const void* data, DType dtype, int64_t at) {
  switch (dtype) {
    case DType::kFloat: return static_cast<const float*>(data)[at];
    case DType::kDouble: return static_cast<const double*>(data)[at];
    case DType::kInt32: return static_cast<const int32_t*>(data)[at];
    case DType::kInt64: return static_cast<double>(static_cast<const int64_t*>(data)[at]);
    default: return 0;
  }
}

// Visits every element of the block (offset, shape) of `full`: fn(local index, flat index in full).
template <typename F>
void ForEach(const TensorShape& full, const std::vector<int64_t>& offset, const TensorShape& shape, F fn) {
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()), 0);
  for (int64_t i = 0; i < shape.num_elements(); ++i) {
    int64_t flat = 0;
    for (int d = 0; d < shape.rank(); ++d) flat = flat * full.dim(d) + offset[d] + idx[d];
    fn(i, flat);
    for (int d = shape.rank() - 1; d >= 0 && ++idx[d] == shape.dim(d); --d) idx[d] = 0;
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

// Rank `rank` of `size` holds the blocks b with b % size == rank (all of
// them with size 1); `plain` is replicated on every rank.
Result<std::string> SaveRank(const std::string& prefix, int rank, int size, Communicator* comm) {
  std::vector<std::unique_ptr<ShardedVariable>> vars;
  std::vector<std::pair<std::string, Trackable*>> named;
  for (const Spec& spec : Specs()) {
    auto v = std::make_unique<ShardedVariable>(spec.dtype, spec.full, spec.name);
    int b = -1;
    for (const auto& [offset, shape] : spec.blocks) {
      if (++b % size != rank) continue;
      Tensor t = *Tensor::Make(spec.dtype, shape);
      ForEach(spec.full, offset, shape, [&](int64_t i, int64_t flat) { Set(t, i, Value(spec.dtype, flat)); });
      if (Status s = v->AddShard(offset, std::move(t)); !s.ok()) return s;
    }
    named.emplace_back(spec.name, v.get());
    vars.push_back(std::move(v));
  }
  Tensor plain_value = *Tensor::Make(DType::kFloat, {3});
  for (int i = 0; i < 3; ++i) Set(plain_value, i, Value(DType::kFloat, i));
  Variable plain(std::move(plain_value), "plain");
  named.emplace_back("plain", &plain);
  CheckpointOptions options;
  options.communicator = comm;
  options.collective_timeout = std::chrono::minutes(2);  // a test never hangs
  Checkpoint ckpt(named, options);
  return ckpt.Write(prefix);
}

int PrintPath(const Result<std::string>& path) {
  if (!path.ok()) return Fail(path.status());
  std::printf("{\"path\": %s}\n", ckpt_test_tools::JsonString(*path).c_str());
  return 0;
}

int Save(const std::string& prefix) { return PrintPath(SaveRank(prefix, 0, 1, nullptr)); }

// One checkpoint from `n` in-process ranks (distributed::InProcessGroup):
// the distributed save protocol without MPI.
int SaveDistributed(const std::string& prefix, int n) {
  distributed::InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) { return SaveRank(prefix, comm.rank(), n, &comm); });
  for (const auto& r : results) {
    if (!r.ok() || *r != *results[0]) return Fail(r.ok() ? InternalError("ranks returned different paths") : r.status());
  }
  return PrintPath(results[0]);
}

int Restore(const std::string& prefix, int n) {
  std::vector<std::unique_ptr<ShardedVariable>> vars;
  std::vector<std::pair<std::string, Trackable*>> named;
  for (const Spec& spec : Specs()) {
    auto v = std::make_unique<ShardedVariable>(spec.dtype, spec.full, spec.name);
    // numpy.array_split on axis 0: the first (rows % n) blocks get one more row.
    const int64_t rows = spec.full.dim(0);
    int64_t start = 0;
    for (int b = 0; b < n; ++b) {
      std::vector<int64_t> dims = spec.full.dims();
      dims[0] = rows / n + (b < rows % n ? 1 : 0);
      std::vector<int64_t> offset(static_cast<size_t>(spec.full.rank()), 0);
      offset[0] = start;
      start += dims[0];
      if (Status s = v->AddShard(offset, *Tensor::Make(spec.dtype, TensorShape(dims))); !s.ok()) return Fail(s);
    }
    named.emplace_back(spec.name, v.get());
    vars.push_back(std::move(v));
  }
  Variable plain(DType::kFloat, {3});
  named.emplace_back("plain", &plain);
  Checkpoint ckpt(named);
  auto status = ckpt.Read(prefix);
  if (!status.ok()) return Fail(status.status());
  std::string out = "{\"assert_consumed\": " + ckpt_test_tools::JsonString(status->AssertConsumed().ToString());
  for (const auto& v : vars) {
    std::vector<double> full(static_cast<size_t>(v->full_shape().num_elements()));
    for (size_t s = 0; s < v->num_shards(); ++s) {
      const Variable& shard = v->shard(s);
      std::vector<int64_t> offset;
      for (int d = 0; d < v->slice(s).rank(); ++d) offset.push_back(v->slice(s).start(d));
      ForEach(v->full_shape(), offset, shard.shape(),
              [&](int64_t i, int64_t flat) { full[static_cast<size_t>(flat)] = Get(shard.data(), v->dtype(), i); });
    }
    out += ", " + ckpt_test_tools::JsonString(v->name()) + ": [";
    for (size_t i = 0; i < full.size(); ++i) {
      char b[40];
      std::snprintf(b, sizeof(b), "%s%.17g", i ? ", " : "", full[i]);
      out += b;
    }
    out += "]";
  }
  std::printf("%s}\n", out.c_str());
  return 0;
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

std::string Shape(const TensorShape& s) {
  std::string out = "[";
  for (int d = 0; d < s.rank(); ++d) out += (d ? ", " : "") + std::to_string(s.dim(d));
  return out + "]";
}

int Index(const std::string& prefix) {
  auto reader = BundleReader::Open(prefix);
  if (!reader.ok()) return Fail(reader.status());
  std::string out = "{";
  bool first = true;
  auto entry = [&](const std::string& name, const TensorInfo& info, const std::string& extra) {
    out += std::string(first ? "" : ", ") + ckpt_test_tools::JsonString(name) + ": {\"dtype\": " +
           std::to_string(static_cast<int>(info.dtype)) + ", \"shape\": " + Shape(info.shape) +
           ", \"size\": " + std::to_string(info.size) + ", \"crc32c\": " + std::to_string(info.masked_crc32c) +
           extra + "}";
    first = false;
  };
  for (const TensorInfo& info : (*reader)->List()) {
    if (info.key == "_CHECKPOINTABLE_OBJECT_GRAPH") continue;
    std::string slices = ", \"slices\": [";
    for (size_t i = 0; i < info.slices.size(); ++i) {
      slices += (i ? ", " : "") + ckpt_test_tools::JsonString(info.slices[i].ToString());
    }
    slices += "]";
    entry(info.key, info, slices);
    for (const TensorSlice& s : info.slices) {
      const std::string key = format::EncodeTensorNameSlice(info.key, s);
      auto sub = (*reader)->Lookup(key);
      if (!sub.ok()) return Fail(sub.status());
      entry("slice:" + Hex(key), *sub, "");
    }
  }
  std::printf("%s}\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sharded_tool save|restore|index <prefix> [n]\n");
    return 2;
  }
  const std::string cmd = argv[1], prefix = argv[2];
  if (cmd == "save") return Save(prefix);
  if (cmd == "save-distributed" && argc > 3) return SaveDistributed(prefix, std::atoi(argv[3]));
  if (cmd == "restore" && argc > 3) return Restore(prefix, std::atoi(argv[3]));
  if (cmd == "index") return Index(prefix);
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
