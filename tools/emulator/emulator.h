// tools/emulator/emulator.h: the local cloud emulator, startable in-process by tests.
//
// One Poco HTTP server on loopback that speaks the subset of GitHub REST, Vercel REST and the
// Anthropic Messages API that Slipway uses (real paths, status codes, headers and JSON shapes;
// see shared/reference/external-apis.md), plus admin endpoints under /_admin/:
//   GET  /_admin/log                   request log, JSON lines
//   POST /_admin/faults                replace the fault configuration (faults.h); DELETE clears
//   POST /_admin/domains/{name}/verify mark a Vercel domain verified
//   GET  /_admin/mail                  messages the SMTP sink received (when smtp_port >= 0)
// Repositories are files under data_dir (repo_store.h); Vercel state lives in memory.
// Thread-safe: requests are served concurrently, state changes are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/status.h"
#include "tools/emulator/faults.h"
#include "tools/emulator/request_log.h"
#include "tools/emulator/smtp_sink.h"

namespace slipway::emulator {

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;               // 0: an ephemeral port (read it back with port())
  std::string data_dir;       // required: repositories live here
  std::string template_dir;   // when set, seeds template_repo's default branch from it
  std::string template_repo = "slipway/site-template";
  std::string default_owner = "slipway-sites";  // owner of generated repos when none is given
  // Expected credentials; empty accepts any non-empty one.
  std::string github_token;
  std::string vercel_token;
  std::string anthropic_key;
  int smtp_port = -1;           // -1: no SMTP sink; 0: an ephemeral port (smtp_sink.h)
  int64_t deploy_delay_ms = 0;  // QUEUED for the first half, BUILDING until it elapses
  std::string faults_json;      // initial fault configuration (faults.h)
  int max_threads = 32;
};

struct EmulatorState;

class Emulator {
 public:
  // Errors: kInvalidArgument (options, faults), kUnavailable (port in use), kInternal.
  static Result<std::unique_ptr<Emulator>> Start(EmulatorOptions options);
  ~Emulator();  // stops the server and releases hung requests
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  int port() const;
  std::string base_url() const;  // http://127.0.0.1:<port>
  int smtp_port() const;         // -1 when the SMTP sink is off
  RequestLog& log();
  Faults& faults();
  // Stops accepting, releases hung requests and waits for handlers. Idempotent.
  void Stop();

 private:
  class Server;
  explicit Emulator(std::unique_ptr<EmulatorState> state);
  Status StartSmtp();
  std::unique_ptr<EmulatorState> state_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<SmtpSink> smtp_;
};

}  // namespace slipway::emulator
