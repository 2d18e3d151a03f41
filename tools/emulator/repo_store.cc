#include "tools/emulator/repo_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/emulator/emu_http.h"

namespace slipway::emulator {

namespace fs = std::filesystem;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Branch names may contain '/', which must not become a directory level.
std::string EscapeBranch(const std::string& branch) {
  std::string out;
  for (char c : branch) out += (c == '/') ? std::string("%2F") : std::string(1, c);
  return out;
}

bool ReadWhole(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool WriteWhole(const fs::path& p, const std::string& data) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
  return static_cast<bool>(out);
}

nlohmann::json HookToJson(const Hook& h) {
  return {{"id", h.id},         {"url", h.url},       {"content_type", h.content_type},
          {"events", h.events}, {"active", h.active}, {"has_secret", h.has_secret},
          {"secret", h.secret}};
}

Hook HookFromJson(const nlohmann::json& j) {
  Hook h;
  h.id = j.at("id");
  h.url = j.at("url");
  h.content_type = j.value("content_type", "form");
  h.events = j.value("events", std::vector<std::string>{"push"});
  h.active = j.value("active", true);
  h.has_secret = j.value("has_secret", false);
  h.secret = j.value("secret", "");
  return h;
}

nlohmann::json RepoToJson(const RepoInfo& r) {
  nlohmann::json hooks = nlohmann::json::array();
  for (const Hook& h : r.hooks) hooks.push_back(HookToJson(h));
  return {{"id", r.id},
          {"owner", r.owner},
          {"name", r.name},
          {"description", r.description},
          {"default_branch", r.default_branch},
          {"template_full_name", r.template_full_name},
          {"is_template", r.is_template},
          {"private", r.is_private},
          {"heads", r.heads},
          {"hooks", hooks}};
}

RepoInfo RepoFromJson(const nlohmann::json& j) {
  RepoInfo r;
  r.id = j.at("id");
  r.owner = j.at("owner");
  r.name = j.at("name");
  r.description = j.value("description", "");
  r.default_branch = j.value("default_branch", "main");
  r.template_full_name = j.value("template_full_name", "");
  r.is_template = j.value("is_template", false);
  r.is_private = j.value("private", false);
  r.heads = j.value("heads", std::map<std::string, std::string>{});
  for (const auto& h : j.value("hooks", nlohmann::json::array())) r.hooks.push_back(HookFromJson(h));
  return r;
}

}  // namespace

std::string GitBlobSha(const std::string& content) {
  std::string header = "blob " + std::to_string(content.size());
  header.push_back('\0');
  return Sha1Hex(header + content);
}

bool IsSafeRepoPath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  for (const std::string& seg : SplitPath(path)) {
    if (seg == "." || seg == "..") return false;
  }
  return path.find("//") == std::string::npos;
}

RepoStore::RepoStore(std::string root) : root_(std::move(root)) {}

Status RepoStore::Load() {
  fs::path base = fs::path(root_) / "repos";
  std::error_code ec;
  if (!fs::exists(base, ec)) return Status::Ok();
  for (const auto& owner : fs::directory_iterator(base, ec)) {
    for (const auto& repo : fs::directory_iterator(owner.path(), ec)) {
      std::string text;
      if (!ReadWhole(repo.path() / "repo.json", &text)) continue;
      nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (!j.is_object()) return Corruption("bad repo.json under " + repo.path().string());
      try {
        Add(RepoFromJson(j));
      } catch (const nlohmann::json::exception& e) {
        return Corruption(std::string("bad repo.json: ") + e.what());
      }
      next_id_ = std::max(next_id_, repos_.back().id + 1);
      for (const Hook& h : repos_.back().hooks) next_hook_id_ = std::max(next_hook_id_, h.id + 1);
    }
  }
  return Status::Ok();
}

const RepoInfo* RepoStore::Find(const std::string& owner, const std::string& name) const {
  auto it = by_name_.find(Lower(owner) + "/" + Lower(name));
  return it == by_name_.end() ? nullptr : it->second;
}

RepoInfo& RepoStore::Add(RepoInfo r) {
  repos_.push_back(std::move(r));
  RepoInfo& added = repos_.back();
  by_name_.emplace(Lower(added.owner) + "/" + Lower(added.name), &added);  // the first keeps it
  return added;
}

RepoInfo* RepoStore::FindMutable(const std::string& owner, const std::string& name) {
  return const_cast<RepoInfo*>(Find(owner, name));
}

std::string RepoStore::RepoDir(const RepoInfo& repo) const {
  return (fs::path(root_) / "repos" / Lower(repo.owner) / Lower(repo.name)).string();
}

std::string RepoStore::BranchDir(const RepoInfo& repo, const std::string& branch) const {
  return (fs::path(RepoDir(repo)) / "branches" / EscapeBranch(branch)).string();
}

Status RepoStore::Save(const RepoInfo& repo) {
  if (!WriteWhole(fs::path(RepoDir(repo)) / "repo.json", RepoToJson(repo).dump(2))) {
    return Internal("cannot write repo.json for " + repo.full_name());
  }
  return Status::Ok();
}

std::string RepoStore::CommitSha(const RepoInfo& repo, const std::string& branch,
                                 const std::string& message) const {
  std::string text = "parent " + (repo.heads.count(branch) ? repo.heads.at(branch) : "") + "\n";
  for (const auto& [path, content] : ReadTree(repo, branch)) {
    text += path + " " + GitBlobSha(content) + "\n";
  }
  return Sha1Hex(text + "\n" + message);
}

Status RepoStore::SeedTemplate(const std::string& owner, const std::string& name,
                               const std::string& dir) {
  RepoInfo* existing = FindMutable(owner, name);
  if (existing == nullptr) {
    RepoInfo r;
    r.id = next_id_++;
    r.owner = owner;
    r.name = name;
    r.is_template = true;
    existing = &Add(r);
  }
  std::error_code ec;
  fs::path branch = BranchDir(*existing, existing->default_branch);
  fs::remove_all(branch, ec);
  fs::create_directories(branch, ec);
  fs::copy(dir, branch, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return Internal("cannot copy template from " + dir + ": " + ec.message());
  existing->heads[existing->default_branch] =
      CommitSha(*existing, existing->default_branch, "Initial commit");
  return Save(*existing);
}

Result<RepoInfo> RepoStore::Generate(const RepoInfo& tmpl, const std::string& owner,
                                     const std::string& name, const std::string& description,
                                     bool is_private) {
  RepoInfo r;
  r.id = next_id_++;
  r.owner = owner;
  r.name = name;
  r.description = description;
  r.is_private = is_private;
  r.default_branch = tmpl.default_branch;
  r.template_full_name = tmpl.full_name();
  std::error_code ec;
  fs::path to = BranchDir(r, r.default_branch);
  fs::create_directories(to, ec);
  fs::copy(BranchDir(tmpl, tmpl.default_branch), to, fs::copy_options::recursive, ec);
  if (ec) return Internal("cannot copy template tree: " + ec.message());
  r.heads[r.default_branch] = CommitSha(r, r.default_branch, "Initial commit");
  Add(r);
  SLIPWAY_RETURN_IF_ERROR(Save(r));
  return r;
}

std::optional<std::string> RepoStore::ResolveRef(const RepoInfo& repo,
                                                 const std::string& ref) const {
  std::string name = ref.rfind("heads/", 0) == 0 ? ref.substr(6) : ref;
  if (repo.heads.count(name)) return name;
  for (const auto& [branch, sha] : repo.heads) {
    if (sha == ref) return branch;
  }
  return std::nullopt;
}

std::optional<std::string> RepoStore::ReadFile(const RepoInfo& repo, const std::string& branch,
                                               const std::string& path) const {
  if (!IsSafeRepoPath(path)) return std::nullopt;
  fs::path p = fs::path(BranchDir(repo, branch)) / path;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  std::string content;
  if (!ReadWhole(p, &content)) return std::nullopt;
  return content;
}

std::map<std::string, std::string> RepoStore::ReadTree(const RepoInfo& repo,
                                                       const std::string& branch) const {
  std::map<std::string, std::string> files;
  fs::path base = BranchDir(repo, branch);
  std::error_code ec;
  if (!fs::exists(base, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(base, ec); it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string content;
    if (ReadWhole(it->path(), &content)) {
      files[fs::relative(it->path(), base, ec).generic_string()] = content;
    }
  }
  return files;
}

Result<std::string> RepoStore::WriteFile(const RepoInfo& repo, const std::string& branch,
                                         const std::string& path, const std::string& content,
                                         const std::string& message) {
  RepoInfo* r = FindMutable(repo.owner, repo.name);
  if (r == nullptr) return NotFound("no repository " + repo.full_name());
  if (!IsSafeRepoPath(path)) return InvalidArgument("path", "bad path " + path);
  if (!WriteWhole(fs::path(BranchDir(*r, branch)) / path, content)) {
    return Internal("cannot write " + path);
  }
  r->heads[branch] = CommitSha(*r, branch, message);
  SLIPWAY_RETURN_IF_ERROR(Save(*r));
  return r->heads[branch];
}

Status RepoStore::ReplaceTree(const RepoInfo& repo, const std::string& branch,
                              const std::map<std::string, std::string>& files,
                              const std::string& head_sha) {
  RepoInfo* r = FindMutable(repo.owner, repo.name);
  if (r == nullptr) return NotFound("no repository " + repo.full_name());
  for (const auto& [path, content] : files) {
    if (!IsSafeRepoPath(path)) return InvalidArgument("path", "bad path " + path);
  }
  fs::path dir = BranchDir(*r, branch);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  for (const auto& [path, content] : files) {
    if (!WriteWhole(dir / path, content)) return Internal("cannot write " + path);
  }
  r->heads[branch] = head_sha;
  return Save(*r);
}

Result<Hook> RepoStore::AddHook(const RepoInfo& repo, Hook hook) {
  RepoInfo* r = FindMutable(repo.owner, repo.name);
  if (r == nullptr) return NotFound("no repository " + repo.full_name());
  hook.id = next_hook_id_++;
  r->hooks.push_back(hook);
  SLIPWAY_RETURN_IF_ERROR(Save(*r));
  return hook;
}

}  // namespace slipway::emulator
