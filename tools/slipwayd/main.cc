// tools/slipwayd/main.cc: slipwayd, the Slipway server (engine + scheduler + HTTP API).
//
//   slipwayd                      configuration from the environment (see server_config.h and
//                                 activities/service_config.h); SLIPWAY_TOKENS is required
//   slipwayd --sandbox [--state-dir DIR] [--template-dir DIR]
//                                 everything on loopback against the local cloud emulator,
//                                 with a fresh ops token printed at start-up (SLIPWAY_TOKENS,
//                                 when set, adds its entries)
//            [--emulator http://127.0.0.1:PORT [--emulator-smtp-port N]]
//                                 the sandbox against a slipway-emulator already running
//                                 (several nodes on one PostgreSQL database share it)
// SIGTERM or SIGINT: graceful shutdown, exit 0. Logs are one JSON object per line on stderr.
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tools/slipwayd/build_sandbox.h"
#include "tools/slipwayd/log.h"
#include "tools/slipwayd/sandbox.h"
#include "tools/slipwayd/server.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct Args {
  bool sandbox = false;
  std::string state_dir = "./slipway-sandbox";
  std::string template_dir = SLIPWAY_SOURCE_DIR "/tests/fixtures/site";
  slipway::server::ExternalEmulator emulator;  // --emulator URL [--emulator-smtp-port N]
};

constexpr const char* kUsage =
    "usage: slipwayd [--sandbox [--state-dir DIR] [--template-dir DIR]\n"
    "                 [--emulator http://127.0.0.1:PORT [--emulator-smtp-port N]]]\n"
    "  --emulator: use a running slipway-emulator (several nodes share one) instead of\n"
    "  starting one in this process\n"
    "  configuration: SLIPWAY_DB, SLIPWAY_LISTEN, SLIPWAY_TOKENS, SLIPWAY_WORKERS, SLIPWAY_READERS,\n"
    "  SLIPWAY_MAX_BUILDS, SLIPWAY_SYNCHRONOUS, SLIPWAY_HTTP_*, GITHUB_*, VERCEL_*, ANTHROPIC_*,\n"
    "  SMTP_URL, SLIPWAY_BASE_DOMAIN, SLIPWAY_PUBLIC_URL, SLIPWAY_BUILD_SANDBOX, SLIPWAY_BUILD_UID, SLIPWAY_NPM_CACHE,\n"
    "  SLIPWAY_DEPLOY_POLL_MS, SLIPWAY_INSTALL_SCRIPTS_ALLOW (see README.md)\n";

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--sandbox") {
      a.sandbox = true;
    } else if ((arg == "--state-dir" || arg == "--template-dir") && i + 1 < argc) {
      (arg == "--state-dir" ? a.state_dir : a.template_dir) = argv[++i];
    } else if (arg == "--emulator" && i + 1 < argc) {
      a.emulator.url = argv[++i];
    } else if (arg == "--emulator-smtp-port" && i + 1 < argc) {
      a.emulator.smtp_port = std::atoi(argv[++i]);
      if (a.emulator.smtp_port <= 0 || a.emulator.smtp_port > 65535) return false;
    } else {
      return false;
    }
  }
  return true;
}

slipway::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return slipway::InvalidArgument("SLIPWAY_TOKENS", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Connections are descriptors: take all the kernel allows this process (the soft limit is
// often 1024) before the HTTP server derives its connection caps from it.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  slipway::server::Log("info", "raised the descriptor limit",
                       {{"from", static_cast<uint64_t>(before)},
                        {"to", static_cast<uint64_t>(limit.rlim_cur)}});
}

// The entries of two tokens files (JSON arrays) as one array.
slipway::Result<std::string> MergeTokens(const std::string& a, const std::string& b) {
  nlohmann::json left = nlohmann::json::parse(a, nullptr, false);
  nlohmann::json right = nlohmann::json::parse(b, nullptr, false);
  if (!right.is_array()) {
    return slipway::InvalidArgument("SLIPWAY_TOKENS", "the tokens file must hold a JSON array");
  }
  for (auto& entry : right) left.push_back(entry);
  return left.dump();
}

int Fail(const slipway::Status& st) {
  slipway::server::Log("error", "cannot start: " + st.message(),
                       {{"code", slipway::CodeName(st.code())}, {"field", st.field()}});
  return 1;
}

void PrintSandboxBanner(const slipway::server::Sandbox& sb, uint16_t port) {
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  std::cout << "Slipway sandbox is running.\n"
            << "  API:       " << url << "  (OpenAPI: " << url << "/v1/openapi.json)\n"
            << "  emulator:  " << sb.emulator_url << "  (GitHub, Vercel, Anthropic, SMTP)\n"
            << "  ops token: " << sb.ops_token << "\n\n"
            << "Try:\n"
            << "  export SLIPWAY_URL=" << url << " SLIPWAY_TOKEN=" << sb.ops_token << "\n"
            << "  curl -s -H \"Authorization: Bearer $SLIPWAY_TOKEN\" -H 'Content-Type: "
               "application/json' \\\n"
            << "       -d '{\"type\":\"onboarding\",\"tenant\":\"demo\",\"input\":{\"email\":"
               "\"owner@example.com\"}}' $SLIPWAY_URL/v1/workflows\n"
            << "Stop with Ctrl-C.\n"
            << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slipway;
  Args args;
  if (!ParseArgs(argc, argv, args) || (!args.emulator.url.empty() && !args.sandbox)) {
    std::cerr << kUsage;
    return 2;
  }
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();
  activities::GetEnvFn env = activities::ProcessEnv();
  Result<server::ServerConfig> config = server::LoadServerConfig(env);
  if (!config.ok()) return Fail(config.status());
  Result<activities::ServiceConfig> services = activities::LoadServiceConfig(env);
  if (!services.ok()) return Fail(services.status());
  Result<server::BuildSandboxSettings> builds = server::SetUpBuildSandbox(env, args.sandbox);
  if (!builds.ok()) return Fail(builds.status());
  config->build_sandbox = builds->sandbox;
  config->install_scripts_allowed = builds->install_scripts_allowed;
  // Only the sandbox may verify without Lighthouse (no Chromium on a newcomer's laptop); the
  // result says "skipped" with the reason.
  config->lighthouse_allow_skip = args.sandbox;
  if (config->lighthouse_path == "off" && !args.sandbox) {
    return Fail(InvalidArgument("SLIPWAY_LIGHTHOUSE",
                                "off is for --sandbox only: verify needs Lighthouse"));
  }
  workflows::WorkflowOptions options;

  server::Sandbox sandbox;
  std::string tokens_json;
  if (args.sandbox) {
    if (!env("SLIPWAY_DB")) config->db_path = args.state_dir + "/slipway.db";
    // The emulator delivers the tenant repositories' webhooks to this process itself.
    config->public_url_is_listen_address = config->public_url.empty();
    Result<server::Sandbox> sb = server::StartSandbox(args.state_dir, args.template_dir,
                                                      *services, options, args.emulator);
    if (!sb.ok()) return Fail(sb.status());
    sandbox = std::move(*sb);
    tokens_json = sandbox.tokens_json;
    // A tokens file given to a sandbox adds its entries to the fresh ops token (tests use it
    // for tenant, auditor and approver tokens).
    if (!config->tokens_path.empty()) {
      Result<std::string> text = ReadFile(config->tokens_path);
      if (!text.ok()) return Fail(text.status());
      Result<std::string> merged = MergeTokens(tokens_json, *text);
      if (!merged.ok()) return Fail(merged.status());
      tokens_json = *merged;
    }
  } else {
    if (config->tokens_path.empty()) {
      return Fail(InvalidArgument("SLIPWAY_TOKENS", "a tokens file is required (or --sandbox)"));
    }
    Result<std::string> text = ReadFile(config->tokens_path);
    if (!text.ok()) return Fail(text.status());
    tokens_json = *text;
  }
  if (config->deploy_poll_ms > 0) options.deploy_poll_interval_ms = config->deploy_poll_ms;
  Result<std::unique_ptr<server::Server>> srv =
      server::Server::Start(*config, *services, options, tokens_json);
  if (!srv.ok()) return Fail(srv.status());
  server::Log("info", "slipwayd listening",
              {{"listen", config->listen_host + ":" + std::to_string((*srv)->port())},
               {"db", server::DbForLog(config->db_path)},
               {"node", server::NodeName(*config)},
               {"sandbox", args.sandbox}});
  if (args.sandbox) PrintSandboxBanner(sandbox, (*srv)->port());
  (*srv)->RunUntil(g_stop);
  return 0;
}
