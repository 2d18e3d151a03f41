// engine/base/ids.h: identifiers of workflows and tenants, and their validation.
//
// Workflow ids are client-chosen or generated ("wf_" + 26 base32 characters, time-ordered).
// A tenant id is a lowercase DNS label: [a-z0-9-], 1-39 characters, no leading/trailing '-'.
#pragma once

#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway {

// Generates a fresh workflow id whose prefix sorts by creation time.
std::string NewWorkflowId(TimeMs now);
// Ok if `id` is 1-128 characters of [A-Za-z0-9._:-]. `field` names it in the error.
Status ValidateWorkflowId(const std::string& id, const std::string& field = "id");
Status ValidateTenantId(const std::string& tenant, const std::string& field = "tenant");

}  // namespace slipway
