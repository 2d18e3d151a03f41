#include "activities/lighthouse.h"

#include <gtest/gtest.h>

#include <fstream>

#include "activities/build/fake_process_runner.h"

namespace slipway::activities {
namespace {

using build::FakeProcessRunner;
using build::ProcessResult;
using build::ProcessSpec;

// A report shaped as Lighthouse 12 writes it (categories.<id>.score, 0..1 or null).
const char* kReport = R"({"lighthouseVersion":"12.2.3","categories":{
  "performance":{"id":"performance","title":"Performance","score":0.42},
  "accessibility":{"id":"accessibility","score":0.9},
  "best-practices":{"id":"best-practices","score":1},
  "seo":{"id":"seo","score":null}}})";

std::string OutputPath(const ProcessSpec& spec) {
  for (const std::string& a : spec.argv) {
    if (a.rfind("--output-path=", 0) == 0) return a.substr(14);
  }
  return "";
}

// A lighthouse that writes `report` where it was asked to.
FakeProcessRunner::Handler Writes(std::string report) {
  return [report](const ProcessSpec& spec) {
    std::ofstream(OutputPath(spec)) << report;
    ProcessResult r;
    r.exit_code = 0;
    return r;
  };
}

LighthouseOptions Installed() {
  LighthouseOptions o;
  o.chromium_path = "/bin/true";    // executable: "installed"
  o.lighthouse_path = "/bin/true";  // the fake runner answers for it
  return o;
}

TEST(LighthouseTest, ScoresAreCheckedAgainstThresholds) {
  FakeProcessRunner runner;
  runner.On("/bin/true", Writes(kReport));
  Lighthouse lh(runner, Installed());
  LighthouseOutcome o = lh.Run("http://site.example/", "site.example 127.0.0.1:9");
  EXPECT_FALSE(o.skipped);
  EXPECT_TRUE(o.error.empty());
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.scores.at("performance"), 42);
  EXPECT_EQ(o.scores.at("accessibility"), 90);
  EXPECT_EQ(o.scores.count("seo"), 0u);  // null: not scored
  EXPECT_EQ(o.reason, "Lighthouse performance 42 is below 80");
  nlohmann::json j = ToJson(o);
  EXPECT_EQ(j["scores"]["best-practices"], 100);
  EXPECT_EQ(j["thresholds"]["performance"], 80);
  // The command: headless Chromium without its sandbox, the categories, the resolver map.
  ASSERT_EQ(runner.specs().size(), 1u);
  const ProcessSpec& spec = runner.specs()[0];
  std::string cmd = FakeProcessRunner::Command(spec);
  EXPECT_NE(cmd.find("--headless=new --no-sandbox"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--only-categories=performance,accessibility,best-practices,seo"),
            std::string::npos);
  EXPECT_NE(cmd.find("--host-resolver-rules=\"MAP site.example 127.0.0.1:9\""), std::string::npos);
  EXPECT_NE(cmd.find("--preset=desktop"), std::string::npos);
  EXPECT_EQ(spec.env_add.at("CHROME_PATH"), "/bin/true");
}

TEST(LighthouseTest, PerCallThresholdsReplaceTheDefaults) {
  FakeProcessRunner runner;
  runner.On("/bin/true", Writes(kReport));
  Lighthouse lh(runner, Installed());
  LighthouseThresholds t = {{"performance", 40}, {"accessibility", 95}};
  LighthouseOutcome o = lh.Run("http://site.example/", "", &t);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.reason, "Lighthouse accessibility 90 is below 95");
  t = {{"performance", 40}, {"seo", 50}};
  o = lh.Run("http://site.example/", "", &t);
  EXPECT_EQ(o.reason, "Lighthouse seo has no score (threshold 50)");
  t = {{"performance", 40}};
  EXPECT_TRUE(lh.Run("http://site.example/", "", &t).passed);
}

TEST(LighthouseTest, MissingChromiumFailsWithAClearError) {
  FakeProcessRunner runner;
  LighthouseOptions opts = Installed();
  opts.chromium_path = "/nonexistent/chromium";
  LighthouseOutcome o = Lighthouse(runner, opts).Run("http://site.example/", "");
  EXPECT_FALSE(o.skipped);
  EXPECT_FALSE(o.passed);
  EXPECT_FALSE(o.retryable);
  EXPECT_NE(o.error.find("Chromium not found at /nonexistent/chromium"), std::string::npos);
  EXPECT_EQ(ToJson(o)["error"], o.error);
  EXPECT_TRUE(runner.specs().empty());
}

TEST(LighthouseTest, MissingCliFailsWithAClearError) {
  FakeProcessRunner runner;
  LighthouseOptions opts = Installed();
  opts.lighthouse_path = "/nonexistent/lighthouse";
  LighthouseOutcome o = Lighthouse(runner, opts).Run("http://site.example/", "");
  EXPECT_FALSE(o.passed);
  EXPECT_NE(o.error.find("tools/setup.sh"), std::string::npos) << o.error;
}

TEST(LighthouseTest, CrashFailsAndIsRetryable) {
  FakeProcessRunner runner;
  runner.On("/bin/true", [](const ProcessSpec&) {
    ProcessResult r;
    r.exit_code = 1;
    r.error_output = "Runtime error encountered: Chrome crashed\n";
    return r;
  });
  LighthouseOutcome o = Lighthouse(runner, Installed()).Run("http://site.example/", "");
  EXPECT_FALSE(o.passed);
  EXPECT_TRUE(o.retryable);
  EXPECT_EQ(o.error, "it crashed (exit 1): Runtime error encountered: Chrome crashed");
}

TEST(LighthouseTest, ReportWithoutScoresOrWithRuntimeErrorFails) {
  FakeProcessRunner runner;
  runner.On("/bin/true", Writes(R"({"runtimeError":{"code":"ERRORED_DOCUMENT_REQUEST"},
    "categories":{"performance":{"score":null}}})"));
  LighthouseOutcome o = Lighthouse(runner, Installed()).Run("http://site.example/", "");
  EXPECT_FALSE(o.passed);
  EXPECT_NE(o.error.find("ERRORED_DOCUMENT_REQUEST"), std::string::npos) << o.error;
  FakeProcessRunner empty;
  empty.On("/bin/true", Writes("not json"));
  EXPECT_EQ(Lighthouse(empty, Installed()).Run("http://site.example/", "").error,
            "the report has no scores");
}

TEST(LighthouseTest, SandboxModeSkipsInsteadAndSaysWhy) {
  FakeProcessRunner runner;
  LighthouseOptions opts = Installed();
  opts.chromium_path = "/nonexistent/chromium";
  opts.allow_skip = true;
  LighthouseOutcome o = Lighthouse(runner, opts).Run("http://site.example/", "");
  EXPECT_TRUE(o.skipped);
  EXPECT_TRUE(o.passed);
  EXPECT_NE(o.reason.find("sandbox mode: Chromium not found"), std::string::npos) << o.reason;
  EXPECT_EQ(ToJson(o)["skipped"], o.reason);
}

TEST(LighthouseTest, ThresholdsFromJsonNameTheField) {
  Result<LighthouseThresholds> t =
      LighthouseThresholdsFromJson({{"performance", 70}, {"seo", 90}}, "lighthouse_thresholds");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->at("seo"), 90);
  EXPECT_EQ(LighthouseThresholdsFromJson({{"speed", 70}}, "lt").status().field(), "lt");
  EXPECT_EQ(LighthouseThresholdsFromJson({{"seo", 101}}, "lt").status().field(), "lt.seo");
  EXPECT_EQ(LighthouseThresholdsFromJson({{"seo", "90"}}, "lt").status().field(), "lt.seo");
  EXPECT_EQ(LighthouseThresholdsFromJson(nlohmann::json::array(), "lt").status().field(), "lt");
}

}  // namespace
}  // namespace slipway::activities
