// Helpers shared by the graph layer's unit tests (header only; tests only).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/file_system.h"
#include "ckpt/object_graph.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/variable.h"
#include "graph/object_graph_loader.h"

namespace ckpt::graph::testing {

inline std::unique_ptr<Variable> FloatVar(std::vector<float> values, std::string name = "") {
  auto t = Tensor::Make(DType::kFloat, TensorShape{static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t->flat<float>()[i] = values[i];
  return std::make_unique<Variable>(std::move(*t), std::move(name));
}

inline float F(const Variable& v, size_t i = 0) { return v.flat<float>()[i]; }
inline void SetF(Variable& v, float x, size_t i = 0) { v.flat<float>()[i] = x; }

inline std::unique_ptr<BundleReader> OpenBundle(FileSystem* fs, const std::string& prefix) {
  BundleReaderOptions o;
  o.fs = fs;
  auto r = BundleReader::Open(prefix, o);
  return r.ok() ? std::move(*r) : nullptr;
}

// The bundle's object graph, or an empty one when it cannot be loaded.
inline proto::TrackableObjectGraph ReadGraph(FileSystem* fs, const std::string& prefix) {
  auto r = OpenBundle(fs, prefix);
  if (!r) return {};
  auto g = LoadObjectGraph(*r);
  return g.ok() ? *std::move(g) : proto::TrackableObjectGraph();
}

inline CheckpointOptions MemOptions(FileSystem* fs) {
  CheckpointOptions o;
  o.fs = fs;
  o.sync = false;
  return o;
}

// The base of the graph layer's checkpoint tests: each test gets its own
// in-memory file system and options that write there.
class MemoryCheckpointTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
  CheckpointOptions opts() { return MemOptions(fs_.get()); }
};

}  // namespace ckpt::graph::testing
