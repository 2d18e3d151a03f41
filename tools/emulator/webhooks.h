// tools/emulator/webhooks.h: the emulated GitHub's repository webhooks (internal): push and
// ping payloads in GitHub's shapes (shared/reference/external-apis.md A.7), signed with the
// hook's secret (X-Hub-Signature-256), delivered over HTTP to loopback URLs only, and
// remembered for the deliveries API and redelivery:
//   GET  /repos/{o}/{r}/hooks/{hook_id}/deliveries                        newest first
//   POST /repos/{o}/{r}/hooks/{hook_id}/deliveries/{id}/attempts          202: the same
//        delivery again (same X-GitHub-Delivery, body and signature), as GitHub redelivers
//   POST /_admin/github/push   {repo, branch, files: {path: content}, message, pusher}: a
//        human's push (one commit; a missing branch is created from the default branch's
//        head), then its push deliveries; answers {before, after, deliveries}
//   GET  /_admin/deliveries    every delivery with its outcome (status 0: not sent)
//   POST /_admin/deliveries/{id}/redeliver   the same delivery again (no GitHub token needed)
// Every ref change (contents PUT, git refs PATCH/POST) owes a push delivery to each active hook
// that has the "push" event; a new hook owes a ping. Routes build deliveries under state.mu;
// Dispatch sends them after releasing it, before the causing request is answered (so a test
// that pushed sees its deliveries done).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/emulator/emulator_state.h"

namespace slipway::emulator {

// The pusher of pushes made through the API (the token's user).
inline constexpr const char* kApiPusher = "slipway-bot";

struct PushEvent {
  std::string branch;
  std::string before;  // "" for a new branch
  std::string after;
  std::string pusher;
  std::string base;    // a new branch: commits[] lists those after this one ("": none)
};

// Push deliveries owed to the repository's hooks; state.mu held.
std::vector<WebhookDelivery> PushDeliveries(EmulatorState& s, const EmuRequest& req,
                                            const RepoInfo& repo, const PushEvent& push);
WebhookDelivery PingDelivery(EmulatorState& s, const EmuRequest& req, const RepoInfo& repo,
                             const Hook& hook);
// The deliveries API under /repos/{o}/{r}/hooks/{id}/; nullopt: not one of its routes.
std::optional<EmuResponse> HandleHookDeliveries(EmulatorState& s, const EmuRequest& req,
                                                const RepoInfo& repo,
                                                const std::vector<std::string>& seg);
// /_admin/github/push and /_admin/deliveries; nullopt: not one of them. state.mu held.
std::optional<EmuResponse> HandleWebhookAdmin(EmulatorState& s, const EmuRequest& req);
// Sends them (state.mu NOT held) and records the outcomes; returns them as JSON.
nlohmann::json SendDeliveries(EmulatorState& s, const std::vector<WebhookDelivery>& deliveries);

}  // namespace slipway::emulator
