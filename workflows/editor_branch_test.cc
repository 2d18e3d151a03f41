// workflows/editor_branch_test.cc: after a release the editor's branch (`main`) gets the
// released commit: fast-forwarded when nobody pushed there, merged when a human did, left alone
// with the conflict reported when the human's work conflicts with the release (editor_sync.h).
#include <gtest/gtest.h>

#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class EditorBranchTest : public WorkflowFixture {
 protected:
  json Site(const std::string& name) { return {{"website_data", SiteData(name)}}; }
  json Release(const std::string& name) {
    auto w = RunUntilSettled(Start("deployment", "t1", Site(name)).instance.id);
    EXPECT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
    return ResultOf(w);
  }
  std::string MainHead() {
    auto h = github_->GetBranchHead("t1", "main");
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : "";
  }
  std::string MainFile(const std::string& path) {
    auto f = github_->GetFile("t1", path, "main");
    return f.ok() && f->has_value() ? (*f)->content : "";
  }
};

TEST_F(EditorBranchTest, UntouchedMainIsFastForwardedToTheRelease) {
  MakeTenant("t1");
  json r = Release("One");
  EXPECT_EQ(r["branches"]["editor"]["branch"], "main");
  EXPECT_EQ(r["branches"]["editor"]["status"], "fast_forwarded") << r["branches"];
  EXPECT_EQ(MainHead(), r["commits"]["deployed"]);
  EXPECT_EQ(EmuCount("merged"), 0);
}

TEST_F(EditorBranchTest, HumanWorkOnMainIsMergedWithTheRelease) {
  MakeTenant("t1");
  Release("One");
  HumanCommitTo("t1", "main", "notes.md", "human work\n");
  const std::string human = MainHead();
  json r = Release("Two");
  json editor = r["branches"]["editor"];
  ASSERT_EQ(editor["status"], "merged") << editor;
  EXPECT_EQ(editor["editor_sha"], human);
  EXPECT_EQ(MainHead(), editor["merge_sha"]);
  auto merge = github_->GetCommit("t1", MainHead());
  ASSERT_TRUE(merge.ok());
  EXPECT_EQ(merge->parents,
            (std::vector<std::string>{human, r["commits"]["deployed"].get<std::string>()}));
  EXPECT_NE(MainFile("websiteData.json").find("Two"), std::string::npos);
  EXPECT_EQ(MainFile("notes.md"), "human work\n");
  EXPECT_EQ(EmuCount("merged", "acme/t1"), 1);
  // The production branch holds only the release, never the human's unreleased work.
  auto on_prod = github_->GetFile("t1", "notes.md", "production");
  ASSERT_TRUE(on_prod.ok());
  EXPECT_FALSE(on_prod->has_value());
}

TEST_F(EditorBranchTest, ConflictingWorkOnMainIsLeftAloneAndReported) {
  MakeTenant("t1");
  Release("One");
  HumanCommitTo("t1", "main", "websiteData.json", "{\"siteName\": \"by hand\"}\n");
  const std::string human = MainHead();
  json r = Release("Two");  // the release itself completes
  json editor = r["branches"]["editor"];
  EXPECT_EQ(editor["status"], "conflict") << editor;
  EXPECT_NE(editor["message"].get<std::string>().find(r["commits"]["deployed"].get<std::string>()),
            std::string::npos) << editor;
  EXPECT_EQ(MainHead(), human);
  EXPECT_EQ(EmuCount("merged"), 0);
}

}  // namespace
}  // namespace slipway::workflows::testing
