#include "tools/slipwayd/server.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <thread>

#include "activities/anthropic_client.h"
#include "activities/autofix.h"
#include "activities/build/build_validator.h"
#include "activities/build/process_runner.h"
#include "activities/curl_http_client.h"
#include "activities/github_client.h"
#include "activities/notify.h"
#include "activities/retrying_http_client.h"
#include "activities/vercel_client.h"
#include "activities/verify.h"
#include "engine/engine.h"
#include "engine/scheduler.h"
#include "http/api_tokens.h"
#include "http/auth.h"
#include "http/handlers.h"
#include "http/http_api.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "tools/slipwayd/log.h"
#include "workflows/build_results.h"
#include "workflows/registry.h"
#include "workflows/webhook_secrets.h"

namespace slipway::server {

// Declared in the order they are built; destroyed in reverse (HTTP first, store last).
struct ServerParts {
  SystemClock clock;
  Failpoints failpoints;
  std::unique_ptr<storage::Store> store;  // SqliteStore, or PgStore for SLIPWAY_DB=postgresql://
  std::unique_ptr<activities::CurlHttpClient> http_client;
  std::unique_ptr<activities::RetryingHttpClient> api_client;  // repeats safe calls
  std::unique_ptr<activities::GitHubClient> github, template_github;
  std::unique_ptr<activities::VercelClient> vercel;
  std::unique_ptr<activities::AnthropicClient> anthropic;
  std::unique_ptr<activities::LlmBudget> llm_budget;
  std::unique_ptr<activities::Autofixer> autofixer;
  std::unique_ptr<activities::build::PosixProcessRunner> runner;
  std::unique_ptr<workflows::StoreBuildCache> build_cache;  // results in the store: every node's
  std::unique_ptr<activities::build::BuildValidator> validator;
  std::unique_ptr<activities::Verifier> verifier;
  std::unique_ptr<activities::Notifier> notifier;
  std::unique_ptr<http::ApiTokens> minted_tokens;  // onboarding's editor tokens
  std::unique_ptr<workflows::Registry> registry;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<engine::Scheduler> scheduler;
  std::unique_ptr<http::TokenStore> tokens;
  std::unique_ptr<http::HttpApi> api;
};

namespace {

constexpr const char* kWebhookPath = "/v1/webhooks/github";

// The receiver's view of a tenant (http/http_api.h), from the workflows' records.
http::WebhookTenantLookup WebhookTenants(storage::Store& store,
                                         const workflows::WorkflowOptions& options) {
  return [&store, options](const std::string& full_name) -> Result<http::WebhookTenant> {
    Result<workflows::WebhookTarget> t = workflows::FindWebhookTarget(store, options, full_name);
    if (!t.ok()) return t.status();
    return http::WebhookTenant{t->tenant, t->secret, t->editor_branch};
  };
}

// The fleet's LLM spend today, from the usage every workflow created since 00:00 UTC records
// (failed ones included): the budgets' view of what other nodes and earlier processes spent.
activities::SpendLoader StoredLlmSpend(ServerParts& p) {
  return [&p](TimeMs day_start_ms) -> Result<activities::LlmSpend> {
    if (p.engine == nullptr) return Unavailable("the engine is not running yet");
    constexpr size_t kMaxWorkflows = 100'000;
    Result<nlohmann::json> stats =
        http::StatsOver(*p.engine, day_start_ms, p.clock.NowMs() + 1, kMaxWorkflows);
    if (!stats.ok()) return stats.status();
    activities::LlmSpend spend;
    spend.total = (*stats)["llm"].value("cost_usd", 0.0);
    for (const auto& [tenant, usage] : (*stats)["llm"]["by_tenant"].items()) {
      spend.by_tenant[tenant] = usage.value("cost_usd", 0.0);
    }
    return spend;
  };
}

// The node and npm versions builds run with: part of the build cache's key, so that a new
// toolchain builds every tree again. A missing tool is named, not an error (the build fails).
std::string Toolchain(activities::build::ProcessRunner& runner) {
  std::string out;
  for (const char* tool : {"node", "npm"}) {
    activities::build::ProcessSpec spec;
    spec.argv = {tool, "--version"};
    spec.timeout_ms = 30'000;
    Result<activities::build::ProcessResult> r = runner.Run(spec);
    std::string version = r.ok() && r->succeeded() ? r->output : "missing";
    while (!version.empty() && std::isspace(static_cast<unsigned char>(version.back()))) {
      version.pop_back();
    }
    out += std::string(out.empty() ? "" : " ") + tool + " " + version;
  }
  return out;
}

Status BuildClients(ServerParts& p, const activities::ServiceConfig& s, const ServerConfig& c) {
  // One idle handle (and its kept connections) per worker: with fewer, the calls of busy
  // workers beyond the pool close their connections, and the next call opens a new one.
  activities::CurlHttpClientOptions ho;
  ho.max_idle_handles = static_cast<size_t>(std::max(16, c.workers));
  p.http_client = std::make_unique<activities::CurlHttpClient>(ho);
  // GitHub, Vercel and Anthropic calls that are safe to repeat are repeated inside an attempt
  // (retrying_http_client.h); the verifier judges a site's own errors itself.
  p.api_client = std::make_unique<activities::RetryingHttpClient>(*p.http_client, p.clock);
  p.github = std::make_unique<activities::GitHubClient>(*p.api_client, s.github);
  activities::GitHubConfig template_config = s.github;
  template_config.owner = s.github.template_owner;
  p.template_github = std::make_unique<activities::GitHubClient>(*p.api_client, template_config);
  p.vercel = std::make_unique<activities::VercelClient>(*p.api_client, s.vercel);
  p.anthropic = std::make_unique<activities::AnthropicClient>(*p.api_client, s.anthropic);
  activities::AutofixOptions autofix;
  autofix.policy = c.autofix_policy;
  p.llm_budget = std::make_unique<activities::LlmBudget>(c.llm_budget, &p.clock, StoredLlmSpend(p));
  autofix.budget = p.llm_budget.get();
  p.autofixer = std::make_unique<activities::Autofixer>(*p.github, *p.anthropic, autofix);
  p.runner = std::make_unique<activities::build::PosixProcessRunner>(p.clock);
  p.build_cache = std::make_unique<workflows::StoreBuildCache>(*p.store);
  activities::build::ValidatorOptions vo;
  vo.toolchain = Toolchain(*p.runner);
  vo.work_dir = c.work_dir;
  vo.sandbox = c.build_sandbox;
  vo.install_scripts_allowed = c.install_scripts_allowed;
  p.validator = std::make_unique<activities::build::BuildValidator>(*p.runner, *p.build_cache, vo);
  activities::VerifyOptions verify;
  if (!c.chromium_path.empty()) verify.lighthouse.chromium_path = c.chromium_path;
  if (!c.lighthouse_path.empty()) verify.lighthouse.lighthouse_path = c.lighthouse_path;
  verify.lighthouse.enabled = c.lighthouse_path != "off";  // main() allows it in --sandbox only
  verify.lighthouse.preset = c.lighthouse_preset;
  verify.lighthouse.allow_skip = c.lighthouse_allow_skip;
  verify.max_pages = static_cast<size_t>(c.verify_max_pages);
  verify.allow_truncated_crawl = c.verify_allow_truncated;
  verify.check_external_links = c.verify_external_links;
  p.verifier = std::make_unique<activities::Verifier>(*p.http_client, p.clock, *p.runner, verify);
  if (!s.smtp_url.empty()) {  // without SMTP_URL, onboarding records the e-mail as skipped
    Result<activities::SmtpConfig> smtp = activities::ParseSmtpUrl(s.smtp_url);
    if (!smtp.ok()) return smtp.status();
    p.notifier = std::make_unique<activities::Notifier>(*smtp);
  }
  return Status::Ok();
}

}  // namespace

std::string NodeName(const ServerConfig& c) {
  if (!c.node_name.empty()) return c.node_name;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "slipwayd");
  }
  return std::string(host) + ":" + std::to_string(::getpid());
}

namespace {

Status BuildEngine(ServerParts& p, const ServerConfig& c, const activities::ServiceConfig& s,
                   const workflows::WorkflowOptions& options) {
  engine::EngineOptions eo;
  eo.owner = NodeName(c) + "#" + std::to_string(p.clock.NowMs());
  eo.group_commit = true;
  eo.kind_capacity = {{"activity:build", c.max_builds}};
  p.engine = std::make_unique<engine::Engine>(*p.store, p.clock, p.failpoints, eo);
  workflows::WorkflowDeps deps;
  deps.config = s;
  deps.github = p.github.get();
  deps.template_github = p.template_github.get();
  deps.vercel = p.vercel.get();
  deps.anthropic = p.anthropic.get();
  deps.autofixer = p.autofixer.get();
  deps.validator = p.validator.get();
  deps.runner = p.runner.get();
  deps.verifier = p.verifier.get();
  deps.notifier = p.notifier.get();
  deps.clock = &p.clock;
  p.minted_tokens = std::make_unique<http::ApiTokens>(*p.store, p.clock);
  deps.mint_editor_token = [tokens = p.minted_tokens.get()](
                               const std::string& tenant,
                               const std::string& origin) -> Result<nlohmann::json> {
    Result<http::ApiToken> t =
        tokens->MintFor(origin, tenant + "-editor", "tenant:" + tenant, "workflow:" + origin);
    if (!t.ok()) return t.status();
    return nlohmann::json{{"id", t->id},
                          {"name", t->name},
                          {"role", t->role},
                          {"reveal", "POST /v1/tokens/" + t->id + "/reveal"}};
  };
  deps.options = options;
  if (!c.public_url.empty()) deps.options.webhook_url = c.public_url + kWebhookPath;
  p.registry = std::make_unique<workflows::Registry>(deps);
  return p.registry->RegisterAll(*p.engine);
}

Result<std::unique_ptr<storage::Store>> OpenStore(const ServerConfig& c, Failpoints& failpoints) {
  if (IsPostgresUrl(c.db_path)) {
    storage::PgOptions po;
    po.dsn = c.db_path;
    // Workers commit and claim, HTTP reads poll: a connection each for the busy ones.
    po.connections = std::min(c.workers + c.http_loops + 4, 64);
    po.synchronous_commit = c.synchronous_full;
    auto store = storage::PgStore::Open(po, failpoints);
    if (!store.ok()) return store.status();
    return std::unique_ptr<storage::Store>(std::move(*store));
  }
  storage::SqliteOptions so{c.db_path, c.synchronous_full};
  so.read_connections = c.read_connections;
  auto store = storage::SqliteStore::Open(so, failpoints);
  if (!store.ok()) return store.status();
  return std::unique_ptr<storage::Store>(std::move(*store));
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerConfig& c,
                                              const activities::ServiceConfig& s,
                                              const workflows::WorkflowOptions& options,
                                              const std::string& tokens_json) {
  auto p = std::make_unique<ServerParts>();
  if (const char* spec = std::getenv("SLIPWAY_FAILPOINTS")) {
    SLIPWAY_RETURN_IF_ERROR(p->failpoints.ArmFromSpec(spec));
  }
  Result<std::unique_ptr<storage::Store>> store = OpenStore(c, p->failpoints);
  if (!store.ok()) return store.status();
  p->store = std::move(*store);
  SLIPWAY_RETURN_IF_ERROR(BuildClients(*p, s, c));
  SLIPWAY_RETURN_IF_ERROR(BuildEngine(*p, c, s, options));
  nlohmann::json entries = nlohmann::json::parse(tokens_json, nullptr, false);
  Result<http::TokenStore> tokens = http::TokenStore::FromJson(entries);
  if (!tokens.ok()) return InvalidArgument("SLIPWAY_TOKENS", tokens.status().message());
  p->tokens = std::make_unique<http::TokenStore>(std::move(*tokens));
  http::HttpApiOptions ho;
  ho.address = c.listen_host;
  ho.port = c.listen_port;
  ho.io_threads = c.http_loops;
  ho.head_timeout = std::chrono::milliseconds(c.http_head_timeout_ms);
  ho.body_timeout = std::chrono::milliseconds(c.http_body_timeout_ms);
  ho.max_connections = c.http_max_connections;
  ho.max_connections_per_address = c.http_max_connections_per_address;
  ho.max_waits_per_principal = c.http_max_waits_per_principal;
  ho.log = [](const std::string& line) { std::cerr << line << std::endl; };
  ho.webhook_tenants = WebhookTenants(*p->store, options);
  ho.llm_budget_state = [budget = p->llm_budget.get()] { return budget->State(); };
  ho.tenants = [registry = p->registry.get()]() -> Result<nlohmann::json> {
    workflows::TenantRecords& records = registry->tenants();
    Result<std::vector<std::string>> all = records.All();
    if (!all.ok()) return all.status();
    nlohmann::json out = nlohmann::json::array();
    for (const std::string& tenant : *all) {
      Result<std::optional<workflows::TenantRecord>> r = records.Get(tenant);
      if (!r.ok()) return r.status();
      if (r->has_value()) out.push_back((*r)->ToJson());
    }
    return out;
  };
  p->api = std::make_unique<http::HttpApi>(*p->engine, *p->tokens, ho);
  SLIPWAY_RETURN_IF_ERROR(p->api->Start());
  // The scheduler starts after the API is bound, so that a sandbox's webhook URL (its own
  // port) is set before any onboarding step runs; requests meanwhile only queue work.
  if (c.public_url_is_listen_address) {
    p->registry->SetWebhookUrl("http://127.0.0.1:" + std::to_string(p->api->port()) +
                               kWebhookPath);
  }
  engine::SchedulerOptions sched;  // the defaults, but for what the configuration sets
  sched.workers = c.workers;
  p->scheduler = std::make_unique<engine::Scheduler>(*p->engine, sched);
  p->scheduler->Start();
  return std::unique_ptr<Server>(new Server(std::move(p)));
}

Server::Server(std::unique_ptr<ServerParts> parts) : parts_(std::move(parts)) {}

Server::~Server() = default;

uint16_t Server::port() const { return parts_->api->port(); }

void Server::RunUntil(const std::atomic<bool>& stop) {
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Log("info", "shutting down: no new requests; running activities finish or are re-queued");
  parts_->api->Stop();
  parts_->scheduler->Stop();
  Log("info", "stopped");
}

}  // namespace slipway::server
