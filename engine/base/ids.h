// engine/base/ids.h: identifiers of workflows and tenants, and their validation.
//
// A tenant id is a lowercase DNS label: [a-z0-9-], 1-39 characters, no leading/trailing '-'.
//
// Workflow ids live in their tenant's namespace: "<tenant>:<name>". Tenant ids have no ':', so
// the part before the first ':' names the namespace unambiguously and two tenants can never
// choose the same id (nor learn, through a 409, that another tenant's id exists).
// - A client sends "<name>" or "<tenant>:<name>" (ScopeClientWorkflowId): <name> is 1-128
//   characters of [A-Za-z0-9._-]; any other prefix is refused (field "id").
// - Generated ids are "<tenant>:wf_" + 26 base32 characters (time-ordered).
// - The engine makes child ids "<tenant>:<parent id>" (a second ':' that no client can send).
// - Engine::Start refuses any id with a ':' whose prefix is not the workflow's tenant
//   (CheckWorkflowIdTenant). In-process callers (tests, benches) may still pass bare ids.
#pragma once

#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway {

inline constexpr size_t kMaxWorkflowIdLength = 256;  // a full id, namespace included
inline constexpr size_t kMaxClientIdLength = 128;    // the <name> a client chooses

// Generates a fresh "wf_..." name whose prefix sorts by creation time (no namespace).
std::string NewWorkflowId(TimeMs now);
// Ok if `id` is 1-256 characters of [A-Za-z0-9._:-]. `field` names it in the error.
Status ValidateWorkflowId(const std::string& id, const std::string& field = "id");
// The full id of a client-chosen id for `tenant`: "x" and "<tenant>:x" both give "<tenant>:x";
// "" stays "" (the engine generates one). kInvalidArgument (field "id") for another tenant's
// prefix, a second ':' or a bad <name>.
Result<std::string> ScopeClientWorkflowId(const std::string& tenant, const std::string& id);
// Ok unless `id` has a ':' and the part before the first one is not `tenant` (field "id").
Status CheckWorkflowIdTenant(const std::string& id, const std::string& tenant);
Status ValidateTenantId(const std::string& tenant, const std::string& field = "tenant");

}  // namespace slipway
