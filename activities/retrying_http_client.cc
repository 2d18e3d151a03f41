#include "activities/retrying_http_client.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "activities/http_errors.h"

namespace slipway::activities {

namespace {

// The path of an absolute URL, without query or fragment.
std::string PathOf(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  if (start == std::string::npos) return "/";
  size_t end = url.find_first_of("?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// "/repos/{o}/{r}/git/{blobs|trees|commits}", each segment non-empty, nothing after.
bool IsGitObjectWrite(const std::string& path) {
  std::vector<std::string> seg;
  size_t i = 1;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    seg.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  // Behind a path prefix (GitHub Enterprise's /api/v3) the shape is the same at the end.
  if (seg.size() < 5) return false;
  const size_t n = seg.size();
  const std::string& kind = seg[n - 1];
  return seg[n - 5] == "repos" && !seg[n - 4].empty() && !seg[n - 3].empty() &&
         seg[n - 2] == "git" && (kind == "blobs" || kind == "trees" || kind == "commits");
}

}  // namespace

bool IsSafeToRepeat(const HttpRequest& request) {
  if (request.method == "GET" || request.method == "HEAD") return true;
  return request.method == "POST" && IsGitObjectWrite(PathOf(request.url));
}

RetryingHttpClient::RetryingHttpClient(HttpClient& inner, Clock& clock, SleepFn sleep,
                                       RetryingHttpOptions options)
    : inner_(inner), clock_(clock), sleep_(std::move(sleep)), options_(options) {
  if (!sleep_) {
    sleep_ = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  }
  rng_.seed(options_.seed != 0 ? options_.seed : std::random_device{}());
}

int64_t RetryingHttpClient::Jitter(int64_t ceiling) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(0, ceiling))(rng_);
}

std::optional<int64_t> RetryingHttpClient::WaitBefore(const Result<HttpResponse>& sent,
                                                      int repeat) {
  std::optional<int64_t> remote;
  if (!sent.ok()) {
    if (!sent.status().retryable()) return std::nullopt;  // bad URL, TLS failure, too large
  } else {
    Status st = StatusFromResponse(*sent, "", clock_.NowMs());
    if (!st.retryable()) return std::nullopt;
    remote = st.retry_after_ms();
  }
  if (remote) {
    if (*remote > options_.max_wait_ms) return std::nullopt;  // the engine's timer waits
    return *remote;
  }
  int64_t ceiling = options_.initial_backoff_ms << std::min(repeat - 1, 20);
  return Jitter(std::min(ceiling, options_.max_backoff_ms));
}

Result<HttpResponse> RetryingHttpClient::Send(const HttpRequest& request) {
  if (!IsSafeToRepeat(request)) return inner_.Send(request);
  const TimeMs start = clock_.NowMs();
  for (int sends = 1;; ++sends) {
    Result<HttpResponse> sent = inner_.Send(request);
    if (sends >= options_.max_tries) return sent;
    std::optional<int64_t> wait = WaitBefore(sent, sends);
    if (!wait) return sent;
    if (clock_.NowMs() + *wait - start > options_.max_total_ms) return sent;
    if (*wait > 0) sleep_(*wait);
    repeats_.fetch_add(1);
  }
}

}  // namespace slipway::activities
