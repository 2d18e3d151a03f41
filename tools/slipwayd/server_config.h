// tools/slipwayd/server_config.h: slipwayd's own settings, from the environment.
//
//   SLIPWAY_DB            database file, or a PostgreSQL URL  ./slipway.db
//                         (postgresql://user@host/db?...: several slipwayd share it)
//   SLIPWAY_LISTEN        host:port of the HTTP API           127.0.0.1:8080
//   SLIPWAY_TOKENS        tokens file (JSON, hashes only)     required unless --sandbox
//   SLIPWAY_WORKERS       activity worker threads (I/O)       64
//   SLIPWAY_MAX_BUILDS    builds at once, across processes    2
//   SLIPWAY_SYNCHRONOUS   FULL or NORMAL                      FULL
//   SLIPWAY_READERS       SQLite read connections (polls)     32
//   SLIPWAY_HTTP_LOOPS    HTTP event loop threads             2
//   SLIPWAY_HTTP_HEAD_TIMEOUT_MS   a whole request head (408)  10000
//   SLIPWAY_HTTP_BODY_TIMEOUT_MS   a whole request body (408)  10000
//   SLIPWAY_HTTP_MAX_CONNECTIONS   open at once (503 beyond)   from RLIMIT_NOFILE
//   SLIPWAY_HTTP_MAX_CONNECTIONS_PER_ADDRESS  per client address  from RLIMIT_NOFILE
//   SLIPWAY_HTTP_MAX_WAITS_PER_PRINCIPAL  long polls + streams of one token (429)  16
//   SLIPWAY_WORK_DIR      where builds unpack tarballs        $TMPDIR or /tmp
//   SLIPWAY_PUBLIC_URL    where GitHub reaches this API       none: no webhooks (--sandbox:
//                         (http(s)://host[:port][/prefix])    the API's own loopback URL)
//   SLIPWAY_AUTOFIX_PATHS, _EXTENSIONS, _MAX_DELETED_LINES   the edit policy (edit_policy.h)
//   SLIPWAY_CHROMIUM      Chromium for verify's Lighthouse    /usr/bin/chromium
//   SLIPWAY_LIGHTHOUSE    the Lighthouse CLI                  <source>/tools/node/node_modules/.bin/lighthouse
//                         ("off": no Lighthouse; --sandbox only, main() refuses it otherwise)
//   SLIPWAY_LIGHTHOUSE_PRESET  desktop or mobile              desktop
//   SLIPWAY_VERIFY_MAX_PAGES   pages verify's crawl fetches   50
//   SLIPWAY_VERIFY_ALLOW_TRUNCATED  on: a truncated crawl passes (reported)   off
//   SLIPWAY_VERIFY_EXTERNAL_LINKS   on: check links to other sites (public addresses only)  off
//   SLIPWAY_NODE_NAME     this node's name in history (1-64 of  <hostname>:<pid>
//                         A-Z a-z 0-9 . _ : -); the lease owner is "<node name>#<start ms>"
// Errors name the variable (kInvalidArgument with field = variable name).
#pragma once

#include <cstdint>
#include <string>

#include <optional>
#include <vector>

#include "activities/build/sandbox.h"
#include "activities/edit_policy.h"
#include "activities/llm_budget.h"
#include "activities/service_config.h"
#include "engine/base/status.h"
#include "engine/scheduler_options.h"

namespace slipway::server {

// Whether SLIPWAY_DB names a PostgreSQL database (postgresql:// or postgres://) rather than
// a SQLite file.
bool IsPostgresUrl(const std::string& db);
// SLIPWAY_DB as it may be logged: a URL's user information and query (where a password may
// be) are replaced by "***".
std::string DbForLog(const std::string& db);

struct ServerConfig {
  std::string db_path = "./slipway.db";
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string tokens_path;
  // Worker threads run activities. Waiting (Vercel builds, DNS, GitHub copying a template)
  // holds none (engine/activity.h NotDoneYet), so a worker is busy only during an outside
  // call or a build: everything but builds is I/O, so the pool is large, and builds, the one
  // CPU-heavy step, keep their own small cap (max_builds, the "activity:build" kind capacity
  // across processes on one database), taking at most that many of these workers. The
  // default is engine::SchedulerOptions's (shared with bench-engine).
  int workers = engine::SchedulerOptions{}.workers;
  int max_builds = 2;
  bool synchronous_full = true;
  // Shared by the HTTP event loops and pool threads. With a thread per connection, 4 made
  // status polls queue (p99 20-32 ms, bench-http --readers); with the event loops 4 and 32
  // measure the same, and the spare ones serve lists, histories and long polls.
  int read_connections = 32;
  // Event loops of the HTTP server: they hold the connections and answer status polls
  // (http/io_server.h); one per core.
  int http_loops = 2;
  // The front door (http/http_api.h): 0 = the HttpApi default (caps derived from the
  // descriptor limit, which main() raises to its hard limit).
  int http_head_timeout_ms = 10'000;
  int http_body_timeout_ms = 10'000;
  int http_max_connections = 0;
  int http_max_connections_per_address = 0;
  int http_max_waits_per_principal = 16;
  std::string work_dir;
  // The API's URL as GitHub reaches it, without a trailing '/': onboarding points each tenant
  // repository's webhook at it + "/v1/webhooks/github". Empty: no webhooks.
  std::string public_url;
  // Set by main() for --sandbox without SLIPWAY_PUBLIC_URL: the public URL is the API's own
  // loopback address, known once it is bound (the emulator delivers there).
  bool public_url_is_listen_address = false;
  activities::EditPolicy autofix_policy;  // which files and edits the model may make
  activities::LlmBudgetLimits llm_budget;  // SLIPWAY_LLM_* (activities/llm_budget.h)
  // Set by main() from build_sandbox.h (SLIPWAY_BUILD_SANDBOX and friends), not by
  // LoadServerConfig. Unset sandbox: builds run unconfined.
  std::optional<activities::build::SandboxOptions> build_sandbox;
  std::vector<std::string> install_scripts_allowed;
  // verify's Lighthouse (activities/lighthouse.h); empty: its defaults. Set by main():
  // lighthouse_allow_skip (true only under --sandbox).
  std::string chromium_path;
  std::string lighthouse_path;
  std::string lighthouse_preset = "desktop";
  bool lighthouse_allow_skip = false;
  int verify_max_pages = 50;
  bool verify_allow_truncated = false;
  bool verify_external_links = false;
  // SLIPWAY_DEPLOY_POLL_MS: the first wait of a deploy look at Vercel (WorkflowOptions::
  // deploy_poll_interval_ms); 0 = the default (2 s; a sandbox with its own emulator 500 ms).
  int deploy_poll_ms = 0;
  // SLIPWAY_NODE_NAME; empty: "<hostname>:<pid>" (server.cc). Part of the lease owner, which
  // every step attempt's history events name (engine/step_runner.h WithLease).
  std::string node_name;
};

Result<ServerConfig> LoadServerConfig(const activities::GetEnvFn& getenv);

}  // namespace slipway::server
