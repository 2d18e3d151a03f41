// tools/slipwayd/server.h: the composition root. Builds every concrete piece of a running
// Slipway (SQLite store, engine, scheduler, clients of GitHub/Vercel/Anthropic/SMTP, build
// validator, workflows, HTTP API) from configuration, runs until asked to stop, then shuts
// down gracefully: stop accepting requests, let running activities reach a checkpoint (or give
// their tasks back so they run again at once), exit.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "activities/service_config.h"
#include "engine/base/status.h"
#include "tools/slipwayd/server_config.h"
#include "workflows/deps.h"

namespace slipway::server {

struct ServerParts;

// config.node_name, else "<hostname>:<pid>": how this node is named in its lease owner
// ("<node name>#<start ms>") and so in every step attempt's history events.
std::string NodeName(const ServerConfig& config);

class Server {
 public:
  // Errors name what is wrong (a variable, a file); nothing is left running on error.
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config,
                                               const activities::ServiceConfig& services,
                                               const workflows::WorkflowOptions& options,
                                               const std::string& tokens_json);
  ~Server();
  // Blocks until `stop` becomes true, then shuts down gracefully.
  void RunUntil(const std::atomic<bool>& stop);
  uint16_t port() const;

 private:
  explicit Server(std::unique_ptr<ServerParts> parts);
  std::unique_ptr<ServerParts> parts_;
};

}  // namespace slipway::server
