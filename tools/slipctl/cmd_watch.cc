// tools/slipctl/cmd_watch.cc: `slipctl watch ID [--wait S] [--plain]`: live progress of one
// workflow until it ends, driven by the API's long poll (GET /v1/workflows/{id}?wait=S with
// If-None-Match: the server answers as soon as the version moves, 304 after S unchanged).
//
// On a terminal the header, a progress bar and the step table (status, attempts) are redrawn
// in place on every change; otherwise (or with --plain) one summary line is printed per
// change. Exit 0 when the workflow completes, 1 when it fails or is cancelled. Transient
// errors (503, 429, timeouts) are retried with back-off, honouring Retry-After.
#include <algorithm>
#include <chrono>
#include <thread>

#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

constexpr int kMaxConsecutiveFailures = 8;

class Display {
 public:
  Display(std::ostream& out, bool redraw) : out_(out), redraw_(redraw) {}
  void Show(const json& w) {
    if (!redraw_) {
      const std::string line = WorkflowSummaryLine(w);
      if (line != last_line_) out_ << line << std::endl;
      last_line_ = line;
      return;
    }
    // Up to the first line drawn last time, then clear to the end of the screen.
    if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "F\x1b[J";
    const std::vector<std::string> lines = WorkflowLines(w);
    for (const auto& l : lines) out_ << l << "\n";
    out_.flush();
    drawn_ = static_cast<int>(lines.size());
  }

 private:
  std::ostream& out_;
  const bool redraw_;
  int drawn_ = 0;
  std::string last_line_;
};

bool Transient(const Status& s) { return s.retryable() || s.code() == Code::kResourceExhausted; }

// One long poll, retried while the failure is transient. A 304 comes back as a reply with a
// null body.
Result<ApiReply> Poll(Context& ctx, const std::string& path, const std::string& etag, int wait_s) {
  int failures = 0;
  while (true) {
    std::map<std::string, std::string> headers;
    if (!etag.empty()) headers["If-None-Match"] = etag;
    Result<ApiReply> r =
        ctx.api.Get(path + "?wait=" + std::to_string(wait_s), headers, int64_t{wait_s} * 1000);
    if (r.ok() || !Transient(r.status()) || ++failures >= kMaxConsecutiveFailures) return r;
    const int64_t backoff_ms = std::min<int64_t>(500LL << failures, 10'000);
    const int64_t sleep_ms = r.status().retry_after_ms().value_or(backoff_ms);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::clamp<int64_t>(sleep_ms, 0, 60'000)));
  }
}

}  // namespace

int RunWatch(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"wait"}, {"plain"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<int> wait_s = IntFlag(*args, "wait", 30, 1, 60);
  if (!wait_s.ok()) return Fail(ctx, wait_s.status());
  const std::string path = "/v1/workflows/" + UrlEncode(args->positional[0]);
  Result<ApiReply> r = ctx.api.Get(path);
  if (!r.ok()) return Fail(ctx, r.status());
  Display display(ctx.out, ctx.tty && !args->Has("plain"));
  json current = r->body;
  std::string etag = r->etag;
  display.Show(current);
  while (!IsFinalStatus(Cell(current, "status"))) {
    r = Poll(ctx, path, etag, *wait_s);
    if (!r.ok()) return Fail(ctx, r.status());
    if (r->status == 304 || !r->body.is_object()) continue;
    current = r->body;
    if (!r->etag.empty()) etag = r->etag;
    display.Show(current);
  }
  return Cell(current, "status") == "completed" ? kExitOk : kExitFailure;
}

}  // namespace slipway::slipctl
