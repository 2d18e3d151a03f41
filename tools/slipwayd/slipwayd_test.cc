// tools/slipwayd/slipwayd_test.cc: configuration parsing, and the real slipwayd process in
// sandbox mode: it starts, prints an ops token, serves the API, runs an onboarding end to end
// against the in-process emulator, and exits 0 on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "storage/testing/pg_cluster.h"
#include "tools/slipwayd/server.h"
#include "tools/slipwayd/server_config.h"

extern char** environ;

namespace slipway::server {
namespace {

using nlohmann::json;

activities::GetEnvFn EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServerConfigTest, DefaultsAreSensible) {
  auto c = LoadServerConfig(EnvOf({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->db_path, "./slipway.db");
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_TRUE(c->synchronous_full);
  EXPECT_EQ(c->max_builds, 2);
  EXPECT_EQ(c->read_connections, 32);
}

TEST(ServerConfigTest, BadValuesNameTheVariable) {
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_LISTEN", "8080"}})).status().field(), "SLIPWAY_LISTEN");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_LISTEN", "h:99999"}})).status().field(), "SLIPWAY_LISTEN");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_WORKERS", "many"}})).status().field(), "SLIPWAY_WORKERS");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_READERS", "0"}})).status().field(), "SLIPWAY_READERS");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_READERS", "4"}}))->read_connections, 4);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_LOOPS", "0"}})).status().field(),
            "SLIPWAY_HTTP_LOOPS");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_LOOPS", "1"}}))->http_loops, 1);
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->http_loops, 2);
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->http_head_timeout_ms, 10'000);
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->http_body_timeout_ms, 10'000);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_BODY_TIMEOUT_MS", "0"}})).status().field(),
            "SLIPWAY_HTTP_BODY_TIMEOUT_MS");
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->http_max_waits_per_principal, 16);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_HEAD_TIMEOUT_MS", "0"}})).status().field(),
            "SLIPWAY_HTTP_HEAD_TIMEOUT_MS");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_MAX_CONNECTIONS", "-1"}})).status().field(),
            "SLIPWAY_HTTP_MAX_CONNECTIONS");
  auto caps = LoadServerConfig(EnvOf({{"SLIPWAY_HTTP_MAX_CONNECTIONS", "500"},
                                      {"SLIPWAY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "20"},
                                      {"SLIPWAY_HTTP_MAX_WAITS_PER_PRINCIPAL", "4"},
                                      {"SLIPWAY_HTTP_HEAD_TIMEOUT_MS", "2500"}}));
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(caps->http_max_connections, 500);
  EXPECT_EQ(caps->http_max_connections_per_address, 20);
  EXPECT_EQ(caps->http_max_waits_per_principal, 4);
  EXPECT_EQ(caps->http_head_timeout_ms, 2500);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_LIGHTHOUSE_PRESET", "tablet"}})).status().field(),
            "SLIPWAY_LIGHTHOUSE_PRESET");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_VERIFY_EXTERNAL_LINKS", "yes"}})).status().field(),
            "SLIPWAY_VERIFY_EXTERNAL_LINKS");
  auto verify = LoadServerConfig(EnvOf({{"SLIPWAY_CHROMIUM", "/opt/chromium"},
                                        {"SLIPWAY_VERIFY_ALLOW_TRUNCATED", "on"},
                                        {"SLIPWAY_VERIFY_MAX_PAGES", "7"},
                                        {"SLIPWAY_DEPLOY_POLL_MS", "750"}}));
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->chromium_path, "/opt/chromium");
  EXPECT_TRUE(verify->verify_allow_truncated);
  EXPECT_FALSE(verify->verify_external_links);
  EXPECT_EQ(verify->verify_max_pages, 7);
  EXPECT_EQ(verify->deploy_poll_ms, 750);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_DEPLOY_POLL_MS", "0"}})).status().field(),
            "SLIPWAY_DEPLOY_POLL_MS");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_SYNCHRONOUS", "OFF"}})).status().field(),
            "SLIPWAY_SYNCHRONOUS");
  auto c = LoadServerConfig(EnvOf({{"SLIPWAY_LISTEN", "0.0.0.0:9000"}, {"SLIPWAY_SYNCHRONOUS", "NORMAL"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_FALSE(c->synchronous_full);
}

TEST(ServerConfigTest, APostgresUrlSelectsPostgresAndIsLoggedWithoutSecrets) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://app@db/slipway"));
  EXPECT_TRUE(IsPostgresUrl("postgres://db/slipway"));
  EXPECT_FALSE(IsPostgresUrl("./slipway.db"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/postgresql://x"));
  EXPECT_EQ(DbForLog("postgresql://app:s3cret@db:5432/slipway?sslmode=require&password=p"),
            "postgresql://***@db:5432/slipway?***");
  EXPECT_EQ(DbForLog("postgres://db/slipway"), "postgres://db/slipway");
  EXPECT_EQ(DbForLog("./slipway.db"), "./slipway.db");
  auto c = LoadServerConfig(EnvOf({{"SLIPWAY_DB", "postgresql://app@db/slipway"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->db_path, "postgresql://app@db/slipway");
}

TEST(ServerConfigTest, NodeNameIsCheckedAndDefaultsToHostAndPid) {
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->node_name, "");
  auto c = LoadServerConfig(EnvOf({{"SLIPWAY_NODE_NAME", "api-1.eu_west:2"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(NodeName(*c), "api-1.eu_west:2");
  const std::vector<std::string> bads = {"a b", "x/y", "n#1", std::string(65, 'a'), "caf\xc3\xa9"};
  for (const std::string& bad : bads) {
    EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_NODE_NAME", bad}})).status().field(),
              "SLIPWAY_NODE_NAME")
        << bad;
  }
  const std::string fallback = NodeName(ServerConfig{});
  EXPECT_EQ(fallback.substr(fallback.rfind(':') + 1), std::to_string(getpid()));
}

TEST(ServerConfigTest, PublicUrlIsAnHttpBaseWithoutTrailingSlash) {
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->public_url, "");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_PUBLIC_URL", "https://slipway.example.com/"}}))
                ->public_url,
            "https://slipway.example.com");
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_PUBLIC_URL", "http://10.0.0.5:8080/api"}}))
                ->public_url,
            "http://10.0.0.5:8080/api");
  for (const char* bad : {"slipway.example.com", "ftp://x", "https://", "https://a/b?c=d",
                          "https://user:pw@host", "https:///path"}) {
    EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_PUBLIC_URL", bad}})).status().field(),
              "SLIPWAY_PUBLIC_URL")
        << bad;
  }
}

TEST(ServerConfigTest, LlmBudgetsFromTheEnvironment) {
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->llm_budget.tenant_calls_per_minute, 10);
  auto c = LoadServerConfig(EnvOf({{"SLIPWAY_LLM_FLEET_USD_PER_DAY", "0"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->llm_budget.fleet_usd_per_day, 0.0);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_LLM_TENANT_USD_PER_DAY", "lots"}})).status().field(),
            "SLIPWAY_LLM_TENANT_USD_PER_DAY");
}

TEST(ServerConfigTest, AutofixEditPolicyFromTheEnvironment) {
  EXPECT_EQ(LoadServerConfig(EnvOf({}))->autofix_policy.max_deleted_lines, 20u);
  auto c = LoadServerConfig(EnvOf({{"SLIPWAY_AUTOFIX_PATHS", "src,web"},
                                   {"SLIPWAY_AUTOFIX_MAX_DELETED_LINES", "8"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->autofix_policy.path_prefixes, (std::vector<std::string>{"src/", "web/"}));
  EXPECT_EQ(c->autofix_policy.max_deleted_lines, 8u);
  EXPECT_EQ(LoadServerConfig(EnvOf({{"SLIPWAY_AUTOFIX_EXTENSIONS", "ts"}})).status().field(),
            "SLIPWAY_AUTOFIX_EXTENSIONS");
}

struct Response {
  int status = 0;
  json body;
};

Response Call(uint16_t port, const std::string& method, const std::string& path,
              const std::string& token, const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(70, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (!body.empty()) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  std::stringstream ss;
  ss << in.rdbuf();
  return {static_cast<int>(resp.getStatus()), json::parse(ss.str(), nullptr, false)};
}

class SandboxProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipwayd-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  // Starts slipwayd --sandbox with stdout to a file; returns once the banner is there.
  void StartSandbox(const std::vector<std::string>& extra_env = {}) {
    std::string out = dir_ + "/stdout";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ + "/stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> env = {"SLIPWAY_LISTEN=127.0.0.1:0", "PATH=" + std::string(getenv("PATH")),
                                    "HOME=" + std::string(getenv("HOME") ? getenv("HOME") : "/root")};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string bin = SLIPWAYD_PATH, state = dir_ + "/state";
    std::vector<char*> argv = {bin.data(), const_cast<char*>("--sandbox"),
                               const_cast<char*>("--state-dir"), state.data(), nullptr};
    ASSERT_EQ(posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    std::regex api(R"(API:\s+http://127\.0\.0\.1:(\d+))"), tok(R"(ops token: ([0-9a-f]{64}))");
    for (int i = 0; i < 300; ++i) {
      std::ifstream f(out);
      std::stringstream ss;
      ss << f.rdbuf();
      std::smatch m1, m2;
      std::string text = ss.str();
      if (std::regex_search(text, m1, api) && std::regex_search(text, m2, tok)) {
        port_ = static_cast<uint16_t>(std::stoi(m1[1]));
        token_ = m2[1];
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "slipwayd printed no banner";
  }

  // A long poll answers at every new version, and a step waiting on Vercel or GitHub commits
  // one per look (NotDoneYet): bound the wait by time, not by a count of answers.
  std::string WaitForEnd(const std::string& id) {
    std::string status;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until && status != "completed" &&
           status != "failed") {
      Response got = Call(port_, "GET", "/v1/workflows/" + id + "?wait=10", token_);
      if (got.status != 200) return "http " + std::to_string(got.status);
      status = got.body.value("status", "");
    }
    return status;
  }

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string token_;
};

TEST_F(SandboxProcessTest, RunsAnOnboardingEndToEndAndStopsGracefully) {
  StartSandbox({"SLIPWAY_LLM_TENANT_USD_PER_DAY=7.5"});
  ASSERT_EQ(Call(port_, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(Call(port_, "GET", "/v1/workflows", "").status, 401);
  EXPECT_EQ(Call(port_, "GET", "/v1/workflows", "wrong").status, 401);
  json start = {{"type", "onboarding"}, {"tenant", "demo"}, {"id", "onboard-demo"},
                {"input", {{"email", "owner@example.com"}}}};
  Response created = Call(port_, "POST", "/v1/workflows", token_, start.dump());
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(WaitForEnd("demo:onboard-demo"), "completed");
  Response history = Call(port_, "GET", "/v1/workflows/demo:onboard-demo/history", token_);
  EXPECT_GT(history.body["events"].size(), 10u);
  // The plan's metrics and the LLM budgets, as the process was configured.
  Response stats = Call(port_, "GET", "/v1/stats", token_);
  ASSERT_EQ(stats.status, 200) << stats.body.dump();
  EXPECT_EQ(stats.body["onboarding"]["completed"], 1) << stats.body.dump();
  EXPECT_EQ(stats.body["llm_budget"]["limits"]["tenant_usd_per_day"], 7.5) << stats.body.dump();
  EXPECT_EQ(stats.body["llm_budget"]["fleet_exhausted"], false);
  // Onboarding minted the tenant editor's token: the result names it, ops reveal it once, and
  // it acts as tenant:demo.
  Response onboarded = Call(port_, "GET", "/v1/workflows/demo:onboard-demo", token_);
  const json minted = onboarded.body["result"]["editor_access"];
  ASSERT_TRUE(minted.is_object()) << onboarded.body.dump();
  EXPECT_EQ(minted["role"], "tenant:demo");
  EXPECT_FALSE(onboarded.body["result"]["tenant_record"].contains("editor_access"));
  const std::string id = minted["id"];
  Response revealed = Call(port_, "POST", "/v1/tokens/" + id + "/reveal", token_, "{}");
  ASSERT_EQ(revealed.status, 200) << revealed.body.dump();
  const std::string editor = revealed.body["token"];
  EXPECT_EQ(onboarded.body.dump().find(editor), std::string::npos);
  EXPECT_EQ(Call(port_, "POST", "/v1/tokens/" + id + "/reveal", token_, "{}").status, 409);
  Response own = Call(port_, "GET", "/v1/workflows/demo:onboard-demo", editor);
  EXPECT_EQ(own.status, 200) << "the editor reads its tenant's workflows";
  EXPECT_EQ(Call(port_, "GET", "/v1/stats", editor).status, 403);
  Response tenants = Call(port_, "GET", "/v1/tenants", token_);
  ASSERT_EQ(tenants.status, 200) << tenants.body.dump();
  ASSERT_EQ(tenants.body["tenants"].size(), 1u) << tenants.body.dump();
  EXPECT_EQ(tenants.body["tenants"][0]["tenant"], "demo");
  EXPECT_EQ(tenants.body["tenants"][0]["domains"][0], "demo-dev.sandbox.test");
  EXPECT_TRUE(tenants.body["tenants"][0]["last_deployments"].is_array());
  EXPECT_EQ(Call(port_, "GET", "/v1/tenants", editor).status, 403);
  Response events = Call(port_, "GET", "/v1/workflows/demo:onboard-demo/history", token_);
  EXPECT_EQ(events.body.dump().find(editor), std::string::npos) << "never in history";
  // Logs are JSON lines and never carry the token.
  std::ifstream err(dir_ + "/stderr");
  std::string line;
  while (std::getline(err, line)) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
    EXPECT_EQ(line.find(token_), std::string::npos);
  }
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid_, &wstatus, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

// SLIPWAY_DB=postgresql://... : the same end-to-end run on a real PostgreSQL database.
TEST_F(SandboxProcessTest, RunsAnOnboardingOnPostgres) {
  auto& cluster = storage::testing::PgCluster::Shared();
  const std::string url = cluster.UrlOf(cluster.CreateDatabase());
  StartSandbox({"SLIPWAY_DB=" + url});
  json start = {{"type", "onboarding"}, {"tenant", "demo"}, {"id", "onboard-demo"},
                {"input", {{"email", "owner@example.com"}}}};
  Response created = Call(port_, "POST", "/v1/workflows", token_, start.dump());
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(WaitForEnd("demo:onboard-demo"), "completed");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/slipway.db"));  // not SQLite
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid_, &wstatus, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

}  // namespace
}  // namespace slipway::server
