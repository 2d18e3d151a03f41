// engine/base/status.h: Status and Result<T>, the error values that cross our modules.
//
// A fallible function returns Status, or Result<T> when it also yields a value. Each code tells
// the caller what to do next (see STYLE.md). Messages never carry secrets or raw remote bodies.
// Both types are cheap to copy and [[nodiscard]].
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace slipway {

enum class Code {
  kOk,
  kNotFound,         // no such thing
  kAlreadyExists,    // creating something that exists
  kInvalidArgument,  // bad input; field() names it
  kConflict,         // stale version or lost lease: reload, then retry
  kUnavailable,      // transient: retry, after retry_after_ms when set
  kPermanent,        // retrying will not help
  kCancelled,        // cancellation was asked for
  kCorruption,       // stored data broke an invariant
  kInternal,         // a bug or an unexpected library failure
  kDeadlineExceeded, // a timeout: retryable like kUnavailable
  kFailedPrecondition, // the target is in the wrong state for this call (e.g. resume a running workflow)
  kResourceExhausted,  // a size or rate cap was hit
  kPermissionDenied,   // caller may not do this
  kUnauthenticated,    // caller is not known
};

// Stable snake_case name of a code, used in JSON and logs.
const char* CodeName(Code code);
// Inverse of CodeName; unknown names give kInternal.
Code CodeFromName(const std::string& name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  // Milliseconds the remote side asked us to wait before retrying (Retry-After), if any.
  std::optional<int64_t> retry_after_ms() const { return retry_after_ms_; }
  Status& WithRetryAfter(int64_t ms) { retry_after_ms_ = ms; return *this; }
  // Structured details for whoever shows the error (e.g. the parsed build errors), as JSON
  // text; empty when none. The engine copies them into the step's and the workflow's error
  // object as `details` (redacted like the rest of the history). Like messages, they never
  // carry secrets or raw remote bodies. Kept as text so this header needs no JSON library.
  const std::string& details() const { return details_; }
  Status& WithDetails(std::string json_text) & {
    details_ = std::move(json_text);
    return *this;
  }
  Status&& WithDetails(std::string json_text) && {
    details_ = std::move(json_text);
    return std::move(*this);
  }
  // True for codes that a retry may cure.
  bool retryable() const {
    return code_ == Code::kUnavailable || code_ == Code::kDeadlineExceeded;
  }
  std::string ToString() const;
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::optional<int64_t> retry_after_ms_;
  std::string details_;
};

inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status InvalidArgument(std::string field, std::string m) {
  return {Code::kInvalidArgument, std::move(m), std::move(field)};
}
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status Permanent(std::string m) { return {Code::kPermanent, std::move(m)}; }
inline Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
inline Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }

// Result<T>: a T or a non-ok Status. Our stand-in for std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) Die("Result built from an ok Status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { Check(); return std::get<T>(v_); }
  const T& value() const& { Check(); return std::get<T>(v_); }
  T&& value() && { Check(); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!ok()) Die("Result::value() on error: " + std::get<Status>(v_).ToString());
  }
  [[noreturn]] static void Die(const std::string& why) {
    std::cerr << "slipway: fatal: " << why << std::endl;
    std::abort();
  }
  std::variant<T, Status> v_;
};

// A check that stays on in release builds: a broken invariant is a bug, and crashing beats
// committing a wrong state (recovery on restart is our best-tested path).
#define SLIPWAY_CHECK(cond)                                                              \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::cerr << "slipway: check failed: " #cond " at " << __FILE__ << ":" << __LINE__ \
                << std::endl;                                                            \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#define SLIPWAY_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::slipway::Status _st = (expr);            \
    if (!_st.ok()) return _st;                 \
  } while (0)

}  // namespace slipway
