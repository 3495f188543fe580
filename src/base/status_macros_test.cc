// The public early-return macros: each evaluates its argument once, returns
// the error unchanged, and on success leaves the value in the named variable.
#include "ckpt/status_macros.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

Status FailIf(bool fail, int* calls) {
  ++*calls;
  return fail ? NotFoundError("no such thing") : OkStatus();
}

Result<std::string> NameIf(bool fail, int* calls) {
  ++*calls;
  if (fail) return DataLossError("torn");
  return std::string("w");
}

Status ReturnIfError(bool fail, int* calls, bool* reached_end) {
  CKPT_RETURN_IF_ERROR(FailIf(fail, calls));
  *reached_end = true;
  return OkStatus();
}

Result<std::string> AssignOrReturn(bool fail, int* calls) {
  CKPT_ASSIGN_OR_RETURN(std::string name, NameIf(fail, calls));
  std::string existing;
  CKPT_ASSIGN_OR_RETURN(existing, NameIf(false, calls));  // assigns to a declared variable
  return name + existing;
}

Result<std::unique_ptr<int>> MoveOnly() { return std::make_unique<int>(7); }

Result<int> TakesMoveOnly() {
  CKPT_ASSIGN_OR_RETURN(auto p, MoveOnly());
  CKPT_RETURN_IF_ERROR(OkStatus());  // in a function returning Result<T>
  return *p;
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsTheErrorOnceEvaluated) {
  int calls = 0;
  bool reached = false;
  Status s = ReturnIfError(true, &calls, &reached);
  EXPECT_EQ(s, NotFoundError("no such thing"));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(reached);

  calls = 0;
  EXPECT_OK(ReturnIfError(false, &calls, &reached));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(reached);
}

TEST(StatusMacrosTest, AssignOrReturnDeclaresOrAssigns) {
  int calls = 0;
  Result<std::string> r = AssignOrReturn(false, &calls);
  ASSERT_OK(r);
  EXPECT_EQ(*r, "ww");
  EXPECT_EQ(calls, 2);

  calls = 0;
  r = AssignOrReturn(true, &calls);
  EXPECT_EQ(r.status(), DataLossError("torn"));
  EXPECT_EQ(calls, 1);
}

TEST(StatusMacrosTest, AssignOrReturnMovesMoveOnlyValues) {
  Result<int> r = TakesMoveOnly();
  ASSERT_OK(r);
  EXPECT_EQ(*r, 7);
}

}  // namespace
}  // namespace ckpt
