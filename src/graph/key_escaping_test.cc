#include "graph/key_escaping.h"

#include <gtest/gtest.h>

namespace ckpt::graph {
namespace {

// FL-07: TF's examples of local-name escaping.
TEST(KeyEscapingTest, FL07_EscapesSlashAndDot) {
  EXPECT_EQ(EscapeLocalName("a/b/c"), "a.Sb.Sc");
  EXPECT_EQ(EscapeLocalName("c/"), "c.S");
  EXPECT_EQ(EscapeLocalName("d/.S"), "d.S..S");
  EXPECT_EQ(EscapeLocalName("d/.ATTRIBUTES/f"), "d.S..ATTRIBUTES.Sf");
  EXPECT_EQ(EscapeLocalName(".ATTRIBUTES"), "..ATTRIBUTES");
  EXPECT_EQ(EscapeLocalName("a.b/c"), "a..b.Sc");
  EXPECT_EQ(EscapeLocalName("plain"), "plain");
}

// FL-06, FL-09: attribute keys; the root's path is empty.
TEST(KeyEscapingTest, FL06_FL09_AttributeKeys) {
  EXPECT_EQ(AttributeKey("v", "VARIABLE_VALUE"), "v/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(AttributeKey(JoinObjectPath("leaf", "v"), "VARIABLE_VALUE"), "leaf/v/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(AttributeKey("", "v1"), "/.ATTRIBUTES/v1");
  EXPECT_EQ(JoinObjectPath("", "x"), "x");
}

// FL-11: slot variable paths.
TEST(KeyEscapingTest, FL11_SlotVariablePath) {
  EXPECT_EQ(AttributeKey(SlotVariablePath("var", "optimizer", "m"), "VARIABLE_VALUE"),
            "var/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(SlotVariablePath("model/dense/kernel", "optimizer", "a/b"),
            "model/dense/kernel/.OPTIMIZER_SLOT/optimizer/a.Sb");
}

}  // namespace
}  // namespace ckpt::graph
