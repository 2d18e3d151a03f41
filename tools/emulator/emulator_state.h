// tools/emulator/emulator_state.h: state shared by the emulator's route families (internal).
//
// `mu` guards repos, git and vercel; route handlers run with it held. faults and log are
// thread-safe on their own. stop_cv wakes hung requests on shutdown.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "engine/base/clock.h"
#include "tools/emulator/emu_http.h"
#include "tools/emulator/git_objects.h"
#include "tools/emulator/emulator.h"
#include "tools/emulator/repo_store.h"
#include "tools/emulator/vercel_store.h"

namespace slipway::emulator {

struct EmulatorState {
  explicit EmulatorState(EmulatorOptions o)
      : options(std::move(o)), repos(options.data_dir), vercel(options.deploy_delay_ms) {}

  EmulatorOptions options;
  std::mutex mu;
  RepoStore repos;
  GitObjects git;  // git data API objects (trees, commits), in memory
  VercelStore vercel;
  Faults faults;
  RequestLog log;
  SystemClock clock;
  std::vector<Mail> mails;  // guarded by mu
  std::unordered_set<std::string> mail_ids;  // their Message-IDs; guarded by mu
  std::atomic<int64_t> request_counter{0};

  // Webhook deliveries sent (webhooks.h), oldest first, bounded; guarded by deliveries_mu
  // (taken after mu, or alone).
  struct SentDelivery {
    int64_t id = 0;
    WebhookDelivery delivery;
    int status = 0;  // the receiver's HTTP status; 0: not sent
    std::string error;
  };
  std::mutex deliveries_mu;
  std::vector<SentDelivery> deliveries;
  int64_t next_delivery_id = 1;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;  // guarded by stop_mu
};

// Route families. Each is called with state.mu held and answers every path under its prefix.
EmuResponse HandleGitHub(EmulatorState& state, const EmuRequest& req);
// The git data API under /repos/{o}/{r}/git/ (git_data_routes.cc); nullopt: not one of its routes.
std::optional<EmuResponse> HandleGitData(EmulatorState& state, const EmuRequest& req,
                                         const RepoInfo& repo, const std::vector<std::string>& seg);
// Keeps the commit object of branch's head, just written by the contents API (or by generating
// the repository), so later git data calls can name it after the branch moves on.
void RecordHeadCommit(EmulatorState& state, const RepoInfo& repo, const std::string& branch,
                      const std::string& parent, const std::string& message);
// Files of a commit the git objects know (nullptr when unknown), for reads at an older sha.
const FileTree* CommitFiles(EmulatorState& state, const RepoInfo& repo, const std::string& sha);
EmuResponse HandleCodeload(EmulatorState& state, const EmuRequest& req);
EmuResponse HandleVercel(EmulatorState& state, const EmuRequest& req);
// A push of `sha` to `branch` (vercel_routes.cc): every Vercel project linked to the repository
// builds it, as Vercel's Git integration does (production for the project's production branch,
// else a preview), unless the project's Ignored Build Step skips it (then nothing is made).
void DeployPush(EmulatorState& state, const RepoInfo& repo, const std::string& branch,
                const std::string& sha);
EmuResponse HandleAnthropic(EmulatorState& state, const EmuRequest& req);
EmuResponse HandleAdmin(EmulatorState& state, const EmuRequest& req);
// Deployed sites (site_routes.cc): by Host header or under /_sites/<host>/.
bool IsSiteRequest(EmulatorState& state, const EmuRequest& req);
EmuResponse HandleSite(EmulatorState& state, const EmuRequest& req);

// Applies faults, routes, logs. Called without state.mu held.
EmuResponse Dispatch(EmulatorState& state, const EmuRequest& req);

enum class Family { kGitHub, kVercel, kAnthropic, kAdmin, kCodeload };
Family FamilyOf(const std::string& path);
// An error answer shaped like the family's real error bodies.
EmuResponse FamilyError(EmulatorState& state, Family family, int status,
                        const std::string& message);

}  // namespace slipway::emulator
