// storage/testing/sqlite_testing.h: helpers of the SQLite store's tests (header-only): a
// fresh directory under the test temp dir, removed with everything in it, and opening a
// store that must open.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "storage/sqlite_store.h"

namespace slipway::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "slipway-storage-XXXXXX";
    SLIPWAY_CHECK(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<SqliteStore> MustOpen(const SqliteOptions& o, Failpoints& fp) {
  Result<std::unique_ptr<SqliteStore>> s = SqliteStore::Open(o, fp);
  SLIPWAY_CHECK(s.ok());
  return std::move(*s);
}

}  // namespace slipway::storage::testing
