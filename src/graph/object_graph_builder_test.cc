#include "graph/object_graph_builder.h"

#include <gtest/gtest.h>

#include "ckpt/variable.h"
#include "graph/graph_test_helpers.h"
#include "testing/status_matchers.h"
#include "testing/tiny_adam.h"

namespace ckpt::graph {
namespace {

using testing::FloatVar;

std::vector<std::pair<int, std::string>> Children(const proto::TrackableObjectGraph& g, int node) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& c : g.nodes(node).children()) out.emplace_back(c.node_id(), c.local_name());
  return out;
}

std::string Key(const proto::TrackableObjectGraph& g, int node) {
  return g.nodes(node).attributes_size() ? g.nodes(node).attributes(0).checkpoint_key() : "";
}

// The tree TF 2.21 saved in our exploration (tf.Module with b, a, a list, a
// dict and an alias of b; Checkpoint(model=m, extra=v)). Node ids, edges and
// keys below are what TF wrote.
TEST(ObjectGraphBuilderTest, MatchesTfNodeOrderForModuleTree) {
  Module root, model, list_item_module;
  auto extra = FloatVar({7}), b = FloatVar({1, 2}, "bb");
  Variable a(DType::kInt64, TensorShape{}, "aa");
  auto l0 = FloatVar({1}), dz = FloatVar({2}), dabc = FloatVar({5});
  TrackableList lst;
  TrackableMap dct;
  ASSERT_OK(lst.Append(*l0));
  ASSERT_OK(lst.Append(list_item_module));
  ASSERT_OK(dct.Set("z", *dz));
  ASSERT_OK(dct.Set("a.b/c", *dabc));
  ASSERT_OK(model.Track("b", *b));
  ASSERT_OK(model.Track("a", a));
  ASSERT_OK(model.Track("lst", lst));
  ASSERT_OK(model.Track("dct", dct));
  ASSERT_OK(model.Track("shared", *b));
  Variable counter(DType::kInt64, TensorShape{}, "save_counter");
  ASSERT_OK(root.Track("extra", *extra));
  ASSERT_OK(root.Track("model", model));
  ASSERT_OK(root.Track("save_counter", counter));

  GraphView view;
  view.root = &root;
  auto built = BuildObjectGraph(view);
  ASSERT_OK(built);
  const auto& g = built->proto;
  ASSERT_EQ(g.nodes_size(), 12);
  using V = std::vector<std::pair<int, std::string>>;
  EXPECT_EQ(Children(g, 0), (V{{1, "extra"}, {2, "model"}, {3, "save_counter"}}));
  EXPECT_EQ(Children(g, 2), (V{{4, "b"}, {5, "a"}, {6, "lst"}, {7, "dct"}, {4, "shared"}}));
  EXPECT_EQ(Children(g, 6), (V{{8, "0"}, {9, "1"}}));
  EXPECT_EQ(Children(g, 7), (V{{10, "z"}, {11, "a.b/c"}}));
  EXPECT_EQ(Key(g, 1), "extra/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 3), "save_counter/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 4), "model/b/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(g.nodes(4).attributes(0).full_name(), "bb");
  EXPECT_EQ(g.nodes(4).attributes(0).name(), "VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 5), "model/a/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 8), "model/lst/0/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 10), "model/dct/z/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 11), "model/dct/a..b.Sc/.ATTRIBUTES/VARIABLE_VALUE");  // FL-07
  // has_checkpoint_values is set on every node; false (but present) for the
  // empty module, as TF writes it.
  for (int i = 0; i < g.nodes_size(); ++i) {
    EXPECT_TRUE(g.nodes(i).has_has_checkpoint_values()) << i;
    EXPECT_EQ(g.nodes(i).has_checkpoint_values().value(), i != 9) << i;
  }
  // The shared variable is saved once (CK shared objects).
  EXPECT_EQ(built->values.size(), 7u);
}

// An object with a custom attribute whose name contains '.' and '/': TF
// escapes the name once for SerializedTensor.name and again in the key.
struct CustomAttr : Module {
  Variable x{DType::kFloat, TensorShape{}};
  std::vector<SaveableAttribute> attributes() override {
    SaveableAttribute a;
    a.name = "a.b/c";
    a.value = [this] { return x.view(); };
    a.restore = [this](const BundleReader& r, std::string_view k) { return x.RestoreFrom(r, k); };
    return {a};
  }
};

TEST(ObjectGraphBuilderTest, FL09_AttributeNameEscapedTwiceInKey) {
  Module root;
  CustomAttr t;
  ASSERT_OK(root.Track("t", t));
  GraphView view{&root, {}};
  auto built = BuildObjectGraph(view);
  ASSERT_OK(built);
  EXPECT_EQ(built->proto.nodes(1).attributes(0).name(), "a..b.Sc");
  EXPECT_EQ(built->proto.nodes(1).attributes(0).checkpoint_key(), "t/.ATTRIBUTES/a....b..Sc");
  EXPECT_EQ(built->proto.nodes(1).attributes(0).full_name(), "");
  // Root attributes have an empty path (FL-09).
  CustomAttr r2;
  GraphView v2{&r2, {}};
  auto b2 = BuildObjectGraph(v2);
  ASSERT_OK(b2);
  EXPECT_EQ(b2->proto.nodes(0).attributes(0).checkpoint_key(), "/.ATTRIBUTES/a....b..Sc");
}

// FL-11 + TF 2.21's graph for Checkpoint(var=v, optimizer=tf1 Adam).
TEST(ObjectGraphBuilderTest, FL11_SlotVariablesAfterBreadthFirstNodes) {
  Module root;
  auto var = FloatVar({1, 2}, "Variable");
  test::TinyAdam opt;
  ASSERT_OK(opt.CreateSlot(*var, "m"));
  ASSERT_OK(opt.CreateSlot(*var, "v"));
  ASSERT_OK(root.Track("optimizer", opt));
  ASSERT_OK(root.Track("var", *var));
  GraphView view{&root, {}};
  auto built = BuildObjectGraph(view);
  ASSERT_OK(built);
  const auto& g = built->proto;
  ASSERT_EQ(g.nodes_size(), 7);
  ASSERT_EQ(g.nodes(1).slot_variables_size(), 2);
  EXPECT_EQ(g.nodes(1).slot_variables(0).original_variable_node_id(), 2);
  EXPECT_EQ(g.nodes(1).slot_variables(0).slot_name(), "m");
  EXPECT_EQ(g.nodes(1).slot_variables(0).slot_variable_node_id(), 5);
  EXPECT_EQ(g.nodes(1).slot_variables(1).slot_name(), "v");
  EXPECT_EQ(g.nodes(1).slot_variables(1).slot_variable_node_id(), 6);
  EXPECT_EQ(Key(g, 3), "optimizer/beta1_power/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 5), "var/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(Key(g, 6), "var/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(g.nodes(5).attributes(0).full_name(), "Variable/m");
}

TEST(ObjectGraphBuilderTest, SlotThatIsAlsoADependencyIsUnimplemented) {
  Module root;
  auto var = FloatVar({1});
  SlotOptimizer opt;
  auto slot = opt.CreateSlot(*var, "m");
  ASSERT_OK(slot);
  ASSERT_OK(root.Track("var", *var));
  ASSERT_OK(root.Track("opt", opt));
  ASSERT_OK(root.Track("alias", **slot));
  GraphView view{&root, {}};
  EXPECT_EQ(BuildObjectGraph(view).status().code(), StatusCode::kUnimplemented);
}

// CK-40: cycles are listed edge by edge and terminate.
TEST(ObjectGraphBuilderTest, CK40_CyclesAndSelfReferencesThroughParents) {
  Module root, a, b;
  auto v = FloatVar({3});
  ASSERT_OK(root.Track("a", a));
  ASSERT_OK(a.Track("b", b));
  ASSERT_OK(b.Track("a", a));
  ASSERT_OK(b.Track("v", *v));
  GraphView view{&root, {}};
  auto built = BuildObjectGraph(view);
  ASSERT_OK(built);
  const auto& g = built->proto;
  ASSERT_EQ(g.nodes_size(), 4);
  EXPECT_EQ(Children(g, 2), (std::vector<std::pair<int, std::string>>{{1, "a"}, {3, "v"}}));
  EXPECT_EQ(Key(g, 3), "a/b/v/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_TRUE(g.nodes(1).has_checkpoint_values().value());
}

TEST(ObjectGraphBuilderTest, ListObjectsIsBreadthFirstWithSlots) {
  Module root;
  auto var = FloatVar({1});
  SlotOptimizer opt;
  auto slot = opt.CreateSlot(*var, "m");
  ASSERT_OK(root.Track("var", *var));
  ASSERT_OK(root.Track("opt", opt));
  GraphView view{&root, {}};
  auto all = ListObjects(view, true);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3], *slot);
  EXPECT_EQ(ListObjects(view, false).size(), 3u);
}

TEST(TrackableTest, DestroyedChildLeavesItsParents) {
  Module root;
  {
    auto v = FloatVar({1});
    ASSERT_OK(root.Track("v", *v));
    ASSERT_OK(root.Track("w", *v));
    EXPECT_EQ(root.dependencies().size(), 2u);
  }
  EXPECT_TRUE(root.dependencies().empty());
  EXPECT_EQ(root.Track("", root).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(root.Track("self", root).code(), StatusCode::kInvalidArgument);
}

TEST(TrackableTest, ReplacingKeepsPositionAndUntrackRemoves) {
  Module root;
  auto a = FloatVar({1}), b = FloatVar({2}), c = FloatVar({3});
  ASSERT_OK(root.Track("a", *a));
  ASSERT_OK(root.Track("b", *b));
  ASSERT_OK(root.Track("a", *c));
  ASSERT_EQ(root.dependencies().size(), 2u);
  EXPECT_EQ(root.dependencies()[0].name, "a");
  EXPECT_EQ(root.dependencies()[0].object, c.get());
  root.Untrack("a");
  EXPECT_EQ(root.dependency("a"), nullptr);
  EXPECT_EQ(root.dependencies().size(), 1u);
}

struct Dense : Module {
  Tracked<Variable> kernel{this, "kernel", DType::kFloat, TensorShape{3, 2}};
  Tracked<Variable> bias{this, "bias", DType::kFloat, TensorShape{2}};
};

TEST(TrackableTest, TrackedMembersRegisterInDeclarationOrder) {
  Dense d;
  ASSERT_EQ(d.dependencies().size(), 2u);
  EXPECT_EQ(d.dependencies()[0].name, "kernel");
  EXPECT_EQ(d.dependencies()[1].object, &d.bias);
}

}  // namespace
}  // namespace ckpt::graph
