// tools/slipctl/cmd_audit.cc: the auditor's verbs.
//   slipctl audit verify ID [--expect-head SEQ:HASH]
//                             reads the head the workflow records (GET /v1/workflows/{id}:
//                             "history": {"last_seq","last_hash"}), fetches the whole history
//                             and recomputes the hash chain (chain_verify.h), which must reach
//                             that head. Intact: "ok: ... head SEQ:HASH ..." and exit 0.
//                             Broken: "chain breaks at seq N: <why>" on stdout and exit 1.
//                             --expect-head also checks against a head recorded earlier, which
//                             still holds when the instance row was rewritten as well.
//   slipctl audit export --from RFC3339 --to RFC3339
//                             JSON Lines of every event with from <= at < to, of every workflow
//                             the token may list (oldest-created workflow first, then by seq);
//                             each line is the event as served plus "workflow_id".
#include <algorithm>

#include "tools/slipctl/chain_verify.h"
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

constexpr int kPage = 1000;

// The chain head the workflow's own row records, as GET /v1/workflows/{id} serves it; none
// from a server that does not serve it (or before the first event).
Result<std::optional<ChainAnchor>> RecordedHead(Context& ctx, const std::string& id) {
  Result<ApiReply> wf = ctx.api.Get("/v1/workflows/" + UrlEncode(id));
  if (!wf.ok()) return wf.status();
  const json head = wf->body.is_object() ? wf->body.value("history", json()) : json();
  if (!head.is_object()) return std::optional<ChainAnchor>();
  const json seq = head.value("last_seq", json());
  const json hash = head.value("last_hash", json());
  if (!seq.is_number_integer() || !hash.is_string()) {
    return Corruption("the workflow's history head is malformed: " + head.dump());
  }
  if (seq.get<int64_t>() < 1) return std::optional<ChainAnchor>();
  return std::optional<ChainAnchor>(
      ChainAnchor{seq.get<int64_t>(), hash.get<std::string>(), "the head the workflow records"});
}

int RunVerify(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"expect-head"}, {}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  std::optional<ChainAnchor> anchor;
  if (auto text = args->Get("expect-head")) {
    Result<ChainAnchor> a = ParseAnchor(*text);
    if (!a.ok()) return Fail(ctx, UsageError("--expect-head: " + a.status().message()));
    anchor = *a;
  }
  const std::string id = args->positional[0];
  ChainVerifier chain(id, anchor);
  // Read before the history: a workflow still running only adds events after this head.
  Result<std::optional<ChainAnchor>> recorded = RecordedHead(ctx, id);
  if (!recorded.ok()) return Fail(ctx, recorded.status());
  if (*recorded) chain.AddAnchor(**recorded);
  Status fetched = ForEachEvent(ctx.api, id, kPage, [&](const json& e) {
    Status st = chain.Add(e);
    // A break is the answer, not an error of the fetch: stop paging and report it below.
    return st.ok() ? st : Cancelled("chain broken");
  });
  if (!fetched.ok() && fetched.code() != Code::kCancelled) return Fail(ctx, fetched);
  if (chain.events() == 0 && chain.status().ok()) {
    return Fail(ctx, NotFound("workflow " + id + " has no history"));
  }
  if (Status verdict = chain.Finish(); !verdict.ok()) {
    ctx.out << verdict.message() << "\n";
    return kExitFailure;
  }
  ctx.out << "ok: " << id << ": " << chain.events() << " events, chain intact, head "
          << chain.head();
  if (*recorded) {
    ctx.out << ", reaches the head the workflow records (seq " << (*recorded)->seq << ")";
  }
  ctx.out << "\n";
  if (!*recorded) {
    ctx.err << "note: the server does not report the workflow's chain head, so a cut tail "
               "would go unnoticed: keep this head and pass it as --expect-head later\n";
  }
  return kExitOk;
}

struct Listed {
  std::string id;
  TimeMs created_ms;
};

Result<std::vector<Listed>> ListAll(Context& ctx) {
  std::vector<Listed> all;
  Status st = ForEachWorkflow(ctx.api, "limit=500", true, [&](const json& w) {
    Result<TimeMs> created = ParseRfc3339(Cell(w, "created_at"));
    if (!created.ok()) return created.status();
    all.push_back({Cell(w, "id"), *created});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::reverse(all.begin(), all.end());  // the API lists newest first
  return all;
}

Result<std::pair<TimeMs, TimeMs>> Range(const Args& args) {
  std::optional<std::string> from = args.Get("from");
  std::optional<std::string> to = args.Get("to");
  if (!from || !to) return UsageError("audit export needs --from and --to (RFC 3339)");
  Result<TimeMs> f = ParseRfc3339(*from);
  Result<TimeMs> t = ParseRfc3339(*to);
  if (!f.ok()) return UsageError("--from: " + f.status().message());
  if (!t.ok()) return UsageError("--to: " + t.status().message());
  if (*f >= *t) return UsageError("--from must be before --to");
  return std::make_pair(*f, *t);
}

int RunExport(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"from", "to"}, {}}, 0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<std::pair<TimeMs, TimeMs>> range = Range(*args);
  if (!range.ok()) return Fail(ctx, range.status());
  const auto [from, to] = *range;
  Result<std::vector<Listed>> workflows = ListAll(ctx);
  if (!workflows.ok()) return Fail(ctx, workflows.status());
  for (const Listed& w : *workflows) {
    if (w.created_ms >= to) continue;  // its first event is at its creation
    Status st = ForEachEvent(ctx.api, w.id, kPage, [&](const json& e) {
      Result<TimeMs> at = ParseRfc3339(Cell(e, "at"));
      if (!at.ok()) return at.status();
      if (*at < from || *at >= to) return Status::Ok();
      json line = e;
      line["workflow_id"] = w.id;
      ctx.out << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return Fail(ctx, st);
  }
  return kExitOk;
}

}  // namespace

int RunAudit(Context& ctx, const Argv& argv) {
  const Argv rest = argv.empty() ? Argv{} : Argv(argv.begin() + 1, argv.end());
  if (!argv.empty() && argv[0] == "verify") return RunVerify(ctx, rest);
  if (!argv.empty() && argv[0] == "export") return RunExport(ctx, rest);
  return Fail(ctx, UsageError("usage: slipctl audit verify ID | audit export --from T --to T"));
}

}  // namespace slipway::slipctl
