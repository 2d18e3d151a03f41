// tools/slipctl/chain_verify_test.cc: chain verification over the wire form agrees with the
// engine's (engine/audit.h) on the events http/views.h serves; RFC 3339 parsing.
#include "tools/slipctl/chain_verify.h"

#include <gtest/gtest.h>

#include "engine/audit.h"
#include "http/views.h"

namespace slipway::slipctl {
namespace {

using nlohmann::json;

std::vector<storage::HistoryEvent> Chain() {
  std::vector<storage::HistoryEvent> events;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"", R"({"input":{"x":1.5,"y":[1,2,3]},"note":"caf\u00e9 \"q\""})"},
      {"s1", "{}"},
      {"s1", R"({ "result" : { "passed" : true, "big": 12345678901234 } })"},
      {"", R"({"reason":"ops said so","address":"127.0.0.1"})"},
  };
  std::string prev = kGenesisHash;
  for (size_t i = 0; i < rows.size(); ++i) {
    storage::HistoryEvent e;
    e.workflow_id = "wf-1";
    e.seq = static_cast<int64_t>(i + 1);
    e.at_ms = 1'767'225'600'000 + static_cast<int64_t>(i) * 1234;
    e.type = i == 0 ? "started" : "step_event";
    e.step = rows[i].first;
    e.attempt = static_cast<int>(i % 2);
    e.actor = i == 3 ? "ops:alice" : "engine";
    e.data_json = rows[i].second;
    e.prev_hash = prev;
    e.hash = ChainHash(
        prev, {e.workflow_id, e.seq, e.at_ms, e.type, e.step, e.attempt, e.actor, e.data_json});
    prev = e.hash;
    events.push_back(e);
  }
  return events;
}

Status VerifyServed(const std::vector<storage::HistoryEvent>& events) {
  ChainVerifier v("wf-1");
  for (const auto& e : events) {
    Status st = v.Add(http::EventJson(e));
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

TEST(ChainVerifyTest, AnIntactChainAsServedVerifies) {
  auto events = Chain();
  ASSERT_TRUE(engine::VerifyChain(events).ok());
  Status st = VerifyServed(events);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(ChainVerifyTest, AnEditedFieldBreaksTheChainAtItsSeq) {
  for (int field = 0; field < 5; ++field) {
    auto events = Chain();
    storage::HistoryEvent& e = events[2];
    if (field == 0) e.data_json = R"({"result":{"passed":false}})";
    if (field == 1) e.at_ms += 1;
    if (field == 2) e.actor = "ops:mallory";
    if (field == 3) e.step = "s2";
    if (field == 4) e.attempt = 7;
    Status st = VerifyServed(events);
    EXPECT_EQ(st.code(), Code::kCorruption);
    EXPECT_EQ(st.message().rfind("chain breaks at seq 3: hash does not match", 0), 0u)
        << field << ": " << st.message();
  }
}

TEST(ChainVerifyTest, ARemovedOrReorderedEventIsNamed) {
  auto events = Chain();
  events.erase(events.begin() + 1);
  Status st = VerifyServed(events);
  EXPECT_EQ(st.message().rfind("chain breaks at seq 2: the event served next is seq 3", 0), 0u)
      << st.message();
  events = Chain();
  events[1].prev_hash = events[0].prev_hash;  // relinked
  st = VerifyServed(events);
  EXPECT_EQ(st.message().rfind("chain breaks at seq 2: prev_hash", 0), 0u) << st.message();
}

TEST(ChainVerifyTest, ARecordedHeadCatchesACutTail) {
  auto events = Chain();
  ChainAnchor anchor{4, events[3].hash};
  events.pop_back();
  ChainVerifier v("wf-1", anchor);
  for (const auto& e : events) ASSERT_TRUE(v.Add(http::EventJson(e)).ok());
  Status st = v.Finish();
  EXPECT_EQ(st.message().rfind("chain breaks at seq 4: the history ends at seq 3", 0), 0u)
      << st.message();
  EXPECT_FALSE(ParseAnchor("4").ok());
  EXPECT_FALSE(ParseAnchor("0:" + events[0].hash).ok());
  EXPECT_FALSE(ParseAnchor("4:abc").ok());
  ASSERT_TRUE(ParseAnchor("4:" + events[0].hash).ok());
  EXPECT_EQ(ParseAnchor("4:" + events[0].hash)->seq, 4);
}

TEST(ChainVerifyTest, ParsesRfc3339AsTheApiWritesIt) {
  for (TimeMs t :
       {TimeMs{0}, TimeMs{1'767'225'600'123}, TimeMs{951'782'400'999}, TimeMs{4'102'444'799'001}}) {
    Result<TimeMs> back = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(back.ok()) << FormatRfc3339(t);
    EXPECT_EQ(*back, t) << FormatRfc3339(t);
  }
  EXPECT_EQ(*ParseRfc3339("2026-01-01T01:30:00+01:30"), 1'767'225'600'000);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.5Z"), 1'767'225'600'500);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.123999Z"), 1'767'225'600'123);
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
                          "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace slipway::slipctl
