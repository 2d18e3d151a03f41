#include "tools/emulator/git_objects.h"

#include <set>

#include "tools/emulator/emu_http.h"
#include "tools/emulator/repo_store.h"

namespace slipway::emulator {

std::string TreeSha(const FileTree& files) {
  std::string text = "tree\n";
  for (const auto& [path, content] : files)
    text += "100644 " + path + " " + GitBlobSha(content) + "\n";
  return Sha1Hex(text);
}

std::string GitObjects::PutBlob(const std::string& repo_key, std::string content) {
  std::string sha = GitBlobSha(content);
  blobs_[repo_key + " " + sha] = std::move(content);
  return sha;
}

const std::string* GitObjects::FindBlob(const std::string& repo_key,
                                        const std::string& sha) const {
  auto it = blobs_.find(repo_key + " " + sha);
  return it == blobs_.end() ? nullptr : &it->second;
}

std::string GitObjects::PutTree(const std::string& repo_key, FileTree files) {
  std::string sha = TreeSha(files);
  trees_[repo_key + " " + sha] = std::move(files);
  return sha;
}

const FileTree* GitObjects::FindTree(const std::string& repo_key, const std::string& sha) const {
  auto it = trees_.find(repo_key + " " + sha);
  return it == trees_.end() ? nullptr : &it->second;
}

std::string GitObjects::PutCommit(const std::string& repo_key, GitCommitObject commit) {
  std::string text = "commit\ntree " + commit.tree_sha + "\n";
  for (const std::string& p : commit.parents) text += "parent " + p + "\n";
  std::string sha = Sha1Hex(text + "\n" + commit.message);
  commits_[repo_key + " " + sha] = std::move(commit);
  return sha;
}

void GitObjects::PutCommitAs(const std::string& repo_key, const std::string& sha,
                             GitCommitObject commit) {
  commits_[repo_key + " " + sha] = std::move(commit);
}

const GitCommitObject* GitObjects::FindCommit(const std::string& repo_key,
                                              const std::string& sha) const {
  auto it = commits_.find(repo_key + " " + sha);
  return it == commits_.end() ? nullptr : &it->second;
}

bool GitObjects::IsAncestor(const std::string& repo_key, const std::string& ancestor,
                            const std::string& sha) const {
  std::vector<std::string> todo{sha};
  std::set<std::string> seen;
  while (!todo.empty()) {
    std::string cur = todo.back();
    todo.pop_back();
    if (cur == ancestor) return true;
    if (!seen.insert(cur).second) continue;
    if (const GitCommitObject* c = FindCommit(repo_key, cur)) {
      todo.insert(todo.end(), c->parents.begin(), c->parents.end());
    }
  }
  return false;
}

}  // namespace slipway::emulator
