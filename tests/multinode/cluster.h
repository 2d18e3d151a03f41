// tests/multinode/cluster.h: real processes for the multi-node tests: one slipway-emulator
// (GitHub, Vercel, SMTP) and N `slipwayd --sandbox --emulator URL` nodes on one PostgreSQL
// database, each with its own port and SLIPWAY_NODE_NAME, driven over loopback HTTP.
//
//   Cluster c(db_url, 3);             // starts the emulator and node-0..node-2
//   Reply r = c.Call(1, "POST", "/v1/workflows", body);   // as ops, on node-1
//   c.Kill(1); c.Restart(1);          // SIGKILL, then the same node name on a new port
//   c.Signal(0, SIGSTOP); ...; c.Signal(0, SIGCONT);   // a paused node
//
// Builds are fast: the nodes find a stub `npm` (exit 0) first on their PATH and run builds
// unconfined (SLIPWAY_BUILD_SANDBOX=off), so a validation costs a tarball and a few spawns,
// not a real `npm ci` (label npm has those). Lighthouse is off (label browser has it).
// Everything lives in one temp directory, removed when no test failed (kept, and named on
// stderr, when one did or SLIPWAY_MULTINODE_KEEP is set). The destructor
// SIGKILLs whatever still runs. Node methods are safe to call from several threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/process_util.h"

namespace slipway::multinode {

using Reply = test_process::Reply;

// One request on a fresh connection to 127.0.0.1:port; `token` empty: no Authorization.
Reply Request(uint16_t port, const std::string& method, const std::string& path,
              const std::string& token, const std::string& body = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

class Cluster {
 public:
  // Starts the emulator and `nodes` nodes on `db_url`; ADD_FAILURE and ok() false when one
  // does not come up within 60 s.
  Cluster(const std::string& db_url, int nodes);
  ~Cluster();
  bool ok() const { return ok_; }

  // As ops (a token every node accepts), on node i. Status 0 while the node is down.
  Reply Call(int i, const std::string& method, const std::string& path,
             const std::string& body = "",
             std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // No auth, on the emulator (e.g. "/_admin/log"); `bearer` for its GitHub/Vercel routes.
  Reply CallEmulator(const std::string& method, const std::string& path,
                     const std::string& bearer = "") const;
  // The emulator's request log: one JSON object per request (tools/emulator/request_log.h).
  std::vector<nlohmann::json> EmulatorLog() const;

  void Kill(int i);     // SIGKILL and reap
  bool Restart(int i);  // starts node i again (same name, state dir and database)
  bool Running(int i) const;
  // Sends `sig` to node i (SIGSTOP / SIGCONT: a node paused past its leases, then resumed).
  void Signal(int i, int sig);
  int size() const { return static_cast<int>(nodes_.size()); }
  std::string NodeName(int i) const { return "node-" + std::to_string(i); }
  // Node i's stderr (JSON log lines) over all its starts.
  std::string NodeLog(int i) const;

 private:
  struct Node {
    pid_t pid = -1;
    uint16_t port = 0;
    int starts = 0;
  };
  bool StartEmulator();
  bool StartNode(int i);

  std::string dir_;
  std::string db_url_;
  std::string token_;
  std::string emulator_url_;
  uint16_t emulator_port_ = 0;
  int smtp_port_ = -1;
  pid_t emulator_pid_ = -1;
  mutable std::mutex mu_;
  std::vector<Node> nodes_;  // guarded by mu_
  bool ok_ = false;
};

}  // namespace slipway::multinode
