// http/views.h: how engine values look on the wire: workflows, history events, ETags, and the
// versions named in If-None-Match. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "storage/store.h"

namespace slipway::http {

// A workflow as GET /v1/workflows/{id} (and start, cancel, resume, signal) answer it:
// Workflow::ToJson plus "history": {"last_seq", "last_hash"}, the head of its hash chain at
// this version, so that a history read later and cut short does not verify as whole.
nlohmann::json WorkflowJson(const engine::Workflow& w);
// {"seq","at","type","step","attempt","actor","data","prev_hash","hash"}; "at" in RFC 3339.
nlohmann::json EventJson(const storage::HistoryEvent& e);
// A strong ETag for a workflow version: "\"<version>\"".
std::string ETagFor(int64_t version);
// The first version named by an If-None-Match value ("\"7\"", W/"7", a list); nullopt if none.
std::optional<int64_t> IfNoneMatchVersion(const std::string& header);
// True if an If-None-Match value matches `version` ("*" matches any).
bool IfNoneMatchMatches(const std::string& header, int64_t version);

}  // namespace slipway::http
