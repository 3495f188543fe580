// Assertions on Status and Result<T> for the GoogleTest tests: one spelling
// for every test file.
//
//   ASSERT_OK(expr);               expr is a Status or a Result<T>; on failure
//   EXPECT_OK(expr);               prints the expression and the status
//   EXPECT_CODE(expr, StatusCode::kNotFound);
//
// gtest prints a Status or Result itself through ckpt's operator<<.
#pragma once

#include <gtest/gtest.h>

#include "ckpt/status.h"

namespace ckpt::test {

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace ckpt::test

#define EXPECT_CODE(expr, want)                                                                           \
  do {                                                                                                    \
    const ::ckpt::Status ckpt_st_ = ::ckpt::test::StatusOf(expr);                                         \
    EXPECT_EQ(::ckpt::StatusCodeName(ckpt_st_.code()), ::ckpt::StatusCodeName(want))                     \
        << #expr << " -> " << ckpt_st_.ToString();                                                        \
  } while (0)
#define ASSERT_OK(expr)                                                    \
  do {                                                                     \
    const ::ckpt::Status ckpt_st_ = ::ckpt::test::StatusOf(expr);          \
    ASSERT_TRUE(ckpt_st_.ok()) << #expr << " -> " << ckpt_st_.ToString();  \
  } while (0)
#define EXPECT_OK(expr) EXPECT_CODE(expr, ::ckpt::StatusCode::kOk)
