// Status and Result<T>: how every fallible ckpt call reports failure.
//
// ckpt never throws from its core. A call either succeeds (Status::ok()) or
// returns a Status carrying one of TensorFlow's canonical error codes and a
// message that names what went wrong (the file, the key, the byte range).
// The codes are the numbers TensorFlow uses (tensorflow/core/protobuf/
// error_codes.proto), so a Python layer can map them onto the exception
// classes TF users already catch (tf.errors.NotFoundError, ...).
//
// Thread-safety: Status and Result are values; copies are independent.
// Misuse (the value of an error Result) aborts; nothing here throws.
#pragma once

#include <cassert>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "ckpt/export.h"

namespace ckpt {

// TensorFlow's canonical error codes, same numbers.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "NOT_FOUND", "DATA_LOSS", ... (TensorFlow's spelling of the code).
CKPT_EXPORT std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] CKPT_EXPORT Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "DATA_LOSS: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  // Used once per layer boundary (path at the I/O layer, key at the format layer).
  Status WithContext(std::string_view context) const;

  // Explicitly drop a status the caller has decided not to care about.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
CKPT_EXPORT Status CancelledError(std::string message);
CKPT_EXPORT Status UnknownError(std::string message);
CKPT_EXPORT Status InvalidArgumentError(std::string message);
CKPT_EXPORT Status NotFoundError(std::string message);
CKPT_EXPORT Status AlreadyExistsError(std::string message);
CKPT_EXPORT Status PermissionDeniedError(std::string message);
CKPT_EXPORT Status ResourceExhaustedError(std::string message);
CKPT_EXPORT Status FailedPreconditionError(std::string message);
CKPT_EXPORT Status AbortedError(std::string message);
CKPT_EXPORT Status OutOfRangeError(std::string message);
CKPT_EXPORT Status UnimplementedError(std::string message);
CKPT_EXPORT Status InternalError(std::string message);
CKPT_EXPORT Status UnavailableError(std::string message);
CKPT_EXPORT Status DataLossError(std::string message);

// "DATA_LOSS: <message>" or "OK" (Status::ToString), for logs and test output.
CKPT_EXPORT std::ostream& operator<<(std::ostream& os, const Status& status);

namespace internal {
// Prints "ckpt: value of a Result holding an error: <status>" to stderr and
// aborts. What Result::value() does on an error instead of throwing.
[[noreturn]] CKPT_EXPORT void DieOnErrorResult(const Status& status);
}  // namespace internal

// Result<T> holds either a T or a non-OK Status.
//   Result<Tensor> r = reader->Read("w");
//   if (!r.ok()) return r.status();
//   Tensor t = *std::move(r);
//
// Asking an error Result for its value (value(), *, ->) is a programming
// error: the process prints the status to stderr and aborts (ckpt never
// throws). Check ok() first, or use value_or() or CKPT_ASSIGN_OR_RETURN
// (ckpt/status_macros.h).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get_if<Status>(&v_)->ok() && "Result built from an OK status");
    if (std::get_if<Status>(&v_)->ok()) v_ = Status(StatusCode::kInternal, "Result built from OK status");
  }

  bool ok() const { return v_.index() == 1; }
  // OK when a value is held, else the error.
  Status status() const { return ok() ? Status() : *std::get_if<Status>(&v_); }

  // The value; aborts with the status printed when there is none.
  T& value() & { return *ValueOrDie(); }
  const T& value() const& { return *ValueOrDie(); }
  T&& value() && { return std::move(*ValueOrDie()); }

  // The value, or `fallback` (converted to T) when this holds an error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *std::get_if<T>(&v_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U>
  T value_or(U&& fallback) && {
    return ok() ? std::move(*std::get_if<T>(&v_)) : static_cast<T>(std::forward<U>(fallback));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  T* ValueOrDie() {
    if (!ok()) internal::DieOnErrorResult(*std::get_if<Status>(&v_));
    return std::get_if<T>(&v_);
  }
  const T* ValueOrDie() const {
    if (!ok()) internal::DieOnErrorResult(*std::get_if<Status>(&v_));
    return std::get_if<T>(&v_);
  }

  std::variant<Status, T> v_;
};

// Prints the status of an error Result; for a value, the value when T can be
// printed with <<, otherwise "OK".
template <typename T>
std::ostream& operator<<(std::ostream& os, const Result<T>& result) {
  if (!result.ok()) return os << result.status();
  if constexpr (requires { os << *result; }) {
    return os << *result;
  } else {
    return os << "OK";
  }
}

}  // namespace ckpt
