// tests/crash/effect_activity.h: an activity whose effect is a row in a separate SQLite file.
//
// Like a real activity it checks before it acts: in one transaction it records the attempt
// (key, workflow, step, attempt) and inserts the effect keyed by the idempotency key only if
// that key has no effect yet. The crash test then proves every (workflow, step) has exactly
// one effect and that all attempts of a step carried the same key.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <mutex>
#include <string>

#include "engine/activity.h"

namespace slipway::crash {

class EffectActivity : public engine::Activity {
 public:
  explicit EffectActivity(const std::string& path);
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  std::mutex mu_;
  SQLite::Database db_;
};

}  // namespace slipway::crash
