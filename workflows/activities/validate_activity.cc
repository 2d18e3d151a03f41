// workflows/activities/validate_activity.cc: build validation of one commit.
#include "workflows/activities/validate_activity.h"

#include "engine/base/utf8.h"
#include "workflows/activities/activity_util.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr size_t kTailChars = 2000;

json StepsJson(const activities::build::BuildResult& r) {
  json out = json::array();
  for (const auto& s : r.steps) {
    out.push_back({{"name", s.name},
                   {"exit_code", s.exit_code},
                   {"duration_ms", s.duration_ms},
                   {"timed_out", s.timed_out}});
  }
  return out;
}
// The end of a build's output, when no error could be parsed from it.
std::string LastLines(const std::string& tail) {
  constexpr size_t kMax = 600;
  return activities::build::ValidUtf8(TailUtf8(tail, kMax));
}
}  // namespace

int AutofixRoundsDone(const engine::ActivityCall& call) {
  if (call.step != "revalidate" || !call.outputs.contains("autofix")) return 0;
  return call.outputs["autofix"].value("round", 0);
}

int ValidateActivity::MaxRounds(const engine::ActivityCall& call) const {
  if (!autofix_available_) return 0;
  if (call.input.is_object() && call.input.contains("max_autofix_rounds") &&
      call.input["max_autofix_rounds"].is_number_integer()) {
    return call.input["max_autofix_rounds"].get<int>();
  }
  return deps_.options.max_autofix_rounds;
}

Result<std::string> ValidateActivity::ShaToBuild(const engine::ActivityCall& call,
                                                const json& save) {
  const std::string repo = save.value("repo", "");
  if (IsResumedRun(call)) {
    Result<std::string> head = deps_.github->GetBranchHead(repo, save.value("branch", ""));
    return head.ok() ? head : Result<std::string>(Annotate(head.status(), "branch head"));
  }
  if (call.step == "revalidate" && call.outputs.contains("autofix")) {
    std::string sha = call.outputs["autofix"].value("commit_sha", "");
    if (!sha.empty()) return sha;
  }
  return save.value("commit_sha", "");
}

Result<std::string> ValidateActivity::TreeOf(const std::string& repo, const std::string& sha) {
  Result<activities::GitCommitInfo> commit = deps_.github->GetCommit(repo, sha);
  // A commit the git data API does not know (GitHub has it, yet answers 404 for a while after a
  // push to a fork): the commit key still caches this repository's repeats.
  if (!commit.ok() && commit.status().code() == Code::kNotFound) return std::string();
  if (!commit.ok()) return Annotate(commit.status(), "commit " + sha.substr(0, 12));
  return commit->tree_sha;
}

Status ValidateActivity::Target(const engine::ActivityCall& call, const json& save,
                                activities::build::ValidateRequest& req) {
  const json& p = call.progress;
  if (call.limited && p.is_object() && p.value("sha", json()).is_string() &&
      p.value("tree_sha", json()).is_string()) {
    req.commit_sha = p["sha"].get<std::string>();
    req.tree_sha = p["tree_sha"].get<std::string>();
    return Status::Ok();
  }
  Result<std::string> sha = ShaToBuild(call, save);
  if (!sha.ok()) return sha.status();
  Result<std::string> tree = TreeOf(save.value("repo", ""), *sha);
  if (!tree.ok()) return tree.status();
  req.commit_sha = *sha;
  req.tree_sha = *tree;
  return Status::Ok();
}

Result<json> ValidateActivity::Run(const engine::ActivityCall& call) {
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const std::string repo = save->value("repo", "");
  activities::build::ValidateRequest req;
  req.repository = save->value("repo_full_name", repo);
  req.cancelled = [&call] { return call.cancelled(); };
  if (Status st = Target(call, *save, req); !st.ok()) return st;
  const std::string& sha = req.commit_sha;
  // The same files built before (this tenant's or any other's): no download, no build.
  std::optional<activities::build::BuildResult> cached = deps_.validator->Cached(req);
  if (!cached && !call.limited) {
    return engine::NeedsLimit({{"state", "waiting_for_build_slot"},
                               {"message", "not in the build cache: waiting for a free build slot"},
                               {"sha", sha},
                               {"tree_sha", req.tree_sha}});
  }
  Result<activities::build::BuildResult> r = Internal("unset");
  if (cached) {
    r = std::move(*cached);
  } else {
    Result<std::string> tgz = deps_.github->DownloadTarball(repo, sha);
    if (!tgz.ok()) return Annotate(tgz.status(), "download " + sha.substr(0, 12));
    Result<TarballOnDisk> file = WriteTarball(*tgz);
    if (!file.ok()) return file.status();
    r = deps_.validator->ValidateTarball(req, file->path);
  }
  if (!r.ok()) return Annotate(r.status(), "build validation");
  const int round = AutofixRoundsDone(call);
  json errors = BuildErrorsJson(r->errors);
  if (!r->passed && round >= MaxRounds(call)) {
    std::string why = round > 0 ? " after " + std::to_string(round) + " autofix round(s)" : "";
    return BuildFailure(sha, errors, round, r->output_tail, why);
  }
  std::string tail = activities::build::ValidUtf8(TailUtf8(r->output_tail, kTailChars));
  json out = {{"passed", r->passed},   {"sha", sha},
              {"errors", errors},      {"error_count", errors.size()},
              {"steps", StepsJson(*r)}, {"from_cache", r->from_cache},
              {"tree_sha", req.tree_sha},
              {"round", round},        {"output_tail", r->passed ? "" : tail}};
  if (r->passed) return out;
  // Routed to autofix, but shown as the failure it is (with the errors) in the steps view.
  return engine::WithStepError(std::move(out),
                               BuildFailure(sha, errors, round, r->output_tail, ""));
}

Status BuildFailure(const std::string& sha, const json& errors, int round,
                    const std::string& output_tail, const std::string& why) {
  json details = {{"sha", sha},
                  {"errors", errors},
                  {"error_count", errors.size()},
                  {"autofix_rounds", round}};
  if (errors.empty()) details["output_tail"] = LastLines(output_tail);
  return Permanent("build of " + sha.substr(0, 12) + " failed" + why + " with " +
                   std::to_string(errors.size()) + " error(s):\n" +
                   (errors.empty() ? LastLines(output_tail) : FormatBuildErrors(errors)))
      .WithDetails(details.dump());
}

}  // namespace slipway::workflows
