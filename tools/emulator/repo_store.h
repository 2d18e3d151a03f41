// tools/emulator/repo_store.h: the emulated GitHub's repositories, as real files on disk.
//
// Layout under root: repos/<owner>/<name>/repo.json (metadata, branch heads, hooks) and
// repos/<owner>/<name>/branches/<branch>/<file tree>. Only each branch's latest tree is kept:
// a ref is a branch name or a branch's current head sha. Blob shas are git's (SHA-1 of
// "blob <len>\0<data>"); a commit sha is the SHA-1 of its parent, message and tree. Owner and
// repository names compare case-insensitively, as on GitHub. State survives a restart on the
// same root. Not thread-safe: the emulator serialises calls.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"

namespace slipway::emulator {

struct Hook {
  int64_t id = 0;
  std::string url;
  std::string content_type = "form";
  std::vector<std::string> events{"push"};
  bool active = true;
  bool has_secret = false;
  std::string secret;  // signs deliveries (X-Hub-Signature-256); kept on disk, never listed
};

struct RepoInfo {
  int64_t id = 0;
  std::string owner;
  std::string name;
  std::string description;
  std::string default_branch = "main";
  std::string template_full_name;  // empty unless generated from a template
  bool is_template = false;
  bool is_private = false;
  std::map<std::string, std::string> heads;  // branch -> head commit sha
  std::vector<Hook> hooks;
  std::string full_name() const { return owner + "/" + name; }
};

class RepoStore {
 public:
  explicit RepoStore(std::string root);
  // Reads repositories left by an earlier run. Errors: kCorruption for unreadable metadata.
  Status Load();

  const RepoInfo* Find(const std::string& owner, const std::string& name) const;
  // Creates (or refreshes) a template repository whose default branch holds `dir`'s files.
  Status SeedTemplate(const std::string& owner, const std::string& name, const std::string& dir);
  // Copies the template's default branch into a new repository. Requires: target absent.
  Result<RepoInfo> Generate(const RepoInfo& tmpl, const std::string& owner,
                            const std::string& name, const std::string& description,
                            bool is_private);
  // Resolves a branch name or a head sha to a branch name.
  std::optional<std::string> ResolveRef(const RepoInfo& repo, const std::string& ref) const;
  std::optional<std::string> ReadFile(const RepoInfo& repo, const std::string& branch,
                                      const std::string& path) const;
  // Files of a branch, path -> content, sorted by path.
  std::map<std::string, std::string> ReadTree(const RepoInfo& repo,
                                              const std::string& branch) const;
  // Writes one file as a new commit on branch; returns the new head sha.
  Result<std::string> WriteFile(const RepoInfo& repo, const std::string& branch,
                                const std::string& path, const std::string& content,
                                const std::string& message);
  // Makes branch hold exactly `files` with head commit `head_sha` (git data API ref update).
  Status ReplaceTree(const RepoInfo& repo, const std::string& branch,
                     const std::map<std::string, std::string>& files, const std::string& head_sha);
  Result<Hook> AddHook(const RepoInfo& repo, Hook hook);

 private:
  std::string RepoDir(const RepoInfo& repo) const;
  std::string BranchDir(const RepoInfo& repo, const std::string& branch) const;
  Status Save(const RepoInfo& repo);
  RepoInfo* FindMutable(const std::string& owner, const std::string& name);
  std::string CommitSha(const RepoInfo& repo, const std::string& branch,
                        const std::string& message) const;

  std::string root_;
  std::deque<RepoInfo> repos_;  // deque: Find() pointers stay valid as repos are added
  // Lower-cased "owner/name" -> its repo (GitHub's names are case-insensitive).
  std::unordered_map<std::string, RepoInfo*> by_name_;
  RepoInfo& Add(RepoInfo r);
  int64_t next_id_ = 700'000'001;
  int64_t next_hook_id_ = 4'000'001;
};

// git's blob sha of content.
std::string GitBlobSha(const std::string& content);
// True for a relative path with no empty, "." or ".." segment.
bool IsSafeRepoPath(const std::string& path);

}  // namespace slipway::emulator
