// activities/retrying_http_client.h: repeats the calls that are safe to repeat, inside one
// activity attempt, so that one flaky answer does not fail a whole step of several calls.
//
// RetryingHttpClient wraps another HttpClient (CurlHttpClient). A request is repeated only when
// IsSafeToRepeat(request): GET and HEAD, and GitHub's content-addressed git data writes
// (POST /repos/{o}/{r}/git/blobs|trees|commits: the same body names the same object, and a
// repeat changes nothing anyone sees). Every other call is sent once: creating a deployment,
// moving a branch or sending a message is repeated only by the engine's next attempt, whose
// activity looks before it acts.
//
// Repeated: no answer (kUnavailable, kDeadlineExceeded) and the answers StatusFromResponse calls
// retryable (408, 429, 5xx, GitHub rate limits, x-should-retry: true). The wait before a repeat
// is the remote's (Retry-After, or a spent window's reset) when it is at most max_wait_ms,
// otherwise the last answer goes back to the caller at once: the engine then waits on a durable
// timer instead of a thread. Without a remote wait: full jitter, a uniform wait in
// [0, min(max_backoff_ms, initial_backoff_ms * 2^(n-1))]. Bounded: at most max_tries sends, and
// no wait that would end more than max_total_ms after the first send.
//
// Thread-safe if the inner client is. Time comes from the injected Clock and waits go through
// the injected sleep function (tests advance a FakeClock; nothing sleeps).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

#include "activities/http_client.h"
#include "engine/base/clock.h"

namespace slipway::activities {

struct RetryingHttpOptions {
  int max_tries = 4;                 // sends of one request, the first included
  int64_t initial_backoff_ms = 200;  // ceiling of the first jittered wait; doubles per repeat
  int64_t max_backoff_ms = 2'000;
  int64_t max_wait_ms = 5'000;    // a longer remote wait is left to the engine's timer
  int64_t max_total_ms = 15'000;  // from the first send to the end of the last wait
  uint64_t seed = 0;              // 0: from std::random_device
};

// True for GET, HEAD and POST .../repos/{o}/{r}/git/blobs|trees|commits (see above).
bool IsSafeToRepeat(const HttpRequest& request);

class RetryingHttpClient final : public HttpClient {
 public:
  using SleepFn = std::function<void(int64_t ms)>;
  // inner and clock must outlive this. sleep nullptr: std::this_thread::sleep_for.
  RetryingHttpClient(HttpClient& inner, Clock& clock, SleepFn sleep = nullptr,
                     RetryingHttpOptions options = {});

  Result<HttpResponse> Send(const HttpRequest& request) override;
  // Repeats made so far (sends after a failed one), for tests and metrics.
  int64_t repeats() const { return repeats_.load(); }

 private:
  // The wait before repeating after `sent`, or nullopt when it must not be repeated.
  std::optional<int64_t> WaitBefore(const Result<HttpResponse>& sent, int repeat);
  int64_t Jitter(int64_t ceiling);

  HttpClient& inner_;
  Clock& clock_;
  SleepFn sleep_;
  const RetryingHttpOptions options_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
  std::atomic<int64_t> repeats_{0};
};

}  // namespace slipway::activities
