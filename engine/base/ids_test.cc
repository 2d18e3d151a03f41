#include "engine/base/ids.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(IdsTest, GeneratedIdsAreValidUniqueAndTimeOrdered) {
  std::string a = NewWorkflowId(1000);
  std::string b = NewWorkflowId(2000);
  EXPECT_TRUE(ValidateWorkflowId(a).ok());
  EXPECT_NE(a, NewWorkflowId(1000));
  EXPECT_LT(a.substr(0, 13), b.substr(0, 13));
}

TEST(IdsTest, WorkflowIdRejectsOddCharacters) {
  EXPECT_EQ(ValidateWorkflowId("a/b").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateWorkflowId("").field(), "id");
  EXPECT_EQ(ValidateWorkflowId(std::string(257, 'a')).code(), Code::kInvalidArgument);
  EXPECT_TRUE(ValidateWorkflowId(std::string(256, 'a')).ok());
  EXPECT_TRUE(ValidateWorkflowId("deploy-client1.2026:01").ok());
}

TEST(IdsTest, ClientIdsAreScopedByTheirTenant) {
  EXPECT_EQ(*ScopeClientWorkflowId("acme", "deploy-1"), "acme:deploy-1");
  EXPECT_EQ(*ScopeClientWorkflowId("acme", "acme:deploy-1"), "acme:deploy-1");
  EXPECT_EQ(*ScopeClientWorkflowId("acme", ""), "");
  EXPECT_EQ(*ScopeClientWorkflowId("acme", std::string(128, 'a')), "acme:" + std::string(128, 'a'));
}

TEST(IdsTest, ClientIdsCannotNameAnotherNamespace) {
  for (const char* forged : {"globex:deploy-1", "acm:deploy-1", "acmex:deploy-1", ":deploy-1",
                             "acme:", "acme:globex:tu-1", "acme:tu:1", "a/b",
                             "acme:tu-1.globex/x"}) {
    Result<std::string> r = ScopeClientWorkflowId("acme", forged);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << forged;
    EXPECT_EQ(r.status().field(), "id") << forged;
  }
  EXPECT_FALSE(ScopeClientWorkflowId("acme", std::string(129, 'a')).ok());
}

TEST(IdsTest, EngineIdsMustCarryTheirTenantsPrefix) {
  EXPECT_TRUE(CheckWorkflowIdTenant("acme:platform:tu-1", "acme").ok());
  EXPECT_TRUE(CheckWorkflowIdTenant("legacy-id", "acme").ok());
  EXPECT_EQ(CheckWorkflowIdTenant("globex:x", "acme").field(), "id");
  EXPECT_FALSE(CheckWorkflowIdTenant("acmex:x", "acme").ok());
  EXPECT_FALSE(CheckWorkflowIdTenant("acm:x", "acme").ok());
}

TEST(IdsTest, TenantMustBeALowercaseDnsLabel) {
  EXPECT_TRUE(ValidateTenantId("client1").ok());
  EXPECT_TRUE(ValidateTenantId("a-b-c").ok());
  EXPECT_FALSE(ValidateTenantId("Client1").ok());
  EXPECT_FALSE(ValidateTenantId("-a").ok());
  EXPECT_FALSE(ValidateTenantId("a-").ok());
  EXPECT_FALSE(ValidateTenantId("").ok());
  EXPECT_FALSE(ValidateTenantId(std::string(40, 'a')).ok());
  EXPECT_EQ(ValidateTenantId("a_b").field(), "tenant");
}

}  // namespace
}  // namespace slipway
