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
      Post("/v1/workflows/" + id + "/signals/approve", {{"data", {{"by", "carol"}}}}, kApprover);
  ASSERT_EQ(ok.status, 202) << ok.body;
  json e = LastEvent(id, "signal_received");
  EXPECT_EQ(e["actor"], "approver:carol");
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
  EXPECT_EQ(Post("/v1/workflows/" + theirs + "/signals/launch", json(), kClient1).status, 404);
  EXPECT_EQ(Post("/v1/workflows/" + theirs + "/signals/approve", json(), kClient1).status, 403);
  EXPECT_EQ(Get("/v1/workflows/" + theirs).json["status"], "waiting");  // untouched

  Reply list = Get("/v1/workflows", kClient1);
  ASSERT_EQ(list.json["workflows"].size(), 1u);
  EXPECT_EQ(list.json["workflows"][0]["id"], mine);
  Reply asked_other = Get("/v1/workflows?tenant=client2", kClient1);
  EXPECT_EQ(asked_other.status, 200);
  EXPECT_TRUE(asked_other.json["workflows"].empty());
  EXPECT_EQ(Post("/v1/workflows/" + mine + "/cancel", json(), kClient1).status, 202);
}

TEST_F(ControlTest, ATenantCannotApproveOrRejectItsOwnDeployment) {
  const std::string id = WaitingRouted("client1");
  for (const char* signal : {"approve", "reject"}) {
    Reply r = Post("/v1/workflows/" + id + "/signals/" + signal, json(), kClient1);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.error_code(), "permission_denied");
    EXPECT_EQ(r.json["error"]["field"], "name");
  }
  EXPECT_EQ(Get("/v1/workflows/" + id).json["status"], "waiting");
  EXPECT_TRUE(LastEvent(id, "signal_received").is_null());  // nothing reached the engine
  ASSERT_EQ(Post("/v1/workflows/" + id + "/signals/approve", json(), kOps).status, 202);
  EXPECT_EQ(LastEvent(id, "signal_received")["actor"], "ops:alice");
}

TEST_F(ControlTest, AnApproverReadsAndDecidesForEveryTenantAndDoesNothingElse) {
  const std::string one = WaitingRouted("client1");
  const std::string two = WaitingRouted("client2");
  EXPECT_EQ(Get("/v1/workflows/" + two, kApprover).status, 200);
  EXPECT_EQ(Get("/v1/workflows/" + two + "/history", kApprover).status, 200);
  EXPECT_EQ(Get("/v1/workflows", kApprover).json["workflows"].size(), 2u);
  EXPECT_EQ(Post("/v1/workflows/" + one + "/signals/launch", json(), kApprover).status, 403);
  EXPECT_EQ(Post("/v1/workflows/" + one + "/cancel", json(), kApprover).status, 403);
  json start = {{"type", "deployment"}, {"tenant", "client1"}};
  EXPECT_EQ(Post("/v1/workflows", start, kApprover).status, 403);
  EXPECT_EQ(Get("/metrics", kApprover).status, 403);
  ASSERT_EQ(Post("/v1/workflows/" + one + "/signals/approve", json(), kApprover).status, 202);
  ASSERT_EQ(Post("/v1/workflows/" + two + "/signals/reject", json(), kApprover).status, 202);
  RunDue();
  EXPECT_EQ(Get("/v1/workflows/" + one).json["status"], "completed");
  EXPECT_EQ(Get("/v1/workflows/" + two).json["status"], "failed");
}

TEST_F(ControlTest, TenantTokensMayNotSetTheApprovalPolicyOrAParent) {
  for (const char* key : {"require_approval", "approval_timeout_s", "parent_id"}) {
    json value = std::string(key) == "require_approval" ? json(false)
                 : std::string(key) == "parent_id"      ? json("ops:tu-1")
                                                        : json(1);
    Reply r = Post("/v1/workflows",
                   {{"type", "deployment"}, {"tenant", "client1"}, {"input", {{key, value}}}},
                   kClient1);
    EXPECT_EQ(r.status, 403) << key << " " << r.body;
    EXPECT_EQ(r.json["error"]["field"], key);
  }
  EXPECT_TRUE(Get("/v1/workflows", kOps).json["workflows"].empty());
  Reply ops = Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client1"},
                                     {"input", {{"require_approval", true}}}});
  EXPECT_EQ(ops.status, 201) << ops.body;
}

TEST_F(ControlTest, ClientIdsAreScopedByTenantSoTheyNeverCollide) {
  json start = {{"type", "deployment"}, {"tenant", "client1"}, {"id", "site-1"}};
  Reply one = Post("/v1/workflows", start, kClient1);
  ASSERT_EQ(one.status, 201) << one.body;
  EXPECT_EQ(one.json["id"], "client1:site-1");
  EXPECT_EQ(one.header("Location"), "/v1/workflows/client1:site-1");
  start["tenant"] = "client2";
  start["input"] = {{"other", "request"}};  // would have been a 409 in a global namespace
  Reply two = Post("/v1/workflows", start, kClient2);
  ASSERT_EQ(two.status, 201) << two.body;
  EXPECT_EQ(two.json["id"], "client2:site-1");
  EXPECT_EQ(Get("/v1/workflows/client2:site-1", kClient2).json["tenant"], "client2");
  EXPECT_EQ(Get("/v1/workflows/client1:site-1", kClient2).status, 404);
  // Naming another tenant's namespace is bad input, whether that id exists or not.
  for (const char* forged : {"client1:site-1", "client1:nothing-here", "client1:site-1.client2",
                             "client2:client1:site-1", "x:y"}) {
    start["id"] = forged;
    Reply r = Post("/v1/workflows", start, kClient2);
    EXPECT_EQ(r.status, 400) << forged << " " << r.body;
    EXPECT_EQ(r.json["error"]["field"], "id") << forged;
    Reply as_ops = Post("/v1/workflows", start, kOps);
    EXPECT_EQ(as_ops.status, 400) << forged << " " << as_ops.body;
  }
  start["id"] = "client2:site-1";
  EXPECT_EQ(Post("/v1/workflows", start, kClient2).status, 200);  // its own full id
  EXPECT_EQ(Get("/v1/workflows", kOps).json["workflows"].size(), 2u);
}

}  // namespace
}  // namespace slipway::http::testing
