// workflows/activities/editor_sync.cc: bringing the editor's branch up to a release.
#include "workflows/activities/editor_sync.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

bool Transient(const Status& st) {
  return st.code() == Code::kUnavailable || st.code() == Code::kDeadlineExceeded ||
         st.code() == Code::kCancelled;
}

// The merge when the branch has commits of its own: a merge commit, or a conflict reported.
Result<json> Merge(activities::GitHubClient& github, const std::string& repo, json out,
                   const std::string& sha, const std::string& key) {
  const std::string branch = out["branch"];
  const std::string message = "Merge release " + sha.substr(0, 12) + " into " + branch +
                              "\n\nSlipway-Idempotency-Key: " + key;
  Result<std::optional<std::string>> merged = github.MergeInto(repo, branch, sha, message);
  if (!merged.ok() && Transient(merged.status())) return merged.status();
  if (!merged.ok()) {
    const bool conflict = merged.status().code() == Code::kConflict;
    out["status"] = conflict ? "conflict" : "error";
    out["message"] = conflict ? branch + " has commits that conflict with the release; merge " +
                                    sha + " into it by hand"
                              : merged.status().message();
    return out;
  }
  out["status"] = merged->has_value() ? "merged" : "in_sync";
  if (merged->has_value()) out["merge_sha"] = **merged;
  return out;
}

}  // namespace

Result<json> SyncEditorBranch(activities::GitHubClient& github, const std::string& repo,
                              const std::string& editor, const std::string& production,
                              const std::string& sha, const std::string& key) {
  json out = {{"branch", editor}, {"sha", sha}};
  if (editor.empty() || editor == production) {
    out["status"] = "skipped";
    return out;
  }
  Result<std::string> head = github.GetBranchHead(repo, editor);
  if (!head.ok() && Transient(head.status())) return head.status();
  if (!head.ok()) {
    out["status"] = "error";
    out["message"] = head.status().message();
    return out;
  }
  out["editor_sha"] = *head;
  if (*head == sha) {
    out["status"] = "in_sync";
    return out;
  }
  Result<bool> moved = github.FastForwardBranch(repo, editor, *head, sha);
  if (moved.ok()) {
    out["status"] = *moved ? "fast_forwarded" : "in_sync";
    return out;
  }
  if (Transient(moved.status())) return moved.status();
  if (moved.status().code() == Code::kConflict) return Merge(github, repo, out, sha, key);
  out["status"] = "error";
  out["message"] = moved.status().message();
  return out;
}

}  // namespace slipway::workflows
