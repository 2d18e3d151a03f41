// workflows/onboarding_workflow.cc: the onboarding workflow's table, states and result.
#include "workflows/onboarding_workflow.h"

#include <boost/mpl/vector/vector10.hpp>

#include "engine/msm_machine.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::Row;
using engine::NamedState;
using engine::StepSucceeded;

namespace {

struct OnboardingFront : engine::WorkflowFront<OnboardingFront> {
  struct OpeningAccount : NamedState<OpeningAccount> { static constexpr const char* kName = "account"; };
  struct CreatingRepository : NamedState<CreatingRepository> {
    static constexpr const char* kName = "repository";
  };
  struct AddingWebhook : NamedState<AddingWebhook> { static constexpr const char* kName = "webhook"; };
  struct CreatingDevProject : NamedState<CreatingDevProject> {
    static constexpr const char* kName = "dev_project";
  };
  struct DeployingDev : NamedState<DeployingDev> { static constexpr const char* kName = "dev_deployment"; };
  struct AttachingDevDomain : NamedState<AttachingDevDomain> {
    static constexpr const char* kName = "dev_domain";
  };
  struct CreatingProdProject : NamedState<CreatingProdProject> {
    static constexpr const char* kName = "prod_project";
  };
  struct Welcoming : NamedState<Welcoming> { static constexpr const char* kName = "welcome_email"; };
  struct Recording : NamedState<Recording> { static constexpr const char* kName = "record"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = OpeningAccount;
  struct transition_table
      : boost::mpl::vector9<Row<OpeningAccount, StepSucceeded, CreatingRepository>,
                            Row<CreatingRepository, StepSucceeded, AddingWebhook>,
                            Row<AddingWebhook, StepSucceeded, CreatingDevProject>,
                            Row<CreatingDevProject, StepSucceeded, DeployingDev>,
                            Row<DeployingDev, StepSucceeded, AttachingDevDomain>,
                            Row<AttachingDevDomain, StepSucceeded, CreatingProdProject>,
                            Row<CreatingProdProject, StepSucceeded, Welcoming>,
                            Row<Welcoming, StepSucceeded, Recording>,
                            Row<Recording, StepSucceeded, Done>> {};
};

json OnboardingResult(const json& outputs, const json& steps) {
  json record = outputs.value("record", json::object());
  json editor_access = record.is_object() && record.contains("editor_access")
                          ? record["editor_access"]
                          : json(nullptr);
  if (record.is_object()) record.erase("editor_access");
  json r = {{"tenant_record", record},
            {"editor_access", editor_access},
            {"repository", outputs.value("repository", json::object())},
            {"dev_url", outputs.value("dev_deployment", json::object()).value("url", "")},
            {"dev_domain", outputs.value("dev_domain", json::object()).value("domain", "")},
            {"welcome_email", outputs.value("welcome_email", json::object())},
            {"durations_ms", StepDurations(steps)}};
  return r;
}

}  // namespace

Status ValidateOnboardingInput(const json& in) {
  if (!in.contains("email") || !in["email"].is_string()) {
    return InvalidArgument("email", "is required: where the welcome e-mail goes");
  }
  const std::string email = in["email"].get<std::string>();
  size_t at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find_first_of(" \t\r\n<>,;") != std::string::npos) {
    return InvalidArgument("email", "must be an e-mail address");
  }
  if (in.contains("name") && (!in["name"].is_string() || in["name"].get<std::string>().size() > 200)) {
    return InvalidArgument("name", "must be a string of at most 200 characters");
  }
  return Status::Ok();
}

engine::WorkflowType OnboardingType(const WorkflowOptions& options) {
  const RetryPolicies& rp = options.retry;
  engine::WorkflowType t;
  t.name = kOnboardingType;
  t.steps = {"account",    "repository",   "webhook",       "dev_project", "dev_deployment",
             "dev_domain", "prod_project", "welcome_email", "record"};
  t.states["account"] = ActivityState(kAccountActivity, rp.local);
  t.states["repository"] = ActivityState(kRepositoryActivity, rp.github);
  t.states["webhook"] = ActivityState(kWebhookActivity, rp.github);
  t.states["dev_project"] = ActivityState(kDevProjectActivity, rp.vercel);
  t.states["dev_deployment"] = ActivityState(kDevDeploymentActivity, rp.deploy);
  t.states["dev_domain"] = ActivityState(kDevDomainActivity, rp.vercel);
  t.states["prod_project"] = ActivityState(kProdProjectActivity, rp.vercel);
  t.states["welcome_email"] = ActivityState(kWelcomeEmailActivity, rp.notify);
  t.states["record"] = ActivityState(kTenantRecordActivity, rp.local);
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.make_machine = [] { return engine::MakeMsmMachine<OnboardingFront>(); };
  t.serial_group = kOnboardingType;
  t.validate_input = ValidateOnboardingInput;
  t.build_result = OnboardingResult;
  return t;
}

}  // namespace slipway::workflows
