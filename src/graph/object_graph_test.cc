// ReadObjectGraph over bundles holding hand-built TrackableObjectGraph protos.
#include <gtest/gtest.h>

#include "ckpt/bundle.h"
#include "ckpt/object_graph.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

class ObjectGraphTest : public ::testing::Test {
 protected:
  std::unique_ptr<BundleReader> Write(const std::string& prefix, const std::string* graph_bytes) {
    auto w = *BundleWriter::Create(prefix, {.fs = fs_.get()});
    Tensor v = *Tensor::Make(DType::kFloat, TensorShape{2});
    EXPECT_OK(w->Add("v/.ATTRIBUTES/VARIABLE_VALUE", v));
    if (graph_bytes != nullptr) {
      EXPECT_OK(w->Add("_CHECKPOINTABLE_OBJECT_GRAPH", Tensor::FromStrings(TensorShape{}, {*graph_bytes})));
    }
    EXPECT_OK(w->Finish());
    return *BundleReader::Open(prefix, {.fs = fs_.get()});
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
};

TEST_F(ObjectGraphTest, ReadsNodesChildrenAttributesAndSlots) {
  proto::TrackableObjectGraph g;
  auto* root = g.add_nodes();
  auto* c = root->add_children();
  c->set_node_id(1);
  c->set_local_name("v");
  c = root->add_children();
  c->set_node_id(2);
  c->set_local_name("opt");
  auto* v = g.add_nodes();
  auto* a = v->add_attributes();
  a->set_name("VARIABLE_VALUE");
  a->set_checkpoint_key("v/.ATTRIBUTES/VARIABLE_VALUE");
  a->set_full_name("v");
  auto* opt = g.add_nodes();
  auto* s = opt->add_slot_variables();
  s->set_original_variable_node_id(1);
  s->set_slot_name("m");
  s->set_slot_variable_node_id(3);
  g.add_nodes();
  const std::string bytes = g.SerializeAsString();
  auto reader = Write("obj", &bytes);
  ASSERT_TRUE(HasObjectGraph(*reader));
  auto graph = ReadObjectGraph(*reader);
  ASSERT_OK(graph);
  ASSERT_EQ(graph->nodes.size(), 4u);
  EXPECT_EQ(graph->nodes[0].path, "(root)");
  EXPECT_EQ(graph->nodes[1].path, "(root).v");
  EXPECT_EQ(graph->nodes[3].path, "(root).opt's state 'm' for (root).v");
  ASSERT_EQ(graph->nodes[0].children.size(), 2u);
  EXPECT_EQ(graph->nodes[0].children[1].name, "opt");
  EXPECT_EQ(graph->nodes[0].children[1].node_id, 2);
  ASSERT_EQ(graph->nodes[1].attributes.size(), 1u);
  EXPECT_EQ(graph->nodes[1].attributes[0].checkpoint_key, "v/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(graph->nodes[1].attributes[0].full_name, "v");
  ASSERT_EQ(graph->nodes[2].slot_variables.size(), 1u);
  EXPECT_EQ(graph->nodes[2].slot_variables[0].slot_name, "m");
  EXPECT_EQ(graph->nodes[2].slot_variables[0].slot_variable_node_id, 3);
}

TEST_F(ObjectGraphTest, NameBasedAndCorruptGraphs) {
  auto plain = Write("plain", nullptr);
  EXPECT_FALSE(HasObjectGraph(*plain));
  auto r = ReadObjectGraph(*plain);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("name-based"), std::string::npos);

  const std::string garbage = "\xff\xff\xff";
  auto bad = Write("bad", &garbage);
  EXPECT_EQ(ReadObjectGraph(*bad).status().code(), StatusCode::kDataLoss);

  proto::TrackableObjectGraph g;
  auto* c = g.add_nodes()->add_children();
  c->set_node_id(5);  // out of range
  c->set_local_name("x");
  const std::string out_of_range = g.SerializeAsString();
  auto oor = Write("oor", &out_of_range);
  EXPECT_EQ(ReadObjectGraph(*oor).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ckpt
