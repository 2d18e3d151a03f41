// tools/slipctl/slipctl_workflow_test.cc: the real slipctl binary against a live HttpApi:
// token new, start, get, list, cancel, resume, signal, history, errors and exit codes.
#include "engine/base/sha256.h"
#include "tools/slipctl/slipctl_test_fixture.h"

namespace slipway::slipctl::testing {
namespace {

using nlohmann::json;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SlipctlTest : public SlipctlFixture {};

TEST_F(SlipctlTest, TokenNewPrintsAFreshTokenAndAnEntryTheServerAccepts) {
  CtlRun a = RunSlipctl({"token", "new", "--role", "auditor", "--name", "carol"}, {});
  CtlRun b = RunSlipctl({"token", "new", "--role", "auditor", "--name", "carol"}, {});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(a.lines().size(), 2u);
  const std::string token = a.lines()[0];
  EXPECT_EQ(token.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(token, b.lines()[0]);
  const json entry = json::parse(a.lines()[1]);
  EXPECT_EQ(entry,
            json({{"name", "carol"}, {"role", "auditor"}, {"token_sha256", Sha256Hex(token)}}));
  auto store = http::TokenStore::FromJson(json::array({entry}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto who = store->Authenticate("Bearer " + token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->actor(), "auditor:carol");
  // The server set up from `token new` entries accepts each role's token.
  for (const std::string& t : {ops_, auditor_, client1_}) EXPECT_EQ(Ctl({"list"}, t).code, 0);
}

TEST_F(SlipctlTest, TokenNewRefusesABadRoleOrName) {
  EXPECT_EQ(RunSlipctl({"token", "new", "--role", "admin", "--name", "x"}, {}).code, 2);
  EXPECT_EQ(RunSlipctl({"token", "new", "--role", "tenant:Bad_One", "--name", "x"}, {}).code, 2);
  EXPECT_EQ(RunSlipctl({"token", "new", "--role", "ops", "--name", "a b"}, {}).code, 2);
  EXPECT_EQ(RunSlipctl({"token", "new", "--role", "ops"}, {}).code, 2);
}

TEST_F(SlipctlTest, TokenCreateListRevokeThroughTheServer) {
  CtlRun made = Ctl({"token", "create", "--role", "tenant:client9", "--name", "client9-editor"});
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string token = made.lines().at(0);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(Has(made.err, "not shown again")) << made.err;
  ASSERT_EQ(Ctl({"list"}, token).code, 0) << "the new token works at once";
  CtlRun list = Ctl({"token", "list", "--json"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_FALSE(Has(list.out, token));
  const json tokens = json::parse(list.out)["tokens"];
  ASSERT_EQ(tokens.size(), 1u);
  const std::string id = tokens[0]["id"];
  EXPECT_TRUE(Has(Ctl({"token", "list"}).out, "client9-editor"));
  EXPECT_EQ(Ctl({"token", "list"}, client1_).code, 1) << "ops only";
  CtlRun revoked = Ctl({"token", "revoke", id});
  ASSERT_EQ(revoked.code, 0) << revoked.err;
  EXPECT_TRUE(Has(revoked.out, "revoked: " + id)) << revoked.out;
  EXPECT_NE(Ctl({"list"}, token).code, 0) << "a revoked token stops at once";
  EXPECT_EQ(Ctl({"token", "create", "--role", "root", "--name", "x"}).code, 2);
}

TEST_F(SlipctlTest, StartIsIdempotentOnAClientIdAndGetShowsTheSteps) {
  CtlRun r =
      Ctl({"start", "seven", "--tenant", "client1", "--id", "wf-1", "--input", R"({"a":1})"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "created client1:wf-1 (seven, tenant client1)")) << r.out;
  r = Ctl({"start", "seven", "--tenant", "client1", "--id", "wf-1", "--input", R"({"a":1})"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(Has(r.out, "exists client1:wf-1")) << r.out;
  r = Ctl({"start", "seven", "--tenant", "client1", "--id", "wf-1", "--input", R"({"a":2})"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: conflict: ")) << r.err;

  RunDue();
  r = Ctl({"get", "client1:wf-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "status:   completed")) << r.out;
  EXPECT_TRUE(Has(r.out, "7/7")) << r.out;
  EXPECT_TRUE(Has(r.out, "s7    succeeded")) << r.out;
  r = Ctl({"get", "client1:wf-1", "--json"}, auditor_);
  ASSERT_EQ(r.code, 0) << r.err;
  json w = json::parse(r.out);
  EXPECT_EQ(w["status"], "completed");
  EXPECT_EQ(w["input"], json({{"a", 1}}));
}

TEST_F(SlipctlTest, StartReadsInputFromAFile) {
  const std::string path = dir_ + "/input.json";
  std::ofstream(path) << R"({"branch": "main"})";
  CtlRun r = Ctl(
      {"start", "seven", "--tenant", "client1", "--id", "wf-f", "--input", "@" + path, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["input"], json({{"branch", "main"}}));
  EXPECT_EQ(Ctl({"start", "seven", "--tenant", "client1", "--input", "[1]"}).code, 2);
  EXPECT_EQ(Ctl({"start", "seven", "--tenant", "client1", "--input", "@/nonexistent"}).code, 2);
}

TEST_F(SlipctlTest, ListFiltersAndFollowsTheCursorWithAll) {
  for (int i = 0; i < 5; ++i) Start("seven", "client1", json::object(), "c1-" + std::to_string(i));
  Start("seven", "client2", json::object(), "c2-0");
  CtlRun r = Ctl({"list", "--tenant", "client1", "--limit", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines().size(), 3u) << r.out;  // header + one page
  EXPECT_TRUE(Has(r.err, "--all"));
  r = Ctl({"list", "--tenant", "client1", "--limit", "2", "--all"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines().size(), 6u) << r.out;
  EXPECT_TRUE(Has(r.lines()[0], "ID") && Has(r.lines()[0], "STATUS"));
  EXPECT_TRUE(Has(r.lines()[1], "c1-4")) << r.out;  // newest first
  EXPECT_FALSE(Has(r.out, "c2-0"));
  // A tenant token lists only its own, whatever it asks for.
  r = Ctl({"list", "--all", "--json"}, client2_);
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines().size(), 1u) << r.out;
  EXPECT_EQ(json::parse(r.lines()[0])["id"], "c2-0");
  r = Ctl({"list", "--status", "failed"});
  EXPECT_EQ(r.lines().size(), 1u) << r.out;
  EXPECT_EQ(Ctl({"list", "--status", "bogus"}).code, 1);
  EXPECT_EQ(Ctl({"list", "--limit", "0"}).code, 2);
}

TEST_F(SlipctlTest, ListFiltersByCreationTime) {
  Start("seven", "client1", json::object(), "early");  // 2026-01-01T00:00:00Z (the fake clock)
  clock_.Advance(std::chrono::hours(1));
  Start("seven", "client1", json::object(), "late");
  CtlRun r = Ctl({"list", "--created-before", "2026-01-01T00:30:00Z", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines().size(), 1u) << r.out;
  EXPECT_EQ(json::parse(r.lines()[0])["id"], "early");
  r = Ctl({"list", "--created-after", "2026-01-01T01:00:00Z", "--json"});  // inclusive
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines().size(), 1u) << r.out;
  EXPECT_EQ(json::parse(r.lines()[0])["id"], "late");
  r = Ctl({"list", "--created-after", "yesterday"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "created_after")) << r.err;
}

TEST_F(SlipctlTest, CancelIsRecordedWithWhoAndWhy) {
  Start("seven", "client1", json::object(), "wf-c");
  CtlRun r = Ctl({"cancel", "wf-c", "--reason", "customer asked"}, client1_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "cancel accepted: wf-c is cancel")) << r.out;
  RunDue();
  EXPECT_EQ(Wf("wf-c").instance.status, "cancelled");
  r = Ctl({"history", "wf-c", "--jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "tenant:client1:client1-editor")) << r.out;
  EXPECT_TRUE(Has(r.out, "customer asked")) << r.out;
  r = Ctl({"cancel", "wf-c"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: conflict: ")) << r.err;
  // Another tenant's workflow does not exist for client2.
  r = Ctl({"cancel", "wf-c"}, client2_);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: not_found: ")) << r.err;
}

TEST_F(SlipctlTest, ResumeIsForOpsAndRunsTheFailedStepAgain) {
  activity_.Script("s3", {Permanent("broken build")});
  Start("seven", "client1", json::object(), "wf-r");
  RunDue();
  ASSERT_EQ(Wf("wf-r").instance.status, "failed");
  CtlRun r = Ctl({"list", "--status", "failed"});
  EXPECT_TRUE(Has(r.out, "wf-r")) << r.out;
  r = Ctl({"resume", "wf-r"}, client1_);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: permission_denied: ")) << r.err;
  r = Ctl({"resume", "wf-r", "--reason", "fixed upstream"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "resume accepted: wf-r")) << r.out;
  RunDue();
  EXPECT_EQ(Wf("wf-r").instance.status, "completed");
  EXPECT_EQ(Ctl({"resume", "wf-r"}).code, 1);  // only a failed workflow
}

TEST_F(SlipctlTest, SignalApprovesAWaitingWorkflow) {
  Start("routed", "client1", json::object(), "wf-s");
  RunDue();
  ASSERT_EQ(Wf("wf-s").instance.status, "waiting");
  CtlRun r =
      Ctl({"signal", "wf-s", "approve", "--data", R"({"by":"qa"})", "--reason", "looks good"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "signal approve accepted: wf-s")) << r.out;
  RunDue();
  EXPECT_EQ(Wf("wf-s").instance.status, "completed");
  r = Ctl({"signal", "wf-s", "approve"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Ctl({"signal", "wf-s", "approve", "--data", "{nope"}).code, 2);
  EXPECT_EQ(Ctl({"signal", "wf-s"}).code, 2);
}

TEST_F(SlipctlTest, HistoryPagesThroughEveryEvent) {
  Start("seven", "client1", json::object(), "wf-h");
  RunDue();
  const auto events = History("wf-h");
  ASSERT_GT(events.size(), 7u);
  CtlRun r = Ctl({"history", "wf-h", "--jsonl", "--page-size", "2"}, auditor_);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), events.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    json e = json::parse(lines[i]);
    EXPECT_EQ(e["seq"], events[i].seq);
    EXPECT_EQ(e["hash"], events[i].hash);
  }
  r = Ctl({"history", "wf-h"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines().size(), events.size() + 1);
  EXPECT_TRUE(Has(r.lines()[0], "SEQ") && Has(r.lines()[0], "ACTOR"));
}

TEST_F(SlipctlTest, ErrorsNameCodeAndFieldAndNeverTheToken) {
  CtlRun r = Ctl({"get", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: not_found: ")) << r.err;
  r = Ctl({"start", "seven", "--tenant", "Bad_Tenant"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: invalid_argument: ")) << r.err;
  EXPECT_TRUE(Has(r.err, "(field tenant)")) << r.err;
  r = Ctl({"get", "x"}, "not-a-real-token-123");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: unauthenticated: ")) << r.err;
  EXPECT_FALSE(Has(r.out + r.err, "not-a-real-token-123"));
  r = RunSlipctl({"--token", ops_, "--url", "http://127.0.0.1:1", "get", "x"}, {});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "error: unavailable: ")) << r.err;
  EXPECT_FALSE(Has(r.out + r.err, ops_));
  EXPECT_EQ(Ctl({"frobnicate"}).code, 2);
  EXPECT_EQ(Ctl({}).code, 2);
  EXPECT_EQ(Ctl({"get"}).code, 2);
  EXPECT_EQ(Ctl({"get", "a", "b"}).code, 2);
  EXPECT_EQ(Ctl({"get", "a", "--bogus"}).code, 2);
  EXPECT_EQ(RunSlipctl({"--url", "ftp://x", "get", "a"}, {}).code, 2);
  EXPECT_EQ(Ctl({"help"}).code, 0);
}

TEST_F(SlipctlTest, FlagsWinOverTheEnvironment) {
  Start("seven", "client1", json::object(), "wf-e");
  CtlRun r = RunSlipctl({"get", "wf-e", "--url", Url(), "--token=" + auditor_},
                        {"SLIPWAY_URL=http://127.0.0.1:1", "SLIPWAY_TOKEN=wrong"});
  EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
}  // namespace slipway::slipctl::testing
