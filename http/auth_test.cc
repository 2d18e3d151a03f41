// http/auth_test.cc: the tokens file, bearer authentication and the role table.
#include "http/auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "engine/base/sha256.h"

namespace slipway::http {
namespace {

using nlohmann::json;

json Entry(const std::string& name, const std::string& role, const std::string& token) {
  return {{"name", name}, {"role", role}, {"token_sha256", Sha256Hex(token)}};
}

TEST(TokenStoreTest, AuthenticatesByHashAndNamesThePrincipal) {
  auto store = TokenStore::FromJson(
      json::array({Entry("alice", "ops", "t-ops"), Entry("c1", "tenant:client1", "t-c1")}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto alice = store->Authenticate("Bearer t-ops");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->actor(), "ops:alice");
  EXPECT_TRUE(alice->is_ops());
  auto c1 = store->Authenticate("bearer t-c1");
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(c1->tenant, "client1");
  EXPECT_EQ(c1->actor(), "tenant:client1:c1");
  for (const char* bad : {"", "Bearer ", "Bearer t-other", "Basic t-ops", "t-ops"}) {
    auto r = store->Authenticate(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
    EXPECT_EQ(r.status().message().find("t-"), std::string::npos);
  }
}

TEST(TokenStoreTest, RejectsMalformedFilesNamingTheEntry) {
  auto not_array = TokenStore::FromJson(json::object());
  EXPECT_EQ(not_array.status().code(), Code::kInvalidArgument);
  auto bad_role = TokenStore::FromJson(json::array({Entry("a", "root", "t")}));
  EXPECT_EQ(bad_role.status().field(), "tokens[0].role");
  auto bad_tenant = TokenStore::FromJson(json::array({Entry("a", "tenant:Bad_One", "t")}));
  EXPECT_EQ(bad_tenant.status().field(), "tokens[0].role");
  json short_hash = json::array({{{"name", "a"}, {"role", "ops"}, {"token_sha256", "abc"}}});
  EXPECT_EQ(TokenStore::FromJson(short_hash).status().field(), "tokens[0].token_sha256");
  json extra = json::array({Entry("a", "ops", "t")});
  extra[0]["token"] = "t";
  EXPECT_EQ(TokenStore::FromJson(extra).status().field(), "tokens[0].token");
  auto dup =
      TokenStore::FromJson(json::array({Entry("a", "ops", "t"), Entry("b", "auditor", "t")}));
  EXPECT_EQ(dup.status().field(), "tokens[1]");
  EXPECT_EQ(TokenStore::LoadFile("/nonexistent/tokens.json").status().code(), Code::kNotFound);
}

TEST(TokenStoreTest, LoadsTheTokensFile) {
  char tmpl[] = "/tmp/slipway-tokens-XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(tmpl) << json::array({Entry("alice", "ops", "t-ops")}).dump();
  auto store = TokenStore::LoadFile(tmpl);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->size(), 1u);
  EXPECT_TRUE(store->Authenticate("Bearer t-ops").ok());
  std::ofstream(tmpl) << "[{";
  EXPECT_EQ(TokenStore::LoadFile(tmpl).status().code(), Code::kInvalidArgument);
  std::remove(tmpl);
}

TEST(AuthorizeTest, RolesAllowWhatTheyShould) {
  Principal ops{"alice", "ops", ""};
  Principal auditor{"bob", "auditor", ""};
  Principal tenant{"c1", "tenant:client1", "client1"};
  for (Access a : {Access::kRead, Access::kMetrics, Access::kStart, Access::kCancel,
                   Access::kResume, Access::kSignal}) {
    EXPECT_TRUE(Authorize(ops, a).ok());
  }
  EXPECT_TRUE(Authorize(auditor, Access::kRead).ok());
  EXPECT_TRUE(Authorize(auditor, Access::kMetrics).ok());
  for (Access a : {Access::kStart, Access::kCancel, Access::kResume, Access::kSignal}) {
    EXPECT_EQ(Authorize(auditor, a).code(), Code::kPermissionDenied);
  }
  for (Access a : {Access::kRead, Access::kStart, Access::kCancel, Access::kSignal}) {
    EXPECT_TRUE(Authorize(tenant, a).ok());
  }
  EXPECT_EQ(Authorize(tenant, Access::kResume).code(), Code::kPermissionDenied);
  EXPECT_EQ(Authorize(tenant, Access::kMetrics).code(), Code::kPermissionDenied);
  EXPECT_TRUE(CheckTenant(tenant, "client1").ok());
  EXPECT_EQ(CheckTenant(tenant, "client2").code(), Code::kNotFound);
  EXPECT_TRUE(CheckTenant(auditor, "client2").ok());
}

TEST(AuthorizeTest, OnlyOpsAndApproversApproveAndApproversDoNothingElse) {
  auto store = TokenStore::FromJson(json::array({Entry("carol", "approver", "t-appr")}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto carol = store->Authenticate("Bearer t-appr");
  ASSERT_TRUE(carol.ok());
  EXPECT_TRUE(carol->is_approver());
  EXPECT_FALSE(carol->is_tenant());
  EXPECT_EQ(carol->actor(), "approver:carol");
  Principal ops{"alice", "ops", ""};
  Principal tenant{"c1", "tenant:client1", "client1"};
  Principal auditor{"bob", "auditor", ""};
  EXPECT_TRUE(Authorize(*carol, Access::kRead).ok());
  EXPECT_TRUE(Authorize(*carol, Access::kSignal).ok());
  for (Access a : {Access::kMetrics, Access::kStart, Access::kCancel, Access::kResume}) {
    EXPECT_EQ(Authorize(*carol, a).code(), Code::kPermissionDenied);
  }
  EXPECT_TRUE(CheckTenant(*carol, "client2").ok());
  for (const char* decision : {"approve", "reject"}) {
    EXPECT_TRUE(AuthorizeSignal(ops, decision).ok());
    EXPECT_TRUE(AuthorizeSignal(*carol, decision).ok());
    EXPECT_EQ(AuthorizeSignal(tenant, decision).code(), Code::kPermissionDenied);
    EXPECT_EQ(AuthorizeSignal(tenant, decision).field(), "name");
    EXPECT_FALSE(AuthorizeSignal(auditor, decision).ok());
  }
  EXPECT_TRUE(AuthorizeSignal(tenant, "recheck").ok());
  EXPECT_TRUE(AuthorizeSignal(ops, "recheck").ok());
  EXPECT_EQ(AuthorizeSignal(*carol, "recheck").code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace slipway::http
