// workflows/activities/editor_sync.h: after a release, the editor's branch (`main`, the
// repository's default branch: webhook_secrets.h EditorBranch) gets the released commit, so that
// what people edit next starts from what production serves and the next release from `main`
// fast-forwards the production branch again.
//
// What a release-branch workflow does by hand ("merge the release back"), done by the promote
// step once production serves the release:
//   editor == production branch, or no editor branch      skipped
//   editor already contains the sha                       in_sync (nothing written)
//   editor has not moved since it was in the release      fast_forwarded (compare-and-set ref
//                                                          update, never forced)
//   editor has commits of its own (a human pushed there)  merged: a merge commit made by
//                                                          GitHub's merges API, carrying the
//                                                          Slipway-Idempotency-Key trailer (so
//                                                          the webhook does not deploy it)
//   those commits conflict with the release               conflict: left alone, reported with
//                                                          both shas (merge by hand)
// Repeatable: a repeat finds the branch in sync. kUnavailable and the like are returned (the
// step retries); any other failure is reported as status "error" with its message: production
// is live and verified, a branch that could not be synced never fails the release.
// Output (persisted keys): branch, status, sha (the released commit), editor_sha (its head
// before), merge_sha (merged only), message (conflict / error only).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "activities/github_client.h"
#include "engine/base/status.h"

namespace slipway::workflows {

Result<nlohmann::json> SyncEditorBranch(activities::GitHubClient& github, const std::string& repo,
                                        const std::string& editor_branch,
                                        const std::string& production_branch,
                                        const std::string& sha, const std::string& key);

}  // namespace slipway::workflows
