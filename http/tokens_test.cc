// http/tokens_test.cc: API tokens kept in the store: ops create, list and revoke them over
// HTTP; a new token works at once, a revoked one stops at once here and within a second on
// another node; nobody else may manage them; the store never holds a secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "engine/base/sha256.h"

#include "http/api_tokens.h"
#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

class TokensApiTest : public HttpFixture {
 protected:
  // Everything the store keeps about API tokens (every record of their namespaces).
  std::string StoredTokens() {
    std::string all;
    for (const char* ns : {"api_token", "api_token_id", "api_tokens"}) {
      Result<std::vector<storage::Record>> page = store_->ListRecords(ns, "", 1000);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) continue;
      for (const storage::Record& r : *page) all += r.key + " " + r.value_json + "\n";
    }
    return all;
  }
  std::pair<std::string, std::string> Create(const std::string& name, const std::string& role) {
    Reply r = Post("/v1/tokens", {{"name", name}, {"role", role}});
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    return {r.json.value("id", ""), r.json.value("token", "")};
  }
};

TEST_F(TokensApiTest, ANewTenantTokenWorksAtOnceForItsTenantOnly) {
  auto [id, token] = Create("client3-editor", "tenant:client3");
  ASSERT_EQ(token.size(), 43u);
  EXPECT_EQ(id.rfind("tok_", 0), 0u) << id;
  Reply own = Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client3"}}, token);
  EXPECT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client1"}}, token).status,
            403);
  EXPECT_EQ(Get("/v1/tokens", token).status, 403);
  Reply list = Get("/v1/tokens");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["tokens"].size(), 1u);
  const json& listed = list.json["tokens"][0];
  EXPECT_EQ(listed["id"], id);
  EXPECT_EQ(listed["name"], "client3-editor");
  EXPECT_EQ(listed["created_by"], "ops:alice");
  EXPECT_EQ(listed["revoked"], false);
  EXPECT_EQ(list.body.find(token), std::string::npos) << "the secret is shown once";
  EXPECT_FALSE(listed.contains("token_sha256"));
  // What the store keeps: the hash, never the token.
  const std::string stored = StoredTokens();
  EXPECT_EQ(stored.find(token), std::string::npos);
  EXPECT_NE(stored.find(Sha256Hex(token)), std::string::npos);
}

TEST_F(TokensApiTest, ARevokedTokenStopsHereAtOnceAndOnAnotherNodeWithinASecond) {
  auto [id, token] = Create("ops-bot", "ops");
  // A second node: its own server and token snapshot on the same store.
  HttpApiOptions o;
  o.port = 0;
  auto other = std::make_unique<HttpApi>(engine(), tokens_, o);
  ASSERT_TRUE(other->Start().ok());
  EXPECT_EQ(Send(other->port(), "GET", "/v1/workflows", token, "", {}).status, 200);
  Reply revoked = Post("/v1/tokens/" + id + "/revoke", json());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json["revoked"], true);
  EXPECT_EQ(revoked.json["revoked_by"], "ops:alice");
  EXPECT_EQ(Get("/v1/workflows", token).status, 401) << "this node: at once";
  clock_.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Send(other->port(), "GET", "/v1/workflows", token, "", {}).status, 401)
      << "the other node: within a second";
  EXPECT_EQ(Post("/v1/tokens/" + id + "/revoke", json()).status, 200) << "idempotent";
  EXPECT_EQ(Post("/v1/tokens/tok_0000000000000000/revoke", json()).status, 404);
}

TEST_F(TokensApiTest, OnlyOpsManageTokensAndBadInputNamesTheField) {
  for (const std::string& who : {std::string(kAuditor), std::string(kClient1),
                                 std::string(kApprover)}) {
    EXPECT_EQ(Post("/v1/tokens", {{"name", "x"}, {"role", "ops"}}, who).status, 403) << who;
    EXPECT_EQ(Get("/v1/tokens", who).status, 403) << who;
  }
  EXPECT_EQ(Get("/v1/tokens", "").status, 401);
  struct Case {
    json body;
    std::string field;
  } cases[] = {{{{"name", "bot"}, {"role", "root"}}, "role"},
               {{{"name", "bot"}, {"role", "tenant:../x"}}, "role"},
               {{{"name", "no spaces"}, {"role", "ops"}}, "name"},
               {{{"role", "ops"}}, "name"},
               {{{"name", "bot"}}, "role"},
               {{{"name", 7}, {"role", "ops"}}, "name"},
               {{{"name", "bot"}, {"role", "ops"}, {"token", "mine"}}, "token"}};
  for (const Case& c : cases) {
    Reply r = Post("/v1/tokens", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(r.json["error"]["field"], c.field) << c.body << " " << r.body;
  }
  EXPECT_EQ(Get("/v1/tokens").json["tokens"].size(), 0u) << "nothing half-written";
}

TEST_F(TokensApiTest, AMintedTokenIsTheSameOnEveryRetryAndRevealedOnce) {
  ApiTokens minter(*store_, clock_);
  Result<ApiToken> minted = minter.MintFor("acme:onboard", "acme-editor", "tenant:acme", "workflow:x");
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  Result<ApiToken> again = minter.MintFor("acme:onboard", "acme-editor", "tenant:acme", "workflow:x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, minted->id) << "a retried step mints nothing new";
  Reply list = Get("/v1/tokens");
  ASSERT_EQ(list.json["tokens"].size(), 1u) << list.body;
  EXPECT_EQ(list.json["tokens"][0]["revealed"], false);
  EXPECT_EQ(list.body.find(minted->pending_secret), std::string::npos);
  EXPECT_EQ(Post("/v1/tokens/" + minted->id + "/reveal", json(), kAuditor).status, 403);
  Reply shown = Post("/v1/tokens/" + minted->id + "/reveal", json());
  ASSERT_EQ(shown.status, 200) << shown.body;
  const std::string token = shown.json["token"];
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(shown.header("Cache-Control"), "no-store");
  EXPECT_EQ(shown.json["revealed_by"], "ops:alice");
  Reply twice = Post("/v1/tokens/" + minted->id + "/reveal", json());
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(twice.body.find(token), std::string::npos);
  EXPECT_EQ(StoredTokens().find(token), std::string::npos) << "erased as it was shown";
  EXPECT_EQ(Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "acme"}}, token).status, 201);
  auto [id, secret] = Create("ops-made", "auditor");
  EXPECT_EQ(Post("/v1/tokens/" + id + "/reveal", json()).status, 409)
      << "a token ops created was shown when it was made";
}

TEST_F(TokensApiTest, AMintedSecretNotRevealedWithinSevenDaysIsErasedAndItsTokenRevoked) {
  ApiTokens minter(*store_, clock_);
  Result<ApiToken> minted = minter.MintFor("acme:onboard", "acme-editor", "tenant:acme", "workflow:x");
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  const std::string secret = minted->pending_secret;
  Reply before = Get("/v1/tokens");
  ASSERT_EQ(before.json["tokens"].size(), 1u) << before.body;
  EXPECT_TRUE(before.json["tokens"][0].contains("reveal_before")) << before.body;
  clock_.Advance(std::chrono::milliseconds(ApiTokens::kRevealWindowMs));
  // The next read of the tokens (a list, or a request authenticating) finds the stale secret.
  Reply list = Get("/v1/tokens");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(StoredTokens().find(secret), std::string::npos) << "the secret was erased";
  Reply after = Get("/v1/tokens");
  ASSERT_EQ(after.json["tokens"].size(), 1u) << after.body;
  EXPECT_EQ(after.json["tokens"][0]["revoked"], true) << after.body;
  EXPECT_EQ(after.json["tokens"][0]["revealed"], false) << after.body;
  Reply reveal = Post("/v1/tokens/" + minted->id + "/reveal", json());
  EXPECT_EQ(reveal.status, 409) << reveal.body;
  EXPECT_NE(reveal.body.find("not revealed within 7 days"), std::string::npos) << reveal.body;
  EXPECT_EQ(Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "acme"}}, secret).status, 401)
      << "nobody can use it";
}

// Earlier versions kept every token in one record ("api_tokens"/"all"); an upgraded node
// moves them into their own records on first use: they authenticate, list, and revoke.
TEST_F(TokensApiTest, TokensOfTheOneRecordLayoutAreMovedAndKeepWorking) {
  const std::string secret = "legacy-secret-token-0123456789abcdefghijklm";
  json legacy = json::array({{{"id", "tok_00000000000000aa"},
                              {"token_sha256", Sha256Hex(secret)},
                              {"name", "old-bot"},
                              {"role", "auditor"},
                              {"created_at_ms", 1},
                              {"created_by", "ops:bob"}}});
  ASSERT_TRUE(store_->PutRecord({"api_tokens", "all", legacy.dump(), 0}, 0).ok());
  EXPECT_EQ(Get("/v1/workflows", secret).status, 200);
  Reply list = Get("/v1/tokens");
  ASSERT_EQ(list.json["tokens"].size(), 1u) << list.body;
  EXPECT_EQ(list.json["tokens"][0]["name"], "old-bot");
  EXPECT_EQ(store_->GetRecord("api_tokens", "all")->value_json, "[]");
  ASSERT_EQ(Post("/v1/tokens/tok_00000000000000aa/revoke", json()).status, 200);
  EXPECT_EQ(Get("/v1/workflows", secret).status, 401);
}

// One record per token: the 10,001st token is written like the first (the one-record layout
// rewrote every token on each write, and refused more than 10,000).
TEST(ApiTokensTest, TenThousandMintedTokensAndOneMoreAllWork) {
  FakeClock clock;
  Failpoints failpoints;
  char dir[] = "/tmp/api-tokens-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  storage::SqliteOptions o{std::string(dir) + "/t.db"};
  o.synchronous_full = false;  // 20,000 small writes: the test is not about fsync
  auto store = storage::SqliteStore::Open(o, failpoints);
  ASSERT_TRUE(store.ok());
  ApiTokens tokens(**store, clock);
  std::string last_secret;
  for (int i = 0; i <= 10'000; ++i) {
    Result<ApiToken> t = tokens.MintFor("t" + std::to_string(i) + ":onboard", "editor",
                                        "tenant:t" + std::to_string(i), "workflow:x");
    ASSERT_TRUE(t.ok()) << i << ": " << t.status().ToString();
    last_secret = t->pending_secret;
  }
  Result<std::vector<ApiToken>> all = tokens.List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10'001u);
  std::array<unsigned char, 32> hash{};
  const std::string hex = Sha256Hex(last_secret);
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
  Result<Principal> who = tokens.Authenticate(hash);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  std::filesystem::remove_all(dir);
}

TEST(ApiTokensTest, TwoNodesCreatingAtOnceLoseNeitherToken) {
  // Every record is written with its version as a compare-and-set.
  FakeClock clock;
  Failpoints failpoints;
  char dir[] = "/tmp/api-tokens-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  auto store = storage::SqliteStore::Open({std::string(dir) + "/t.db"}, failpoints);
  ASSERT_TRUE(store.ok());
  ApiTokens a(**store, clock), b(**store, clock);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 10; ++j) {
        ApiTokens& node = (i % 2 == 0) ? a : b;
        EXPECT_TRUE(node.Create("n" + std::to_string(i) + "-" + std::to_string(j), "auditor",
                                "ops:test")
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  Result<std::vector<ApiToken>> all = a.List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 40u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace slipway::http::testing
