// tests/crash/waiting_worker.cc: an engine process whose workflow waits on Vercel, for the
// waiting crash test (waiting_crash_test.cc).
//
//   waiting_worker DB VERCEL_URL OWNER
// Runs the "vercel" workflow (the seven-step test table): s1 creates a Vercel project, s2 makes
// a staged production deployment and waits until it is READY with the very code `deploy` uses
// (workflows::LookAtDeployment: NotDoneYet looks, no worker held), s3-s7 succeed at once.
// Runs until killed.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "activities/curl_http_client.h"
#include "activities/vercel_client.h"
#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "workflows/activities/deploy_activity.h"

namespace {

using namespace slipway;
using nlohmann::json;

class VercelStepActivity : public engine::Activity {
 public:
  explicit VercelStepActivity(const workflows::WorkflowDeps& deps) : deps_(deps) {}
  Result<json> Run(const engine::ActivityCall& call) override {
    if (call.step == "s1") {
      Result<activities::VercelProject> p = deps_.vercel->CreateProject({call.tenant});
      if (!p.ok()) return p.status();
      return json{{"project_id", p->id}};
    }
    if (call.step != "s2") return json{{"passed", true}};
    activities::DeploymentSpec spec;
    spec.project = call.outputs["s1"].value("project_id", "");
    spec.target = "production";
    spec.staged = true;
    spec.git_org = "acme";
    spec.git_repo = call.tenant;
    spec.git_ref = "main";
    Result<activities::VercelDeployment> d = workflows::LookAtDeployment(deps_, call, spec);
    if (!d.ok()) return d.status();
    if (!d->Terminal()) return workflows::DeploymentNotReady(deps_, call, *d);
    return json{{"deployment_id", d->id}, {"ready_state", d->ready_state}};
  }

 private:
  const workflows::WorkflowDeps& deps_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: waiting_worker DB VERCEL_URL OWNER\n";
    return 2;
  }
  Failpoints failpoints;
  auto store = storage::SqliteStore::Open({argv[1]}, failpoints);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  activities::CurlHttpClient http;
  activities::VercelConfig vc;
  vc.api_url = argv[2];
  vc.token = "vercel-crash-test-token";
  activities::VercelClient vercel(http, vc);
  workflows::WorkflowDeps deps;
  deps.vercel = &vercel;
  deps.options.deploy_poll_interval_ms = 200;
  VercelStepActivity activity(deps);
  SystemClock clock;
  engine::EngineOptions options;
  options.owner = argv[3];
  options.lease_ms = 1000;
  options.group_commit = true;
  engine::Engine engine(**store, clock, failpoints, options);
  engine.RegisterActivity("vercel_step", activity);
  engine::RetryPolicy retry;
  retry.initial_interval_ms = 50;
  retry.max_interval_ms = 200;
  retry.max_attempts = 0;
  retry.attempt_timeout_ms = 60'000;
  if (!engine.RegisterType(engine::testing::SevenStepType("vercel", "vercel_step", retry)).ok()) {
    return 1;
  }
  engine::Scheduler scheduler(engine, {2, 20, 5000});
  scheduler.Start();
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}
