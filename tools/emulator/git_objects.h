// tools/emulator/git_objects.h: the emulated git data API's blobs, trees and commits (internal).
//
// RepoStore keeps only each branch's latest files; the git data API (create tree, create commit,
// move a ref) needs objects that exist before a branch points at them. GitObjects holds them in
// memory, content-addressed and scoped per repository: a tree is a full path -> content map
// (trees here are flat, as `recursive` listings are), a commit names its tree, parents and
// message; a blob is one file's bytes (POST git/blobs). Objects do not survive an emulator
// restart; branch heads (files on disk) do.
// Not thread-safe: the emulator serialises calls (EmulatorState::mu).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace slipway::emulator {

using FileTree = std::map<std::string, std::string>;  // path -> content

struct GitCommitObject {
  std::string tree_sha;
  std::vector<std::string> parents;
  std::string message;
};

class GitObjects {
 public:
  // Stores a blob (any bytes) and returns its sha (GitBlobSha).
  std::string PutBlob(const std::string& repo_key, std::string content);
  const std::string* FindBlob(const std::string& repo_key, const std::string& sha) const;
  // Stores the tree and returns its sha (TreeSha(files)).
  std::string PutTree(const std::string& repo_key, FileTree files);
  const FileTree* FindTree(const std::string& repo_key, const std::string& sha) const;
  // Stores the commit and returns its sha (from tree, parents and message, as git derives it).
  std::string PutCommit(const std::string& repo_key, GitCommitObject commit);
  // Stores a commit under a sha chosen elsewhere (commits the contents API made).
  void PutCommitAs(const std::string& repo_key, const std::string& sha, GitCommitObject commit);
  const GitCommitObject* FindCommit(const std::string& repo_key, const std::string& sha) const;
  // True when `ancestor` is `sha` or reachable from it through stored parents.
  bool IsAncestor(const std::string& repo_key, const std::string& ancestor,
                  const std::string& sha) const;

 private:
  std::map<std::string, std::string> blobs_;        // repo_key + " " + sha
  std::map<std::string, FileTree> trees_;           // repo_key + " " + sha
  std::map<std::string, GitCommitObject> commits_;  // repo_key + " " + sha
};

// Content address of a flat tree: equal file sets give equal shas.
std::string TreeSha(const FileTree& files);

}  // namespace slipway::emulator
