// Early-return helpers for code that calls ckpt: propagate a failed Status or
// Result<T> to the caller without writing the `if (!s.ok()) return s;` each
// time.
//
//   ckpt::Status SaveModel(ckpt::Checkpoint& c) {
//     CKPT_ASSIGN_OR_RETURN(std::string path, c.Save("/train/ckpt"));
//     CKPT_RETURN_IF_ERROR(Publish(path));
//     return ckpt::OkStatus();
//   }
//
// Contract:
//   CKPT_RETURN_IF_ERROR(expr)  `expr` is a Status (or converts to one). It is
//       evaluated once; when not OK, the enclosing function returns it. The
//       function must return Status or some Result<T>.
//   CKPT_ASSIGN_OR_RETURN(lhs, expr)  `expr` is a Result<T>. It is evaluated
//       once; when it holds an error the enclosing function returns that
//       Status, otherwise its value is moved into `lhs`, which may declare a
//       variable (`auto x`, `Tensor x`) or name an existing one. It expands
//       to several statements, so it cannot be the lone body of an unbraced
//       if/else, and at most one may appear per source line.
// Both are statements; neither throws or allocates beyond what `expr` does.
// The names are prefixed so they cannot clash with another library's
// RETURN_IF_ERROR in the user's program.
#pragma once

#include <utility>

#include "ckpt/status.h"

#define CKPT_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define CKPT_STATUS_MACROS_CONCAT_(a, b) CKPT_STATUS_MACROS_CONCAT_INNER_(a, b)

#define CKPT_RETURN_IF_ERROR(expr)                                         \
  do {                                                                     \
    ::ckpt::Status ckpt_status_macros_status_ = (expr);                    \
    if (!ckpt_status_macros_status_.ok()) return ckpt_status_macros_status_; \
  } while (0)

#define CKPT_STATUS_MACROS_ASSIGN_OR_RETURN_(result, lhs, expr) \
  auto result = (expr);                                         \
  if (!result.ok()) return result.status();                     \
  lhs = std::move(result).value()

#define CKPT_ASSIGN_OR_RETURN(lhs, expr) \
  CKPT_STATUS_MACROS_ASSIGN_OR_RETURN_(CKPT_STATUS_MACROS_CONCAT_(ckpt_status_macros_result_, __LINE__), lhs, expr)
