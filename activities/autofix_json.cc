// activities/autofix_json.cc: the JSON forms of autofix's request and result. The keys are
// persisted (history): stable names, changed only with a migration.
#include "activities/autofix.h"
#include "activities/build/build_result.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

FileEdit EditFromJson(const json& j) {
  return {j.at("file").get<std::string>(), j.at("old_text").get<std::string>(),
          j.at("new_text").get<std::string>(), j.value("reason", "")};
}

build::BuildError ErrorFromJson(const json& j) {
  return {j.value("tool", ""),  j.value("file", ""), j.value("line", 0),
          j.value("column", 0), j.value("code", ""), j.at("message").get<std::string>()};
}

// Runs fn, turning a nlohmann exception into kInvalidArgument naming `what`.
template <typename T, typename Fn>
Result<T> Parse(const char* what, Fn fn) {
  try {
    return fn();
  } catch (const json::exception& e) {
    return InvalidArgument(what, std::string(what) + ": " + e.what());
  }
}

}  // namespace

json ToJson(const FileEdit& e) {
  // Model output may hold any bytes; JSON text must be UTF-8.
  return {{"file", build::ValidUtf8(e.file)},
          {"old_text", build::ValidUtf8(e.old_text)},
          {"new_text", build::ValidUtf8(e.new_text)},
          {"reason", build::ValidUtf8(e.reason)}};
}

json ToJson(const AutofixRequest& r) {
  json errors = json::array();
  for (const build::BuildError& e : r.errors) errors.push_back(build::ToJson(e));
  return {{"repo", r.repo},
          {"branch", r.branch},
          {"ref", r.ref},
          {"errors", errors},
          {"idempotency_key", r.idempotency_key},
          {"tenant", r.tenant}};
}

json ToJson(const AutofixResult& r) {
  json accepted = json::array(), rejected = json::array(), skipped = json::array(),
       for_human = json::array();
  for (const FileEdit& e : r.accepted) accepted.push_back(ToJson(e));
  for (const RejectedEdit& e : r.rejected) {
    rejected.push_back({{"edit", ToJson(e.edit)}, {"reason", build::ValidUtf8(e.reason)}});
  }
  for (const SkippedFile& f : r.files_skipped) {
    skipped.push_back({{"file", build::ValidUtf8(f.file)}, {"reason", build::ValidUtf8(f.reason)}});
  }
  for (const build::BuildError& e : r.errors_for_human) for_human.push_back(build::ToJson(e));
  return {{"commit_sha", r.commit_sha},
          {"committed", r.committed},
          {"recovered", r.recovered},
          {"accepted", accepted},
          {"rejected", rejected},
          {"files_sent", r.files_sent},
          {"files_skipped", skipped},
          {"errors_for_human", for_human},
          {"llm",
           {{"model", r.llm.model},
            {"request_id", r.llm.request_id},
            {"stop_reason", r.llm.stop_reason},
            {"input_tokens", r.llm.input_tokens},
            {"output_tokens", r.llm.output_tokens},
            {"cost_usd", r.llm.cost_usd}}},
          {"reply_format", r.reply_format},
          {"reply", build::ValidUtf8(r.reply)},
          {"reason", r.reason}};
}

Result<AutofixRequest> AutofixRequestFromJson(const json& j) {
  return Parse<AutofixRequest>("autofix request", [&] {
    AutofixRequest r;
    r.repo = j.at("repo").get<std::string>();
    r.branch = j.value("branch", "");
    r.ref = j.value("ref", "");
    r.idempotency_key = j.value("idempotency_key", "");
    r.tenant = j.value("tenant", "");
    for (const json& e : j.value("errors", json::array())) r.errors.push_back(ErrorFromJson(e));
    return r;
  });
}

Result<AutofixResult> AutofixResultFromJson(const json& j) {
  return Parse<AutofixResult>("autofix result", [&] {
    AutofixResult r;
    r.commit_sha = j.value("commit_sha", "");
    r.committed = j.value("committed", false);
    r.recovered = j.value("recovered", false);
    for (const json& e : j.at("accepted")) r.accepted.push_back(EditFromJson(e));
    for (const json& e : j.at("rejected")) {
      r.rejected.push_back({EditFromJson(e.at("edit")), e.value("reason", "")});
    }
    r.files_sent = j.value("files_sent", std::vector<std::string>{});
    for (const json& f : j.value("files_skipped", json::array())) {
      r.files_skipped.push_back({f.at("file").get<std::string>(), f.value("reason", "")});
    }
    for (const json& e : j.value("errors_for_human", json::array())) {
      r.errors_for_human.push_back(ErrorFromJson(e));
    }
    const json& llm = j.at("llm");
    r.llm = {llm.value("model", ""),
             llm.value("request_id", ""),
             llm.value("stop_reason", ""),
             llm.value("input_tokens", int64_t{0}),
             llm.value("output_tokens", int64_t{0}),
             llm.value("cost_usd", 0.0)};
    r.reply_format = j.value("reply_format", "");
    r.reply = j.value("reply", "");
    r.reason = j.value("reason", "");
    return r;
  });
}

}  // namespace slipway::activities
