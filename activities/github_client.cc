#include "activities/github_client.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "activities/http_errors.h"
#include "activities/rest_util.h"
#include "engine/base/git_names.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

constexpr int kMaxListPages = 50;  // 5,000 items at per_page=100

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "https://host:port" of a URL, to decide whether credentials may follow a redirect.
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t end = url.find('/', scheme + 3);
  return Lower(url.substr(0, end));
}

GitHubRepo RepoFromJson(const json& j) {
  GitHubRepo r;
  r.id = j.at("id").get<int64_t>();
  r.name = j.at("name").get<std::string>();
  r.full_name = j.at("full_name").get<std::string>();
  r.owner = j.at("owner").at("login").get<std::string>();
  r.default_branch = j.value("default_branch", "main");
  r.html_url = j.value("html_url", "");
  r.clone_url = j.value("clone_url", "");
  if (j.contains("template_repository") && j["template_repository"].is_object()) {
    r.template_full_name = j["template_repository"].value("full_name", "");
  }
  return r;
}

Webhook HookFromJson(const json& j) {
  Webhook h;
  h.id = j.at("id").get<int64_t>();
  h.url = j.at("config").value("url", "");
  return h;
}

}  // namespace

GitHubClient::GitHubClient(HttpClient& http, GitHubConfig config, SleepFn sleep)
    : http_(http), config_(std::move(config)), sleep_(std::move(sleep)) {
  if (!sleep_) {
    sleep_ = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  }
}

std::string GitHubClient::RepoPath(const std::string& repo) const {
  return "/repos/" + UrlEncode(config_.owner) + "/" + UrlEncode(repo);
}

HttpRequest GitHubClient::Request(const std::string& method, const std::string& path,
                                  const std::string& body) const {
  HttpRequest r;
  r.method = method;
  r.url = config_.api_url + path;
  r.timeout_ms = config_.timeout_ms;
  r.headers.Add("Authorization", "Bearer " + config_.token);
  r.headers.Add("Accept", "application/vnd.github+json");
  r.headers.Add("X-GitHub-Api-Version", "2022-11-28");
  r.headers.Add("User-Agent", config_.user_agent);
  if (!body.empty()) {
    r.headers.Add("Content-Type", "application/json");
    r.body = body;
  }
  return r;
}

Result<HttpResponse> GitHubClient::Send(const HttpRequest& request) {
  SLIPWAY_RETURN_IF_ERROR(CheckUrlPath(request.url));
  return http_.Send(request);
}

Result<std::optional<GitHubRepo>> GitHubClient::FindRepo(const std::string& repo) {
  std::string what = "github get repo " + config_.owner + "/" + repo;
  Result<HttpResponse> resp = Send(Request("GET", RepoPath(repo)));
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return std::optional<GitHubRepo>();
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<std::optional<GitHubRepo>>(*j, what, [](const json& v) {
    return std::optional<GitHubRepo>(RepoFromJson(v));
  });
}

Result<GitHubRepo> GitHubClient::GetRepo(const std::string& repo) {
  Result<std::optional<GitHubRepo>> found = FindRepo(repo);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("github repository " + config_.owner + "/" + repo);
  return **found;
}

Status GitHubClient::CheckTemplate(const GitHubRepo& repo) const {
  std::string want = Lower(config_.template_owner + "/" + config_.template_repo);
  if (Lower(repo.template_full_name) == want) return Status::Ok();
  return AlreadyExists("github repository " + repo.full_name +
                       " exists but was not made from template " + want);
}

Result<GitHubRepo> GitHubClient::CreateRepoFromTemplate(const CreateRepoRequest& request) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRepoName(request.name, "name"));
  if (config_.template_owner.empty() || config_.template_repo.empty()) {
    return FailedPrecondition("SLIPWAY_TEMPLATE_REPO is not set");
  }
  Result<std::optional<GitHubRepo>> existing = FindRepo(request.name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    SLIPWAY_RETURN_IF_ERROR(CheckTemplate(**existing));
    if (request.wait_until_ready) SLIPWAY_RETURN_IF_ERROR(WaitForDefaultBranch(**existing));
    return **existing;
  }
  std::string what = "github create repo " + config_.owner + "/" + request.name;
  json body = {{"owner", config_.owner},
               {"name", request.name},
               {"description", request.description},
               {"private", request.private_repo},
               {"include_all_branches", false}};
  std::string path = "/repos/" + UrlEncode(config_.template_owner) + "/" +
                     UrlEncode(config_.template_repo) + "/generate";
  Result<HttpResponse> resp = Send(Request("POST", path, body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 422) {
    // Lost a race with another attempt (or the name is taken): look again.
    Result<std::optional<GitHubRepo>> again = FindRepo(request.name);
    if (again.ok() && again->has_value()) {
      SLIPWAY_RETURN_IF_ERROR(CheckTemplate(**again));
      if (request.wait_until_ready) SLIPWAY_RETURN_IF_ERROR(WaitForDefaultBranch(**again));
      return **again;
    }
  }
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  Result<GitHubRepo> created = Decode<GitHubRepo>(*j, what, [](const json& v) {
    GitHubRepo r = RepoFromJson(v);
    r.created = true;
    return r;
  });
  if (!created.ok()) return created;
  if (request.wait_until_ready) SLIPWAY_RETURN_IF_ERROR(WaitForDefaultBranch(*created));
  return created;
}

Result<bool> GitHubClient::DefaultBranchReady(const std::string& repo, const std::string& branch) {
  Result<std::string> head = GetBranchHead(repo, branch);
  if (head.ok()) return true;
  Code code = head.status().code();
  if (code == Code::kNotFound || code == Code::kConflict) return false;
  return head.status();
}

Status GitHubClient::WaitForDefaultBranch(const GitHubRepo& repo) {
  // Real GitHub may answer 201 before the template's contents are copied: until then the ref is
  // missing (404) or the repository empty (409).
  int attempts = std::max(1, config_.ready_poll_attempts);
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) sleep_(config_.ready_poll_interval_ms);
    Result<std::string> head = GetBranchHead(repo.name, repo.default_branch);
    if (head.ok()) return Status::Ok();
    Code code = head.status().code();
    if (code != Code::kNotFound && code != Code::kConflict) return head.status();
  }
  return Unavailable("github repository " + repo.full_name + ": default branch " +
                     repo.default_branch + " not there yet after " + std::to_string(attempts) +
                     " looks");
}

Result<std::optional<GitHubFile>> GitHubClient::GetFile(const std::string& repo,
                                                        const std::string& path,
                                                        const std::string& ref) {
  if (!ref.empty()) SLIPWAY_RETURN_IF_ERROR(ValidateRefName(ref, "ref"));
  std::string what = "github get file " + path;
  std::string url = RepoPath(repo) + "/contents/" + UrlEncodePath(path);
  if (!ref.empty()) url += "?ref=" + UrlEncode(ref);
  Result<HttpResponse> resp = Send(Request("GET", url));
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return std::optional<GitHubFile>();
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  if (!j->is_object() || j->value("type", "") != "file") {
    return InvalidArgument("path", what + ": not a file");
  }
  Result<std::string> content = Base64Decode(j->value("content", ""));
  if (!content.ok()) return Unavailable(what + ": content is not valid base64");
  return std::optional<GitHubFile>(GitHubFile{*content, j->value("sha", "")});
}

Result<PutFileResult> GitHubClient::PutFile(const PutFileRequest& request) {
  std::string what = "github put file " + request.path;
  Result<std::optional<GitHubFile>> current = GetFile(request.repo, request.path, request.branch);
  if (!current.ok()) return current.status();
  std::string current_sha = current->has_value() ? (*current)->blob_sha : "";
  if (current->has_value() && (*current)->content == request.content) {
    PutFileResult same{false, false, current_sha, ""};
    Result<std::string> head = GetBranchHead(request.repo, request.branch);
    if (head.ok()) same.commit_sha = *head;
    return same;
  }
  if (request.base_sha && *request.base_sha != current_sha) {
    return Conflict(what + ": changed since it was read (expected blob " + *request.base_sha +
                    ", found " + (current_sha.empty() ? "none" : current_sha) + ")");
  }
  json body = {{"message", request.message}, {"content", Base64Encode(request.content)}};
  if (!request.branch.empty()) body["branch"] = request.branch;
  if (!current_sha.empty()) body["sha"] = current_sha;
  Result<HttpResponse> resp =
      Send(Request("PUT", RepoPath(request.repo) + "/contents/" + UrlEncodePath(request.path),
                   body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 409 || (resp->status == 422 && RemoteMessage(resp->body).find("sha") !=
                                                          std::string::npos)) {
    return Conflict(what + ": changed concurrently (HTTP " + std::to_string(resp->status) + ")");
  }
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  int status = resp->status;
  return Decode<PutFileResult>(*j, what, [status](const json& v) {
    return PutFileResult{true, status == 201, v.at("content").at("sha").get<std::string>(),
                         v.at("commit").at("sha").get<std::string>()};
  });
}

Result<std::optional<Webhook>> GitHubClient::FindHook(const std::string& repo,
                                                      const std::string& url) {
  std::string what = "github list hooks " + repo;
  HttpRequest page = Request("GET", RepoPath(repo) + "/hooks?per_page=100");
  for (int pages = 0; pages < kMaxListPages; ++pages) {  // follows Link: rel="next"
    Result<HttpResponse> resp = Send(page);
    if (!resp.ok()) return resp.status();
    SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
    Result<json> j = ParseJsonBody(*resp, what);
    if (!j.ok()) return j.status();
    Result<std::optional<Webhook>> found =
        Decode<std::optional<Webhook>>(*j, what, [&url](const json& list) {
          for (const json& h : list) {
            if (h.at("config").value("url", "") == url) return std::optional<Webhook>(HookFromJson(h));
          }
          return std::optional<Webhook>();
        });
    if (!found.ok() || found->has_value()) return found;
    std::optional<std::string> next = NextPageUrl(resp->headers);
    if (!next) return std::optional<Webhook>();
    if (UrlOrigin(*next) != UrlOrigin(config_.api_url)) {  // the token stays on the API's host
      return Unavailable(what + ": next page is on another host");
    }
    page.url = *next;
  }
  return Unavailable(what + ": more than " + std::to_string(kMaxListPages) + " pages");
}

Result<Webhook> GitHubClient::CreateWebhook(const WebhookRequest& request) {
  if (request.url.empty()) return InvalidArgument("url", "webhook url is empty");
  Result<std::optional<Webhook>> existing = FindHook(request.repo, request.url);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return **existing;
  std::string what = "github create webhook " + request.repo;
  json config = {{"url", request.url}, {"content_type", "json"}, {"insecure_ssl", "0"}};
  if (!request.secret.empty()) config["secret"] = request.secret;
  json body = {{"name", "web"}, {"active", true}, {"events", request.events}, {"config", config}};
  Result<HttpResponse> resp = Send(Request("POST", RepoPath(request.repo) + "/hooks", body.dump()));
  if (!resp.ok()) return resp.status();
  if (resp->status == 422) {  // "Hook already exists": another attempt won the race
    Result<std::optional<Webhook>> again = FindHook(request.repo, request.url);
    if (again.ok() && again->has_value()) return **again;
  }
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<Webhook>(*j, what, [](const json& v) {
    Webhook h = HookFromJson(v);
    h.created = true;
    return h;
  });
}

Result<std::string> GitHubClient::GetBranchHead(const std::string& repo, const std::string& branch) {
  std::string name = branch;
  if (name.empty()) {
    Result<GitHubRepo> r = GetRepo(repo);
    if (!r.ok()) return r.status();
    name = r->default_branch;
  }
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(name, "branch"));
  std::string what = "github get ref heads/" + name;
  Result<HttpResponse> resp =
      Send(Request("GET", RepoPath(repo) + "/git/ref/heads/" + UrlEncodePath(name)));
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return NotFound(what + ": no such branch");
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<std::string>(*j, what, [](const json& v) {
    return v.at("object").at("sha").get<std::string>();
  });
}

Result<std::string> GitHubClient::DownloadTarball(const std::string& repo, const std::string& ref) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRefName(ref, "ref"));
  std::string what = "github tarball " + repo + "@" + ref;
  Result<HttpResponse> resp =
      Send(Request("GET", RepoPath(repo) + "/tarball/" + UrlEncodePath(ref)));
  if (!resp.ok()) return resp.status();
  for (int hops = 0; hops < 3 && resp->status >= 301 && resp->status <= 308; ++hops) {
    std::optional<std::string> location = resp->headers.Get("Location");
    if (!location || location->empty()) return Unavailable(what + ": redirect without Location");
    HttpRequest follow;
    follow.url = *location;
    follow.timeout_ms = config_.timeout_ms * 6;  // archives are bigger than API answers
    follow.headers.Add("User-Agent", config_.user_agent);
    if (Origin(*location) == Origin(config_.api_url)) {
      follow.headers.Add("Authorization", "Bearer " + config_.token);
    }
    resp = Send(follow);
    if (!resp.ok()) return resp.status();
  }
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  return std::move(resp->body);
}

}  // namespace slipway::activities
