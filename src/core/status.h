// Status and Result<T>: how every Nimbus module reports an expected failure.
//
// No exception crosses a module boundary. A function that can fail returns a
// Status (no value) or a Result<T> (a value or a Status). Codes are
// protocol-neutral; the wire layer (src/aws) maps them to each AWS service's
// own error shape. `reason` is an optional machine-readable refinement that a
// frontend may surface (for example the throttling reason of an invoke).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <type_traits>
#include <variant>

namespace nimbus {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the request is malformed or a value is out of range
  kNotFound,            // the named resource does not exist
  kAlreadyExists,       // creating something that exists
  kConflict,            // the resource is busy or in a state that forbids the call
  kFailedPrecondition,  // a stated precondition (revision, hash) does not hold
  kResourceExhausted,   // a limit was reached: throttled, quota, concurrency
  kTooLarge,            // a payload or entity exceeds a size limit
  kUnauthenticated,     // the caller could not be identified
  kPermissionDenied,    // the caller is known but not allowed
  kUnavailable,         // try again later
  kTimeout,             // an operation ran out of time
  kInternal,            // a bug or an environment failure
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
};

inline Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
inline Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
inline Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
inline Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
inline Status FailedPrecondition(std::string msg) {
  return {Code::kFailedPrecondition, std::move(msg)};
}
inline Status ResourceExhausted(std::string msg, std::string reason = {}) {
  return {Code::kResourceExhausted, std::move(msg), std::move(reason)};
}
inline Status TooLarge(std::string msg) { return {Code::kTooLarge, std::move(msg)}; }
inline Status Unauthenticated(std::string msg, std::string reason = {}) {
  return {Code::kUnauthenticated, std::move(msg), std::move(reason)};
}
inline Status PermissionDenied(std::string msg) {
  return {Code::kPermissionDenied, std::move(msg)};
}
inline Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
inline Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
// An internal error that carries errno's text.
Status ErrnoStatus(const std::string& what, int err);

// A value of T or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // From anything T is built from (a JSON object for a Result<json::value>).
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nimbus

#define NIMBUS_CONCAT_INNER(a, b) a##b
#define NIMBUS_CONCAT(a, b) NIMBUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not ok.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::nimbus::Status nimbus_status_ = (expr); \
    if (!nimbus_status_.ok()) return nimbus_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())` declares x from F()'s value or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(NIMBUS_CONCAT(nimbus_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
