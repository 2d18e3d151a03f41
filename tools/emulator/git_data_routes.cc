// tools/emulator/git_data_routes.cc: GitHub's git data API subset for multi-file commits:
//   GET   /repos/{o}/{r}/git/commits/{sha}     a commit's tree and parents
//   POST  /repos/{o}/{r}/git/blobs             {content, encoding: "utf-8" | "base64"}: 201 {sha}
//   GET   /repos/{o}/{r}/git/blobs/{sha}       {sha, size, content (base64), encoding}
//   POST  /repos/{o}/{r}/git/trees             base_tree + entries (inline content, sha of a blob
//                                              or of a base file, sha:null)
//   POST  /repos/{o}/{r}/git/commits           message, tree, parents
//   POST  /repos/{o}/{r}/git/refs              {ref: "refs/heads/x", sha}: a new branch at sha;
//                                              422 "Reference already exists"
//   PATCH /repos/{o}/{r}/git/refs/heads/{b}    {sha, force}: 422 "Update is not a fast forward"
//   POST  /repos/{o}/{r}/merges                {base, head, commit_message}: 201 merge commit
//                                              (three-way merge of the flat trees), 204 when
//                                              base contains head, 409 "Merge conflict"
// Shapes and codes follow shared/reference/external-apis.md A.5. A branch head written by the
// contents API has no stored commit object; it is synthesised from the branch's files (no
// parents) unless RecordHeadCommit kept it. Only ref changes are effects: "commit" for an update,
// "branch_moved" for an update to a commit another branch already holds, "ref_created" for a
// new branch, "merged" for a merge commit (request log).
#include <algorithm>
#include <deque>
#include <functional>
#include <set>

#include "tools/emulator/emulator_state.h"
#include "tools/emulator/webhooks.h"

namespace slipway::emulator {

namespace {

EmuResponse Error(int status, const std::string& message) {
  return Json(status,
              {{"message", message}, {"documentation_url", "https://docs.github.com/rest/git"}});
}

std::string Key(const RepoInfo& r) { return r.full_name(); }

std::string ApiUrl(const EmuRequest& req, const RepoInfo& r, const std::string& rest) {
  return req.base_url + "/repos/" + r.full_name() + "/git/" + rest;
}

// The commit object behind sha: a stored one, or a branch head (synthesised; its tree is stored
// so that it can serve as a base_tree).
std::optional<GitCommitObject> LookupCommit(EmulatorState& s, const RepoInfo& r,
                                            const std::string& sha) {
  if (const GitCommitObject* c = s.git.FindCommit(Key(r), sha)) return *c;
  for (const auto& [branch, head] : r.heads) {
    if (head != sha) continue;
    GitCommitObject c;
    c.tree_sha = s.git.PutTree(Key(r), s.repos.ReadTree(r, branch));
    c.message = "(commit written through the contents API)";
    return c;
  }
  return std::nullopt;
}

nlohmann::json CommitJson(const EmuRequest& req, const RepoInfo& r, const std::string& sha,
                          const GitCommitObject& c) {
  nlohmann::json parents = nlohmann::json::array();
  for (const std::string& p : c.parents) {
    parents.push_back({{"sha", p}, {"url", ApiUrl(req, r, "commits/" + p)}});
  }
  nlohmann::json who = {
      {"name", "Slipway"}, {"email", "slipway@example.invalid"}, {"date", "2026-01-01T00:00:00Z"}};
  return {{"sha", sha},
          {"url", ApiUrl(req, r, "commits/" + sha)},
          {"html_url", "https://github.com/" + r.full_name() + "/commit/" + sha},
          {"message", c.message},
          {"tree", {{"sha", c.tree_sha}, {"url", ApiUrl(req, r, "trees/" + c.tree_sha)}}},
          {"parents", parents},
          {"author", who},
          {"committer", who},
          {"verification", {{"verified", false}, {"reason", "unsigned"}}}};
}

EmuResponse GetCommit(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                      const std::string& sha) {
  if (r.heads.empty()) return Error(409, "Git Repository is empty.");
  std::optional<GitCommitObject> c = LookupCommit(s, r, sha);
  if (!c) return Error(404, "Not Found");
  return Json(200, CommitJson(req, r, sha, *c));
}

// Blobs are stored as given (base64 decoded to the exact bytes); creating one is not an effect:
// nothing is visible until a ref moves.
EmuResponse CreateBlob(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (!body.contains("content") || !body["content"].is_string()) {
    return Error(422, "Invalid request.\n\n\"content\" wasn't supplied.");
  }
  std::string encoding = body.contains("encoding") && body["encoding"].is_string()
                             ? body["encoding"].get<std::string>()
                             : "utf-8";
  std::string content = body["content"].get<std::string>();
  if (encoding == "base64") {
    std::string bytes;
    if (!Base64Decode(content, &bytes)) return Error(422, "content is not valid Base64");
    content = std::move(bytes);
  } else if (encoding != "utf-8" && encoding != "utf8") {
    return Error(422, "encoding must be utf-8 or base64");
  }
  std::string sha = s.git.PutBlob(Key(r), std::move(content));
  return Json(201, {{"sha", sha}, {"url", ApiUrl(req, r, "blobs/" + sha)}});
}

EmuResponse GetBlob(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                    const std::string& sha) {
  const std::string* blob = s.git.FindBlob(Key(r), sha);
  if (blob == nullptr) return Error(404, "Not Found");
  return Json(200, {{"sha", sha},
                    {"node_id", "B_emu"},
                    {"size", blob->size()},
                    {"url", ApiUrl(req, r, "blobs/" + sha)},
                    {"content", Base64Encode(*blob)},
                    {"encoding", "base64"}});
}

// Applies one tree entry to files; returns an error message, or "" when applied. A sha names a
// blob made by POST git/blobs or a file of the base tree.
std::string ApplyEntry(const nlohmann::json& e, const FileTree& base,
                       const std::function<const std::string*(const std::string&)>& find_blob,
                       FileTree* files) {
  if (!e.is_object() || !e.contains("path") || !e["path"].is_string())
    return "tree.path is missing";
  std::string path = e["path"];
  if (!IsSafeRepoPath(path)) return "tree.path is invalid: " + path;
  if (e.value("type", "blob") != "blob") return "only blob entries are supported";
  std::string mode = e.value("mode", "100644");
  if (mode != "100644" && mode != "100755") return "tree.mode is invalid for a blob";
  bool has_content = e.contains("content"), has_sha = e.contains("sha");
  if (has_content == has_sha) return "exactly one of tree.sha and tree.content must be given";
  if (has_content) {
    if (!e["content"].is_string()) return "tree.content must be a string";
    (*files)[path] = e["content"].get<std::string>();
    return "";
  }
  if (e["sha"].is_null()) {
    if (files->erase(path) == 0) return "tree.path " + path + " does not exist to delete";
    return "";
  }
  std::string sha = e["sha"].is_string() ? e["sha"].get<std::string>() : "";
  if (const std::string* blob = find_blob(sha)) {
    (*files)[path] = *blob;
    return "";
  }
  for (const auto& [p, content] : base) {
    if (GitBlobSha(content) == sha) {
      (*files)[path] = content;
      return "";
    }
  }
  return "tree.sha " + sha + " is not a valid blob";
}

EmuResponse CreateTree(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (!body.contains("tree") || !body["tree"].is_array()) return Error(422, "Invalid tree info");
  FileTree files;
  if (body.contains("base_tree") && body["base_tree"].is_string()) {
    const FileTree* base = s.git.FindTree(Key(r), body["base_tree"].get<std::string>());
    if (base == nullptr) return Error(422, "base_tree is not a valid tree oid");
    files = *base;
  }
  const FileTree base = files;
  auto find_blob = [&](const std::string& sha) { return s.git.FindBlob(Key(r), sha); };
  for (const nlohmann::json& e : body["tree"]) {
    std::string problem = ApplyEntry(e, base, find_blob, &files);
    if (!problem.empty()) return Error(422, problem);
  }
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [path, content] : files) {
    entries.push_back({{"path", path},
                       {"mode", "100644"},
                       {"type", "blob"},
                       {"sha", GitBlobSha(content)},
                       {"size", content.size()}});
  }
  std::string sha = s.git.PutTree(Key(r), std::move(files));
  return Json(201, {{"sha", sha},
                    {"url", ApiUrl(req, r, "trees/" + sha)},
                    {"truncated", false},
                    {"tree", entries}});
}

EmuResponse CreateCommit(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (!body.contains("message") || !body["message"].is_string() || !body.contains("tree") ||
      !body["tree"].is_string()) {
    return Error(422, "Invalid request.\n\n\"message\" and \"tree\" are required.");
  }
  GitCommitObject c;
  c.message = body["message"];
  c.tree_sha = body["tree"];
  if (s.git.FindTree(Key(r), c.tree_sha) == nullptr) return Error(422, "Tree SHA does not exist");
  for (const nlohmann::json& p : body.value("parents", nlohmann::json::array())) {
    if (!p.is_string() || !LookupCommit(s, r, p.get<std::string>())) {
      return Error(422, "Parent SHA does not exist or is not a commit object");
    }
    c.parents.push_back(p);
  }
  std::string sha = s.git.PutCommit(Key(r), c);
  return Json(201, CommitJson(req, r, sha, c));
}

EmuResponse UpdateRef(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                      const std::string& ref) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (ref.rfind("heads/", 0) != 0 || !r.heads.count(ref.substr(6))) {
    return Error(422, "Reference does not exist");
  }
  std::string branch = ref.substr(6);
  std::string sha = body.value("sha", "");
  std::optional<GitCommitObject> c = LookupCommit(s, r, sha);
  if (!c) return Error(422, "Object does not exist");
  const std::string& head = r.heads.at(branch);
  EmuResponse resp = Json(
      200,
      {{"ref", "refs/" + ref},
       {"node_id", "REF_emu"},
       {"url", ApiUrl(req, r, "refs/" + ref)},
       {"object", {{"type", "commit"}, {"sha", sha}, {"url", ApiUrl(req, r, "commits/" + sha)}}}});
  if (sha == head) return resp;
  if (!body.value("force", false) && !s.git.IsAncestor(Key(r), head, sha)) {
    return Error(422, "Update is not a fast forward");
  }
  const FileTree* files = s.git.FindTree(Key(r), c->tree_sha);
  if (files == nullptr) return Error(500, "tree of " + sha + " is missing");
  const std::string before = head;
  // A commit another branch already holds (a release fast-forwarding production to its work
  // branch) makes no new commit: the effect is the move, not a commit.
  bool known = false;
  for (const auto& [name, head_sha] : r.heads) known = known || (name != branch && head_sha == sha);
  Status st = s.repos.ReplaceTree(r, branch, *files, sha);
  if (!st.ok()) return Error(500, st.message());
  resp.effect = known ? "branch_moved" : "commit";
  resp.subject = r.full_name();
  resp.deliveries = PushDeliveries(s, req, r, {branch, before, sha, kApiPusher, ""});
  DeployPush(s, r, branch, sha);
  return resp;
}

EmuResponse CreateRef(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (r.heads.empty()) return Error(409, "Git Repository is empty.");
  std::string ref = body.value("ref", "");
  std::string sha = body.value("sha", "");
  // GitHub: the ref starts with "refs" and has at least two slashes. Only branches are kept here.
  if (ref.rfind("refs/", 0) != 0 || std::count(ref.begin(), ref.end(), '/') < 2) {
    return Error(422, "Reference name is not valid");
  }
  if (ref.rfind("refs/heads/", 0) != 0) return Error(422, "only refs/heads/* are emulated");
  std::string branch = ref.substr(11);
  if (r.heads.count(branch)) return Error(422, "Reference already exists");
  std::optional<GitCommitObject> c = LookupCommit(s, r, sha);
  if (!c) return Error(422, "Object does not exist");
  const FileTree* files = s.git.FindTree(Key(r), c->tree_sha);
  if (files == nullptr) return Error(500, "tree of " + sha + " is missing");
  Status st = s.repos.ReplaceTree(r, branch, *files, sha);
  if (!st.ok()) return Error(500, st.message());
  EmuResponse resp = Json(
      201,
      {{"ref", ref},
       {"node_id", "REF_emu"},
       {"url", ApiUrl(req, r, ref)},
       {"object", {{"type", "commit"}, {"sha", sha}, {"url", ApiUrl(req, r, "commits/" + sha)}}}});
  resp.effect = "ref_created";
  resp.subject = r.full_name();
  resp.deliveries = PushDeliveries(s, req, r, {branch, "", sha, kApiPusher, ""});
  DeployPush(s, r, branch, sha);
  return resp;
}

}  // namespace

const FileTree* CommitFiles(EmulatorState& s, const RepoInfo& r, const std::string& sha) {
  const GitCommitObject* c = s.git.FindCommit(Key(r), sha);
  return c == nullptr ? nullptr : s.git.FindTree(Key(r), c->tree_sha);
}

void RecordHeadCommit(EmulatorState& s, const RepoInfo& r, const std::string& branch,
                      const std::string& parent, const std::string& message) {
  auto head = r.heads.find(branch);
  if (head == r.heads.end()) return;
  GitCommitObject c;
  c.tree_sha = s.git.PutTree(Key(r), s.repos.ReadTree(r, branch));
  if (!parent.empty()) c.parents.push_back(parent);
  c.message = message;
  s.git.PutCommitAs(Key(r), head->second, std::move(c));
}

namespace {

// The nearest commit reachable from both (breadth first from `b`), "" when none is stored.
std::string MergeBase(EmulatorState& s, const RepoInfo& r, const std::string& a,
                      const std::string& b) {
  std::set<std::string> seen;
  std::deque<std::string> todo{a};
  while (!todo.empty() && seen.size() < 100000) {
    std::string sha = todo.front();
    todo.pop_front();
    if (!seen.insert(sha).second) continue;
    if (const GitCommitObject* c = s.git.FindCommit(Key(r), sha)) {
      for (const std::string& p : c->parents) todo.push_back(p);
    }
  }
  std::set<std::string> visited;
  todo = {b};
  while (!todo.empty() && visited.size() < 100000) {
    std::string sha = todo.front();
    todo.pop_front();
    if (seen.count(sha)) return sha;
    if (!visited.insert(sha).second) continue;
    if (const GitCommitObject* c = s.git.FindCommit(Key(r), sha)) {
      for (const std::string& p : c->parents) todo.push_back(p);
    }
  }
  return "";
}

// A three-way merge of flat trees; nullopt when both sides changed a path differently.
std::optional<FileTree> MergeTrees(const FileTree& base, const FileTree& ours,
                                   const FileTree& theirs) {
  std::set<std::string> paths;
  for (const auto* t : {&base, &ours, &theirs}) {
    for (const auto& [path, content] : *t) paths.insert(path);
  }
  auto at = [](const FileTree& t, const std::string& p) -> std::optional<std::string> {
    auto it = t.find(p);
    return it == t.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  FileTree out;
  for (const std::string& p : paths) {
    std::optional<std::string> b = at(base, p), o = at(ours, p), t = at(theirs, p);
    std::optional<std::string> pick;
    if (o == t || t == b) {
      pick = o;
    } else if (o == b) {
      pick = t;
    } else {
      return std::nullopt;
    }
    if (pick) out[p] = *pick;
  }
  return out;
}

// POST /repos/{o}/{r}/merges {base, head, commit_message}: 204 when base already contains
// head, 201 with the merge commit, 409 on a conflict, 404 for a missing base or head.
EmuResponse Merge(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  const std::string base = body.value("base", "");
  if (!r.heads.count(base)) return Error(404, "Base does not exist");
  std::string head = body.value("head", "");
  if (r.heads.count(head)) head = r.heads.at(head);
  std::optional<GitCommitObject> theirs = LookupCommit(s, r, head);
  if (!theirs) return Error(404, "Head does not exist");
  const std::string ours = r.heads.at(base);
  if (s.git.IsAncestor(Key(r), head, ours)) return Empty(204);
  const std::string mb = MergeBase(s, r, ours, head);
  std::optional<GitCommitObject> mb_commit = mb.empty() ? std::nullopt : LookupCommit(s, r, mb);
  const FileTree* base_files = mb_commit ? s.git.FindTree(Key(r), mb_commit->tree_sha) : nullptr;
  const FileTree* their_files = s.git.FindTree(Key(r), theirs->tree_sha);
  if (their_files == nullptr) return Error(500, "tree of " + head + " is missing");
  std::optional<FileTree> merged =
      MergeTrees(base_files ? *base_files : FileTree{}, s.repos.ReadTree(r, base), *their_files);
  if (!merged) return Error(409, "Merge conflict");
  GitCommitObject c;
  c.tree_sha = s.git.PutTree(Key(r), *merged);
  c.parents = {ours, head};
  c.message = body.value("commit_message", "Merge " + head + " into " + base);
  const std::string sha = s.git.PutCommit(Key(r), c);
  Status st = s.repos.ReplaceTree(r, base, *merged, sha);
  if (!st.ok()) return Error(500, st.message());
  EmuResponse resp = Json(201, CommitJson(req, r, sha, c));
  resp.effect = "merged";
  resp.subject = r.full_name();
  resp.deliveries = PushDeliveries(s, req, r, {base, ours, sha, kApiPusher, ""});
  DeployPush(s, r, base, sha);
  return resp;
}

}  // namespace

std::optional<EmuResponse> HandleGitData(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                                         const std::vector<std::string>& seg) {
  std::vector<std::string> c;
  const std::string& m = req.method;
  if (m == "GET" && MatchRoute(seg, {"repos", "*", "*", "git", "commits", "*"}, &c)) {
    return GetCommit(s, req, r, c[2]);
  }
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "git", "blobs"}, &c)) {
    if (r.heads.empty()) return Error(409, "Git Repository is empty.");
    return CreateBlob(s, req, r);
  }
  if (m == "GET" && MatchRoute(seg, {"repos", "*", "*", "git", "blobs", "*"}, &c)) {
    return GetBlob(s, req, r, c[2]);
  }
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "git", "trees"}, &c)) {
    if (r.heads.empty()) return Error(409, "Git Repository is empty.");
    return CreateTree(s, req, r);
  }
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "git", "commits"}, &c)) {
    return CreateCommit(s, req, r);
  }
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "git", "refs"}, &c)) {
    return CreateRef(s, req, r);
  }
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "merges"}, &c)) return Merge(s, req, r);
  if (m == "PATCH" && MatchRoute(seg, {"repos", "*", "*", "git", "refs", "**"}, &c)) {
    return UpdateRef(s, req, r, c[2]);
  }
  return std::nullopt;
}

}  // namespace slipway::emulator
