// RETURN_IF_ERROR / ASSIGN_OR_RETURN: early return on a failed Status/Result.
#pragma once

#include "ckpt/status.h"

#define CKPT_CONCAT_INNER(a, b) a##b
#define CKPT_CONCAT(a, b) CKPT_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::ckpt::Status ckpt_status_ = (expr);            \
    if (!ckpt_status_.ok()) return ckpt_status_;     \
  } while (0)

#define CKPT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(*tmp)

// ASSIGN_OR_RETURN(auto x, MakeX());  or  ASSIGN_OR_RETURN(x, MakeX());
#define ASSIGN_OR_RETURN(lhs, expr) \
  CKPT_ASSIGN_OR_RETURN_IMPL(CKPT_CONCAT(ckpt_result_, __LINE__), lhs, expr)
