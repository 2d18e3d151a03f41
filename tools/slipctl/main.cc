// tools/slipctl/main.cc: slipctl, the ops CLI of Slipway. Owns the process edge: reads the
// global flags and environment (--url / SLIPWAY_URL, --token / SLIPWAY_TOKEN), builds the
// API client, dispatches to a verb (commands.h) and catches whatever escapes one.
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>

#include "activities/curl_http_client.h"
#include "tools/slipctl/commands.h"

namespace slipway::slipctl {
namespace {

constexpr const char* kUsage = R"(usage: slipctl [--url URL] [--token TOKEN] VERB ...

  start TYPE --tenant T [--id ID] [--input JSON|@file] [--json]
  get ID [--json]
  watch ID                       live progress until the workflow ends (exit 1 unless completed)
  list [--tenant T] [--status S] [--type T] [--created-after TIME] [--created-before TIME]
       [--limit N] [--all] [--json]      (TIME: RFC 3339 UTC, e.g. 2026-12-06T00:00:00Z)
  cancel ID [--reason R]
  resume ID [--reason R]
  signal ID NAME [--data JSON|@file] [--reason R]
  history ID [--jsonl] [--page-size N]
  audit verify ID [--expect-head SEQ:HASH]
                                 recompute the history hash chain (exit 1 where it breaks),
                                 optionally against a head printed by an earlier verify
  audit export --from RFC3339 --to RFC3339
                                 JSON Lines of every event with from <= at < to
  token new --role ops|auditor|approver|tenant:ID --name NAME
  migrate --from FILE --to postgresql://...
                                 copy a stopped SQLite installation into an empty
                                 PostgreSQL database (no server needed)

URL: --url or SLIPWAY_URL (default http://127.0.0.1:8080).
Token: --token or SLIPWAY_TOKEN (prefer the variable: flags show in the process list).
Exit codes: 0 ok, 1 failure (API error, network, failed verification), 2 usage.
)";

using Verb = int (*)(Context&, const Argv&);

const std::map<std::string, Verb>& Verbs() {
  static const std::map<std::string, Verb> kVerbs = {
      {"start", &RunStart},   {"get", &RunGet},         {"watch", &RunWatch},
      {"list", &RunList},     {"cancel", &RunCancel},   {"resume", &RunResume},
      {"signal", &RunSignal}, {"history", &RunHistory}, {"audit", &RunAudit},
      {"token", &RunToken},   {"migrate", &RunMigrate},
  };
  return kVerbs;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// Takes --url and --token (anywhere before "--") out of argv.
Status TakeGlobalFlags(Argv& argv, ApiConfig& config) {
  Argv rest;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string* target = nullptr;
    std::string name;
    for (auto [flag, out] : {std::pair{"url", &config.url}, std::pair{"token", &config.token}}) {
      const std::string f = std::string("--") + flag;
      if (a == f || a.compare(0, f.size() + 1, f + "=") == 0) {
        target = out;
        name = f;
      }
    }
    if (a == "--") {
      rest.insert(rest.end(), argv.begin() + static_cast<long>(i), argv.end());
      break;
    }
    if (target == nullptr) {
      rest.push_back(a);
    } else if (a.size() > name.size()) {
      *target = a.substr(name.size() + 1);
    } else if (i + 1 < argv.size()) {
      *target = argv[++i];
    } else {
      return UsageError(name + " needs a value");
    }
  }
  argv = std::move(rest);
  return Status::Ok();
}

int Run(Argv argv) {
  ApiConfig config;
  config.url = EnvOr("SLIPWAY_URL", "http://127.0.0.1:8080");
  config.token = EnvOr("SLIPWAY_TOKEN", "");
  Status flags = TakeGlobalFlags(argv, config);
  activities::CurlHttpClient http;
  Result<std::string> url = NormaliseBaseUrl(config.url);
  config.url = url.ok() ? *url : "";
  ApiClient api(http, config);
  Context ctx{api, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1};
  if (!flags.ok()) return Fail(ctx, flags);
  if (argv.empty() || argv[0] == "help" || argv[0] == "--help" || argv[0] == "-h") {
    (argv.empty() ? std::cerr : std::cout) << kUsage;
    return argv.empty() ? kExitUsage : kExitOk;
  }
  auto verb = Verbs().find(argv[0]);
  if (verb == Verbs().end()) return Fail(ctx, UsageError("unknown verb '" + argv[0] + "'"));
  const bool offline = argv[0] == "token" || argv[0] == "migrate";  // no server involved
  if (!url.ok() && !offline) return Fail(ctx, UsageError(url.status().message()));
  return verb->second(ctx, Argv(argv.begin() + 1, argv.end()));
}

}  // namespace
}  // namespace slipway::slipctl

int main(int argc, char** argv) {
  try {
    return slipway::slipctl::Run(slipway::slipctl::Argv(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    // A bug or an unexpected library failure; the message never holds the token (it is only
    // ever placed in a request header).
    std::cerr << "error: internal: " << e.what() << "\n";
    return slipway::slipctl::kExitFailure;
  }
}
