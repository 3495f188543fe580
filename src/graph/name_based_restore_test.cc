// Name-based (TF1 Saver) checkpoints restored into a Checkpoint (CK-56..CK-60, FL-10).
#include "graph/name_based_restore.h"

#include <gtest/gtest.h>

#include "ckpt/checkpoint.h"
#include "graph/graph_test_helpers.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;

class NameBasedRestoreTest : public graph::testing::MemoryCheckpointTest {
 protected:
  // A TF1-style bundle: keys are variable names, no object graph.
  std::string WriteNameBased(bool with_counter) {
    BundleWriterOptions o;
    o.fs = fs_.get();
    o.sync = false;
    auto w = BundleWriter::Create("/tf1/model.ckpt-1", o);
    auto a = FloatVar({1, 2}), b = FloatVar({3}), slot = FloatVar({9});
    EXPECT_OK((*w)->Add("dense/kernel", a->view()));
    EXPECT_OK((*w)->Add("dense/bias", b->view()));
    EXPECT_OK((*w)->Add("dense/kernel/m", FloatVar({9, 8})->view()));
    if (with_counter) {
      Variable c(DType::kInt64, TensorShape{});
      c.flat<int64_t>()[0] = 4;
      EXPECT_OK((*w)->Add("save_counter", c.view()));
    }
    EXPECT_OK((*w)->Finish());
    return "/tf1/model.ckpt-1";
  }
};

// FL-10, CK-56, CK-57: no object graph -> matched by names, with the warning;
// objects created later get their values too.
TEST_F(NameBasedRestoreTest, CK56_CK57_MatchesByVariableName) {
  auto p = WriteNameBased(false);
  Module model;
  auto kernel = FloatVar({0, 0}, "dense/kernel");
  ASSERT_OK(model.Track("k", *kernel));
  SlotOptimizer opt;
  auto slot = opt.CreateSlot(*kernel, "m");
  Checkpoint ck({{"model", &model}, {"opt", &opt}}, opts());
  ::testing::internal::CaptureStderr();
  auto st = ck.Restore(p);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_OK(st);
  EXPECT_NE(log.find("Restoring a name-based tf.train.Saver checkpoint using the object-based restore API."),
            std::string::npos);
  EXPECT_TRUE(st->is_name_based());
  EXPECT_EQ(F(*kernel, 1), 2);
  EXPECT_EQ(F(**slot, 0), 9);  // slot name "dense/kernel/m"
  auto bias = FloatVar({0}, "dense/bias");
  ASSERT_OK(model.Track("b", *bias));
  EXPECT_EQ(F(*bias), 3);
  // CK-60: the Checkpoint's own save_counter is optional.
  EXPECT_OK(st->AssertConsumed());
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
}

// CK-59: a variable whose name is missing fails all three assertions alike.
TEST_F(NameBasedRestoreTest, CK59_MissingNameFailsAllAssertions) {
  auto p = WriteNameBased(false);
  auto kernel = FloatVar({0, 0}, "dense/kernel");
  auto extra = FloatVar({0}, "not_in_name_checkpoint");
  Checkpoint ck({{"k", kernel.get()}, {"x", extra.get()}}, opts());
  auto st = ck.Restore(p);
  ASSERT_OK(st);
  const std::string expected = "Some objects had attributes which were not restored: \n    " + extra->DebugString() +
                               ": ['not_in_name_checkpoint']";
  EXPECT_EQ(st->AssertConsumed().message(), expected);
  EXPECT_EQ(st->AssertExistingObjectsMatched().message(), expected);
  EXPECT_EQ(st->AssertNontrivialMatch().message(), expected);
}

// CK-60: a model variable that happens to be named save_counter is not optional.
TEST_F(NameBasedRestoreTest, CK60_ModelVariableNamedSaveCounterIsRequired) {
  auto p = WriteNameBased(false);
  auto kernel = FloatVar({0, 0}, "dense/kernel");
  Variable mine(DType::kInt64, TensorShape{}, "save_counter");
  Checkpoint ck({{"k", kernel.get()}, {"mine", &mine}}, opts());
  auto st = ck.Restore(p);
  ASSERT_OK(st);
  EXPECT_FALSE(st->AssertExistingObjectsMatched().ok());

  auto p2 = WriteNameBased(true);
  Checkpoint ck2({{"k", kernel.get()}}, opts());
  auto st2 = ck2.Restore(p2);
  ASSERT_OK(st2);
  EXPECT_EQ(ck2.save_counter().flat<int64_t>()[0], 4);
  EXPECT_OK(st2->AssertConsumed());
}

}  // namespace
}  // namespace ckpt
