// workflows/testing/workflow_fixture.cc: the workflow test fixture (see the header).
#include "workflows/testing/workflow_fixture.h"

#include <unistd.h>

#include <random>

#include "engine/transition.h"
#include "workflows/activities/deploy_activity.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows::testing {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr const char* kToken = "ghp_workflowTestToken0123456789abcdef";

engine::RetryPolicy Fast(int attempts) {
  engine::RetryPolicy p;
  p.initial_interval_ms = 1000;
  p.backoff_coefficient = 2.0;
  p.max_interval_ms = 8000;
  p.max_attempts = attempts;
  p.attempt_timeout_ms = 0;
  p.jitter = false;
  return p;
}
}  // namespace

WorkflowOptions WorkflowFixture::TestOptions() const {
  WorkflowOptions o;
  o.deploy_poll_interval_ms = 5;
  o.deploy_poll_max_interval_ms = 5;
  o.domain_recheck_ms = 30'000;
  o.domain_deadline_ms = 3600'000;
  o.fanout_poll_ms = 5000;
  o.verify_connect_origin = emu_->base_url();
  o.retry.github = o.retry.vercel = o.retry.llm = o.retry.verify = o.retry.local = Fast(10);
  o.retry.build = Fast(3);
  o.retry.deploy = Fast(3);
  return o;
}

std::string WorkflowFixture::TemplateDir() const {
  return std::string(SLIPWAY_WORKFLOWS_TESTDATA) + "/fast_site";
}

void WorkflowFixture::SetUp() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() /
         ("slipway_wf_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  fs::create_directories(dir_);
  emulator::EmulatorOptions eo;
  eo.data_dir = (dir_ / "emu").string();
  eo.template_dir = TemplateDir();
  eo.template_repo = "tmpl/site";
  eo.github_token = eo.vercel_token = eo.anthropic_key = kToken;
  eo.smtp_port = 0;
  eo.deploy_delay_ms = emu_deploy_delay_ms_;
  auto started = emulator::Emulator::Start(eo);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  emu_ = std::move(*started);
  http_ = std::make_unique<activities::CurlHttpClient>();
  config_.github.api_url = config_.vercel.api_url = config_.anthropic.api_url = emu_->base_url();
  config_.github.token = config_.vercel.token = config_.anthropic.api_key = kToken;
  config_.github.owner = "acme";
  config_.github.template_owner = "tmpl";
  config_.github.template_repo = "site";
  config_.base_domain = "sites.test";
  api_http_ = std::make_unique<activities::RetryingHttpClient>(*http_, real_clock_,
                                                               [](int64_t) {});
  github_ = std::make_unique<activities::GitHubClient>(*api_http_, config_.github);
  activities::GitHubConfig tc = config_.github;
  tc.owner = tc.template_owner;
  template_github_ = std::make_unique<activities::GitHubClient>(*api_http_, tc);
  vercel_ = std::make_unique<activities::VercelClient>(*api_http_, config_.vercel);
  anthropic_ = std::make_unique<activities::AnthropicClient>(*api_http_, config_.anthropic);
  activities::AutofixOptions autofix;
  if (llm_limits_) {
    llm_budget_ = std::make_unique<activities::LlmBudget>(*llm_limits_, &clock_);
    autofix.budget = llm_budget_.get();
  }
  autofixer_ = std::make_unique<activities::Autofixer>(*github_, *anthropic_, autofix);
  runner_ = std::make_unique<activities::build::PosixProcessRunner>(real_clock_);
  cache_ = std::make_unique<activities::build::InMemoryBuildCache>();
  activities::build::ValidatorOptions vo;
  vo.work_dir = dir_.string();
  if (sandbox_builds_) {
    vo.sandbox = activities::build::SandboxOptions{};
    vo.sandbox->npm_cache_dir = "/tmp/slipway-test-npm-cache";
  }
  validator_ = std::make_unique<activities::build::BuildValidator>(*runner_, *cache_, vo);
  activities::VerifyOptions verify;
  verify.lighthouse.enabled = false;  // Chromium is not part of the unit tests
  verify.crawl_budget_ms = 10'000;
  verifier_ = std::make_unique<activities::Verifier>(*http_, real_clock_, *runner_, verify);
  activities::SmtpConfig smtp;
  smtp.host = "127.0.0.1";
  smtp.port = emu_->smtp_port();
  notifier_ = std::make_unique<activities::Notifier>(smtp);
  auto s = storage::SqliteStore::Open({(dir_ / "slipway.db").string()}, failpoints_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
  options_ = TestOptions();
  MakeEngine();
}

void WorkflowFixture::TearDown() {
  engine_.reset();
  registry_.reset();
  store_.reset();
  if (http_) http_->CloseIdleConnections();
  emu_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void WorkflowFixture::MakeEngine() {
  engine_.reset();
  registry_.reset();
  engine::EngineOptions o;
  o.owner = "wf-test";
  o.seed = 7;
  o.lease_ms = lease_ms_;
  engine_ = std::make_unique<engine::Engine>(*store_, clock_, failpoints_, o);
  WorkflowDeps deps;
  deps.config = config_;
  deps.github = github_.get();
  deps.template_github = template_github_.get();
  deps.vercel = vercel_.get();
  deps.anthropic = anthropic_.get();
  deps.autofixer = autofixer_.get();
  deps.validator = validator_.get();
  deps.runner = runner_.get();
  deps.verifier = use_verifier_ ? verifier_.get() : nullptr;
  deps.notifier = notifier_.get();
  deps.clock = &clock_;
  deps.options = options_;
  registry_ = std::make_unique<Registry>(deps);
  Status st = registry_->RegisterAll(*engine_);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

void WorkflowFixture::MakeTenant(const std::string& tenant) {
  auto repo = github_->CreateRepoFromTemplate({tenant, "site of " + tenant, true});
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  activities::ProjectSpec ps;
  ps.name = tenant;
  ps.git_repo = repo->full_name;
  ps.ignored_build_command = kReleaseBuildsOnly;  // as onboarding makes it
  auto prod = vercel_->CreateProject(ps);
  ASSERT_TRUE(prod.ok()) << prod.status().ToString();
  TenantRecord r;
  r.tenant = tenant;
  r.repo_id = repo->id;
  r.repo = repo->name;
  r.repo_full_name = repo->full_name;
  r.branch = options_.default_branch;
  r.default_branch = repo->default_branch;
  r.prod_project_id = prod->id;
  r.prod_project_name = prod->name;
  ASSERT_TRUE(registry_->tenants().Create(r).ok());
}

void WorkflowFixture::HumanCommit(const std::string& tenant, const std::string& path,
                                  const std::string& content) {
  // On the branch that deploys; before the first deployment cut it, on the default branch.
  std::string branch = github_->GetBranchHead(tenant, options_.default_branch).ok()
                           ? options_.default_branch
                           : "";
  auto r = github_->PutFile({tenant, path, branch, content, "human edit of " + path, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

void WorkflowFixture::HumanCommitTo(const std::string& tenant, const std::string& branch,
                                    const std::string& path, const std::string& content) {
  auto r = github_->PutFile({tenant, path, branch, content, "human edit of " + path, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

void WorkflowFixture::SeedError(const std::string& tenant, const std::string& kind) {
  if (kind == "fixable") {  // in a template file
    HumanCommit(tenant, "src/site.ts",
                "export interface Site {\n  siteName: string;\n}\n\n"
                "export const pageCount: number = \"3\";\n\n"
                "export function title(site: Site): string {\n"
                "  return `${site.siteName} (${pageCount} pages)`;\n}\n");
  } else {  // in a file of the tenant's own, which template updates leave alone
    HumanCommit(tenant, "src/custom.ts",
                "import { sitemap } from \"./sitemap\";\nexport const custom = sitemap;\n");
  }
}

void WorkflowFixture::VerifyDomainAtEmulator(const std::string& domain) {
  activities::HttpRequest req;
  req.method = "POST";
  req.url = emu_->base_url() + "/_admin/domains/" + domain + "/verify";
  auto resp = http_->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  ASSERT_LT(resp->status, 300) << resp->body;
}

engine::Workflow WorkflowFixture::Start(const std::string& type, const std::string& tenant,
                                        json input, const std::string& id) {
  auto w = engine_->Start({type, tenant, std::move(input), id}, engine::Caller{"tenant:" + tenant});
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? *w : engine::Workflow{};
}

engine::Workflow WorkflowFixture::Get(const std::string& id) {
  auto w = engine_->Get(id);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? *w : engine::Workflow{};
}

engine::Workflow WorkflowFixture::RunUntilSettled(const std::string& id, int max_rounds,
                                                  int64_t step_ms) {
  engine::Workflow w;
  for (int i = 0; i < max_rounds; ++i) {
    auto n = engine_->RunDueWork();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    w = Get(id);
    const std::string& st = w.instance.status;
    if (engine::status::IsFinal(st) || st == engine::status::kWaiting) return w;
    clock_.Advance(std::chrono::milliseconds(step_ms));
  }
  return w;
}

void WorkflowFixture::RunAll(const std::vector<std::string>& ids, int max_rounds, int64_t step_ms,
                             bool waiting_settles) {
  for (int i = 0; i < max_rounds; ++i) {
    auto n = engine_->RunDueWork();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    bool busy = false;
    for (const auto& id : ids) {
      const std::string st = Get(id).instance.status;
      busy = busy || !(engine::status::IsFinal(st) ||
                       (waiting_settles && st == engine::status::kWaiting));
    }
    if (!busy) return;
    clock_.Advance(std::chrono::milliseconds(step_ms));
  }
}

std::vector<std::string> WorkflowFixture::EventTypes(const std::string& id) {
  std::vector<std::string> out;
  auto h = engine_->History(id, 0, 0);
  EXPECT_TRUE(h.ok());
  if (!h.ok()) return out;
  for (const auto& e : *h) out.push_back(e.type + (e.step.empty() ? "" : ":" + e.step));
  return out;
}

json WorkflowFixture::LastOutput(const std::string& id, const std::string& step) {
  json out;
  auto h = engine_->History(id, 0, 0);
  EXPECT_TRUE(h.ok());
  if (!h.ok()) return out;
  for (const auto& e : *h) {
    if (e.type == "step_succeeded" && e.step == step) out = json::parse(e.data_json)["output"];
  }
  return out;
}

json WorkflowFixture::StepOf(const engine::Workflow& w, const std::string& name) {
  for (const auto& s : w.steps) {
    if (s["name"] == name) return s;
  }
  return nullptr;
}

json WorkflowFixture::ResultOf(const engine::Workflow& w) {
  return json::parse(w.instance.result_json.empty() ? "null" : w.instance.result_json);
}

json WorkflowFixture::ErrorOf(const engine::Workflow& w) {
  return json::parse(w.instance.error_json.empty() ? "null" : w.instance.error_json);
}

int WorkflowFixture::EmuCount(const std::string& effect, const std::string& subject) {
  return emu_->log().Count(effect, subject);
}

void WorkflowFixture::Faults(const std::string& json) {
  ASSERT_TRUE(emu_->faults().Configure(json).ok());
}

}  // namespace slipway::workflows::testing
