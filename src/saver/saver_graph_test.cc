// The graph part of the Saver's .meta file: well-formed (every input names a
// node), anchored on the SaverDef's names, and laid out per format/sharding
// the way TF's Saver lays it out. That TF imports and runs it is checked by
// tests/tf_compat/test_saver_tf.py (test_tf_import_meta_graph_*).
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "ckpt/proto/meta_graph.pb.h"
#include "ckpt/saver.h"
#include "saver/saver_graph.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

class SaverGraphTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(fs_->RecursivelyCreateDir("/d")); }

  std::shared_ptr<TensorVariable> Var(std::string name, TensorShape shape, std::string device = {},
                                      std::optional<PartitionInfo> part = std::nullopt) {
    return std::make_shared<TensorVariable>(std::move(name), *Tensor::Make(DType::kFloat, shape), std::move(device),
                                            std::move(part));
  }

  // Saves through `options` and returns the parsed .meta, with its nodes by name.
  proto::MetaGraphDef SaveAndLoadMeta(std::vector<VariablePtr> vars, SaverOptions o) {
    o.fs = fs_.get();
    auto saver = Saver::Create(VarList::List(std::move(vars)), o);
    EXPECT_OK(saver);
    auto path = (*saver)->Save("/d/m");
    EXPECT_OK(path);
    proto::MetaGraphDef mg;
    EXPECT_TRUE(mg.ParseFromString(*fs_->ReadFileToString("/d/m.meta")));
    nodes_.clear();
    for (const auto& n : mg.graph_def().node()) {
      EXPECT_TRUE(nodes_.emplace(n.name(), n).second) << "duplicate node " << n.name();
    }
    return mg;
  }

  // Every input (data or control, any output index) names a node.
  void ExpectWellFormed() {
    for (const auto& [name, n] : nodes_) {
      for (std::string in : n.input()) {
        if (!in.empty() && in[0] == '^') in = in.substr(1);
        const auto colon = in.find(':');
        if (colon != std::string::npos) in = in.substr(0, colon);
        EXPECT_TRUE(nodes_.count(in)) << name << " reads missing node " << in;
      }
    }
  }

  const proto::NodeDef& N(const std::string& name) {
    static const proto::NodeDef kMissing;
    auto it = nodes_.find(name);
    EXPECT_NE(it, nodes_.end()) << "no node " << name;
    return it == nodes_.end() ? kMissing : it->second;
  }

  static std::vector<std::string> Strings(const proto::NodeDef& n) {
    const auto& t = n.attr().at("value").tensor();
    return {t.string_val().begin(), t.string_val().end()};
  }

  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
  std::map<std::string, proto::NodeDef> nodes_;
};

// SV-08, SV-57: the default V2 layout; the filename tensor defaults to
// SaverOptions::filename.
TEST_F(SaverGraphTest, DefaultLayoutAndFilename) {
  SaverOptions o;
  o.filename = "somerandomfilename";
  auto mg = SaveAndLoadMeta({Var("b", {2}), Var("a", {2, 3})}, o);
  ExpectWellFormed();
  EXPECT_EQ(mg.saver_def().filename_tensor_name(), "save/Const:0");
  EXPECT_EQ(Strings(N("save/filename/input")), std::vector<std::string>{"somerandomfilename"});
  EXPECT_EQ(N("save/filename").op(), "PlaceholderWithDefault");
  EXPECT_EQ(N("save/Const").op(), "PlaceholderWithDefault");
  EXPECT_EQ(N("save/Const").input(0), "save/filename");
  EXPECT_EQ(N("save/SaveV2").op(), "SaveV2");
  EXPECT_EQ(Strings(N("save/SaveV2/tensor_names")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Strings(N("save/SaveV2/shape_and_slices")), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(N("save/control_dependency").op(), "Identity");
  EXPECT_EQ(N("save/control_dependency").input(1), "^save/SaveV2");
  EXPECT_EQ(N("save/RestoreV2").op(), "RestoreV2");
  EXPECT_EQ(N("save/RestoreV2").attr().at("dtypes").list().type_size(), 2);
  EXPECT_EQ(N("save/Identity_1").input(0), "save/RestoreV2:1");
  EXPECT_EQ(N("save/AssignVariableOp_1").input(0), "b");
  EXPECT_EQ(N("save/restore_all").op(), "NoOp");
  EXPECT_EQ(N("save/restore_all").input_size(), 2);
  EXPECT_EQ(N("a").op(), "VarHandleOp");
  EXPECT_EQ(N("a").attr().at("shared_name").s(), "a");
  EXPECT_EQ(N("a").attr().at("shape").shape().dim_size(), 2);
  EXPECT_EQ(mg.graph_def().versions().producer(), saver::kGraphDefProducer);

  // The variables collection names nodes that exist.
  const auto& vars = mg.collection_def().at("variables").bytes_list();
  ASSERT_EQ(vars.value_size(), 2);
  proto::VariableDef vd;
  ASSERT_TRUE(vd.ParseFromString(vars.value(0)));
  EXPECT_EQ(vd.variable_name(), "a:0");
  EXPECT_EQ(N("a/Assign").op(), "AssignVariableOp");
  EXPECT_EQ(vd.initializer_name(), "a/Assign");
  EXPECT_EQ(vd.snapshot_name(), "a/Read/ReadVariableOp:0");
  EXPECT_EQ(N("a/Read/ReadVariableOp").op(), "ReadVariableOp");
  EXPECT_EQ(vd.initial_value_name(), "a/Initializer/initial_value:0");
  EXPECT_TRUE(N("a/Initializer/initial_value").attr().at("value").tensor().float_val().empty());  // zeros
}

TEST_F(SaverGraphTest, V1AndShardedLayouts) {
  SaverOptions v1;
  v1.write_version = CheckpointFormat::kV1;
  SaveAndLoadMeta({Var("a", {2})}, v1);
  ExpectWellFormed();
  EXPECT_EQ(N("save/save").op(), "SaveSlices");
  EXPECT_EQ(N("save/control_dependency").input(1), "^save/save");

  SaverOptions sh;
  sh.sharded = true;
  auto mg = SaveAndLoadMeta({Var("a", {2}, "/cpu:0"), Var("b", {2}, "/job:ps/task:1/cpu:0")}, sh);
  ExpectWellFormed();
  EXPECT_EQ(mg.saver_def().save_tensor_name(), "save/Identity:0");
  EXPECT_EQ(N("save/Identity").op(), "Identity");
  EXPECT_EQ(N("save/MergeV2Checkpoints").op(), "MergeV2Checkpoints");
  EXPECT_EQ(Strings(N("save/Const_1")), std::vector<std::string>{"_temp/part"});
  EXPECT_EQ(N("save/num_shards").attr().at("value").tensor().int_val(0), 2);
  EXPECT_EQ(N("save/ShardedFilename_1").op(), "ShardedFilename");
  EXPECT_EQ(N("save/SaveV2_1").device(), "/job:ps/task:1/device:CPU:0");
  EXPECT_EQ(N("save/restore_shard_1").op(), "NoOp");

  sh.write_version = CheckpointFormat::kV1;
  mg = SaveAndLoadMeta({Var("a", {2}, "/cpu:0"), Var("b", {2}, "/cpu:1")}, sh);
  ExpectWellFormed();
  EXPECT_EQ(N("save/ShardedFilespec").op(), "ShardedFilespec");
  EXPECT_EQ(N("save/save_1").op(), "SaveSlices");
}

// Partitioned parts: one key, TF's "<full shape> <slice>" specs, a
// SaveSliceInfoDef per part; reshape adds a Reshape before the assign.
TEST_F(SaverGraphTest, PartitionsAndReshape) {
  const TensorShape full{4, 2};
  auto p0 = Var("w/part_0", {2, 2}, "", PartitionInfo{"w", full, *TensorSlice::Parse("0,2:-")});
  auto p1 = Var("w/part_1", {2, 2}, "", PartitionInfo{"w", full, *TensorSlice::Parse("2,2:-")});
  SaverOptions o;
  o.reshape = true;
  auto mg = SaveAndLoadMeta({p0, p1, Var("v", {3})}, o);
  ExpectWellFormed();
  EXPECT_EQ(Strings(N("save/SaveV2/tensor_names")), (std::vector<std::string>{"v", "w", "w"}));
  EXPECT_EQ(Strings(N("save/RestoreV2/shape_and_slices")), (std::vector<std::string>{"", "4 2 0,2:0,2", "4 2 2,2:0,2"}));
  EXPECT_EQ(N("save/Reshape").op(), "Reshape");  // only the whole variable v is reshaped
  EXPECT_EQ(nodes_.count("save/Reshape_1"), 0u);
  proto::VariableDef vd;
  ASSERT_TRUE(vd.ParseFromString(mg.collection_def().at("variables").bytes_list().value(2)));
  EXPECT_EQ(vd.save_slice_info_def().full_name(), "w");
  EXPECT_EQ(vd.save_slice_info_def().var_offset(0), 2);
  EXPECT_EQ(vd.save_slice_info_def().var_shape(1), 2);
}

// Names TF would reject as node names are sanitised (the checkpoint key is
// kept); a SaverDef naming output 1 cannot anchor the graph.
TEST_F(SaverGraphTest, NodeNamesAndBadSaverDef) {
  auto mg = SaveAndLoadMeta({Var("bad name:0", {1}), Var("_x", {1})}, {});
  ExpectWellFormed();
  EXPECT_EQ(N("bad_name_0").op(), "VarHandleOp");
  EXPECT_EQ(N("v_x").op(), "VarHandleOp");
  EXPECT_EQ(Strings(N("save/SaveV2/tensor_names")), (std::vector<std::string>{"_x", "bad name:0"}));

  SaverDef def;
  def.filename_tensor_name = "save/Const:1";
  def.save_tensor_name = "save/control_dependency:0";
  def.restore_op_name = "save/restore_all";
  def.version = 2;
  SaverOptions o;
  o.fs = fs_.get();
  auto saver = *Saver::FromProto(def, "", VarList::List({Var("v", {1})}), o);
  auto r = saver->Save("/d/x");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(saver::ShapeAndSliceSpec(std::nullopt), "");
}

}  // namespace
}  // namespace ckpt
