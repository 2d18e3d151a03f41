#include "engine/base/history_chain.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace slipway {
namespace {

ChainedFields Sample() {
  ChainedFields f;
  f.workflow_id = "wf_1";
  f.seq = 1;
  f.at_ms = 42;
  f.type = "step_started";
  f.step = "validate";
  f.attempt = 1;
  f.actor = "engine";
  f.data_json = R"({"b": 1, "a": 2})";
  return f;
}

TEST(HistoryChainTest, HashIsStableAndIgnoresWhitespaceAndKeyOrder) {
  ChainedFields a = Sample();
  ChainedFields b = Sample();
  b.data_json = R"({"a":2,"b":1})";
  EXPECT_EQ(ChainHash(kGenesisHash, a), ChainHash(kGenesisHash, b));
  EXPECT_EQ(ChainHash(kGenesisHash, a).size(), 64u);
}

TEST(HistoryChainTest, AnyFieldChangeChangesTheHash) {
  std::string base = ChainHash(kGenesisHash, Sample());
  ChainedFields f = Sample();
  f.attempt = 2;
  EXPECT_NE(ChainHash(kGenesisHash, f), base);
  f = Sample();
  f.data_json = R"({"a":3,"b":1})";
  EXPECT_NE(ChainHash(kGenesisHash, f), base);
  EXPECT_NE(ChainHash(std::string(64, '1'), Sample()), base);
}

// The writer's fast hash must equal the auditor's general one for any data the engine writes
// (nlohmann dumps: sorted keys, escapes, unicode, numbers, nesting, invalid UTF-8 replaced).
TEST(HistoryChainTest, TheWritersHashEqualsTheAuditorsForCanonicalData) {
  const nlohmann::json datas[] = {
      nlohmann::json::object(),
      {{"b", 1}, {"a", {{"z", nullptr}, {"y", {1, 2.5, -3e-7, true}}}}},
      {{"quote", "say \"hi\"\n\ttab \\ slash"}, {"unicode", "h\u00e9llo \u65e5\u672c \U0001F680"}},
      {{"control", std::string("a\x01b\x1f", 4)}, {"big", 9007199254740993LL}},
      {{"bad_utf8", std::string("ok \xff\xfe bytes")}},
  };
  for (const auto& data : datas) {
    ChainedFields f = Sample();
    f.actor = "ops:al\"ice";
    f.step = "d\u00e9ploy";
    f.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(ChainHashOfCanonicalData(kGenesisHash, f), ChainHash(kGenesisHash, f)) << f.data_json;
  }
}

}  // namespace
}  // namespace slipway
