#include "tests/crash/effect_activity.h"

#include <chrono>
#include <thread>

namespace slipway::crash {

EffectActivity::EffectActivity(const std::string& path)
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=FULL");
  db_.exec("PRAGMA busy_timeout=5000");
  db_.exec(
      "CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, workflow TEXT, step TEXT);"
      "CREATE TABLE IF NOT EXISTS attempts (key TEXT, workflow TEXT, step TEXT, attempt INT);");
}

Result<nlohmann::json> EffectActivity::Run(const engine::ActivityCall& call) {
  // A little outside work, so that the kills of the crash test land while steps are in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  std::lock_guard<std::mutex> lock(mu_);
  try {
    SQLite::Transaction txn(db_);
    SQLite::Statement attempt(db_, "INSERT INTO attempts VALUES (?, ?, ?, ?)");
    attempt.bind(1, call.idempotency_key);
    attempt.bind(2, call.workflow_id);
    attempt.bind(3, call.step);
    attempt.bind(4, call.attempt);
    attempt.exec();
    SQLite::Statement effect(db_, "INSERT OR IGNORE INTO effects VALUES (?, ?, ?)");
    effect.bind(1, call.idempotency_key);
    effect.bind(2, call.workflow_id);
    effect.bind(3, call.step);
    bool fresh = effect.exec() == 1;
    txn.commit();
    return nlohmann::json{{"effect", call.idempotency_key}, {"fresh", fresh}};
  } catch (const SQLite::Exception& e) {
    return Unavailable(std::string("effects db: ") + e.what());
  }
}

}  // namespace slipway::crash
