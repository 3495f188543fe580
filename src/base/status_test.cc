// Status and Result<T>: printing, value_or, and the abort (not an exception)
// when the value of an error Result is asked for.
#include "ckpt/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

template <typename T>
std::string Printed(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

TEST(StatusTest, PrintsCodeAndMessage) {
  EXPECT_EQ(Printed(OkStatus()), "OK");
  EXPECT_EQ(Printed(DataLossError("m.index: truncated")), "DATA_LOSS: m.index: truncated");
  EXPECT_EQ(Printed(NotFoundError("Key w not found in checkpoint").WithContext("/d/m")),
            "NOT_FOUND: /d/m: Key w not found in checkpoint");
}

TEST(ResultTest, PrintsTheValueOrTheError) {
  EXPECT_EQ(Printed(Result<int>(42)), "42");
  EXPECT_EQ(Printed(Result<std::string>(std::string("ckpt-1"))), "ckpt-1");
  EXPECT_EQ(Printed(Result<int>(InvalidArgumentError("bad"))), "INVALID_ARGUMENT: bad");
  // A value type without operator<< prints as OK.
  EXPECT_EQ(Printed(Result<std::vector<int>>(std::vector<int>{1, 2})), "OK");
  EXPECT_EQ(Printed(Result<std::vector<int>>(NotFoundError("gone"))), "NOT_FOUND: gone");
}

TEST(ResultTest, ValueOrGivesTheValueOrTheFallback) {
  Result<int> ok = 7;
  Result<int> err = NotFoundError("gone");
  EXPECT_EQ(ok.value_or(-1), 7);
  EXPECT_EQ(err.value_or(-1), -1);

  Result<std::string> s = std::string("ckpt-3");
  EXPECT_EQ(s.value_or("none"), "ckpt-3");  // fallback converted to T
  EXPECT_EQ(Result<std::string>(AbortedError("x")).value_or("none"), "none");

  // On an rvalue the value is moved out, so move-only types work.
  Result<std::unique_ptr<int>> p = std::make_unique<int>(5);
  std::unique_ptr<int> got = std::move(p).value_or(nullptr);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, 5);
  EXPECT_EQ(Result<std::unique_ptr<int>>(DataLossError("x")).value_or(nullptr), nullptr);
}

TEST(ResultTest, StatusOfAValueIsOk) {
  Result<int> r = 1;
  EXPECT_OK(r);
  EXPECT_OK(r.status());
  Result<int> e = CancelledError("stop");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status(), CancelledError("stop"));
}

class ResultDeathTest : public ::testing::Test {
 protected:
  // The test binary runs threads (async writers) in other tests; re-exec
  // instead of forking a multi-threaded process.
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ResultDeathTest, ValueOfAnErrorAbortsWithTheStatus) {
  Result<int> r = NotFoundError("Key w not found in checkpoint");
  EXPECT_DEATH((void)r.value(), "value of a Result holding an error: NOT_FOUND: Key w not found in checkpoint");
  const Result<int>& cr = r;
  EXPECT_DEATH((void)cr.value(), "NOT_FOUND: Key w");
  EXPECT_DEATH((void)std::move(r).value(), "NOT_FOUND: Key w");
}

TEST_F(ResultDeathTest, DereferencingAnErrorAborts) {
  Result<std::string> r = DataLossError("torn write");
  EXPECT_DEATH((void)*r, "DATA_LOSS: torn write");
  EXPECT_DEATH((void)r->size(), "DATA_LOSS: torn write");
  EXPECT_DEATH((void)*Result<std::string>(DataLossError("rvalue")), "DATA_LOSS: rvalue");
}

}  // namespace
}  // namespace ckpt
