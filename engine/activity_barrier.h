// engine/activity_barrier.h: the one place where an exception thrown by an activity stops.
//
// Activities call libraries that throw (nlohmann::json's type_error on bytes that are not
// UTF-8, std::bad_alloc, a std::out_of_range from a parser) on input that a tenant, a remote
// service or a model controls. None of that may end the process: RunBehindBarrier turns any
// exception into a failed attempt, kInternal (which the retry policy retries like any
// failure), whose message names the exception's what(), cut to kMaxThrownMessageBytes on a
// UTF-8 code-point boundary, with invalid UTF-8 replaced and credentials redacted.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "engine/base/failpoints.h"

namespace slipway::engine {

inline constexpr size_t kMaxThrownMessageBytes = 512;

// activity.Run(call), or the failure its exception becomes. Never throws.
// The failpoint "activity.throw", armed with `error`, makes the call throw a
// std::runtime_error inside the barrier instead of running the activity, so that a test (or
// SLIPWAY_FAILPOINTS in a real slipwayd) can prove the barrier from outside.
Result<nlohmann::json> RunBehindBarrier(Activity& activity, const ActivityCall& call,
                                        Failpoints& failpoints) noexcept;

// The Status a caught exception becomes: "activity threw: <what>", bounded, valid UTF-8,
// redacted.
Status ThrownStatus(const char* what) noexcept;

// `text` as valid UTF-8 of at most `max_bytes`: each byte that does not start a valid sequence
// becomes U+FFFD, and the text ends before the first sequence that would not fit whole.
std::string CutUtf8(const std::string& text, size_t max_bytes);

}  // namespace slipway::engine
