#include "engine/base/history_chain.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace slipway
