// Talks to an in-process emulator over loopback with Poco's HTTP client.
#include "tools/emulator/emulator.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tools/emulator/emu_http.h"
#include "tools/emulator/repo_store.h"

namespace slipway::emulator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("emu_test_" + std::to_string(::getpid()) + "_" + RandomHex(6));
    fs::create_directories(dir_ / "template" / "src");
    std::ofstream(dir_ / "template" / "package.json") << "{\"name\":\"site\"}\n";
    std::ofstream(dir_ / "template" / "src" / "index.ts") << "export const n: number = 1;\n";
    StartEmulator(0);
  }
  void TearDown() override {
    emu_.reset();
    fs::remove_all(dir_);
  }
  void StartEmulator(int64_t delay_ms) {
    EmulatorOptions o;
    o.data_dir = (dir_ / "data").string();
    o.template_dir = (dir_ / "template").string();
    o.template_repo = "tmpl/site";
    o.deploy_delay_ms = delay_ms;
    emu_.reset();
    auto started = Emulator::Start(o);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emu_ = std::move(*started);
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             std::map<std::string, std::string> headers = {{"Authorization", "Bearer t"},
                                                           {"User-Agent", "test"}}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(emu_->port()));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    for (const auto& [k, v] : resp) r.headers[k] = v;
    std::ostringstream ss;
    ss << in.rdbuf();
    r.body = ss.str();
    return r;
  }

  Reply Generate(const std::string& name) {
    return Call("POST", "/repos/tmpl/site/generate",
                json{{"owner", "acme"}, {"name", name}}.dump());
  }

  fs::path dir_;
  std::unique_ptr<Emulator> emu_;
};

TEST_F(EmulatorTest, GenerateCreatesRepoFromTemplateOnce) {
  Reply r = Generate("tenant-a");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["full_name"], "acme/tenant-a");
  EXPECT_EQ(r.Json()["template_repository"]["full_name"], "tmpl/site");
  EXPECT_NE(r.headers["Location"].find("/repos/acme/tenant-a"), std::string::npos);
  EXPECT_EQ(Generate("tenant-a").status, 422);
  EXPECT_EQ(Call("GET", "/repos/acme/TENANT-A").status, 200);  // names are case-insensitive
  EXPECT_EQ(emu_->log().Count("repo_created"), 1);
}

TEST_F(EmulatorTest, AuthAndUserAgentAreRequired) {
  EXPECT_EQ(Call("GET", "/repos/tmpl/site", "", {{"User-Agent", "t"}}).status, 401);
  EXPECT_EQ(Call("GET", "/repos/tmpl/site", "", {{"Authorization", "Bearer t"}}).status, 403);
  EXPECT_EQ(Call("GET", "/repos/nobody/none").status, 404);
}

TEST_F(EmulatorTest, PutContentsSplitsCreateAndUpdateAndChecksSha) {
  ASSERT_EQ(Generate("t").status, 201);
  std::string path = "/repos/acme/t/contents/data/site.json";
  json put = {{"message", "add"}, {"content", Base64Encode("{\"a\":1}")}, {"branch", "main"}};
  Reply created = Call("PUT", path, put.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string sha = created.Json()["content"]["sha"];
  EXPECT_EQ(Call("PUT", path, put.dump()).status, 422);  // exists, no sha
  put["sha"] = "0000000000000000000000000000000000000000";
  EXPECT_EQ(Call("PUT", path, put.dump()).status, 409);  // stale sha
  put["sha"] = sha;
  put["content"] = Base64Encode("{\"a\":2}");
  Reply updated = Call("PUT", path, put.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  Reply got = Call("GET", path + "?ref=main");
  std::string decoded;
  ASSERT_TRUE(Base64Decode(got.Json()["content"], &decoded));
  EXPECT_EQ(decoded, "{\"a\":2}");
  Reply ref = Call("GET", "/repos/acme/t/git/ref/heads/main");
  EXPECT_EQ(ref.Json()["object"]["sha"], updated.Json()["commit"]["sha"]);
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 2);
}

TEST_F(EmulatorTest, CreateRefMakesABranchAtAShaOnceAndRefusesASecond) {
  ASSERT_EQ(Generate("t").status, 201);
  std::string main_sha = Call("GET", "/repos/acme/t/git/ref/heads/main").Json()["object"]["sha"];
  json body = {{"ref", "refs/heads/production"}, {"sha", main_sha}};
  Reply created = Call("POST", "/repos/acme/t/git/refs", body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json()["ref"], "refs/heads/production");
  EXPECT_EQ(created.Json()["object"]["sha"], main_sha);
  Reply again = Call("POST", "/repos/acme/t/git/refs", body.dump());
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(again.Json()["message"], "Reference already exists");
  Reply head = Call("GET", "/repos/acme/t/git/ref/heads/production");
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.Json()["object"]["sha"], main_sha);
  Reply file = Call("GET", "/repos/acme/t/contents/src/index.ts?ref=production");
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(emu_->log().Count("ref_created", "acme/t"), 1);
  EXPECT_EQ(Call("POST", "/repos/acme/t/git/refs",
                 json{{"ref", "refs/heads/x"}, {"sha", std::string(40, 'f')}}.dump()).status, 422);
  EXPECT_EQ(Call("POST", "/repos/acme/t/git/refs",
                 json{{"ref", "heads/x"}, {"sha", main_sha}}.dump()).status, 422);
}

TEST_F(EmulatorTest, TarballRedirectsToARealGzipArchive) {
  ASSERT_EQ(Generate("t").status, 201);
  Reply redirect = Call("GET", "/repos/acme/t/tarball/main");
  ASSERT_EQ(redirect.status, 302);
  std::string location = redirect.headers["Location"];
  std::string path = location.substr(location.find("/_codeload/"));
  Reply archive = Call("GET", path, "", {});
  ASSERT_EQ(archive.status, 200);
  ASSERT_GE(archive.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(archive.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(archive.body[1]), 0x8b);
}

TEST_F(EmulatorTest, ReposSurviveARestartOnTheSameDataDir) {
  ASSERT_EQ(Generate("keep").status, 201);
  StartEmulator(0);
  EXPECT_EQ(Call("GET", "/repos/acme/keep").status, 200);
}

TEST_F(EmulatorTest, FaultRuleFiresTheConfiguredNumberOfTimes) {
  ASSERT_EQ(Call("POST", "/_admin/faults",
                 R"({"rules":[{"path":"/repos/*","status":503,"times":1,"retry_after_s":2}]})")
                .status,
            200);
  Reply first = Call("GET", "/repos/tmpl/site");
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.headers["Retry-After"], "2");
  EXPECT_EQ(Call("GET", "/repos/tmpl/site").status, 200);
  Reply log = Call("GET", "/_admin/log");
  EXPECT_NE(log.body.find("\"fault\":\"status_503\""), std::string::npos) << log.body;
}

TEST_F(EmulatorTest, SeededRateGivesTheSameFaultsEachRun) {
  auto run = [&] {
    EXPECT_TRUE(emu_->faults().Configure(R"({"seed":42,"rules":[{"path":"/repos/*","status":500,"rate":0.5}]})").ok());
    std::string pattern;
    for (int i = 0; i < 16; ++i) pattern += Call("GET", "/repos/tmpl/site").status == 500 ? 'x' : '.';
    return pattern;
  };
  std::string a = run();
  EXPECT_EQ(a, run());
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

TEST_F(EmulatorTest, DeploymentGoesThroughQueuedBuildingReady) {
  StartEmulator(300);
  Reply p = Call("POST", "/v11/projects", json{{"name", "site-a"}, {"framework", "nextjs"}}.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  json spec = {{"name", "site-a"}, {"project", p.Json()["id"]}, {"target", "production"},
               {"gitSource", {{"type", "github"}, {"org", "acme"}, {"repo", "t"}, {"ref", "main"}}}};
  Reply d = Call("POST", "/v13/deployments", spec.dump());
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.Json()["readyState"], "QUEUED");
  std::string id = d.Json()["id"];
  std::set<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string state = Call("GET", "/v13/deployments/" + id).Json()["readyState"];
    seen.insert(state);
    if (state == "READY") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(seen.count("READY"));
  Reply project = Call("GET", "/v9/projects/site-a");
  EXPECT_EQ(project.Json()["targets"]["production"]["id"], id);
}

// Promote is a job (lastAliasRequest): pending, then in progress when looked at, then
// succeeded after half the deploy delay, when production moves. Jobs of many projects run side
// by side; a newer request of a project supersedes its older one.
TEST_F(EmulatorTest, PromoteJobsGoThroughInProgressToSucceededPerProject) {
  StartEmulator(300);
  for (const char* name : {"pa", "pb"}) {
    ASSERT_EQ(Call("POST", "/v11/projects", json{{"name", name}}.dump()).status, 200);
  }
  auto staged = [this](const std::string& name) {
    json spec = {{"name", name}, {"target", "production"}, {"autoAssignCustomDomains", false},
                 {"gitSource", {{"type", "github"}, {"org", "acme"}, {"repo", "t"}, {"ref", "main"}}}};
    Reply d = Call("POST", "/v13/deployments", spec.dump());
    EXPECT_EQ(d.status, 200) << d.body;
    return d.Json().value("id", "");
  };
  auto job = [this](const std::string& name) {
    return Call("GET", "/v9/projects/" + name).Json()["lastAliasRequest"];
  };
  const std::string a1 = staged("pa"), a2 = staged("pa"), b1 = staged("pb");
  for (const std::string& id : {a1, a2, b1}) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Call("GET", "/v13/deployments/" + id).Json()["readyState"] != "READY") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << id << " never READY";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_EQ(Call("POST", "/v10/projects/pa/promote/" + a1).status, 201);
  ASSERT_EQ(Call("POST", "/v10/projects/pb/promote/" + b1).status, 201);
  ASSERT_EQ(Call("POST", "/v10/projects/pa/promote/" + a2).status, 201);  // supersedes a1's
  EXPECT_EQ(job("pa")["jobStatus"], "in-progress");
  EXPECT_EQ(job("pa")["toDeploymentId"], a2);
  EXPECT_EQ(job("pb")["jobStatus"], "in-progress");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (job("pa")["jobStatus"] != "succeeded" || job("pb")["jobStatus"] != "succeeded") {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << job("pa") << job("pb");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Call("GET", "/v9/projects/pa").Json()["targets"]["production"]["id"], a2);
  EXPECT_EQ(Call("GET", "/v9/projects/pb").Json()["targets"]["production"]["id"], b1);
}

TEST_F(EmulatorTest, ReadyDeploymentServesPagesWithTheirLinks) {
  ASSERT_EQ(Generate("web").status, 201);
  std::string page = Base64Encode("export default () => <a href=\"/about\">About</a>;\n");
  ASSERT_EQ(Call("PUT", "/repos/acme/web/contents/pages/index.tsx",
                 json{{"message", "page"}, {"content", page}}.dump()).status, 201);
  ASSERT_EQ(Call("POST", "/v11/projects", R"({"name":"web"})").status, 200);
  Reply d = Call("POST", "/v13/deployments",
                 R"({"name":"web","target":"production","gitSource":{"type":"github","org":"acme","repo":"web","ref":"main"}})");
  ASSERT_EQ(d.status, 200) << d.body;
  std::string host = d.Json()["url"];
  Reply home = Call("GET", "/_sites/" + host + "/", "", {});
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("<a href=\"/about\">"), std::string::npos) << home.body;
  EXPECT_EQ(Call("GET", "/_sites/" + host + "/about", "", {}).status, 404);  // a broken link
  EXPECT_EQ(Call("GET", "/", "", {{"Host", "web.vercel.app"}}).status, 200);  // production alias
  EXPECT_EQ(Call("GET", "/_sites/nothing.vercel.app/", "", {}).status, 404);
}

TEST_F(EmulatorTest, ASiteBuiltFromWebsiteDataServesItsPages) {
  ASSERT_EQ(Generate("bakery").status, 201);
  std::string data = Base64Encode(
      R"({"siteName":"B","pages":[{"slug":"index","title":"Home","body":"x"},)"
      R"({"slug":"about","title":"About","body":"y"}]})");
  ASSERT_EQ(Call("PUT", "/repos/acme/bakery/contents/websiteData.json",
                 json{{"message", "data"}, {"content", data}}.dump()).status, 201);
  ASSERT_EQ(Call("POST", "/v11/projects", R"({"name":"bakery"})").status, 200);
  Reply d = Call("POST", "/v13/deployments",
                 R"({"name":"bakery","target":"production","gitSource":{"type":"github","org":"acme","repo":"bakery","ref":"main"}})");
  ASSERT_EQ(d.status, 200) << d.body;
  std::string host = d.Json()["url"];
  Reply home = Call("GET", "/_sites/" + host + "/", "", {});
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("<a href=\"about.html\">"), std::string::npos) << home.body;
  EXPECT_EQ(Call("GET", "/_sites/" + host + "/about.html", "", {}).status, 200);
  EXPECT_EQ(Call("GET", "/_sites/" + host + "/index.html", "", {}).status, 200);
  EXPECT_EQ(Call("GET", "/_sites/" + host + "/missing.html", "", {}).status, 404);
}

TEST_F(EmulatorTest, FailingProjectDeploymentEndsInError) {
  ASSERT_TRUE(emu_->faults().Configure(R"({"failing_projects":["bad"]})").ok());
  ASSERT_EQ(Call("POST", "/v11/projects", R"({"name":"bad"})").status, 200);
  Reply d = Call("POST", "/v13/deployments",
                 R"({"name":"bad","gitSource":{"type":"github","org":"a","repo":"b","ref":"main"}})");
  Reply got = Call("GET", "/v13/deployments/" + d.Json()["id"].get<std::string>());
  EXPECT_EQ(got.Json()["readyState"], "ERROR");
  EXPECT_FALSE(got.Json()["errorMessage"].get<std::string>().empty());
}

TEST_F(EmulatorTest, DomainStaysUnverifiedUntilAdminVerifies) {
  ASSERT_EQ(Call("POST", "/v11/projects", R"({"name":"d"})").status, 200);
  Reply added = Call("POST", "/v10/projects/d/domains", R"({"name":"www.foo.com"})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_FALSE(added.Json()["verified"].get<bool>());
  EXPECT_EQ(added.Json()["verification"][0]["type"], "TXT");
  EXPECT_EQ(Call("POST", "/v9/projects/d/domains/www.foo.com/verify").status, 400);
  EXPECT_EQ(Call("POST", "/_admin/domains/www.foo.com/verify").status, 200);
  Reply verified = Call("POST", "/v9/projects/d/domains/www.foo.com/verify");
  EXPECT_EQ(verified.status, 200);
  EXPECT_TRUE(verified.Json()["verified"].get<bool>());
}

TEST_F(EmulatorTest, AnthropicFixesKnownTypeScriptErrors) {
  std::string prompt =
      "src/a.ts(2,13): error TS2304: Cannot find name 'cout'.\n"
      "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n"
      "--- FILE: src/a.ts ---\nconst count = 1;\nexport const b = cout + 1;\nconst n: number = \"42\";\n"
      "--- END FILE ---\n";
  json req = {{"model", "claude-sonnet-5"}, {"max_tokens", 100},
              {"messages", {{{"role", "user"}, {"content", prompt}}}}};
  Reply r = Call("POST", "/v1/messages", req.dump(),
                 {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::string text;
  json reply = r.Json();
  for (const auto& b : reply["content"]) {
    if (b["type"] == "text") text += b["text"].get<std::string>();
  }
  json edits = json::parse(text);
  ASSERT_EQ(edits.size(), 2u) << text;
  EXPECT_EQ(edits[0]["new_text"], "export const b = count + 1;");
  EXPECT_EQ(edits[1]["new_text"], "const n: number = 42;");
  EXPECT_FALSE(r.headers["request-id"].empty());
}

json EditTool() {
  return {{"name", "propose_edits"},
          {"description", "Propose edits"},
          {"input_schema",
           {{"type", "object"},
            {"properties", {{"edits", {{"type", "array"}}}}},
            {"required", {"edits"}}}}};
}

json ToolRequest(const std::string& model, const json& tool_choice) {
  return {{"model", model},
          {"max_tokens", 100},
          {"tools", {EditTool()}},
          {"tool_choice", tool_choice},
          {"messages",
           {{{"role", "user"},
             {"content",
              "src/a.ts(2,18): error TS2304: Cannot find name 'cout'.\n"
              "--- FILE: src/a.ts ---\nconst count = 1;\nexport const b = cout + 1;\n"
              "--- END FILE ---\n"}}}}};
}

// A forced tool call is answered with one tool_use block (no text), stop_reason tool_use.
TEST_F(EmulatorTest, AnthropicAnswersAForcedToolWithAToolUseBlock) {
  Reply r = Call("POST", "/v1/messages",
                 ToolRequest("claude-sonnet-5", {{"type", "tool"}, {"name", "propose_edits"}}).dump(),
                 {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json reply = r.Json();
  EXPECT_EQ(reply["stop_reason"], "tool_use");
  ASSERT_EQ(reply["content"].size(), 1u) << r.body;
  const json& call = reply["content"][0];
  EXPECT_EQ(call["type"], "tool_use");
  EXPECT_EQ(call["name"], "propose_edits");
  EXPECT_EQ(call["id"].get<std::string>().rfind("toolu_", 0), 0u);
  ASSERT_EQ(call["input"]["edits"].size(), 1u);
  EXPECT_EQ(call["input"]["edits"][0]["new_text"], "export const b = count + 1;");
}

// tool_choice auto: thinking and text come before the tool call.
TEST_F(EmulatorTest, AnthropicAnswersAutoToolChoiceWithTextThenToolUse) {
  Reply r = Call("POST", "/v1/messages", ToolRequest("claude-sonnet-5-5", {{"type", "auto"}}).dump(),
                 {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json content = r.Json()["content"];
  ASSERT_EQ(content.size(), 3u) << r.body;
  EXPECT_EQ(content[0]["type"], "thinking");
  EXPECT_EQ(content[1]["type"], "text");
  EXPECT_EQ(content[2]["type"], "tool_use");
  EXPECT_EQ(r.Json()["stop_reason"], "tool_use");
}

TEST_F(EmulatorTest, AnthropicRefusesBadToolsAndForcedToolsOnSonnet55) {
  auto post = [&](const json& body) {
    return Call("POST", "/v1/messages", body.dump(),
                {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
  };
  Reply forced = post(ToolRequest("claude-sonnet-5-5", {{"type", "tool"}, {"name", "propose_edits"}}));
  EXPECT_EQ(forced.status, 400);
  EXPECT_EQ(forced.Json()["error"]["type"], "invalid_request_error");
  EXPECT_EQ(post(ToolRequest("claude-sonnet-5-5", {{"type", "any"}})).status, 400);
  EXPECT_EQ(post(ToolRequest("claude-sonnet-5", {{"type", "tool"}, {"name", "other"}})).status, 400);
  json no_schema = ToolRequest("claude-sonnet-5", {{"type", "auto"}});
  no_schema["tools"][0].erase("input_schema");
  EXPECT_EQ(post(no_schema).status, 400);
  // tool_choice none: a text reply, as without tools.
  Reply none = post(ToolRequest("claude-sonnet-5", {{"type", "none"}}));
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.Json()["stop_reason"], "end_turn");
}

TEST_F(EmulatorTest, AnthropicErrorsUseTheErrorEnvelope) {
  Reply r = Call("POST", "/v1/messages", "{}", {{"anthropic-version", "2023-06-01"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["type"], "error");
  EXPECT_EQ(r.Json()["error"]["type"], "authentication_error");
  EXPECT_TRUE(r.Json()["request_id"].is_string());
}

// The git data API: tree on a base, commit, fast-forward-only ref update (and deletion).
TEST_F(EmulatorTest, GitDataCommitMovesTheBranchOnlyAsAFastForward) {
  ASSERT_EQ(Generate("g").status, 201);
  std::string head = Call("GET", "/repos/acme/g/git/ref/heads/main").Json()["object"]["sha"];
  Reply commit = Call("GET", "/repos/acme/g/git/commits/" + head);
  ASSERT_EQ(commit.status, 200) << commit.body;
  std::string base_tree = commit.Json()["tree"]["sha"];
  Reply tree = Call("POST", "/repos/acme/g/git/trees",
                    json{{"base_tree", base_tree},
                         {"tree", {{{"path", "src/new.ts"}, {"mode", "100644"}, {"type", "blob"},
                                    {"content", "x\n"}},
                                   {{"path", "package.json"}, {"mode", "100644"}, {"type", "blob"},
                                    {"sha", nullptr}}}}}.dump());
  ASSERT_EQ(tree.status, 201) << tree.body;
  EXPECT_EQ(tree.Json()["tree"].size(), 2u);  // src/index.ts, src/new.ts
  Reply made = Call("POST", "/repos/acme/g/git/commits",
                    json{{"message", "m"}, {"tree", tree.Json()["sha"]}, {"parents", {head}}}.dump());
  ASSERT_EQ(made.status, 201) << made.body;
  std::string sha = made.Json()["sha"];
  // A sibling commit on the same parent cannot follow once the branch moved.
  Reply sibling = Call("POST", "/repos/acme/g/git/commits",
                       json{{"message", "other"}, {"tree", base_tree}, {"parents", {head}}}.dump());
  ASSERT_EQ(Call("PATCH", "/repos/acme/g/git/refs/heads/main",
                 json{{"sha", sha}, {"force", false}}.dump()).status, 200);
  Reply refused = Call("PATCH", "/repos/acme/g/git/refs/heads/main",
                       json{{"sha", sibling.Json()["sha"]}, {"force", false}}.dump());
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.Json()["message"], "Update is not a fast forward");
  EXPECT_EQ(Call("GET", "/repos/acme/g/contents/src/new.ts").status, 200);
  EXPECT_EQ(Call("GET", "/repos/acme/g/contents/package.json").status, 404);
  // The older commit stays readable by sha.
  EXPECT_EQ(Call("GET", "/repos/acme/g/contents/package.json?ref=" + head).status, 200);
  EXPECT_EQ(emu_->log().Count("commit", "acme/g"), 1);
}

TEST_F(EmulatorTest, GitDataRejectsBadTrees) {
  ASSERT_EQ(Generate("g").status, 201);
  auto entry = [](json e) { return json{{"tree", {e}}}.dump(); };
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/trees",
                 entry({{"path", "../x"}, {"content", "x"}})).status, 422);
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/trees",
                 entry({{"path", "a"}, {"content", "x"}, {"sha", "0"}})).status, 422);
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/trees",
                 json{{"base_tree", "nope"}, {"tree", json::array()}}.dump()).status, 422);
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/commits",
                 json{{"message", "m"}, {"tree", "nope"}}.dump()).status, 422);
}

// Binary content: a base64 blob keeps its exact bytes and a tree names it by sha.
TEST_F(EmulatorTest, GitDataBlobsCarryBinaryContent) {
  ASSERT_EQ(Generate("g").status, 201);
  const std::string bytes("\x89PNG\r\n\x1a\n\0\xff", 10);
  Reply blob = Call("POST", "/repos/acme/g/git/blobs",
                    json{{"content", Base64Encode(bytes)}, {"encoding", "base64"}}.dump());
  ASSERT_EQ(blob.status, 201) << blob.body;
  std::string sha = blob.Json()["sha"];
  EXPECT_EQ(sha, GitBlobSha(bytes));
  Reply read = Call("GET", "/repos/acme/g/git/blobs/" + sha);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.Json()["encoding"], "base64");
  EXPECT_EQ(read.Json()["size"], bytes.size());
  Reply text = Call("POST", "/repos/acme/g/git/blobs", json{{"content", "hello\n"}}.dump());
  EXPECT_EQ(text.Json()["sha"], GitBlobSha("hello\n"));  // encoding defaults to utf-8
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/blobs",
                 json{{"content", "%%%"}, {"encoding", "base64"}}.dump()).status, 422);
  EXPECT_EQ(Call("POST", "/repos/acme/g/git/blobs", json{{"encoding", "base64"}}.dump()).status,
            422);
  EXPECT_EQ(Call("GET", "/repos/acme/g/git/blobs/" + std::string(40, '0')).status, 404);

  std::string head = Call("GET", "/repos/acme/g/git/ref/heads/main").Json()["object"]["sha"];
  std::string base_tree = Call("GET", "/repos/acme/g/git/commits/" + head).Json()["tree"]["sha"];
  Reply tree = Call("POST", "/repos/acme/g/git/trees",
                    json{{"base_tree", base_tree},
                         {"tree", {{{"path", "public/favicon.png"}, {"mode", "100644"},
                                    {"type", "blob"}, {"sha", sha}}}}}.dump());
  ASSERT_EQ(tree.status, 201) << tree.body;
  Reply made = Call("POST", "/repos/acme/g/git/commits",
                    json{{"message", "m"}, {"tree", tree.Json()["sha"]}, {"parents", {head}}}.dump());
  ASSERT_EQ(Call("PATCH", "/repos/acme/g/git/refs/heads/main",
                 json{{"sha", made.Json()["sha"]}}.dump()).status, 200);
  Reply file = Call("GET", "/repos/acme/g/contents/public/favicon.png");
  ASSERT_EQ(file.status, 200);
  std::string got;
  ASSERT_TRUE(Base64Decode(file.Json()["content"], &got));
  EXPECT_EQ(got, bytes);
}

}  // namespace
}  // namespace slipway::emulator
