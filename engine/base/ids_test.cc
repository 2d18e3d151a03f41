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
  EXPECT_EQ(ValidateWorkflowId(std::string(129, 'a')).code(), Code::kInvalidArgument);
  EXPECT_TRUE(ValidateWorkflowId("deploy-client1.2026:01").ok());
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
