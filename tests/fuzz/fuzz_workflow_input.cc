// tests/fuzz/fuzz_workflow_input.cc: the `input` object of POST /v1/workflows, as a tenant
// sends it, through every workflow type's input validation.
//
// The engine calls a type's validate_input only with an object (engine/start.cc), after the
// body parser bounded its depth (fuzz_json.h); each validator must answer Ok or
// kInvalidArgument naming a field, and never throw (a json type_error here would be a 500).
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_json.h"
#include "workflows/deployment_workflow.h"
#include "workflows/domain_transfer_workflow.h"
#include "workflows/onboarding_workflow.h"
#include "workflows/rollback_workflow.h"
#include "workflows/template_update_workflow.h"
#include "workflows/tenant_settings_workflow.h"

namespace {

using namespace slipway;

void Check(const Status& s) {
  if (s.ok()) return;
  // A refusal must say which field is wrong, so the API can answer 400 with `field`.
  if (s.code() != Code::kInvalidArgument || s.field().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json input =
      fuzz::ParseBounded(std::string(reinterpret_cast<const char*>(data), size));
  if (!input.is_object()) return 0;
  Check(workflows::ValidateDeploymentInput(input));
  Check(workflows::ValidateDeploymentInput(input, "sites.example.com"));
  Check(workflows::ValidateDomainTransferInput(input, "sites.example.com"));
  Check(workflows::ValidateTenantSettingsInput(input));
  Check(workflows::ValidateOnboardingInput(input));
  Check(workflows::ValidateRollbackInput(input));
  Check(workflows::ValidateTemplateUpdateInput(input));
  return 0;
}
