// workflows/template_update_test.cc: the template update fan-out over deployment children:
// bounded parallelism, failures isolated and reported, children found again on a re-run.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <cstdio>

#include "engine/scheduler.h"
#include "engine/transition.h"
#include "workflows/activities/fanout_activity.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class TemplateUpdateTest : public WorkflowFixture {
 protected:
  // Runs due work while moving the clock by the Vercel poll interval only: deploy and
  // promote look at Vercel on durable timers (NotDoneYet), while retries (1 s and more) and
  // the fan-out's next look (5 s) are not due yet.
  void RunLooks(int rounds = 20) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(engine_->RunDueWork().ok());
      clock_.Advance(std::chrono::milliseconds(options_.deploy_poll_interval_ms));
    }
  }
  void ChangeTemplate() {
    auto r = template_github_->PutFile({"site", "src/footer.ts", "",
                                        "export const footer: string = \"made with slipway\";\n",
                                        "Add a footer", {}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static std::string Tenant(int i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "t%02d", i);
    return buf;
  }
  // The most children of `parent` that were ever active at the same time (from their
  // creation and end times).
  int MaxOverlap(const json& outcomes) {
    std::vector<std::pair<int64_t, int64_t>> spans;
    for (const auto& o : outcomes) {
      auto w = Get(o["id"]);
      spans.emplace_back(w.instance.created_at_ms, w.instance.updated_at_ms);
    }
    int best = 0;
    for (const auto& s : spans) {
      int n = 0;
      for (const auto& t : spans) n += t.first <= s.first && s.first <= t.second;
      best = std::max(best, n);
    }
    return best;
  }
  int MaxActiveReported(const std::string& parent) {
    int best = 0;
    auto history = engine_->History(parent, 0, 0);
    for (const auto& e : *history) {
      if (e.type == "step_succeeded" && e.step == "fanout") {
        best = std::max(best, json::parse(e.data_json)["output"]["active"].get<int>());
      }
    }
    return best;
  }
};

TEST_F(TemplateUpdateTest, FleetOfTwentyTenantsFourAtATimeTwoUnfixable) {
  for (int i = 1; i <= 20; ++i) MakeTenant(Tenant(i));
  SeedError("t05", "unfixable");
  SeedError("t13", "unfixable");
  ChangeTemplate();
  json in = {{"template_ref", "main"}, {"tenants", "all"}, {"max_parallel", 4}};
  auto w = Start("template_update", "ops", in, "tu-1");
  RunAll({"tu-1"}, 4000, 1000, false);
  w = Get("tu-1");
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  json r = ResultOf(w);
  EXPECT_EQ(r["deployed"], 18);
  EXPECT_EQ(r["failed"], 2);
  ASSERT_EQ(r["tenants"].size(), 20u);
  for (const auto& o : r["tenants"]) {
    const std::string t = o["tenant"];
    EXPECT_EQ(o["id"], t + ":tu-1");
    if (t == "t05" || t == "t13") {
      EXPECT_EQ(o["status"], "failed") << t;
      EXPECT_NE(o["error"].get<std::string>().find("TS2307"), std::string::npos) << o;
    } else {
      EXPECT_EQ(o["status"], "completed") << t << " " << o;
      EXPECT_FALSE(o["deployment_id"].get<std::string>().empty());
      auto f = github_->GetFile(t, "src/footer.ts", "production");
      ASSERT_TRUE(f.ok() && f->has_value()) << t;
      EXPECT_EQ(EmuCount("commit", "acme/" + t), 1) << t;  // the footer, once
    }
  }
  EXPECT_LE(MaxOverlap(r["tenants"]), 4);
  EXPECT_EQ(MaxActiveReported("tu-1"), 4);
  EXPECT_EQ(EmuCount("deployment_created"), 18);

  // The same request again finds the finished update (and its children): nothing new happens.
  auto again = engine_->Start({"template_update", "ops", in, "tu-1"}, engine::Caller{"ops:bob"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(EmuCount("deployment_created"), 18);
}

TEST_F(TemplateUpdateTest, AnUnknownTenantFailsAloneAndARerunOfTheFanoutStartsNothingTwice) {
  MakeTenant("t01");
  MakeTenant("t02");
  ChangeTemplate();
  json in = {{"template_ref", "main"}, {"tenants", {"t01", "ghost", "t02"}}, {"max_parallel", 1}};
  Start("template_update", "ops", in, "tu-2");
  RunAll({"tu-2"}, 2000, 1000, false);
  auto w = Get("tu-2");
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  json r = ResultOf(w);
  EXPECT_EQ(r["deployed"], 2);
  EXPECT_EQ(r["failed"], 1);
  EXPECT_EQ(r["tenants"][1]["tenant"], "ghost");
  EXPECT_NE(r["tenants"][1]["error"].get<std::string>().find("not onboarded"), std::string::npos);
  EXPECT_EQ(MaxActiveReported("tu-2"), 1);

  // A fan-out attempt repeated after the children exist (as after a crash) only reads them.
  FanoutActivity fanout(*engine_);
  engine::ActivityCall call;
  call.workflow_id = "tu-2";
  call.step = "fanout";
  call.input = in;
  call.outputs = {{"plan", {{"tenants", {"t01", "ghost", "t02"}}}}};
  auto out = fanout.Run(call);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE((*out)["done"].get<bool>());
  EXPECT_EQ(EmuCount("deployment_created"), 2);
}

// The same fan-out run by the real Scheduler: children run on worker threads at the same time,
// and a sampler watching the store never sees more than max_parallel of them active.
TEST_F(TemplateUpdateTest, FleetUnderTheSchedulerNeverExceedsMaxParallel) {
  for (int i = 1; i <= 8; ++i) MakeTenant(Tenant(i));
  ChangeTemplate();
  // Fake time runs fast below; leases must not expire under a running build.
  // TODO(workflows): with the default 30 s lease (expiring mid-activity here) the engine
  // segfaulted in StepRunner::RunActivity (reported to the engine owner).
  lease_ms_ = 24LL * 3600 * 1000;
  MakeEngine();
  Start("template_update", "ops", {{"template_ref", "main"}, {"max_parallel", 3}}, "tu-s");
  engine::SchedulerOptions so;
  so.workers = 6;
  so.poll_ms = 10;
  engine::Scheduler scheduler(*engine_, so);
  scheduler.Start();
  std::atomic<bool> stop{false};
  std::thread ticker([&] {  // fake time runs fast: the parent's 5 s waits pass in ~50 ms
    while (!stop) {
      clock_.Advance(std::chrono::milliseconds(1000));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  int max_active = 0;
  for (int i = 0; i < 60'000 && !engine::status::IsFinal(Get("tu-s").instance.status); ++i) {
    storage::ListQuery q;
    q.type = "deployment";
    q.limit = 100;
    auto page = engine_->List(q);
    ASSERT_TRUE(page.ok());
    int active = 0;
    for (const auto& inst : page->instances) active += !engine::status::IsFinal(inst.status);
    max_active = std::max(max_active, active);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  ticker.join();
  scheduler.Stop();
  auto w = Get("tu-s");
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(ResultOf(w)["deployed"], 8);
  EXPECT_LE(max_active, 3);
  EXPECT_GE(max_active, 2) << "the children never ran side by side";
  EXPECT_EQ(EmuCount("deployment_created"), 8);
}

TEST_F(TemplateUpdateTest, CancellingTheParentCancelsItsRunningAndQueuedChildren) {
  MakeTenant("t1");
  MakeTenant("t2");
  ChangeTemplate();
  // t2 has a deployment of its own awaiting approval: its child will queue behind it.
  json own = {{"website_data", SiteData("own")}, {"require_approval", true}};
  auto t2_own = RunUntilSettled(Start("deployment", "t2", own).instance.id);
  ASSERT_EQ(t2_own.instance.state, "approval");
  // Vercel answers 503 to creating a deployment: t1's child waits for the deploy retry.
  Faults(R"({"rules": [{"method": "POST", "path": "/v13/deployments", "status": 503}]})");
  Start("template_update", "ops", {{"template_ref", "main"}, {"tenants", {"t1", "t2"}},
                                   {"max_parallel", 2}}, "tu");
  RunLooks();  // no retry is due yet
  auto c1 = Get("t1:tu");
  ASSERT_EQ(c1.instance.status, st::kRunning);
  ASSERT_EQ(StepOf(c1, "deploy")["status"], "retrying");
  ASSERT_EQ(Get("t2:tu").instance.status, st::kQueued);
  ASSERT_EQ(Get("tu").instance.status, st::kWaiting);
  const int deployments = EmuCount("deployment_created");

  ASSERT_TRUE(engine_->Cancel("tu", engine::Caller{"ops:alice"}).ok());
  EXPECT_EQ(Get("tu").instance.status, st::kCancelled);
  clock_.Advance(std::chrono::seconds(2));  // t1's deploy retry is due: it ends instead
  ASSERT_TRUE(engine_->RunDueWork().ok());
  c1 = Get("t1:tu");
  EXPECT_EQ(c1.instance.status, st::kCancelled);
  EXPECT_EQ(EmuCount("deployment_created"), deployments);  // no new deployment attempt

  emu_->faults().Clear();
  ASSERT_TRUE(engine_->Signal(t2_own.instance.id, "approve", json::object(),
                              engine::Caller{"tenant:t2"}).ok());
  RunAll({t2_own.instance.id, "t2:tu"});
  EXPECT_EQ(Get(t2_own.instance.id).instance.status, st::kCompleted);
  auto c2 = Get("t2:tu");
  EXPECT_EQ(c2.instance.status, st::kCancelled);  // admitted, then cancelled before `save`
  EXPECT_EQ(EmuCount("commit", "acme/t2"), 1);    // its own save; no template commit
  for (const std::string id : {"t1:tu", "t2:tu"}) {
    std::string reason, actor;
    auto history = engine_->History(id, 0, 0);
    ASSERT_TRUE(history.ok());
    for (const auto& e : *history) {
      if (e.type != "cancel_requested") continue;
      reason = json::parse(e.data_json).value("reason", "");
      actor = e.actor;
    }
    EXPECT_EQ(reason, "parent tu cancelled") << id;
    EXPECT_EQ(actor, "workflow:tu") << id;
  }
}

TEST_F(TemplateUpdateTest, ChildWhoseNewReleaseIsLiveFinishesVerifyingAfterTheParentIsCancelled) {
  MakeTenant("t1");
  ChangeTemplate();
  Start("template_update", "ops", {{"template_ref", "main"}, {"tenants", {"t1"}}}, "tu");
  // Stop the child between deploy and verify: verify fails once (a 503 on the site), retries.
  Faults(R"({"rules": [{"path": "/", "status": 503, "times": 1}]})");
  RunLooks();
  auto c = Get("t1:tu");
  ASSERT_EQ(StepOf(c, "deploy")["status"], "succeeded") << c.ToJson();
  ASSERT_EQ(StepOf(c, "verify")["status"], "retrying") << c.ToJson();
  ASSERT_TRUE(engine_->Cancel("tu", engine::Caller{"ops:alice"}).ok());
  RunAll({"t1:tu"});
  EXPECT_EQ(Get("t1:tu").instance.status, st::kCompleted);
}

TEST_F(TemplateUpdateTest, AWorkflowSquattingOnAChildIdIsThatTenantsFailureOnly) {
  MakeTenant("t1");
  MakeTenant("t2");
  ChangeTemplate();
  // t1 starts a deployment of its own under the id the update will give its child ("t1:tu":
  // the parent's id here is bare; a client could send it as "tu").
  auto squat = RunUntilSettled(
      Start("deployment", "t1", {{"website_data", SiteData("mine")}}, "t1:tu").instance.id);
  ASSERT_EQ(squat.instance.status, st::kCompleted);
  // It cannot do the same in another tenant's namespace.
  auto forged = engine_->Start({"deployment", "t1", json::object(), "t2:tu"},
                               engine::Caller{"tenant:t1"});
  EXPECT_EQ(forged.status().field(), "id");

  Start("template_update", "ops", {{"template_ref", "main"}, {"tenants", {"t1", "t2"}}}, "tu");
  RunAll({"tu"}, 2000, 1000, false);
  auto w = Get("tu");
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  json outcomes = ResultOf(w)["tenants"];
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0]["tenant"], "t1");
  EXPECT_EQ(outcomes[0]["status"], st::kFailed);
  EXPECT_NE(outcomes[0]["error"].get<std::string>().find("not a deployment started by tu"),
            std::string::npos) << outcomes[0];
  EXPECT_EQ(outcomes[1]["status"], st::kCompleted) << outcomes[1];
  EXPECT_EQ(ResultOf(w)["deployed"], 1);
  EXPECT_EQ(ResultOf(w)["failed"], 1);
  EXPECT_EQ(EmuCount("commit", "acme/t1"), 1);  // its own save only: no template commit
  EXPECT_EQ(Get("t1:tu").instance.updated_at_ms, squat.instance.updated_at_ms);  // untouched
}

// A binary file in the template (a PNG favicon: 0x89 "PNG" ..., not UTF-8) used to make the
// commit's dump() throw. It now goes as a base64 blob and lands byte for byte.
TEST_F(TemplateUpdateTest, BinaryTemplateFileLandsByteForByte) {
  MakeTenant("t1");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  for (int i = 0; i < 256; ++i) png += static_cast<char>(255 - i);
  auto put = template_github_->PutFile({"site", "public/favicon.png", "", png, "Add a favicon", {}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  Start("template_update", "ops", {{"template_ref", "main"}, {"tenants", {"t1"}}}, "tu");
  RunAll({"tu"}, 4000, 1000, false);
  auto child = Get("t1:tu");
  ASSERT_EQ(child.instance.status, st::kCompleted) << child.ToJson();
  EXPECT_EQ(StepOf(child, "save")["status"], "succeeded");
  auto file = github_->GetFile("t1", "public/favicon.png", options_.default_branch);
  ASSERT_TRUE(file.ok() && file->has_value()) << file.status().ToString();
  EXPECT_EQ((*file)->content, png);
  EXPECT_EQ(Get("tu").instance.status, st::kCompleted);
}

TEST_F(TemplateUpdateTest, InputIsValidated) {
  auto bad = [&](json in) {
    return engine_->Start({"template_update", "ops", in, ""}, engine::Caller{"ops:bob"}).status();
  };
  EXPECT_EQ(bad({{"tenants", "all"}}).field(), "template_ref");
  EXPECT_EQ(bad({{"template_ref", "main"}, {"tenants", "some"}}).field(), "tenants");
  EXPECT_EQ(bad({{"template_ref", "main"}, {"tenants", {"Bad!"}}}).field(), "tenants");
  EXPECT_EQ(bad({{"template_ref", "main"}, {"tenants", {"a", "a"}}}).field(), "tenants");
  EXPECT_EQ(bad({{"template_ref", "main"}, {"max_parallel", 0}}).field(), "max_parallel");
}

}  // namespace
}  // namespace slipway::workflows::testing
