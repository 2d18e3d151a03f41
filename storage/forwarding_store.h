// storage/forwarding_store.h: ForwardingStore, a Store that passes every call to another one
// (`inner`, which must outlive it). The base of decorators that change a few calls (tests'
// HoldingStore, the benchmark's TimingStore): they override only those. Header-only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace slipway::storage {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Status Commit(const Checkpoint& cp) override { return inner_.Commit(cp); }
  std::vector<Status> CommitBatch(const std::vector<Checkpoint>& cps) override {
    return inner_.CommitBatch(cps);
  }
  Result<Instance> Load(const std::string& id) override { return inner_.Load(id); }
  Result<Instance> LoadHead(const std::string& id) override { return inner_.LoadHead(id); }
  Result<ListPage> List(const ListQuery& q) override { return inner_.List(q); }
  Result<std::vector<HistoryEvent>> History(const std::string& id, int64_t after,
                                            int limit) override {
    return inner_.History(id, after, limit);
  }
  Result<std::vector<Task>> ClaimTasks(const ClaimRequest& r) override {
    return inner_.ClaimTasks(r);
  }
  Result<std::vector<int64_t>> RenewLeases(const std::string& o, const std::vector<int64_t>& ids,
                                           TimeMs until) override {
    return inner_.RenewLeases(o, ids, until);
  }
  Status ReleaseLeases(const std::string& o, const std::vector<int64_t>& ids) override {
    return inner_.ReleaseLeases(o, ids);
  }
  Status RescheduleTask(const Task& held, TimeMs due, const std::string& payload) override {
    return inner_.RescheduleTask(held, due, payload);
  }
  Result<std::optional<TimeMs>> NextWakeUp() override { return inner_.NextWakeUp(); }
  Result<int64_t> CountClaimableTasks(TimeMs now) override {
    return inner_.CountClaimableTasks(now);
  }
  Result<std::vector<Task>> TasksOf(const std::string& id) override { return inner_.TasksOf(id); }
  Status DeleteTask(int64_t id, const std::string& owner) override {
    return inner_.DeleteTask(id, owner);
  }
  Result<std::vector<std::string>> SerialQueue(const std::string& key) override {
    return inner_.SerialQueue(key);
  }
  Result<Record> GetRecord(const std::string& ns, const std::string& key) override {
    return inner_.GetRecord(ns, key);
  }
  Status PutRecord(const Record& r, int64_t v) override { return inner_.PutRecord(r, v); }
  Result<std::vector<Record>> ListRecords(const std::string& ns, const std::string& after_key,
                                          int limit) override {
    return inner_.ListRecords(ns, after_key, limit);
  }
  Result<StoreStats> Stats() override { return inner_.Stats(); }
  Result<std::vector<TypeStatusCount>> CountByTypeAndStatus() override {
    return inner_.CountByTypeAndStatus();
  }
  void SetChangeListener(std::function<void()> listener) override {
    inner_.SetChangeListener(std::move(listener));
  }

 protected:
  Store& inner_;
};

}  // namespace slipway::storage
