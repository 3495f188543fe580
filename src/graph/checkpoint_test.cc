// Checkpoint save/write/restore/read (CK-01..CK-35 that apply to eager C++).
#include "ckpt/checkpoint.h"

#include <gtest/gtest.h>

#include "ckpt/checkpoint_state.h"
#include "graph/graph_test_helpers.h"
#include "testing/temp_dir.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;
using graph::testing::OpenBundle;
using graph::testing::SetF;

class CheckpointTest : public graph::testing::MemoryCheckpointTest {
 protected:
  std::vector<std::string> Keys(const std::string& prefix) {
    auto r = OpenBundle(fs_.get(), prefix);
    return r ? r->Keys() : std::vector<std::string>{};
  }
};

// CK-01: a null keyword value is rejected with TF's wording.
TEST_F(CheckpointTest, CK01_NullRootIsInvalidArgument) {
  Checkpoint ck({{"v", nullptr}}, opts());
  EXPECT_EQ(ck.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ck.status().message().find("`Checkpoint` was expecting v to be a trackable object"), std::string::npos);
  EXPECT_EQ(ck.Save("/d/ckpt").status().code(), StatusCode::kInvalidArgument);
}

// CK-02: a keyword clashing with a different dependency of root.
TEST_F(CheckpointTest, CK02_KeywordClashingWithRootDependency) {
  Module root;
  auto v = FloatVar({1}), other = FloatVar({2});
  ASSERT_OK(root.Track("v", *v));
  Checkpoint bad(root, {{"v", other.get()}}, opts());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("Cannot create a Checkpoint with keyword argument v if root.v already exists."),
            std::string::npos);
  Checkpoint same(root, {{"v", v.get()}}, opts());
  EXPECT_OK(same.status());
}

// CK-07..CK-11, CK-14, FL-06: numbering, counter key, state file.
TEST_F(CheckpointTest, CK09_CK14_SaveNumbersAndUpdatesStateFile) {
  auto v = FloatVar({1, 2});
  Checkpoint ck({{"v", v.get()}}, opts());
  EXPECT_EQ(ck.save_counter().dtype(), DType::kInt64);  // CK-07
  EXPECT_EQ(ck.save_counter().flat<int64_t>()[0], 0);
  for (int i = 1; i <= 10; ++i) {
    auto p = ck.Save("/d/ckpt");
    ASSERT_OK(p);
    EXPECT_EQ(*p, "/d/ckpt-" + std::to_string(i));
  }
  EXPECT_OK(fs_->FileExists("/d/ckpt-1.index"));  // CK-15: nothing deleted
  EXPECT_OK(fs_->FileExists("/d/ckpt-10.index"));
  auto state = GetCheckpointState("/d", kDefaultStateFilename, fs_.get());
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->model_checkpoint_path, "/d/ckpt-10");
  EXPECT_EQ((*state)->all_model_checkpoint_paths, std::vector<std::string>{"/d/ckpt-10"});
  EXPECT_TRUE((*state)->all_model_checkpoint_timestamps.empty());
  auto text = fs_->ReadFileToString("/d/checkpoint");
  EXPECT_EQ(*text, "model_checkpoint_path: \"ckpt-10\"\nall_model_checkpoint_paths: \"ckpt-10\"\n");
  EXPECT_EQ(Keys("/d/ckpt-3"), (std::vector<std::string>{"_CHECKPOINTABLE_OBJECT_GRAPH",
                                                         "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
                                                         "v/.ATTRIBUTES/VARIABLE_VALUE"}));
  auto r = OpenBundle(fs_.get(), "/d/ckpt-3");
  auto counter = r->Read("save_counter/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(counter->flat<int64_t>()[0], 3);
}

// CK-08, CK-10: write() neither numbers nor creates the counter nor touches state.
TEST_F(CheckpointTest, CK10_WriteIsExactAndLeavesCounterAlone) {
  auto v = FloatVar({1});
  Checkpoint ck({{"v", v.get()}}, opts());
  for (int step : {0, 2, 4}) {
    auto p = ck.Write("/w/ckpt-" + std::to_string(step));
    ASSERT_OK(p);
    EXPECT_EQ(*p, "/w/ckpt-" + std::to_string(step));
  }
  EXPECT_EQ(Keys("/w/ckpt-4"),
            (std::vector<std::string>{"_CHECKPOINTABLE_OBJECT_GRAPH", "v/.ATTRIBUTES/VARIABLE_VALUE"}));
  EXPECT_FALSE(fs_->FileExists("/w/checkpoint").ok());
}

// CK-16: missing parent directories are created.
TEST_F(CheckpointTest, CK16_CreatesParentDirectories) {
  auto v = FloatVar({1});
  Checkpoint ck({{"v", v.get()}}, opts());
  ASSERT_OK(ck.Save("/a/b/c/ckpt"));
  EXPECT_OK(fs_->FileExists("/a/b/c/ckpt-1.index"));
}

// CK-11, CK-24, CK-25, FL-08: values and the counter come back; matching is
// by dependency name, not variable name.
TEST_F(CheckpointTest, CK11_CK25_RestoreByDependencyPath) {
  auto v = FloatVar({1, 2}, "original_name");
  Checkpoint ck({{"var2", v.get()}}, opts());
  ck.save_counter().flat<int64_t>()[0] = 11;
  auto path = ck.Save("/r/ckpt");
  ASSERT_EQ(*path, "/r/ckpt-12");

  auto other = FloatVar({0, 0}, "blah");
  Checkpoint ck2({{"var2", other.get()}}, opts());
  auto status = ck2.Restore(*path);
  ASSERT_OK(status);
  EXPECT_EQ(F(*other, 0), 1);
  EXPECT_EQ(F(*other, 1), 2);
  EXPECT_EQ(ck2.save_counter().flat<int64_t>()[0], 12);
  EXPECT_OK(status->AssertConsumed());
  EXPECT_EQ(*ck2.Save("/r/ckpt"), "/r/ckpt-13");
}

// CK-43: restoring twice re-assigns.
TEST_F(CheckpointTest, CK43_RestoreTwiceOverwrites) {
  auto v = FloatVar({5});
  Checkpoint ck({{"v", v.get()}}, opts());
  auto p = ck.Write("/t/x");
  SetF(*v, 9);
  ASSERT_OK(ck.Read(*p));
  EXPECT_EQ(F(*v), 5);
  SetF(*v, 9);
  ASSERT_OK(ck.Read(*p));
  EXPECT_EQ(F(*v), 5);
}

// Restore straight into a caller-owned buffer.
TEST_F(CheckpointTest, BorrowedBufferIsRestoredInPlace) {
  std::vector<float> buf = {1, 2, 3};
  auto v = Variable::Wrap(MutableTensorView{DType::kFloat, TensorShape{3}, buf.data()});
  Checkpoint ck({{"w", v.get()}}, opts());
  auto p = ck.Write("/b/x");
  ASSERT_OK(p);
  buf = {0, 0, 0};
  const float* before = buf.data();
  ASSERT_OK(ck.Read(*p));
  EXPECT_EQ(buf, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(v->data(), before);
}

// Shared objects: saved once under the first path, restored into both places.
TEST_F(CheckpointTest, SharedVariableSavedOnceRestoredEverywhere) {
  Module a, b;
  auto shared = FloatVar({4});
  ASSERT_OK(a.Track("w", *shared));
  ASSERT_OK(b.Track("w", *shared));
  Checkpoint ck({{"a", &a}, {"b", &b}}, opts());
  auto p = ck.Write("/s/x");
  EXPECT_EQ(Keys(*p), (std::vector<std::string>{"_CHECKPOINTABLE_OBJECT_GRAPH", "a/w/.ATTRIBUTES/VARIABLE_VALUE"}));
  SetF(*shared, 0);
  auto st = ck.Read(*p);
  ASSERT_OK(st);
  EXPECT_EQ(F(*shared), 4);
  EXPECT_OK(st->AssertConsumed());
}

// CK-30: shape mismatch, TF's text.
TEST_F(CheckpointTest, CK30_ShapeMismatch) {
  auto v = FloatVar({1, 2});
  Checkpoint ck({{"v", v.get()}}, opts());
  auto p = ck.Write("/m/x");
  auto wrong = FloatVar({0, 0, 0});
  Checkpoint ck2({{"v", wrong.get()}}, opts());
  auto st = ck2.Read(*p);
  ASSERT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.status().message(),
            "Received incompatible tensor with shape (2,) when attempting to restore variable with shape (3,) and "
            "name v/.ATTRIBUTES/VARIABLE_VALUE.");
  EXPECT_EQ(F(*wrong), 0);
  wrong->set_name("Variable");
  EXPECT_NE(ck2.Read(*p).status().message().find("and name Variable:0."), std::string::npos);
}

// CK-31: dtype mismatch (TF's RestoreV2 text, C++ dtype names), every key.
TEST_F(CheckpointTest, CK31_DtypeMismatchNamesKeyAndBothDtypes) {
  auto v = FloatVar({1, 2});
  auto w = FloatVar({3});
  Checkpoint ck({{"v", v.get()}, {"w", w.get()}}, opts());
  auto p = ck.Write("/m/y");
  Variable vi(DType::kInt32, TensorShape{2});
  Variable wi(DType::kDouble, TensorShape{1});
  Checkpoint ck2({{"v", &vi}, {"w", &wi}}, opts());
  auto st = ck2.Read(*p);
  ASSERT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.status().message(),
            "tensor_name = v/.ATTRIBUTES/VARIABLE_VALUE; expected dtype int32 does not equal original dtype float\n"
            "tensor_name = w/.ATTRIBUTES/VARIABLE_VALUE; expected dtype double does not equal original dtype float");
}

// CK-26: restore of an empty path.
TEST_F(CheckpointTest, CK26_EmptyPathIsInitializationOnly) {
  auto v = FloatVar({1});
  Checkpoint ck({{"v", v.get()}}, opts());
  auto st = ck.Restore("");
  ASSERT_OK(st);
  EXPECT_TRUE(st->is_initialization_only());
  const std::string msg = "No checkpoint specified (save_path=None); nothing is being restored.";
  EXPECT_EQ(st->AssertConsumed().message(), msg);
  EXPECT_EQ(st->AssertConsumed().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st->AssertExistingObjectsMatched().message(), msg);
  EXPECT_EQ(st->AssertNontrivialMatch().message(), msg);
  EXPECT_EQ(st->RunRestoreOps().message(),
            "No checkpoint specified, so no restore ops are available (save_path=None to Saver.restore).");
  EXPECT_OK(st->InitializeOrRestore());
}

// CK-27 / CK-28: NotFound with and without Restore's wrapper.
TEST_F(CheckpointTest, CK27_CK28_MissingPath) {
  auto v = FloatVar({1});
  Checkpoint ck({{"v", v.get()}}, opts());
  auto r = ck.Restore("/nope/ckpt-1");
  ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message().rfind("Error when restoring from checkpoint or SavedModel at /nope/ckpt-1: ", 0), 0u);
  EXPECT_NE(r.status().message().find("\nPlease double-check that the path is correct. You may be missing the "
                                      "checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1')."),
            std::string::npos);
  auto rd = ck.Read("/nope/ckpt-1");
  ASSERT_EQ(rd.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rd.status().message().find("Error when restoring"), std::string::npos);
}

// CK-29: a SavedModel directory maps to <dir>/variables/variables.
TEST_F(CheckpointTest, CK29_SavedModelDirectory) {
  auto v = FloatVar({8});
  Checkpoint ck({{"v", v.get()}}, opts());
  ASSERT_OK(ck.Write("/sm/variables/variables"));
  auto f = fs_->NewWritableFile("/sm/saved_model.pb");
  ASSERT_OK((*f)->Close());
  SetF(*v, 0);
  auto st = ck.Restore("/sm");
  ASSERT_OK(st);
  EXPECT_EQ(F(*v), 8);
  st->ExpectPartial();
}

// CK-32: corrupt data surfaces as DataLoss from restore.
TEST_F(CheckpointTest, CK32_CorruptDataIsDataLoss) {
  auto v = FloatVar({1, 2, 3, 4});
  Checkpoint ck({{"v", v.get()}}, opts());
  auto p = ck.Write("/c/x");
  const std::string data = DataFilename(*p, 0, 1);
  auto bytes = fs_->ReadFileToString(data);
  std::string s = *bytes;
  s[1] ^= 0x55;
  auto f = fs_->NewWritableFile(data);
  ASSERT_OK((*f)->Append(s));
  ASSERT_OK((*f)->Close());
  EXPECT_EQ(ck.Read(*p).status().code(), StatusCode::kDataLoss);
}

// CK-12 / CK-13: restore creates the counter, read does not.
TEST_F(CheckpointTest, CK12_CK13_ReadVersusRestoreAndSaveCounter) {
  auto v = FloatVar({1});
  {
    Checkpoint ck({{"v", v.get()}}, opts());
    ASSERT_OK(ck.Write("/k/written"));
    ASSERT_OK(ck.Save("/k/saved"));
  }
  {
    Checkpoint ck({{"v", v.get()}}, opts());
    auto st = ck.Restore("/k/written");
    ASSERT_OK(st);
    EXPECT_FALSE(st->AssertConsumed().ok());  // the new counter has no value
    st->ExpectPartial();
  }
  {
    Checkpoint ck({{"v", v.get()}}, opts());
    auto st = ck.Read("/k/written");
    EXPECT_OK(st->AssertConsumed());
  }
  {
    Checkpoint ck({{"v", v.get()}}, opts());
    auto st = ck.Read("/k/saved-1");
    EXPECT_FALSE(st->AssertConsumed().ok());
    EXPECT_OK(st->AssertExistingObjectsMatched());
    st->ExpectPartial();
  }
}

// CK-21: a checkpoint reflects the graph at save time.
TEST_F(CheckpointTest, CK21_ChangingVariableList) {
  Module root;
  std::vector<std::unique_ptr<Variable>> vars;
  Checkpoint ck({{"m", &root}}, opts());
  for (int i = 0; i < 4; ++i) {
    vars.push_back(FloatVar({static_cast<float>(i)}));
    ASSERT_OK(root.Track("var_" + std::to_string(i), *vars.back()));
    ASSERT_OK(ck.Save("/g/ckpt"));
  }
  for (auto& v : vars) SetF(*v, 100);
  auto st = ck.Restore("/g/ckpt-2");
  ASSERT_OK(st);
  EXPECT_EQ(F(*vars[0]), 0);
  EXPECT_EQ(F(*vars[1]), 1);
  EXPECT_EQ(F(*vars[2]), 100);
  EXPECT_EQ(F(*vars[3]), 100);
  st->ExpectPartial();
}

// CK-03, CK-05: rooted checkpoints write the root's dependencies at top
// level, plus a "root" self-edge, and cross-restore with keyword ones.
TEST_F(CheckpointTest, CK03_RootedAndKeywordCheckpointsInterchange) {
  Module model;
  auto v = FloatVar({1});
  auto sep = FloatVar({2});
  ASSERT_OK(model.Track("v", *v));
  Checkpoint ck(model, {{"separate_variable", sep.get()}}, opts());
  auto p = ck.Save("/rt/ckpt");
  ASSERT_OK(p);
  auto g = graph::testing::ReadGraph(fs_.get(), *p);
  ASSERT_GE(g.nodes_size(), 1);
  std::vector<std::string> names;
  for (const auto& c : g.nodes(0).children()) names.push_back(c.local_name() + "=" + std::to_string(c.node_id()));
  EXPECT_EQ(names, (std::vector<std::string>{"v=1", "root=0", "separate_variable=2", "save_counter=3"}));

  // Roles swapped: the other root has separate_variable, v is a keyword.
  Module other;
  auto v2 = FloatVar({0}), sep2 = FloatVar({0});
  ASSERT_OK(other.Track("separate_variable", *sep2));
  Checkpoint ck2(other, {{"v", v2.get()}}, opts());
  auto st = ck2.Restore(*p);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  EXPECT_EQ(F(*v2), 1);
  EXPECT_EQ(F(*sep2), 2);
  EXPECT_EQ(ck2.save_counter().flat<int64_t>()[0], 1);

  // No root at all.
  auto v3 = FloatVar({0}), sep3 = FloatVar({0});
  Checkpoint ck3({{"v", v3.get()}, {"separate_variable", sep3.get()}}, opts());
  auto st3 = ck3.Restore(*p);
  ASSERT_OK(st3);
  EXPECT_OK(st3->AssertConsumed());
  EXPECT_EQ(F(*sep3), 2);
  EXPECT_EQ(ck3.save_counter().flat<int64_t>()[0], 1);
}

// Strings and other dtypes round-trip.
TEST_F(CheckpointTest, StringAndInt64Variables) {
  Variable s(Tensor::FromStrings(TensorShape{2}, {"hello", std::string("\0x", 2)}));
  Variable i(DType::kInt64, TensorShape{2});
  i.flat<int64_t>()[1] = -7;
  Checkpoint ck({{"s", &s}, {"i", &i}}, opts());
  auto p = ck.Write("/str/x");
  ASSERT_OK(p);
  s.strings() = {"", ""};
  i.flat<int64_t>()[1] = 0;
  ASSERT_OK(ck.Read(*p));
  EXPECT_EQ(s.strings()[1], std::string("\0x", 2));
  EXPECT_EQ(i.flat<int64_t>()[1], -7);
}

// CK-33: after restore returns, the files are closed (POSIX: they can be
// deleted and the directory removed; a pending value keeps them open).
TEST(CheckpointPosixTest, CK33_FilesClosedAfterRestore) {
  auto dir = test::TempDir::Create();
  ASSERT_OK(dir);
  auto v = FloatVar({1});
  CheckpointOptions o;
  o.sync = false;
  Checkpoint ck({{"v", v.get()}}, o);
  auto p = ck.Save(dir->Join("ckpt"));
  ASSERT_OK(p);
  auto st = ck.Restore(*p);
  ASSERT_OK(st);
  int open_fds = 0;
  for (int fd = 3; fd < 1024; ++fd) {
    char link[64], target[512];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (std::string(target).find(*p) != std::string::npos) ++open_fds;
  }
  EXPECT_EQ(open_fds, 0);
}

}  // namespace
}  // namespace ckpt
