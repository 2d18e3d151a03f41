// http/long_poll_test.cc: ?wait long polls answer on the change, not at their timeout; a
// frontend-style ETag poller sees every status change in order; waiters are capped (429).
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::steady_clock;

class LongPollTest : public HttpFixture {
 protected:
  // Spins (yielding) until the server holds `n` waiting requests; false after 30 s.
  bool AwaitWaiters(int n) {
    const auto give_up = steady_clock::now() + seconds(30);
    while (api_->active_waiters() < n) {
      if (steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
};

TEST_F(LongPollTest, AnswersOnTheChangeNotAtTheTimeout) {
  const std::string id = StartOver("routed");
  RunDue();
  Reply before = Get("/v1/workflows/" + id);
  ASSERT_EQ(before.json["status"], "waiting");
  const std::string etag = before.header("ETag");
  const uint16_t port = api_->port();
  const auto asked = steady_clock::now();
  auto poll = std::async(std::launch::async, [&] {
    return Send(port, "GET", "/v1/workflows/" + id + "?wait=40", kOps, "",
                {{"If-None-Match", etag}});
  });
  ASSERT_TRUE(AwaitWaiters(1));
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json()).status, 202);
  Reply after = poll.get();
  const auto took = steady_clock::now() - asked;
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_GT(after.json["version"].get<int64_t>(), before.json["version"].get<int64_t>());
  EXPECT_NE(after.header("ETag"), etag);
  EXPECT_LT(took, seconds(20));  // half the wait: it answered on the change
}

TEST_F(LongPollTest, UnchangedAfterTheWaitIs304) {
  const std::string id = StartOver("routed");
  RunDue();
  Reply before = Get("/v1/workflows/" + id);
  Reply after =
      Get("/v1/workflows/" + id + "?wait=1", kOps, {{"If-None-Match", before.header("ETag")}});
  EXPECT_EQ(after.status, 304);
  Reply plain = Get("/v1/workflows/" + id + "?wait=1");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.json["version"], before.json["version"]);
}

// The editor's frontend: GET with If-None-Match and ?wait in a loop. The test moves the
// workflow on only after the poller has seen its current version, so every status must show.
TEST_F(LongPollTest, EtagPollerSeesEveryStatusChangeInOrder) {
  const std::string id = StartOver("routed");
  std::mutex mu;
  std::condition_variable cv;
  int64_t seen_version = 0;
  std::vector<std::string> statuses;
  const uint16_t port = api_->port();
  std::thread poller([&] {
    std::string etag;
    for (;;) {
      const std::string wait = etag.empty() ? "" : "?wait=30";
      Reply r = Send(port, "GET", "/v1/workflows/" + id + wait, kClient1, "",
                     etag.empty() ? std::map<std::string, std::string>{}
                                  : std::map<std::string, std::string>{{"If-None-Match", etag}});
      if (r.status == 304) continue;
      if (r.status != 200) break;
      etag = r.header("ETag");
      const std::string status = r.json["status"];
      std::lock_guard<std::mutex> lock(mu);
      if (statuses.empty() || statuses.back() != status) statuses.push_back(status);
      seen_version = r.json["version"];
      cv.notify_all();
      if (status == "completed" || status == "failed" || status == "cancelled") break;
    }
  });
  auto await_seen = [&](int64_t version) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, seconds(30), [&] { return seen_version >= version; });
  };
  auto version = [&] { return Get("/v1/workflows/" + id).json["version"].get<int64_t>(); };
  ASSERT_TRUE(await_seen(version()));
  RunDue();  // build, publish; waits at approval
  ASSERT_TRUE(await_seen(version()));
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json()).status, 202);
  ASSERT_TRUE(await_seen(version()));
  RunDue();  // check, done
  poller.join();
  EXPECT_EQ(statuses, (std::vector<std::string>{"running", "waiting", "running", "completed"}));
}

TEST_F(LongPollTest, WaitersBeyondTheCapGet429) {
  HttpApiOptions o;
  o.port = 0;
  o.max_waiters = 1;
  StartApi(o);
  const std::string id = StartOver("routed");
  RunDue();
  const uint16_t port = api_->port();
  auto first = std::async(std::launch::async, [&] {
    return Send(port, "GET", "/v1/workflows/" + id + "?wait=30", kOps, "", {});
  });
  ASSERT_TRUE(AwaitWaiters(1));
  Reply second = Get("/v1/workflows/" + id + "?wait=30");
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(second.error_code(), "resource_exhausted");
  EXPECT_EQ(second.header("Retry-After"), "1");
  EXPECT_EQ(Get("/v1/workflows/" + id).status, 200);  // short requests still served
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json()).status, 202);
  EXPECT_EQ(first.get().status, 200);
}

TEST_F(LongPollTest, StopEndsWaitingRequestsPromptly) {
  const std::string id = StartOver("routed");
  RunDue();
  const uint16_t port = api_->port();
  auto waiting = std::async(std::launch::async, [&] {
    return Send(port, "GET", "/v1/workflows/" + id + "?wait=60", kOps, "", {});
  });
  ASSERT_TRUE(AwaitWaiters(1));
  const auto asked = steady_clock::now();
  api_->Stop();
  EXPECT_LT(steady_clock::now() - asked, seconds(30));
  EXPECT_EQ(waiting.get().status, 200);  // answered with the unchanged workflow
}

}  // namespace
}  // namespace slipway::http::testing
