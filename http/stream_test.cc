// http/stream_test.cc: Server-Sent Events: every history event in order with its seq as id,
// resumption after Last-Event-ID, live delivery, and the end of the stream at the end of the
// workflow.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

struct SseEvent {
  int64_t id = 0;
  std::string type;
  json data;
};

// Reads a stream to its end, calling `on_event` for each event as it arrives.
int ReadStream(uint16_t port, const std::string& path,
               const std::map<std::string, std::string>& headers,
               const std::function<void(const SseEvent&)>& on_event, std::string* content_type) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", std::string("Bearer ") + kOps);
  for (const auto& [k, v] : headers) req.set(k, v);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  if (content_type != nullptr) *content_type = resp.getContentType();
  SseEvent ev;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (ev.id > 0) on_event(ev);
      ev = SseEvent{};
    } else if (line.rfind("id: ", 0) == 0) {
      ev.id = std::stoll(line.substr(4));
    } else if (line.rfind("event: ", 0) == 0) {
      ev.type = line.substr(7);
    } else if (line.rfind("data: ", 0) == 0) {
      ev.data = json::parse(line.substr(6));
    }
  }
  return static_cast<int>(resp.getStatus());
}

class StreamTest : public HttpFixture {
 protected:
  std::vector<SseEvent> ReadAll(const std::string& id,
                                const std::map<std::string, std::string>& headers = {}) {
    std::vector<SseEvent> out;
    std::string type;
    int status = ReadStream(
        api_->port(), "/v1/workflows/" + id + "/stream", headers,
        [&](const SseEvent& e) { out.push_back(e); }, &type);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(type, "text/event-stream");
    return out;
  }
};

TEST_F(StreamTest, FinishedWorkflowStreamsEveryEventInOrderThenEnds) {
  const std::string id = StartOver("seven");
  RunDue();
  std::vector<SseEvent> events = ReadAll(id);
  Reply history = Get("/v1/workflows/" + id + "/history?limit=1000");
  ASSERT_EQ(events.size(), history.json["events"].size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].data, history.json["events"][i]);
    EXPECT_EQ(events[i].type, history.json["events"][i]["type"]);
  }
}

TEST_F(StreamTest, ResumesAfterLastEventId) {
  const std::string id = StartOver("seven");
  RunDue();
  std::vector<SseEvent> rest = ReadAll(id, {{"Last-Event-ID", "5"}});
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.front().id, 6);
  EXPECT_EQ(rest.back().id,
            Get("/v1/workflows/" + id + "/history?limit=1000").json["events"].size());
  std::vector<SseEvent> by_query;
  ReadStream(
      api_->port(), "/v1/workflows/" + id + "/stream?after=5", {},
      [&](const SseEvent& e) { by_query.push_back(e); }, nullptr);
  ASSERT_FALSE(by_query.empty());
  EXPECT_EQ(by_query.front().id, 6);
  EXPECT_EQ(Get("/v1/workflows/" + id + "/stream", kOps, {{"Last-Event-ID", "x"}}).status, 400);
}

TEST_F(StreamTest, DeliversEventsLiveUntilTheWorkflowEnds) {
  const std::string id = StartOver("routed");
  RunDue();  // waits at approval
  const int64_t waiting_seq =
      Get("/v1/workflows/" + id + "/history?limit=1000").json["events"].size();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SseEvent> events;
  const uint16_t port = api_->port();
  std::thread reader([&] {
    ReadStream(
        port, "/v1/workflows/" + id + "/stream", {},
        [&](const SseEvent& e) {
          std::lock_guard<std::mutex> lock(mu);
          events.push_back(e);
          cv.notify_all();
        },
        nullptr);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30),
                            [&] { return static_cast<int64_t>(events.size()) >= waiting_seq; }));
  }
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json()).status, 202);
  RunDue();
  reader.join();  // the stream ends by itself once the workflow is completed
  Reply history = Get("/v1/workflows/" + id + "/history?limit=1000");
  ASSERT_EQ(events.size(), history.json["events"].size());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].id, static_cast<int64_t>(i + 1));
  EXPECT_EQ(events.back().data["type"], history.json["events"].back()["type"]);
  EXPECT_EQ(Get("/v1/workflows/" + id).json["status"], "completed");
}

}  // namespace
}  // namespace slipway::http::testing
