// activities/build/build_npm_test.cc: real `npm ci` + `npm run build` of the template site and
// its seeded-error variants through BuildValidator (label "npm": needs node, npm and the npm
// registry or a warm npm cache). Each case copies the fixture into its own temp dir. Every step
// runs in the bubblewrap sandbox, as in slipwayd.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "activities/build/build_validator.h"
#include "activities/build/source_archive.h"

#ifndef SLIPWAY_FIXTURES_DIR
#error "SLIPWAY_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

// Counts the processes the validator starts, to show a cache hit starts none.
class CountingRunner final : public ProcessRunner {
 public:
  explicit CountingRunner(ProcessRunner& real) : real_(real) {}
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    ++runs;
    return real_.Run(spec);
  }
  int runs = 0;

 private:
  ProcessRunner& real_;
};

void CopyTree(const fs::path& from, const fs::path& to) {
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == "node_modules" || name == "dist" || name == "out")) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path target = to / fs::relative(it->path(), from);
    if (it->is_directory()) {
      fs::create_directories(target);
    } else {
      fs::create_directories(target.parent_path());
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing);
    }
  }
}

// The sandbox of these tests, with a shared npm cache (warmed from the caller's own ~/.npm once).
SandboxOptions TestSandbox() {
  SandboxOptions o;
  const fs::path cache = fs::temp_directory_path() / "slipway-test-npm-cache";
  std::error_code ec;
  const char* home = std::getenv("HOME");
  if (!fs::exists(cache, ec) && home != nullptr && fs::is_directory(fs::path(home) / ".npm", ec)) {
    fs::copy(fs::path(home) / ".npm" / "_cacache", cache / "_cacache",
             fs::copy_options::recursive, ec);
  }
  o.npm_cache_dir = cache.string();
  return o;
}

ValidatorOptions SandboxedOptions() {
  ValidatorOptions o;
  o.sandbox = TestSandbox();
  return o;
}

// Processes on the host whose command line holds `marker`.
int CountHostProcesses(const std::string& marker) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  return n;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class BuildNpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::Create("", "slipway-npm-test-");
    ASSERT_TRUE(dir.ok());
    temp_ = std::make_unique<TempDir>(std::move(*dir));
    chmod(temp_->path().c_str(), 0711);  // the sandbox's uid reaches the sites below it
  }

  // The base site with `variant`'s files laid over it ("" for the clean site).
  fs::path Site(const std::string& variant) {
    const fs::path fixtures(SLIPWAY_FIXTURES_DIR);
    fs::path site = fs::path(temp_->path()) / (variant.empty() ? "clean" : variant);
    CopyTree(fixtures / "site", site);
    if (!variant.empty()) CopyTree(fixtures / "site-variants" / variant, site);
    return site;
  }

  Result<BuildResult> Validate(const fs::path& site, const std::string& sha) {
    return validator_.ValidateDirectory({"slipway/template-site", sha, nullptr}, site.string());
  }

  // The variant fails, and its first error is at file:line with `code`.
  void ExpectFailsAt(const std::string& variant, const std::string& file, int line, int column,
                     const std::string& code) {
    Result<BuildResult> r = Validate(Site(variant), variant);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->passed);
    ASSERT_FALSE(r->errors.empty()) << r->output_tail;
    EXPECT_EQ(r->errors[0].file, file);
    EXPECT_EQ(r->errors[0].line, line);
    EXPECT_EQ(r->errors[0].column, column);
    EXPECT_EQ(r->errors[0].code, code);
    EXPECT_EQ(r->errors.size(), 1u) << "tsc and the build report the same error once\n"
                                    << ToJson(*r).dump(1);
    ASSERT_EQ(r->steps.size(), 3u);
    EXPECT_EQ(r->steps[0].exit_code, 0) << "npm ci";
    EXPECT_NE(r->steps[1].exit_code, 0) << "tsc --noEmit";
    EXPECT_NE(r->steps[2].exit_code, 0) << "npm run build";
  }

  std::unique_ptr<TempDir> temp_;
  SystemClock clock_;
  PosixProcessRunner real_{clock_};
  CountingRunner runner_{real_};
  InMemoryBuildCache cache_;
  BuildValidator validator_{runner_, cache_, SandboxedOptions()};
};

TEST_F(BuildNpmTest, CleanSitePassesAndTheSecondRunIsACacheHit) {
  fs::path site = Site("");
  Result<BuildResult> r = Validate(site, "clean");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed) << r->output_tail;
  EXPECT_TRUE(r->errors.empty());
  ASSERT_EQ(r->steps.size(), 3u);
  EXPECT_EQ(r->steps[0].name, "install");
  EXPECT_EQ(r->steps[1].name, "typecheck");
  EXPECT_EQ(r->steps[2].name, "build");
  const std::string about = ReadFile(site / "out" / "about.html");
  EXPECT_NE(about.find("<a href=\"index.html\">Home</a>"), std::string::npos);
  EXPECT_NE(about.find("<a href=\"contact.html\">Contact</a>"), std::string::npos);
  EXPECT_NE(about.find("Harbour Bakery"), std::string::npos) << "rendered from websiteData.json";

  const int runs = runner_.runs;
  Result<BuildResult> again = Validate(site, "clean");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->from_cache);
  EXPECT_EQ(runner_.runs, runs);
}

TEST_F(BuildNpmTest, TypeErrorVariant) {
  ExpectFailsAt("type-error", "src/render.ts", 18, 9, "TS2322");
}

TEST_F(BuildNpmTest, MissingNameVariant) {
  ExpectFailsAt("missing-name", "src/build.ts", 16, 24, "TS2304");
}

TEST_F(BuildNpmTest, SyntaxErrorVariant) {
  ExpectFailsAt("syntax-error", "src/site.ts", 16, 59, "TS1005");
}

TEST_F(BuildNpmTest, UnfixableVariant) {
  ExpectFailsAt("unfixable", "src/build.ts", 4, 31, "TS2307");
}

// websiteData.json written straight into the site (as a push to the repository would, past
// the API's schema check): the template's build checks it again and escapes what it renders.
class TemplateSiteDataTest : public BuildNpmTest {
 protected:
  fs::path SiteWithData(const std::string& name, const std::string& website_data) {
    fs::path site = Site("");
    fs::path renamed = site.parent_path() / name;
    fs::rename(site, renamed);
    std::ofstream(renamed / "websiteData.json", std::ios::trunc) << website_data;
    return renamed;
  }
  // The build step fails naming `field`, and the site has no pages and nothing beside out/.
  void ExpectRefused(const fs::path& site, const std::string& field) {
    Result<BuildResult> r = Validate(site, site.filename().string());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->passed);
    ASSERT_EQ(r->steps.size(), 3u);
    EXPECT_EQ(r->steps[1].exit_code, 0) << "tsc --noEmit";
    EXPECT_NE(r->steps[2].exit_code, 0) << "npm run build";
    EXPECT_NE(r->output_tail.find("websiteData.json: " + field), std::string::npos)
        << r->output_tail;
    EXPECT_FALSE(fs::exists(site / "out" / "index.html"));
  }
};

TEST_F(TemplateSiteDataTest, BuildRefusesATraversalSlugAndWritesNothing) {
  fs::path site = SiteWithData("traversal", R"json({"siteName": "A", "pages": [
      {"slug": "index", "title": "Home"},
      {"slug": "../escaped", "title": "Out"},
      {"slug": "../../../../../../tmp/x", "title": "Tmp"}]})json");
  ExpectRefused(site, "pages[1].slug \"../escaped\"");
  EXPECT_FALSE(fs::exists(site / "escaped.html")) << "written outside out/";
  EXPECT_FALSE(fs::exists(site.parent_path() / "escaped.html"));
}

TEST_F(TemplateSiteDataTest, BuildRefusesAJavascriptHrefAndABadAddress) {
  const std::string script_href = R"json({"siteName": "A",
      "pages": [{"slug": "index", "title": "Home"}],
      "links": [{"label": "Win", "href": "javascript:alert(document.cookie)"}]})json";
  ExpectRefused(SiteWithData("script-href", script_href), "links[0].href");
  const std::string bad_email = R"json({"siteName": "A",
      "contactEmail": "x\" onmouseover=\"alert(1)@example.com",
      "pages": [{"slug": "index", "title": "Home"}]})json";
  ExpectRefused(SiteWithData("bad-email", bad_email), "contactEmail");
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(TemplateSiteDataTest, EveryValueIsEscapedForWhereItLands) {
  fs::path site = SiteWithData("escaping", R"json({
      "siteName": "A</script><script>alert(1)</script>",
      "tagline": "</footer><img src=x onerror=alert(1)>",
      "contactEmail": "o'brien&sons?x@example.com",
      "pages": [{"slug": "index", "title": "<b>\"T\"</b>",
                 "body": "</p><script>alert('x')</script>"}],
      "links": [{"label": "<i>L</i>", "href": "https://example.com/?a=1&b=2"}]})json");
  Result<BuildResult> r = Validate(site, "escaping");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->passed) << r->output_tail;
  const std::string html = ReadFile(site / "out" / "index.html");
  // One script element: the JSON-LD block, whose JSON cannot close it.
  EXPECT_EQ(Occurrences(html, "<script"), 1u) << html;
  EXPECT_EQ(Occurrences(html, "</script>"), 1u) << html;
  EXPECT_NE(
      html.find(R"("name":"A\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e")"),
      std::string::npos)
      << html;
  EXPECT_NE(html.find("<title>&lt;b&gt;&quot;T&quot;&lt;/b&gt; - A&lt;/script&gt;"),
            std::string::npos)
      << html;  // text
  EXPECT_NE(html.find("<p>&lt;/p&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<footer>&lt;/footer&gt;&lt;img src=x onerror=alert(1)&gt; - "),
            std::string::npos)
      << html;
  // href: the address validated, its local part percent-encoded, the attribute escaped.
  EXPECT_NE(html.find(R"(<a href="mailto:o&#39;brien%26sons%3Fx@example.com">)"
                      "o&#39;brien&amp;sons?x@example.com</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(<a href="https://example.com/?a=1&amp;b=2">&lt;i&gt;L&lt;/i&gt;</a>)"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
}

// npm -> sh -> node (and a setsid daemon), all in the sandbox: the timeout takes all of them.
TEST_F(BuildNpmTest, HangingBuildIsKilledAtItsTimeoutWithNothingLeftBehind) {
  fs::path site = fs::path(temp_->path()) / "hang";
  fs::create_directories(site);
  const std::string marker = "slipway-hang-" + std::to_string(getpid());
  const std::string build =
      R"(setsid sleep 317 & node -e \"require('fs').writeFileSync('pid', String(process.pid)); )"
      R"(setInterval(() => {}, 1000) /* )" +
      marker + R"( */\")";
  std::ofstream(site / "package.json")
      << R"({"name":"hang","version":"1.0.0","private":true,"scripts":{"build":")" << build
      << "\"}}";
  ValidatorOptions options = SandboxedOptions();
  options.build_timeout_ms = 6000;  // ample for npm and node to start on a loaded machine
  options.kill_grace_ms = 500;
  BuildValidator validator(runner_, cache_, options);
  Result<BuildResult> r =
      validator.ValidateDirectory({"slipway/hang", "h1", nullptr}, site.string());
  // A check past its timeout is a permanent error naming the step (not retried: it hangs again).
  EXPECT_EQ(r.status().code(), Code::kPermanent) << r.status().ToString();
  EXPECT_NE(r.status().message().find("'build' timed out"), std::string::npos)
      << r.status().ToString();
  const std::string pid_text = ReadFile(site / "pid");
  ASSERT_FALSE(pid_text.empty()) << "the build never started node";
  int left = 1;
  for (int i = 0; i < 200 && left > 0; ++i) {  // the namespace is torn down asynchronously
    left = CountHostProcesses(marker) + CountHostProcesses("sleep 317");
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(left, 0) << "a process of the build survived the timeout";
}

}  // namespace
}  // namespace slipway::activities::build
