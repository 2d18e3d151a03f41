// http/http_api_test.cc: start, get, list, history, health, metrics and the OpenAPI endpoint
// over real HTTP on loopback.
#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

class HttpApiTest : public HttpFixture {};

TEST_F(HttpApiTest, StartCreatesThenSameRequestIs200AndOtherRequestIs409) {
  json body = {
      {"type", "seven"}, {"tenant", "client1"}, {"input", {{"site", "a"}}}, {"id", "wf-1"}};
  Reply created = Post("/v1/workflows", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("Location"), "/v1/workflows/client1:wf-1");
  EXPECT_EQ(created.json["id"], "client1:wf-1");
  EXPECT_EQ(created.json["type"], "seven");
  EXPECT_EQ(created.json["input"]["site"], "a");
  EXPECT_EQ(created.json["steps"].size(), 7u);
  EXPECT_FALSE(created.header("X-Request-Id").empty());

  Reply again = Post("/v1/workflows", body);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["id"], "client1:wf-1");
  body["id"] = "client1:wf-1";  // the full id names the same workflow
  EXPECT_EQ(Post("/v1/workflows", body).status, 200);

  body["input"]["site"] = "b";
  Reply other = Post("/v1/workflows", body);
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(other.error_code(), "conflict");
}

TEST_F(HttpApiTest, StartWithoutIdGeneratesOne) {
  Reply r = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json["id"];
  EXPECT_EQ(id.rfind("client1:wf_", 0), 0u) << id;
  EXPECT_EQ(r.header("Location"), "/v1/workflows/" + id);
}

TEST_F(HttpApiTest, StartValidatesTheRequest) {
  Reply unknown_type = Post("/v1/workflows", {{"type", "nope"}, {"tenant", "client1"}});
  EXPECT_EQ(unknown_type.status, 400);
  EXPECT_EQ(unknown_type.json["error"]["field"], "type");
  Reply bad_tenant = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "Bad_Tenant"}});
  EXPECT_EQ(bad_tenant.status, 400);
  EXPECT_EQ(bad_tenant.json["error"]["field"], "tenant");
  Reply bad_id = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}, {"id", "a b"}});
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(bad_id.json["error"]["field"], "id");
  Reply bad_input = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}, {"input", 3}});
  EXPECT_EQ(bad_input.status, 400);
  EXPECT_EQ(bad_input.json["error"]["field"], "input");
  Reply missing = Post("/v1/workflows", {{"tenant", "client1"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json["error"]["field"], "type");
}

TEST_F(HttpApiTest, GetHasETagAndIfNoneMatchGives304) {
  const std::string id = StartOver("seven");
  Reply r = Get("/v1/workflows/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  const int64_t version = r.json["version"];
  EXPECT_EQ(r.header("ETag"), "\"" + std::to_string(version) + "\"");
  for (const char* key : {"id", "type", "tenant", "status", "current_step", "steps", "input",
                          "result", "error", "created_at", "updated_at", "version"}) {
    EXPECT_TRUE(r.json.contains(key)) << key;
  }
  Reply same = Get("/v1/workflows/" + id, kOps, {{"If-None-Match", r.header("ETag")}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  RunDue();
  Reply changed = Get("/v1/workflows/" + id, kOps, {{"If-None-Match", r.header("ETag")}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_GT(changed.json["version"].get<int64_t>(), version);
  EXPECT_EQ(changed.json["status"], "completed");
}

TEST_F(HttpApiTest, GetShowsTheHeadOfTheHistoryChain) {
  const std::string id = StartOver("seven");
  RunDue();
  Reply wf = Get("/v1/workflows/" + id);
  ASSERT_EQ(wf.status, 200) << wf.body;
  Reply history = Get("/v1/workflows/" + id + "/history?limit=1000");
  ASSERT_EQ(history.status, 200) << history.body;
  const json& last = history.json["events"].back();
  EXPECT_EQ(wf.json["history"]["last_seq"], last["seq"]) << wf.body;
  EXPECT_EQ(wf.json["history"]["last_hash"], last["hash"]) << wf.body;
  EXPECT_EQ(wf.json["history"]["last_seq"].get<int64_t>(),
            static_cast<int64_t>(history.json["events"].size()));
}

TEST_F(HttpApiTest, GetOfUnknownIsNotFoundAndMalformedIdIsInvalid) {
  Reply missing = Get("/v1/workflows/wf-nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code(), "not_found");
  Reply bad = Get("/v1/workflows/a%20b");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["field"], "id");
  Reply bad_wait = Get("/v1/workflows/wf-nope?wait=61");
  EXPECT_EQ(bad_wait.status, 400);
  EXPECT_EQ(bad_wait.json["error"]["field"], "wait");
}

TEST_F(HttpApiTest, ListIsNewestFirstWithFiltersAndCursor) {
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    StartOver(i % 2 == 0 ? "seven" : "routed", i < 3 ? "client1" : "client2");
  }
  Reply all = Get("/v1/workflows");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json["workflows"].size(), 5u);
  EXPECT_TRUE(all.json["next_cursor"].is_null());
  std::vector<std::string> ids;
  for (const auto& w : all.json["workflows"]) ids.push_back(w["id"]);
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_GE(all.json["workflows"][i - 1]["created_at"].get<std::string>(),
              all.json["workflows"][i]["created_at"].get<std::string>());
  }

  Reply page1 = Get("/v1/workflows?limit=2");
  ASSERT_EQ(page1.json["workflows"].size(), 2u);
  ASSERT_TRUE(page1.json["next_cursor"].is_string());
  Reply page2 = Get("/v1/workflows?limit=2&cursor=" + page1.json["next_cursor"].get<std::string>());
  ASSERT_EQ(page2.status, 200) << page2.body;
  ASSERT_EQ(page2.json["workflows"].size(), 2u);
  EXPECT_EQ(page2.json["workflows"][0]["id"], ids[2]);

  Reply client1 = Get("/v1/workflows?tenant=client1&type=seven");
  ASSERT_EQ(client1.status, 200);
  EXPECT_EQ(client1.json["workflows"].size(), 2u);
  for (const auto& w : client1.json["workflows"]) {
    EXPECT_EQ(w["tenant"], "client1");
    EXPECT_EQ(w["type"], "seven");
  }
  RunDue();
  Reply completed = Get("/v1/workflows?status=completed");
  EXPECT_EQ(completed.json["workflows"].size(), 3u);  // the sevens; routed ones wait

  EXPECT_EQ(Get("/v1/workflows?limit=0").status, 400);
  EXPECT_EQ(Get("/v1/workflows?status=sleeping").status, 400);
  EXPECT_EQ(Get("/v1/workflows?cursor=garbage").status, 400);
  Reply unknown = Get("/v1/workflows?staus=failed");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json["error"]["field"], "staus");
}

TEST_F(HttpApiTest, ListFiltersByCreationTimeWithOtherFiltersAndCursor) {
  std::vector<std::string> created;  // created_at, one second apart
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    StartOver("seven", i < 3 ? "client1" : "client2");
    created.push_back(FormatRfc3339(clock_.NowMs()));
  }
  auto times = [](const Reply& r) {
    std::vector<std::string> out;
    for (const auto& w : r.json["workflows"]) out.push_back(w["created_at"]);
    return out;
  };
  // [created_after, created_before): the lower bound is inclusive, the upper exclusive.
  Reply window = Get("/v1/workflows?created_after=" + created[1] + "&created_before=" + created[3]);
  ASSERT_EQ(window.status, 200) << window.body;
  EXPECT_EQ(times(window), (std::vector<std::string>{created[2], created[1]}));
  Reply after = Get("/v1/workflows?created_after=" + created[3]);
  EXPECT_EQ(times(after), (std::vector<std::string>{created[4], created[3]}));
  Reply before = Get("/v1/workflows?tenant=client1&created_before=" + created[2]);
  EXPECT_EQ(times(before), (std::vector<std::string>{created[1], created[0]}));
  // With a cursor, the next page keeps the window.
  Reply page1 = Get("/v1/workflows?limit=2&created_after=" + created[1]);
  ASSERT_EQ(times(page1), (std::vector<std::string>{created[4], created[3]}));
  Reply page2 = Get("/v1/workflows?limit=2&created_after=" + created[1] + "&cursor=" +
                    page1.json["next_cursor"].get<std::string>());
  EXPECT_EQ(times(page2), (std::vector<std::string>{created[2], created[1]}));
  EXPECT_TRUE(page2.json["next_cursor"].is_null()) << page2.body;

  for (const char* bad : {"yesterday", "2026-01-01", "2026-01-01T00:00:00+02:00",
                          "2026-02-30T00:00:00Z", "1969-12-31T23:59:59Z"}) {
    Reply r = Get(std::string("/v1/workflows?created_after=") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json["error"]["field"], "created_after") << bad;
  }
  Reply bad_before = Get("/v1/workflows?created_before=soon");
  EXPECT_EQ(bad_before.status, 400);
  EXPECT_EQ(bad_before.json["error"]["field"], "created_before");
  Reply inverted = Get("/v1/workflows?created_after=" + created[3] + "&created_before=" + created[1]);
  EXPECT_EQ(inverted.status, 400);
  EXPECT_EQ(inverted.json["error"]["field"], "created_before");
}

TEST_F(HttpApiTest, ListNamesWhatAQueuedWorkflowWaitsBehind) {
  const std::string head = StartOver("deployment");
  const std::string second = StartOver("deployment");
  const std::string third = StartOver("deployment");
  Reply list = Get("/v1/workflows");
  ASSERT_EQ(list.status, 200) << list.body;
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& w : list.json["workflows"]) by_id[w["id"]] = w;
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_FALSE(by_id[head].contains("queued_behind")) << by_id[head];
  EXPECT_EQ(by_id[second]["queued_behind"], head);
  EXPECT_EQ(by_id[third]["queued_behind"], second);
  ASSERT_EQ(Post("/v1/workflows/" + second + "/cancel", nlohmann::json::object()).status, 202);
  Reply queued = Get("/v1/workflows?status=queued");
  ASSERT_EQ(queued.status, 200) << queued.body;
  bool seen = false;
  for (const auto& w : queued.json["workflows"]) {
    if (w["id"] != third) continue;
    seen = true;
    EXPECT_EQ(w["queued_behind"], head) << w;
  }
  EXPECT_TRUE(seen) << queued.body;
}

TEST_F(HttpApiTest, HistoryPagesWithAfterAndLimit) {
  const std::string id = StartOver("seven");
  RunDue();
  Reply all = Get("/v1/workflows/" + id + "/history?limit=1000");
  ASSERT_EQ(all.status, 200) << all.body;
  const json& events = all.json["events"];
  ASSERT_GT(events.size(), 7u);
  EXPECT_TRUE(all.json["next_after"].is_null());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i]["seq"], static_cast<int64_t>(i + 1));
    for (const char* key :
         {"seq", "at", "type", "step", "attempt", "actor", "data", "prev_hash", "hash"}) {
      EXPECT_TRUE(events[i].contains(key)) << key;
    }
    if (i > 0) {
      EXPECT_EQ(events[i]["prev_hash"], events[i - 1]["hash"]);
    }
  }
  EXPECT_EQ(events[0]["type"], "workflow_started");
  EXPECT_EQ(events[0]["actor"], "ops:alice");
  EXPECT_EQ(events[0]["at"].get<std::string>().back(), 'Z');

  Reply page = Get("/v1/workflows/" + id + "/history?after=2&limit=3");
  ASSERT_EQ(page.json["events"].size(), 3u);
  EXPECT_EQ(page.json["events"][0]["seq"], 3);
  EXPECT_EQ(page.json["next_after"], 5);
  EXPECT_EQ(Get("/v1/workflows/" + id + "/history?after=-1").status, 400);
  EXPECT_EQ(Get("/v1/workflows/wf-nope/history").status, 404);
}

TEST_F(HttpApiTest, AuditorReadsEverythingButChangesNothing) {
  const std::string id = StartOver("routed");
  EXPECT_EQ(Get("/v1/workflows/" + id, kAuditor).status, 200);
  EXPECT_EQ(Get("/v1/workflows/" + id + "/history", kAuditor).status, 200);
  EXPECT_EQ(Get("/v1/workflows", kAuditor).json["workflows"].size(), 1u);
  EXPECT_EQ(Get("/metrics", kAuditor).status, 200);
  Reply start = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}}, kAuditor);
  EXPECT_EQ(start.status, 403);
  EXPECT_EQ(start.error_code(), "permission_denied");
  EXPECT_EQ(Post("/v1/workflows/" + id + "/cancel", json(), kAuditor).status, 403);
  EXPECT_EQ(Post("/v1/workflows/" + id + "/resume", json(), kAuditor).status, 403);
  EXPECT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json(), kAuditor).status, 403);
}

TEST_F(HttpApiTest, HealthNeedsNoTokenAndMetricsCountWorkflowsAndRequests) {
  Reply health = Get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "ok");
  StartOver("seven");
  StartOver("seven");
  StartOver("routed");
  RunDue();
  Reply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.header("Content-Type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("slipway_workflows{type=\"seven\",status=\"completed\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("slipway_workflows{type=\"routed\",status=\"waiting\"} 1\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("slipway_recent_step_duration_seconds_count{type=\"seven\","
                              "step=\"s1\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("slipway_queued_workflows 0\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("slipway_recent_llm_cost_usd 0\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("slipway_http_requests_total{route=\"/v1/workflows\","
                              "method=\"POST\",code=\"201\"} 3\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("slipway_http_requests_total{route=\"/healthz\",method=\"GET\","
                              "code=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(Get("/metrics", "").status, 401);
  EXPECT_EQ(Get("/metrics", kClient1).status, 403);
}

TEST_F(HttpApiTest, MetricsShowHowLongTheOldestDueTaskHasWaited) {
  StartOver("seven");  // its first task is due now; nothing runs it
  EXPECT_NE(Get("/metrics").body.find("slipway_task_backlog_seconds 0\n"), std::string::npos);
  clock_.Advance(std::chrono::milliseconds(3'500));
  Reply behind = Get("/metrics");
  EXPECT_NE(behind.body.find("slipway_task_backlog_seconds 3.5\n"), std::string::npos)
      << behind.body;
  EXPECT_NE(behind.body.find("slipway_tasks_claimable 1\n"), std::string::npos) << behind.body;
  RunDue();
  Reply done = Get("/metrics");
  EXPECT_NE(done.body.find("slipway_task_backlog_seconds 0\n"), std::string::npos);
  EXPECT_NE(done.body.find("slipway_tasks_claimable 0\n"), std::string::npos) << done.body;
}

TEST_F(HttpApiTest, RequestIdIsEchoedOrGenerated) {
  Reply given = Get("/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(given.header("X-Request-Id"), "abc-123");
  Reply generated = Get("/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_NE(generated.header("X-Request-Id"), "bad id with spaces");
  EXPECT_FALSE(generated.header("X-Request-Id").empty());
}

}  // namespace
}  // namespace slipway::http::testing
