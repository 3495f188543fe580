// Load-status assertions and unused-value warnings (CK-44..CK-55).
#include <gtest/gtest.h>

#include "ckpt/checkpoint.h"
#include "graph/graph_test_helpers.h"
#include "graph/restore_session.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::F;
using graph::testing::FloatVar;

class RestoreStatusTest : public graph::testing::MemoryCheckpointTest {
 protected:
  // Writes Checkpoint(v1=[1], v2=[2]) to /s/x.
  std::string WriteV1V2() {
    auto v1 = FloatVar({1}), v2 = FloatVar({2});
    Checkpoint ck({{"v1", v1.get()}, {"v2", v2.get()}}, opts());
    return *ck.Write("/s/x");
  }
  static bool Has(const Status& s, std::string_view text) { return s.message().find(text) != std::string::npos; }
};

// CK-49 row 1 + CK-44 (ExpectPartial chains).
TEST_F(RestoreStatusTest, CK49_ExactMatchPassesAll) {
  auto p = WriteV1V2();
  auto v1 = FloatVar({0}), v2 = FloatVar({0});
  Checkpoint ck({{"v1", v1.get()}, {"v2", v2.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
  EXPECT_EQ(&st->ExpectPartial(), &*st);
  EXPECT_OK(st->RunRestoreOps());  // CK-51
  EXPECT_FALSE(st->is_name_based());
}

// CK-49 row 2, CK-47(a), CK-54: a checkpoint value with no object yet.
TEST_F(RestoreStatusTest, CK47a_UnresolvedObjectInCheckpoint) {
  auto p = WriteV1V2();
  auto v1 = FloatVar({0});
  Checkpoint ck({{"v1", v1.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  Status c = st->AssertConsumed();
  EXPECT_EQ(c.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.message().rfind("Unresolved object in checkpoint (root).v2: ", 0), 0u) << c.message();
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
  st->ExpectPartial();
}

// CK-45, CK-49 row 3: a live variable with no checkpoint value.
TEST_F(RestoreStatusTest, CK45_LiveVariableWithoutValue) {
  auto p = WriteV1V2();
  auto v1 = FloatVar({0}), v2 = FloatVar({0}), v3 = FloatVar({0});
  Checkpoint ck({{"v1", v1.get()}, {"v2", v2.get()}, {"v3", v3.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  Status e = st->AssertExistingObjectsMatched();
  EXPECT_EQ(e.message(),
            "Found 1 Python objects that were not bound to checkpointed values, likely due to changes in the Python "
            "program. Showing 1 of 1 unmatched objects: [<Variable 'Variable:0' shape=(1,) dtype=float32>]");
  EXPECT_EQ(st->AssertConsumed().message(), e.message());
  EXPECT_OK(st->AssertNontrivialMatch());
}

TEST_F(RestoreStatusTest, CK45_ShowsAtMostTenObjects) {
  auto p = WriteV1V2();
  std::vector<std::unique_ptr<Variable>> extra;
  std::vector<std::pair<std::string, Trackable*>> roots;
  for (int i = 0; i < 12; ++i) {
    extra.push_back(FloatVar({0}));
    roots.emplace_back("x" + std::to_string(i), extra.back().get());
  }
  Checkpoint ck(roots, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  EXPECT_TRUE(Has(st->AssertExistingObjectsMatched(), "Found 12 Python objects") &&
              Has(st->AssertExistingObjectsMatched(), "Showing 10 of 12 unmatched objects"));
  st->ExpectPartial();
}

// CK-47(c), CK-49 row 4: the name matches but the object has no such attribute.
TEST_F(RestoreStatusTest, CK47c_UnusedAttributes) {
  auto p = WriteV1V2();
  Module m;
  auto v2 = FloatVar({0});
  Checkpoint ck({{"v1", &m}, {"v2", v2.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
  EXPECT_EQ(st->AssertConsumed().message(),
            "Unused attributes in these objects (the attributes exist in the checkpoint but were not restored):\n"
            "(root).v1 (Module): ['VARIABLE_VALUE']");
  st->ExpectPartial();
}

// CK-49 row 5: one saved object into two different live objects.
TEST_F(RestoreStatusTest, CK49_OneSavedObjectIntoTwoLiveObjects) {
  Module a, b;
  auto shared = FloatVar({3});
  ASSERT_OK(a.Track("w", *shared));
  ASSERT_OK(b.Track("w", *shared));
  Checkpoint ck({{"a", &a}, {"b", &b}}, opts());
  auto p = ck.Write("/o/x");
  Module a2, b2;
  auto w1 = FloatVar({0}), w2 = FloatVar({0});
  ASSERT_OK(a2.Track("w", *w1));
  ASSERT_OK(b2.Track("w", *w2));
  Checkpoint ck2({{"a", &a2}, {"b", &b2}}, opts());
  auto st = ck2.Read(*p);
  ASSERT_OK(st);
  EXPECT_EQ(F(*w1), 3);
  EXPECT_FALSE(st->AssertExistingObjectsMatched().ok());
  EXPECT_FALSE(st->AssertConsumed().ok());
  st->ExpectPartial();

  // CK-55: both paths deferred, then attached to different objects.
  Module a3, b3;
  auto w3 = FloatVar({0}), w4 = FloatVar({0});
  Checkpoint ck3({{"a", &a3}, {"b", &b3}}, opts());
  auto st3 = ck3.Read(*p);
  ASSERT_OK(st3);
  ASSERT_OK(a3.Track("w", *w3));
  ::testing::internal::CaptureStderr();
  ASSERT_OK(b3.Track("w", *w4));
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("Inconsistent references when loading the checkpoint into this object graph."),
            std::string::npos)
      << log;
  EXPECT_EQ(F(*w3), 3);
  EXPECT_EQ(F(*w4), 0);  // the first binding is kept
  st3->ExpectPartial();
}

// CK-49 row 6: two saved objects into one live object.
TEST_F(RestoreStatusTest, CK49_TwoSavedObjectsIntoOneLiveObject) {
  auto p = WriteV1V2();
  auto v = FloatVar({0});
  Checkpoint ck({{"v1", v.get()}, {"v2", v.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
}

// CK-49 row 8: empty containers on either side are ignored.
TEST_F(RestoreStatusTest, CK49_EmptyContainersIgnored) {
  auto v = FloatVar({1});
  TrackableList empty_list;
  TrackableMap empty_map;
  Checkpoint ck({{"v", v.get()}, {"l", &empty_list}}, opts());
  auto p = ck.Write("/e/x");
  Checkpoint ck2({{"v", v.get()}, {"m", &empty_map}}, opts());
  auto st = ck2.Read(*p);
  ASSERT_OK(st);
  EXPECT_OK(st->AssertConsumed());
  EXPECT_OK(st->AssertExistingObjectsMatched());
  EXPECT_OK(st->AssertNontrivialMatch());
}

// CK-48: nothing but the root matched.
TEST_F(RestoreStatusTest, CK48_NontrivialMatchMessages) {
  auto p = WriteV1V2();
  auto other = FloatVar({0});
  Checkpoint ck({{"zz", other.get()}}, opts());
  auto st = ck.Read(p);
  ASSERT_OK(st);
  EXPECT_EQ(st->AssertNontrivialMatch().message(),
            "Nothing except the root object matched a checkpointed value. Typically this means that the checkpoint "
            "does not match the Python program. The following objects have no matching checkpointed value: "
            "[<Variable 'Variable:0' shape=(1,) dtype=float32>]");
  st->ExpectPartial();
  Checkpoint empty(std::vector<std::pair<std::string, Trackable*>>{}, opts());
  auto st2 = empty.Read(p);
  ASSERT_OK(st2);
  EXPECT_EQ(st2->AssertNontrivialMatch().message(), "Nothing to load. No dependencies have been added to Checkpoint yet.");
  st2->ExpectPartial();
}

// CK-52, CK-54: the deletion warning, TF's text.
TEST_F(RestoreStatusTest, CK52_WarningOnReleaseListsUnusedValues) {
  auto p = WriteV1V2();
  Module m;
  auto v2 = FloatVar({0});
  std::string log;
  {
    Checkpoint ck({{"v1", &m}, {"v2", v2.get()}}, opts());
    auto st = ck.Read(p);
    ASSERT_OK(st);
    ::testing::internal::CaptureStderr();
  }
  log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(Has(Status(StatusCode::kUnknown, log),
                  "Detecting that an object or model or tf.train.Checkpoint is being deleted with unrestored values. "
                  "See the following logs for the specific values in question. To silence these warnings, use "
                  "`status.expect_partial()`. See https://www.tensorflow.org/api_docs/python/tf/train/"
                  "Checkpoint#restorefor details"))
      << log;
  EXPECT_NE(log.find("An attribute in the restored object could not be found in the checkpoint. Object: (root).v1, "
                     "attribute: ['VARIABLE_VALUE']"),
            std::string::npos);
  EXPECT_EQ(log.find("(root).v2"), std::string::npos);

  // An unmatched checkpoint node is listed by path.
  {
    auto v1 = FloatVar({0});
    Checkpoint ck({{"v1", v1.get()}}, opts());
    auto st = ck.Read(p);
    ::testing::internal::CaptureStderr();
  }
  log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("Value in checkpoint could not be found in the restored object: (root).v2"), std::string::npos);
}

// CK-53: silenced by ExpectPartial; nothing logged for a full match.
TEST_F(RestoreStatusTest, CK53_ExpectPartialAndFullMatchLogNothing) {
  auto p = WriteV1V2();
  {
    auto v1 = FloatVar({0});
    Checkpoint ck({{"v1", v1.get()}}, opts());
    auto st = ck.Read(p);
    st->ExpectPartial();
    ::testing::internal::CaptureStderr();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  {
    auto v1 = FloatVar({0}), v2 = FloatVar({0});
    Checkpoint ck({{"v1", v1.get()}, {"v2", v2.get()}}, opts());
    auto st = ck.Read(p);
    ::testing::internal::CaptureStderr();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// ListObjectKeys: keys with TF's pretty object paths (for `ckpt ls`).
TEST_F(RestoreStatusTest, ListObjectKeysGivesPrettyPaths) {
  auto p = WriteV1V2();
  auto r = graph::testing::OpenBundle(fs_.get(), p);
  auto keys = ListObjectKeys(*r);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key, "v1/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ((*keys)[0].object_path, "(root).v1");
  EXPECT_EQ((*keys)[0].attribute, "VARIABLE_VALUE");
}

// CK-54: pretty names of nodes, slot variables included.
TEST(PrettyNamesTest, CK54_RootChildrenAndSlots) {
  proto::TrackableObjectGraph g;
  auto* root = g.add_nodes();
  auto* c = root->add_children();
  c->set_node_id(1);
  c->set_local_name("opt");
  c = root->add_children();
  c->set_node_id(2);
  c->set_local_name("var");
  auto* opt = g.add_nodes();
  auto* s = opt->add_slot_variables();
  s->set_original_variable_node_id(2);
  s->set_slot_name("m");
  s->set_slot_variable_node_id(3);
  g.add_nodes();
  g.add_nodes();
  auto names = graph::PrettyNodeNames(g);
  EXPECT_EQ(names, (std::vector<std::string>{"(root)", "(root).opt", "(root).var",
                                             "(root).opt's state 'm' for (root).var"}));
}

}  // namespace
}  // namespace ckpt
