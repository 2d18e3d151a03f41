// activities/github_client.h: the GitHub REST calls Slipway makes, typed in and typed out.
//
// Tenant repositories live under GitHubConfig::owner and are named by `repo` (no owner).
// Every call is safe to repeat with the same input (activities run at least once):
//   CreateRepoFromTemplate  looks first; a repo of that name made from the configured template
//                           is returned (created=false); one made otherwise is kAlreadyExists.
//   PutFile                 reads the file first; same content -> no commit (changed=false);
//                           otherwise one PUT with the current blob sha. A concurrent change
//                           (409 stale sha, 422 missing sha, or base_sha no longer current) is
//                           kConflict: reload, then retry. Never overwrites blindly.
//                           Either way the call returns once the default branch exists (unless
//                           wait_until_ready is false: then look with DefaultBranchReady) (polled,
//                           bounded by GitHubConfig::ready_poll_*; kUnavailable if it never
//                           appears, so a retry looks again).
//   CommitFiles             several files in ONE commit through the git data API (get ref, get
//                           commit, create tree on base_tree with inline contents, create commit,
//                           PATCH ref with force:false). Content that is not valid UTF-8 is
//                           binary: it is sent as a base64 blob first and named by its sha, so
//                           it lands byte for byte. If the branch head already holds exactly
//                           these contents, no commit is made (changed=false, the head's sha). A
//                           branch that moved meanwhile (422 "not a fast forward") or moved on from
//                           the request's parent_sha is kConflict: reload, then retry. Never forced.
//   CreateBranch            POST git/refs at a sha; a branch of that name already there (422
//                           "Reference already exists") is success with created=false, whatever
//                           its head (the caller asked for the branch to exist, not to move it).
//   FastForwardBranch       compare-and-set of a branch: moves it from `from_sha` to `to_sha`
//                           with PATCH git/refs force:false (GitHub refuses anything but a
//                           fast forward). Already at to_sha -> moved=false. At any other sha
//                           than from_sha, or moved meanwhile (422 "not a fast forward"), it is
//                           kConflict naming both shas: never forced, nobody's commit is lost.
//   CreateWebhook           a hook with the same URL already there -> returned (created=false).
//   GetBranchHead, GetFile, GetCommit, DownloadTarball  reads.
// Names that reach a URL path are checked before any request: refs and branches by git's
// ref-name rules, shas as 40 hex, new repository names as GitHub names (kInvalidArgument naming
// the parameter, engine/base/git_names.h); and no URL with a "."/".." path segment is sent
// (CheckUrlPath), whatever its origin.
// Errors follow http_errors.h (kUnavailable/kDeadlineExceeded retryable; kPermanent,
// kInvalidArgument not) plus the ones named above. Messages never carry the token.
// Thread-safe if the HttpClient is (CurlHttpClient is). The HttpClient must outlive this.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "activities/http_client.h"
#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct GitHubRepo {
  int64_t id = 0;
  std::string owner;
  std::string name;
  std::string full_name;
  std::string default_branch;
  std::string html_url;
  std::string clone_url;
  std::string template_full_name;  // empty when not made from a template
  bool created = false;            // false: this call found it already there
};

struct CreateRepoRequest {
  std::string name;
  std::string description;
  bool private_repo = true;
  // false: return as soon as the repository exists, without waiting for GitHub to copy the
  // template (look with DefaultBranchReady; the onboarding step waits on durable timers).
  bool wait_until_ready = true;
};

struct GitHubFile {
  std::string content;   // decoded bytes
  std::string blob_sha;  // pass back as PutFileRequest::base_sha
};

struct PutFileRequest {
  std::string repo;
  std::string path;    // e.g. "websiteData.json", "src/pages/index.tsx"
  std::string branch;  // empty: the repository's default branch
  std::string content;
  std::string message;  // commit message
  // When set, the blob sha the caller's change was based on ("" = the file must not exist).
  // If the file moved on since, the call is kConflict instead of overwriting someone's edit.
  std::optional<std::string> base_sha;
};

struct PutFileResult {
  bool changed = false;    // false: the file already had this content; no commit was made
  bool created = false;    // the file did not exist before
  std::string blob_sha;    // the file's blob sha now
  std::string commit_sha;  // the new commit, or the branch head when unchanged
};

struct CommitFilesRequest {
  std::string repo;
  std::string branch;                        // empty: the repository's default branch
  std::map<std::string, std::string> files;  // path -> whole new content; must not be empty
  std::string message;                       // commit message
  // When set, the commit the change was made against. If the branch head is no longer this
  // commit and does not already hold these contents, the call is kConflict.
  std::string parent_sha;
  // When set, added to the message as a "Slipway-Idempotency-Key: <key>" trailer (for people
  // reading the history; the content check above is what makes a repeat harmless).
  std::string idempotency_key;
};

struct CommitFilesResult {
  bool changed = false;    // false: the head already had these contents; no commit was made
  std::string commit_sha;  // the new commit, or the head when unchanged
  std::string tree_sha;
};

struct GitCommitInfo {
  std::string sha;
  std::string tree_sha;
  std::string message;
  std::vector<std::string> parents;
};

struct WebhookRequest {
  std::string repo;
  std::string url;
  std::string secret;  // HMAC key for X-Hub-Signature-256; never logged
  std::vector<std::string> events{"push"};
};

struct Webhook {
  int64_t id = 0;
  std::string url;
  bool created = false;
};

class GitHubClient {
 public:
  // Waits between polls (tests pass a recorder); nullptr: std::this_thread::sleep_for.
  using SleepFn = std::function<void(int64_t ms)>;
  GitHubClient(HttpClient& http, GitHubConfig config, SleepFn sleep = nullptr);

  Result<GitHubRepo> CreateRepoFromTemplate(const CreateRepoRequest& request);
  // kNotFound when there is no such repository.
  Result<GitHubRepo> GetRepo(const std::string& repo);
  // nullopt when the path does not exist on ref (empty ref: default branch).
  Result<std::optional<GitHubFile>> GetFile(const std::string& repo, const std::string& path,
                                            const std::string& ref);
  Result<PutFileResult> PutFile(const PutFileRequest& request);
  Result<CommitFilesResult> CommitFiles(const CommitFilesRequest& request);
  // A commit object (git data API). kNotFound for no such commit.
  Result<GitCommitInfo> GetCommit(const std::string& repo, const std::string& sha);
  Result<Webhook> CreateWebhook(const WebhookRequest& request);
  // Whether GitHub has copied a generated repository's contents yet: its default branch
  // exists (a 404 or an empty repository's 409 is "not yet").
  Result<bool> DefaultBranchReady(const std::string& repo, const std::string& branch);
  // Head commit sha of a branch. kNotFound for no such branch; kConflict for an empty repo.
  Result<std::string> GetBranchHead(const std::string& repo, const std::string& branch);
  // Creates branch `branch` at commit `sha` (see above). Returns whether this call created it.
  // kInvalidArgument for an empty name or sha, or a sha GitHub does not know (422).
  Result<bool> CreateBranch(const std::string& repo, const std::string& branch,
                            const std::string& sha);
  // See above. Returns whether this call moved the branch. kNotFound for no such branch.
  Result<bool> FastForwardBranch(const std::string& repo, const std::string& branch,
                                 const std::string& from_sha, const std::string& to_sha);
  // POST /repos/{owner}/{repo}/merges: merges commit `head_sha` into branch `base` with a merge
  // commit (GitHub's 201: its sha), or nullopt when `base` already contains it (204). Repeats
  // are safe: a merge that landed makes the next one a 204. kConflict on a merge conflict
  // (409), kNotFound when the branch or the commit is missing (404).
  Result<std::optional<std::string>> MergeInto(const std::string& repo, const std::string& base,
                                                const std::string& head_sha,
                                                const std::string& message);
  // The .tar.gz of ref (GitHub's layout: one top-level directory). Follows the 302; the token
  // is sent to the redirect target only when it is on the API's own host.
  Result<std::string> DownloadTarball(const std::string& repo, const std::string& ref);

 private:
  HttpRequest Request(const std::string& method, const std::string& path,
                      const std::string& body = "") const;
  Result<HttpResponse> Send(const HttpRequest& request);
  Result<std::optional<GitHubRepo>> FindRepo(const std::string& repo);
  Result<std::optional<Webhook>> FindHook(const std::string& repo, const std::string& url);
  std::string RepoPath(const std::string& repo) const;
  Status CheckTemplate(const GitHubRepo& repo) const;
  Status WaitForDefaultBranch(const GitHubRepo& repo);
  // Git data API steps (github_commit.cc).
  // POSTs a git data object (blob, tree, commit) and returns the sha GitHub gave it.
  Result<std::string> PostForSha(const std::string& path, const nlohmann::json& body,
                                 const std::string& what);
  Result<std::string> CreateBlob(const std::string& repo, const std::string& content);
  // Tree entries for files: text inline, anything else as a blob (CreateBlob) named by sha.
  Result<nlohmann::json> TreeEntries(const std::string& repo,
                                     const std::map<std::string, std::string>& files);
  Result<std::string> CreateTree(const std::string& repo, const std::string& base_tree,
                                 const nlohmann::json& entries);
  Result<std::string> CreateCommit(const std::string& repo, const std::string& message,
                                   const std::string& tree_sha, const std::string& parent_sha);
  Status UpdateRef(const std::string& repo, const std::string& branch, const std::string& sha);

  HttpClient& http_;
  const GitHubConfig config_;
  SleepFn sleep_;
};

}  // namespace slipway::activities
