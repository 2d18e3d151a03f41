// workflows/tenant_records_test.cc: tenant records and the tenant index on a real SqliteStore.
#include "workflows/tenant_records.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/failpoints.h"
#include "storage/sqlite_store.h"

namespace slipway::workflows {
namespace {

class TenantRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("slipway_tr_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto s = storage::SqliteStore::Open({(dir_ / "db").string()}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    records_ = std::make_unique<TenantRecords>(*store_);
  }
  void TearDown() override {
    records_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  TenantRecord Record(const std::string& t) {
    TenantRecord r;
    r.tenant = t;
    r.repo = t;
    r.prod_project_id = "prj_" + t;
    return r;
  }
  std::filesystem::path dir_;
  Failpoints failpoints_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<TenantRecords> records_;
};

TEST_F(TenantRecordsTest, CreateIsIdempotentAndRefusesADifferentRecord) {
  ASSERT_TRUE(records_->Create(Record("a")).ok());
  EXPECT_TRUE(records_->Create(Record("a")).ok());
  TenantRecord other = Record("a");
  other.repo = "elsewhere";
  EXPECT_EQ(records_->Create(other).code(), Code::kAlreadyExists);
  ASSERT_TRUE(records_->Create(Record("b")).ok());
  EXPECT_EQ(*records_->All(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(TenantRecordsTest, ProductionHistoryAndRollback) {
  ASSERT_TRUE(records_->Create(Record("a")).ok());
  ASSERT_TRUE(records_->RecordProduction("a", "d1").ok());
  ASSERT_TRUE(records_->RecordProduction("a", "d2").ok());
  ASSERT_TRUE(records_->RecordProduction("a", "d2").ok());
  ASSERT_TRUE(records_->RecordRollback("a", "d1").ok());
  auto r = records_->Require("a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployments, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(r->production_deployment, "d1");
  EXPECT_EQ(records_->Require("nobody").status().code(), Code::kNotFound);
}

TEST_F(TenantRecordsTest, RecordWithoutDefaultBranchReadsItsBranchAsTheRepositoryDefault) {
  // Written before production branches: `branch` held the repository's default branch.
  nlohmann::json legacy = {{"tenant", "old"}, {"repo", "old"}, {"branch", "main"}};
  ASSERT_TRUE(store_->PutRecord({kTenantNamespace, "old", legacy.dump(), 0}, 0).ok());
  auto r = records_->Require("old");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->branch, "");
  EXPECT_EQ(r->default_branch, "main");
  TenantRecord fresh = Record("new");
  fresh.branch = "production";
  fresh.default_branch = "main";
  ASSERT_TRUE(records_->Create(fresh).ok());
  EXPECT_EQ(records_->Require("new")->branch, "production");
  EXPECT_EQ(records_->Require("new")->default_branch, "main");
}

}  // namespace
}  // namespace slipway::workflows
