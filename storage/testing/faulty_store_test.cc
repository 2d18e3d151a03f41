// storage/testing/faulty_store_test.cc: FaultyStore fails commits before or after the inner
// store applies them, per checkpoint, and forwards everything else.
#include "storage/testing/faulty_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "engine/base/failpoints.h"
#include "storage/sqlite_store.h"
#include "storage/store_test_suite.h"

namespace slipway::storage::testing {
namespace {

class FaultyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "slipway-faulty-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto opened = SqliteStore::Open(SqliteOptions{dir_ + "/store.db"}, failpoints_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    inner_ = std::move(*opened);
    faulty_ = std::make_unique<FaultyStore>(*inner_);
  }
  void TearDown() override {
    faulty_.reset();
    inner_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  Failpoints failpoints_;
  std::unique_ptr<SqliteStore> inner_;
  std::unique_ptr<FaultyStore> faulty_;
};

TEST_F(FaultyStoreTest, BeforeFailsWithoutCommitting) {
  faulty_->FailNextCommits(1, FaultyStore::When::kBefore);
  EXPECT_EQ(faulty_->Commit(CreateCp("wf-1")).code(), Code::kUnavailable);
  EXPECT_EQ(faulty_->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(faulty_->Commit(CreateCp("wf-1")).ok());  // only one failure was armed
  EXPECT_EQ(faulty_->injected(), 1);
}

TEST_F(FaultyStoreTest, AfterCommitsThenFails) {
  faulty_->FailNextCommits(1, FaultyStore::When::kAfter);
  EXPECT_EQ(faulty_->Commit(CreateCp("wf-1")).code(), Code::kUnavailable);
  EXPECT_EQ(faulty_->Load("wf-1")->version, 1);
  EXPECT_EQ(faulty_->Commit(CreateCp("wf-1")).code(), Code::kAlreadyExists);
}

TEST_F(FaultyStoreTest, BatchFailuresArePerCheckpoint) {
  faulty_->FailNextCommits(1, FaultyStore::When::kBefore);
  auto out = faulty_->CommitBatch({CreateCp("wf-1"), CreateCp("wf-2")});
  EXPECT_EQ(out[0].code(), Code::kUnavailable);
  EXPECT_TRUE(out[1].ok());
  EXPECT_EQ(faulty_->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(faulty_->Load("wf-2").ok());

  faulty_->FailNextCommits(2, FaultyStore::When::kAfter);
  out = faulty_->CommitBatch({CreateCp("wf-3"), CreateCp("wf-2"), CreateCp("wf-4")});
  EXPECT_EQ(out[0].code(), Code::kUnavailable);
  EXPECT_EQ(out[1].code(), Code::kAlreadyExists);  // the inner failure is reported as is
  EXPECT_TRUE(out[2].ok());
  EXPECT_TRUE(faulty_->Load("wf-3").ok());
  EXPECT_TRUE(faulty_->Load("wf-4").ok());
  EXPECT_EQ(faulty_->injected(), 3);
}

TEST_F(FaultyStoreTest, ForwardsEverythingElse) {
  ASSERT_TRUE(faulty_->Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).ok());
  faulty_->FailNextCommits(5, FaultyStore::When::kBefore);  // commits only
  EXPECT_EQ(faulty_->ClaimTasks(Claim("owner-a", kT0))->size(), 1u);
  EXPECT_EQ(faulty_->TasksOf("wf-1")->size(), 1u);
  EXPECT_TRUE(faulty_->NextWakeUp()->has_value());
  EXPECT_TRUE(faulty_->PutRecord(Record{"ns", "k", "{}", 0}, 0).ok());
  EXPECT_EQ(faulty_->GetRecord("ns", "k")->version, 1);
  EXPECT_EQ(faulty_->List(ListQuery{})->instances.size(), 1u);
  EXPECT_EQ(faulty_->History("wf-1", 0, 0)->size(), 1u);
  EXPECT_EQ(faulty_->Stats()->instances, 1);
  EXPECT_EQ(faulty_->injected(), 0);
}

}  // namespace
}  // namespace slipway::storage::testing
