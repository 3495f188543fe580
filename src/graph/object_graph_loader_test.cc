// LoadObjectGraph / ValidateObjectGraph over bundles holding hand-built graphs.
#include "graph/object_graph_loader.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include "ckpt/file_system.h"
#include "testing/status_matchers.h"

namespace ckpt::graph {
namespace {

class ObjectGraphLoaderTest : public ::testing::Test {
 protected:
  // A bundle with one variable and, unless `graph` is null, `graph` stored
  // as the object graph tensor.
  std::unique_ptr<BundleReader> Write(const std::string& prefix, const Tensor* graph) {
    auto w = *BundleWriter::Create(prefix, {.fs = fs_.get()});
    EXPECT_OK(w->Add("v/.ATTRIBUTES/VARIABLE_VALUE", *Tensor::Make(DType::kFloat, TensorShape{2})));
    if (graph != nullptr) EXPECT_OK(w->Add("_CHECKPOINTABLE_OBJECT_GRAPH", *graph));
    EXPECT_OK(w->Finish());
    return *BundleReader::Open(prefix, {.fs = fs_.get()});
  }
  std::unique_ptr<BundleReader> WriteGraph(const std::string& prefix, const proto::TrackableObjectGraph& g) {
    const Tensor t = Tensor::FromStrings(TensorShape{}, {g.SerializeAsString()});
    return Write(prefix, &t);
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

proto::TrackableObjectGraph RootWithVariable() {
  proto::TrackableObjectGraph g;
  auto* c = g.add_nodes()->add_children();
  c->set_node_id(1);
  c->set_local_name("v");
  auto* a = g.add_nodes()->add_attributes();
  a->set_name("VARIABLE_VALUE");
  a->set_checkpoint_key("v/.ATTRIBUTES/VARIABLE_VALUE");
  return g;
}

TEST_F(ObjectGraphLoaderTest, LoadsAValidGraph) {
  const proto::TrackableObjectGraph g = RootWithVariable();
  auto loaded = LoadObjectGraph(*WriteGraph("ok", g));
  ASSERT_OK(loaded);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*loaded, g));
}

TEST_F(ObjectGraphLoaderTest, MissingGraphIsTheReadersNotFound) {
  auto loaded = LoadObjectGraph(*Write("plain", nullptr));
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
}

TEST_F(ObjectGraphLoaderTest, UnparsableGraphsAreDataLossNamingTheKeyAndPrefix) {
  const Tensor garbage = Tensor::FromStrings(TensorShape{}, {"\xff\xff\xff"});
  const Tensor two = Tensor::FromStrings(TensorShape{2}, {RootWithVariable().SerializeAsString(), ""});
  const Tensor none = Tensor::FromStrings(TensorShape{0}, {});
  for (const Tensor* t : {&garbage, &two, &none}) {
    auto loaded = LoadObjectGraph(*Write("bad", t));
    EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(loaded.status().message(),
              "cannot parse the object graph stored under _CHECKPOINTABLE_OBJECT_GRAPH in bad");
  }
}

TEST_F(ObjectGraphLoaderTest, BadNodeReferencesAreDataLoss) {
  proto::TrackableObjectGraph child = RootWithVariable();
  child.mutable_nodes(0)->mutable_children(0)->set_node_id(2);
  proto::TrackableObjectGraph negative = RootWithVariable();
  negative.mutable_nodes(0)->mutable_children(0)->set_node_id(-1);
  proto::TrackableObjectGraph slot = RootWithVariable();
  auto* s = slot.mutable_nodes(0)->add_slot_variables();
  s->set_original_variable_node_id(1);
  s->set_slot_name("m");
  s->set_slot_variable_node_id(7);
  const proto::TrackableObjectGraph empty;
  const proto::TrackableObjectGraph* graphs[] = {&child, &negative, &slot, &empty};
  for (const proto::TrackableObjectGraph* g : graphs) {
    EXPECT_EQ(ValidateObjectGraph(*g).code(), StatusCode::kDataLoss) << g->DebugString();
    EXPECT_EQ(LoadObjectGraph(*WriteGraph("refs", *g)).status().code(), StatusCode::kDataLoss);
  }
  EXPECT_EQ(ValidateObjectGraph(child).message(),
            "object graph node 0 has child 'v' with node id 2 out of range [0, 2)");
  EXPECT_EQ(ValidateObjectGraph(slot).message(),
            "object graph node 0 has slot variable 'm' with a node id out of range [0, 2)");
  EXPECT_EQ(ValidateObjectGraph(empty).message(), "object graph in the checkpoint has no nodes");
  EXPECT_OK(ValidateObjectGraph(RootWithVariable()));
}

}  // namespace
}  // namespace ckpt::graph
