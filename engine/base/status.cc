#include "engine/base/status.h"

namespace slipway {

namespace {
struct CodeNamePair {
  Code code;
  const char* name;
};
constexpr CodeNamePair kNames[] = {
    {Code::kOk, "ok"},
    {Code::kNotFound, "not_found"},
    {Code::kAlreadyExists, "already_exists"},
    {Code::kInvalidArgument, "invalid_argument"},
    {Code::kConflict, "conflict"},
    {Code::kUnavailable, "unavailable"},
    {Code::kPermanent, "permanent"},
    {Code::kCancelled, "cancelled"},
    {Code::kCorruption, "corruption"},
    {Code::kInternal, "internal"},
    {Code::kDeadlineExceeded, "deadline_exceeded"},
    {Code::kFailedPrecondition, "failed_precondition"},
    {Code::kResourceExhausted, "resource_exhausted"},
    {Code::kPermissionDenied, "permission_denied"},
    {Code::kUnauthenticated, "unauthenticated"},
};
}  // namespace

const char* CodeName(Code code) {
  for (const auto& p : kNames) {
    if (p.code == code) return p.name;
  }
  return "internal";
}

Code CodeFromName(const std::string& name) {
  for (const auto& p : kNames) {
    if (name == p.name) return p.code;
  }
  return Code::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = std::string(CodeName(code_)) + ": " + message_;
  if (!field_.empty()) s += " (field " + field_ + ")";
  if (retry_after_ms_) s += " (retry after " + std::to_string(*retry_after_ms_) + " ms)";
  return s;
}

}  // namespace slipway
