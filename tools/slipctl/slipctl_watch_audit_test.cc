// tools/slipctl/slipctl_watch_audit_test.cc: the real slipctl binary for `watch` (a live
// workflow driven by another thread, non-TTY output), `audit verify` (intact, a row edited or
// removed directly in the SQLite file) and `audit export`.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <thread>

#include "engine/base/history_chain.h"
#include "tools/slipctl/slipctl_test_fixture.h"

namespace slipway::slipctl::testing {
namespace {

using nlohmann::json;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SlipctlWatchAuditTest : public SlipctlFixture {
 protected:
  // Changes the stored history behind the engine's back, as an attacker with the file would.
  void EditDatabase(const std::string& sql) {
    SQLite::Database db(dir_ + "/slipway.db", SQLite::OPEN_READWRITE, 5000);
    ASSERT_GT(db.exec(sql), 0) << sql;
  }
};

TEST_F(SlipctlWatchAuditTest, WatchPrintsOneLinePerChangeUntilCompletion) {
  engine().SetContinueSteps(false);  // one step per task, so that progress is visible
  Start("seven", "client1", json::object(), "wf-w");
  std::atomic<bool> done{false};
  std::thread driver([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!engine().RunDueWork(1).ok()) break;
    }
  });
  CtlRun r = Ctl({"watch", "wf-w", "--wait", "5"}, client1_);
  done = true;
  driver.join();
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = r.lines();
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_TRUE(Has(lines.back(), "completed")) << r.out;
  EXPECT_TRUE(Has(lines.back(), "[####################] 7/7")) << r.out;
  EXPECT_EQ(r.out.find("\x1b"), std::string::npos);  // no terminal control on a pipe
  int last_done = -1;
  for (const auto& l : lines) {  // progress never goes back
    size_t slash = l.find("/7");
    ASSERT_NE(slash, std::string::npos) << l;
    int done_steps = l[slash - 1] - '0';
    EXPECT_GE(done_steps, last_done) << r.out;
    last_done = done_steps;
  }
  EXPECT_TRUE(Has(r.out, "step s")) << r.out;
  EXPECT_TRUE(Has(r.out, "(attempt ")) << r.out;
}

TEST_F(SlipctlWatchAuditTest, WatchRedrawsTheStepTableInPlaceOnATerminal) {
  engine().SetContinueSteps(false);
  Start("seven", "client1", json::object(), "wf-tty");
  std::atomic<bool> done{false};
  std::thread driver([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!engine().RunDueWork(1).ok()) break;
    }
  });
  CtlRun r = RunSlipctlInPty({"watch", "wf-tty", "--wait", "5"},
                             {"SLIPWAY_URL=" + Url(), "SLIPWAY_TOKEN=" + ops_});
  done = true;
  driver.join();
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "\x1b[")) << r.out;  // moved up over the previous frame
  EXPECT_TRUE(Has(r.out, "STEP  STATUS     ATTEMPTS")) << r.out;
  const std::string last_frame = r.out.substr(r.out.rfind("id:       wf-tty"));
  EXPECT_TRUE(Has(last_frame, "status:   completed")) << last_frame;
  EXPECT_TRUE(Has(last_frame, "7/7")) << last_frame;
}

TEST_F(SlipctlWatchAuditTest, WatchExitsOneWhenTheWorkflowFails) {
  activity_.Script("s2", {Permanent("no")});
  Start("seven", "client1", json::object(), "wf-f");
  RunDue();
  CtlRun r = Ctl({"watch", "wf-f"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "failed")) << r.out;
  EXPECT_EQ(Ctl({"watch", "missing"}).code, 1);
}

TEST_F(SlipctlWatchAuditTest, AuditVerifyPassesOnAnIntactHistory) {
  Start("routed", "client1", json::object(), "wf-a");
  RunDue();
  ASSERT_EQ(Ctl({"signal", "wf-a", "approve", "--reason", "ok \u00e9 \"quoted\""}).code, 0);
  RunDue();
  ASSERT_TRUE(engine::VerifyChain(History("wf-a")).ok());
  CtlRun r = Ctl({"audit", "verify", "wf-a"}, auditor_);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "ok: wf-a: " + std::to_string(History("wf-a").size()) +
                             " events, chain intact, head " +
                             std::to_string(History("wf-a").size()) + ":" +
                             History("wf-a").back().hash))
      << r.out;
}

TEST_F(SlipctlWatchAuditTest, AuditVerifyNamesTheSeqOfARowEditedInTheDatabase) {
  Start("seven", "client1", json::object(), "wf-t");
  RunDue();
  ASSERT_GT(History("wf-t").size(), 5u);
  EditDatabase(
      "UPDATE history SET data_json = '{\"result\":{\"passed\":false}}' "
      "WHERE workflow_id = 'wf-t' AND seq = 4");
  CtlRun r = Ctl({"audit", "verify", "wf-t"}, auditor_);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "chain breaks at seq 4: hash does not match")) << r.out;
}

TEST_F(SlipctlWatchAuditTest, AuditVerifyNamesTheSeqOfARemovedRow) {
  Start("seven", "client1", json::object(), "wf-d");
  RunDue();
  EditDatabase("DELETE FROM history WHERE workflow_id = 'wf-d' AND seq = 2");
  CtlRun r = Ctl({"audit", "verify", "wf-d"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "chain breaks at seq 2: ")) << r.out;
  EXPECT_TRUE(Has(r.out, "missing")) << r.out;
}

TEST_F(SlipctlWatchAuditTest, AuditVerifyNamesAnEditedTime) {
  Start("seven", "client1", json::object(), "wf-at");
  RunDue();
  EditDatabase("UPDATE history SET at_ms = at_ms + 1 WHERE workflow_id = 'wf-at' AND seq = 3");
  CtlRun r = Ctl({"audit", "verify", "wf-at"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "chain breaks at seq 3: ")) << r.out;
}

// What the served events alone cannot show (a cut tail, the last event rewritten with a
// recomputed hash), the head the workflow records shows; a head recorded earlier still shows
// it when the instance row was rewritten as well.
TEST_F(SlipctlWatchAuditTest, AuditVerifyCatchesACutTailAndARewriteOfTheLastEvent) {
  Start("seven", "client1", json::object(), "wf-x");
  RunDue();
  const auto events = History("wf-x");
  const std::string head = std::to_string(events.size()) + ":" + events.back().hash;
  ASSERT_EQ(Ctl({"audit", "verify", "wf-x", "--expect-head", head}).code, 0);

  // Rewrite the last event and recompute its hash, as someone with the file and the (public)
  // algorithm could.
  storage::HistoryEvent last = events.back();
  last.data_json = R"({"forged":true})";
  const std::string forged =
      ChainHash(last.prev_hash, {last.workflow_id, last.seq, last.at_ms, last.type, last.step,
                                 last.attempt, last.actor, last.data_json});
  const std::string seq = std::to_string(last.seq);
  EditDatabase("UPDATE history SET data_json = '" + last.data_json + "', hash = '" + forged +
               "' WHERE workflow_id = 'wf-x' AND seq = " + seq);
  CtlRun r = Ctl({"audit", "verify", "wf-x"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "chain breaks at seq " + seq + ": ")) << r.out;
  EXPECT_TRUE(Has(r.out, "the head the workflow records")) << r.out;
  EXPECT_TRUE(Has(r.out, "rewritten")) << r.out;
  // ... and the instance row's head too (with a new version, as a commit would have).
  EditDatabase("UPDATE instances SET last_hash = '" + forged +
               "', version = version + 1 WHERE id = 'wf-x'");
  EXPECT_EQ(Ctl({"audit", "verify", "wf-x"}).code, 0);  // only a head kept elsewhere helps
  r = Ctl({"audit", "verify", "wf-x", "--expect-head", head});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "is not the recorded head")) << r.out;
  EXPECT_TRUE(Has(r.out, "rewritten")) << r.out;

  // Cut the tail.
  EditDatabase("DELETE FROM history WHERE workflow_id = 'wf-x' AND seq = " + seq);
  r = Ctl({"audit", "verify", "wf-x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "chain breaks at seq " + seq + ": ")) << r.out;
  EXPECT_TRUE(Has(r.out, "before the head the workflow records at seq " + seq)) << r.out;
  EXPECT_TRUE(Has(r.out, "removed")) << r.out;
  EditDatabase("UPDATE instances SET last_seq = last_seq - 1, last_hash = '" + last.prev_hash +
               "', version = version + 1 WHERE id = 'wf-x'");
  EXPECT_EQ(Ctl({"audit", "verify", "wf-x"}).code, 0);  // only a head kept elsewhere helps
  r = Ctl({"audit", "verify", "wf-x", "--expect-head", head});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "before the recorded head at seq " + seq)) << r.out;
  EXPECT_EQ(Ctl({"audit", "verify", "wf-x", "--expect-head", "12"}).code, 2);
}

TEST_F(SlipctlWatchAuditTest, AuditExportWritesTheEventsInTheRange) {
  Start("seven", "client1", json::object(), "early");  // the fake clock starts at 2026-01-01
  RunDue();
  clock_.Advance(std::chrono::hours(1));
  Start("seven", "client2", json::object(), "late");
  RunDue();
  CtlRun r =
      Ctl({"audit", "export", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T00:30:00Z"},
          auditor_);
  ASSERT_EQ(r.code, 0) << r.err;
  auto lines = r.lines();
  ASSERT_EQ(lines.size(), History("early").size()) << r.out;
  for (const auto& l : lines) EXPECT_EQ(json::parse(l)["workflow_id"], "early");
  r = Ctl(
      {"audit", "export", "--from", "2025-12-31T23:00:00-01:00", "--to", "2026-01-02T00:00:00Z"},
      auditor_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines().size(), History("early").size() + History("late").size());
  EXPECT_EQ(json::parse(r.lines().back())["workflow_id"], "late");
  EXPECT_EQ(Ctl({"audit", "export", "--from", "yesterday", "--to", "2026-01-02T00:00:00Z"}).code,
            2);
  EXPECT_EQ(Ctl({"audit", "export", "--from", "2026-01-02T00:00:00Z"}).code, 2);
}

}  // namespace
}  // namespace slipway::slipctl::testing
