// http/control_test.cc: cancel, resume and signal over HTTP, what history records about the
// caller, and tenant isolation.
#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

class ControlTest : public HttpFixture {
 protected:
  // A routed workflow of client1 waiting at its approval.
  std::string WaitingRouted(const std::string& tenant = "client1") {
    const std::string id = StartOver("routed", tenant);
    RunDue();
    EXPECT_EQ(Get("/v1/workflows/" + id).json["status"], "waiting");
    return id;
  }
  json LastEvent(const std::string& id, const std::string& type = "") {
    Reply h = Get("/v1/workflows/" + id + "/history?limit=1000");
    json found;
    for (const auto& e : h.json["events"]) {
      if (type.empty() || e["type"] == type) found = e;
    }
    return found;
  }
};

TEST_F(ControlTest, CancelIs202ThenFinishedIs409) {
  const std::string id = WaitingRouted();
  Reply r = Post("/v1/workflows/" + id + "/cancel", {{"reason", "customer asked"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json["status"], "cancelled");
  Reply again = Post("/v1/workflows/" + id + "/cancel", json());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "conflict");
  EXPECT_EQ(Post("/v1/workflows/wf-nope/cancel", json()).status, 404);
  Reply bad_reason = Post("/v1/workflows/" + id + "/cancel", {{"reason", 5}});
  EXPECT_EQ(bad_reason.status, 400);
  EXPECT_EQ(bad_reason.json["error"]["field"], "reason");
}

TEST_F(ControlTest, HistoryRecordsActorAddressRequestIdAndReasonOfACancel) {
  const std::string id = WaitingRouted();
  Reply r = Post("/v1/workflows/" + id + "/cancel", {{"reason", "wrong branch"}}, kOps,
                 {{"X-Request-Id", "req-cancel-1"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.header("X-Request-Id"), "req-cancel-1");
  json e = LastEvent(id);
  EXPECT_EQ(e["actor"], "ops:alice");
  EXPECT_EQ(e["data"]["address"], "127.0.0.1");
  EXPECT_EQ(e["data"]["request_id"], "req-cancel-1");
  EXPECT_EQ(e["data"]["reason"], "wrong branch");
}

TEST_F(ControlTest, ResumeOnlyAFailedWorkflow) {
  const std::string id = WaitingRouted();
  Reply not_failed = Post("/v1/workflows/" + id + "/resume", json());
  EXPECT_EQ(not_failed.status, 409);
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/reject", json()).status, 202);
  RunDue();
  ASSERT_EQ(Get("/v1/workflows/" + id).json["status"], "failed");
  Reply resumed = Post("/v1/workflows/" + id + "/resume", {{"reason", "try again"}});
  ASSERT_EQ(resumed.status, 202) << resumed.body;
  EXPECT_NE(resumed.json["status"], "failed");
  json e = LastEvent(id, "workflow_resumed");
  EXPECT_EQ(e["actor"], "ops:alice");
  EXPECT_EQ(e["data"]["reason"], "try again");
}

TEST_F(ControlTest, SignalIs202AndAnUnexpectedSignalIs409) {
  const std::string id = WaitingRouted();
  Reply unexpected = Post("/v1/workflows/" + id + "/signals/launch", json());
  EXPECT_EQ(unexpected.status, 409);
  Reply bad_name = Post("/v1/workflows/" + id + "/signals/no%20spaces", json());
  EXPECT_EQ(bad_name.status, 400);
  Reply unknown_field = Post("/v1/workflows/" + id + "/signals/approve", {{"dta", 1}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(unknown_field.json["error"]["field"], "dta");
  Reply ok =
      Post("/v1/workflows/" + id + "/signals/approve", {{"data", {{"by", "carol"}}}}, kClient1);
  ASSERT_EQ(ok.status, 202) << ok.body;
  json e = LastEvent(id, "signal_received");
  EXPECT_EQ(e["actor"], "tenant:client1:client1-editor");
  EXPECT_EQ(e["data"]["data"]["by"], "carol");
  RunDue();
  EXPECT_EQ(Get("/v1/workflows/" + id).json["status"], "completed");
}

TEST_F(ControlTest, TenantStartsOnlyItsOwnDeployments) {
  Reply own = Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client1"}}, kClient1);
  EXPECT_EQ(own.status, 201) << own.body;
  Reply other_tenant =
      Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client2"}}, kClient1);
  EXPECT_EQ(other_tenant.status, 403);
  Reply other_type = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}}, kClient1);
  EXPECT_EQ(other_type.status, 403);
  const std::string id = own.json["id"];
  Reply resume = Post("/v1/workflows/" + id + "/resume", json(), kClient1);
  EXPECT_EQ(resume.status, 403);
}

TEST_F(ControlTest, TenantCannotSeeOrTouchAnotherTenantsWorkflow) {
  const std::string mine = WaitingRouted("client1");
  const std::string theirs = WaitingRouted("client2");
  EXPECT_EQ(Get("/v1/workflows/" + mine, kClient1).status, 200);
  EXPECT_EQ(Get("/v1/workflows/" + theirs, kClient1).status, 404);
  EXPECT_EQ(Get("/v1/workflows/" + theirs + "?wait=1", kClient1).status, 404);
  EXPECT_EQ(Get("/v1/workflows/" + theirs + "/history", kClient1).status, 404);
  EXPECT_EQ(Get("/v1/workflows/" + theirs + "/stream", kClient1).status, 404);
  EXPECT_EQ(Post("/v1/workflows/" + theirs + "/cancel", json(), kClient1).status, 404);
  EXPECT_EQ(Post("/v1/workflows/" + theirs + "/signals/approve", json(), kClient1).status, 404);
  EXPECT_EQ(Get("/v1/workflows/" + theirs).json["status"], "waiting");  // untouched

  Reply list = Get("/v1/workflows", kClient1);
  ASSERT_EQ(list.json["workflows"].size(), 1u);
  EXPECT_EQ(list.json["workflows"][0]["id"], mine);
  Reply asked_other = Get("/v1/workflows?tenant=client2", kClient1);
  EXPECT_EQ(asked_other.status, 200);
  EXPECT_TRUE(asked_other.json["workflows"].empty());
  EXPECT_EQ(Post("/v1/workflows/" + mine + "/cancel", json(), kClient1).status, 202);
}

}  // namespace
}  // namespace slipway::http::testing
