// storage/store_test_suite.h: the behaviour suite every Store implementation must pass,
// written only against `Store&`, so that a future PostgreSQL store runs it unchanged.
//
// To run it on a backend, provide a StoreBackend (a fresh, empty database that can hand out
// several independent handles, as several engine processes would have) and instantiate:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite,
//                            ::testing::Values(StoreSuiteParam{"sqlite", &MakeSqliteBackend}),
//                            StoreSuiteParamName);
//
// Tests are deterministic: time is passed explicitly (now_ms); the few threaded tests assert
// only on outcomes that hold under every interleaving.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "storage/store.h"

namespace slipway::storage::testing {

// One empty database of some backend. Destroying it removes the database.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // A new, independent handle on this backend's database (a second "process"). Handles must
  // be destroyed before the backend.
  virtual std::unique_ptr<Store> OpenHandle() = 0;
};

struct StoreSuiteParam {
  std::string name;
  std::function<std::unique_ptr<StoreBackend>()> make_backend;
};
inline void PrintTo(const StoreSuiteParam& p, std::ostream* os) { *os << p.name; }
inline std::string StoreSuiteParamName(
    const ::testing::TestParamInfo<StoreSuiteParam>& info) {
  return info.param.name;
}

class StoreSuite : public ::testing::TestWithParam<StoreSuiteParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  std::unique_ptr<Store> OpenHandle() { return backend_->OpenHandle(); }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> store_;
};

// Builders shared by the suite's files. Times are fixed: the suite never reads a clock.
constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

Instance MakeInstance(const std::string& id, int64_t version = 1,
                      const std::string& tenant = "tenant-a", TimeMs created = kT0);
HistoryEvent MakeEvent(const std::string& workflow_id, int64_t seq);
Task MakeTask(const std::string& workflow_id, const std::string& kind, TimeMs due);
// A create checkpoint: instance at version 1, event seq 1, and the given tasks.
Checkpoint CreateCp(const std::string& id, std::vector<Task> tasks = {},
                    const std::string& tenant = "tenant-a", TimeMs created = kT0);
// An update from `from_version`, appending event `seq`.
Checkpoint UpdateCp(const std::string& id, int64_t from_version, int64_t seq);
ClaimRequest Claim(const std::string& owner, TimeMs now, int limit = 10);

}  // namespace slipway::storage::testing
