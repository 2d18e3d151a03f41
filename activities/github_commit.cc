// activities/github_commit.cc: GitHubClient::CommitFiles, several files in one commit through
// GitHub's git data API (shared/reference/external-apis.md A.5). Only the final ref update makes
// the change visible, so the commit is all-or-nothing; the ref moves only as a fast-forward.
// Text goes inline in the tree; content that is not UTF-8 (a PNG favicon) cannot be JSON text,
// so it goes first as a base64 blob (POST git/blobs) and the tree names it by sha.
// Also CreateBranch (POST git/refs), idempotent on "Reference already exists", and MergeInto
// (POST /repos/{o}/{r}/merges).
#include <nlohmann/json.hpp>

#include "activities/github_client.h"
#include "activities/http_errors.h"
#include "activities/rest_util.h"
#include "engine/base/git_names.h"
#include "engine/base/utf8.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

std::string WithTrailer(const std::string& message, const std::string& key) {
  if (key.empty()) return message;
  return message + "\n\nSlipway-Idempotency-Key: " + key;
}

}  // namespace

Result<GitCommitInfo> GitHubClient::GetCommit(const std::string& repo, const std::string& sha) {
  SLIPWAY_RETURN_IF_ERROR(ValidateCommitSha(sha, "sha"));
  std::string what = "github get commit " + sha;
  Result<HttpResponse> resp =
      Send(Request("GET", RepoPath(repo) + "/git/commits/" + UrlEncode(sha)));
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return NotFound(what + ": no such commit");
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  Result<GitCommitInfo> commit = Decode<GitCommitInfo>(*j, what, [](const json& v) {
    GitCommitInfo c;
    c.sha = v.at("sha").get<std::string>();
    c.tree_sha = v.at("tree").at("sha").get<std::string>();
    c.message = v.value("message", "");
    for (const json& p : v.value("parents", json::array())) c.parents.push_back(p.at("sha"));
    return c;
  });
  // The tree sha keys build results shared by every tenant (workflows/build_results.h) and
  // is sent back in later requests: only the shape git gives it.
  if (commit.ok() && (!IsCommitSha(commit->sha) || !IsCommitSha(commit->tree_sha))) {
    return Unavailable(what + ": unexpected response shape: sha or tree.sha is not 40 hex digits");
  }
  return commit;
}

Result<std::string> GitHubClient::PostForSha(const std::string& path, const json& body,
                                             const std::string& what) {
  Result<HttpResponse> resp = Send(Request("POST", path, JsonText(body)));
  if (!resp.ok()) return resp.status();
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<std::string>(*j, what,
                             [](const json& v) { return v.at("sha").get<std::string>(); });
}

Result<std::string> GitHubClient::CreateBlob(const std::string& repo, const std::string& content) {
  std::string what = "github create blob in " + repo;
  json body = {{"content", Base64Encode(content)}, {"encoding", "base64"}};
  return PostForSha(RepoPath(repo) + "/git/blobs", body, what);
}

Result<json> GitHubClient::TreeEntries(const std::string& repo,
                                       const std::map<std::string, std::string>& files) {
  json entries = json::array();
  for (const auto& [path, content] : files) {
    json entry = {{"path", path}, {"mode", "100644"}, {"type", "blob"}};
    if (IsValidUtf8(content)) {
      entry["content"] = content;
    } else {
      Result<std::string> sha = CreateBlob(repo, content);
      if (!sha.ok()) return sha.status();
      entry["sha"] = *sha;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::string> GitHubClient::CreateTree(const std::string& repo, const std::string& base_tree,
                                             const json& entries) {
  std::string what = "github create tree in " + repo;
  json body = {{"base_tree", base_tree}, {"tree", entries}};
  return PostForSha(RepoPath(repo) + "/git/trees", body, what);
}

Result<std::string> GitHubClient::CreateCommit(const std::string& repo, const std::string& message,
                                               const std::string& tree_sha,
                                               const std::string& parent_sha) {
  std::string what = "github create commit in " + repo;
  json body = {{"message", message}, {"tree", tree_sha}, {"parents", {parent_sha}}};
  return PostForSha(RepoPath(repo) + "/git/commits", body, what);
}

Status GitHubClient::UpdateRef(const std::string& repo, const std::string& branch,
                               const std::string& sha) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(branch, "branch"));
  std::string what = "github update ref heads/" + branch;
  json body = {{"sha", sha}, {"force", false}};
  Result<HttpResponse> resp = Send(
      Request("PATCH", RepoPath(repo) + "/git/refs/heads/" + UrlEncodePath(branch), body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 422 && RemoteMessage(resp->body).find("fast forward") != std::string::npos) {
    return Conflict(what + ": the branch moved meanwhile (not a fast forward)");
  }
  return StatusFromResponse(*resp, what);
}

Result<bool> GitHubClient::FastForwardBranch(const std::string& repo, const std::string& branch,
                                             const std::string& from_sha,
                                             const std::string& to_sha) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(branch, "branch"));
  SLIPWAY_RETURN_IF_ERROR(ValidateCommitSha(from_sha, "from_sha"));
  SLIPWAY_RETURN_IF_ERROR(ValidateCommitSha(to_sha, "to_sha"));
  Result<std::string> head = GetBranchHead(repo, branch);
  if (!head.ok()) return head.status();
  if (*head == to_sha) return false;
  if (*head != from_sha) {
    return Conflict("branch " + branch + " is at " + *head + ", not at " + from_sha +
                    " as expected: not moved to " + to_sha);
  }
  Status st = UpdateRef(repo, branch, to_sha);
  if (st.code() == Code::kConflict) {
    return Conflict("branch " + branch + " moved on from " + from_sha +
                    " meanwhile: not moved to " + to_sha + " (not a fast forward)");
  }
  SLIPWAY_RETURN_IF_ERROR(st);
  return true;
}

Result<std::optional<std::string>> GitHubClient::MergeInto(const std::string& repo,
                                                           const std::string& base,
                                                           const std::string& head_sha,
                                                           const std::string& message) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(base, "base"));
  SLIPWAY_RETURN_IF_ERROR(ValidateCommitSha(head_sha, "head"));
  std::string what = "github merge " + head_sha.substr(0, 12) + " into " + base;
  json body = {{"base", base}, {"head", head_sha}, {"commit_message", message}};
  Result<HttpResponse> resp = Send(Request("POST", RepoPath(repo) + "/merges", body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 204) return std::optional<std::string>();  // already contained
  if (resp->status == 409) return Conflict(what + ": merge conflict");
  if (resp->status == 404) return NotFound(what + ": " + RemoteMessage(resp->body));
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<std::optional<std::string>>(*j, what, [](const json& v) {
    return std::optional<std::string>(v.at("sha").get<std::string>());
  });
}

Result<bool> GitHubClient::CreateBranch(const std::string& repo, const std::string& branch,
                                        const std::string& sha) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(branch, "branch"));
  if (sha.empty()) return InvalidArgument("sha", "the commit to branch from is empty");
  std::string what = "github create ref heads/" + branch;
  json body = {{"ref", "refs/heads/" + branch}, {"sha", sha}};
  Result<HttpResponse> resp = Send(Request("POST", RepoPath(repo) + "/git/refs", body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 422) {
    // An earlier attempt (whose answer was lost) or someone else made it: the branch exists.
    if (RemoteMessage(resp->body).find("already exists") != std::string::npos) return false;
    return InvalidArgument("sha", what + ": " + RemoteMessage(resp->body));
  }
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  return true;
}

Result<CommitFilesResult> GitHubClient::CommitFiles(const CommitFilesRequest& request) {
  if (request.files.empty()) return InvalidArgument("files", "no files to commit");
  if (request.message.empty()) return InvalidArgument("message", "commit message is empty");
  std::string branch = request.branch;
  if (branch.empty()) {
    Result<GitHubRepo> r = GetRepo(request.repo);
    if (!r.ok()) return r.status();
    branch = r->default_branch;
  }
  Result<std::string> head = GetBranchHead(request.repo, branch);
  if (!head.ok()) return head.status();
  Result<GitCommitInfo> head_commit = GetCommit(request.repo, *head);
  if (!head_commit.ok()) return head_commit.status();
  const std::string head_tree = head_commit->tree_sha;
  Result<json> entries = TreeEntries(request.repo, request.files);
  if (!entries.ok()) return entries.status();
  // Trees are content-addressed: if applying the files to the head's tree gives the same tree,
  // the head already holds them (an earlier attempt landed, or someone made the same change).
  Result<std::string> tree = CreateTree(request.repo, head_tree, *entries);
  if (!tree.ok()) return tree.status();
  if (*tree == head_tree) return CommitFilesResult{false, *head, *tree};

  std::string parent = request.parent_sha.empty() ? *head : request.parent_sha;
  if (parent != *head) {
    // Build on the commit the change was made against; the fast-forward-only ref update below
    // then refuses it, and the caller sees kConflict instead of an edit applied to newer code.
    Result<GitCommitInfo> parent_commit = GetCommit(request.repo, parent);
    if (!parent_commit.ok()) return parent_commit.status();
    tree = CreateTree(request.repo, parent_commit->tree_sha, *entries);
    if (!tree.ok()) return tree.status();
  }
  Result<std::string> commit = CreateCommit(
      request.repo, WithTrailer(request.message, request.idempotency_key), *tree, parent);
  if (!commit.ok()) return commit.status();
  SLIPWAY_RETURN_IF_ERROR(UpdateRef(request.repo, branch, *commit));
  return CommitFilesResult{true, *commit, *tree};
}

}  // namespace slipway::activities
