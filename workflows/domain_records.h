// workflows/domain_records.h: who owns a custom domain. One record per domain (lower case) in
// the engine's store, namespace "domain": {"domain", "tenant", "by", "previous_tenant"} where
// `by` is the workflow that claimed or moved it and `previous_tenant` the owner before it. A domain belongs to one tenant: the first deployment that attaches
// it claims it, a deployment of another tenant is refused, and only an ops "domain_transfer"
// workflow moves it (durable, in that workflow's history).
//
// Writes are compare-and-set on the record version, retried on conflict, and idempotent.
// Messages never name the other tenant (a tenant must not learn who owns a name). Thread-safe
// (the store is). JSON keys are persisted names.
#pragma once

#include <optional>
#include <string>

#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::workflows {

inline constexpr const char* kDomainNamespace = "domain";

class DomainRecords {
 public:
  explicit DomainRecords(storage::Store& store) : store_(store) {}

  // The owning tenant, nullopt when nobody owns the domain.
  Result<std::optional<std::string>> Owner(const std::string& domain);
  // Makes `tenant` the owner when nobody is; ok when it already is. Another tenant's domain is
  // kPermanent (retrying will not help; ops can move it with a domain_transfer).
  Status Claim(const std::string& domain, const std::string& tenant, const std::string& by);
  // Makes `tenant` the owner whoever owned it before (ops only: the domain_transfer workflow).
  // Returns the previous owner ("" for none). Repeated by the same `by` (a step retried after
  // a crash that followed the write), it returns the same previous owner again.
  Result<std::string> Transfer(const std::string& domain, const std::string& tenant,
                               const std::string& by);

 private:
  // Writes owner `tenant` unless `keep_other` and another tenant owns it; returns the owner
  // before the write.
  Result<std::string> Write(const std::string& domain, const std::string& tenant,
                            const std::string& by, bool keep_other);

  storage::Store& store_;
};

}  // namespace slipway::workflows
