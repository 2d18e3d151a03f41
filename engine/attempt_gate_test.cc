// AttemptGate: a suspect attempt runs alone; while it waits or runs, no other attempt starts.
// Threads block on the gate; assertions are on order, never on durations.
#include "engine/attempt_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace slipway::engine {
namespace {

const auto kNever = [] { return false; };

TEST(AttemptGateTest, ASuspectWaitsForRunningAttemptsAndHoldsOthersBack) {
  AttemptGate gate;
  ASSERT_TRUE(gate.Enter(false, kNever));  // an attempt is running
  std::atomic<bool> suspect_in{false}, other_in{false}, other_saw_suspect_done{false};
  std::atomic<bool> suspect_done{false};
  std::thread suspect([&] {
    ASSERT_TRUE(gate.Enter(true, kNever));
    suspect_in = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    suspect_done = true;
    gate.Leave(true);
  });
  while (!gate.suspect_waiting()) std::this_thread::yield();
  std::thread other([&] {  // arrives while the suspect waits: goes after it
    ASSERT_TRUE(gate.Enter(false, kNever));
    other_in = true;
    other_saw_suspect_done = suspect_done.load();
    gate.Leave(false);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(suspect_in);  // the running attempt is still in
  EXPECT_FALSE(other_in);
  gate.Leave(false);
  suspect.join();
  other.join();
  EXPECT_TRUE(suspect_in);
  EXPECT_TRUE(other_saw_suspect_done);
}

TEST(AttemptGateTest, AWaitingSuspectGivesUpWhenCancelled) {
  AttemptGate gate;
  ASSERT_TRUE(gate.Enter(false, kNever));
  std::atomic<bool> cancel{false};
  std::thread suspect([&] { EXPECT_FALSE(gate.Enter(true, [&] { return cancel.load(); })); });
  while (!gate.suspect_waiting()) std::this_thread::yield();
  cancel = true;
  suspect.join();
  EXPECT_FALSE(gate.suspect_waiting());
  ASSERT_TRUE(gate.Enter(false, kNever));  // nothing held back any more
  gate.Leave(false);
  gate.Leave(false);
}

TEST(AttemptGateTest, OrdinaryAttemptsRunTogether) {
  AttemptGate gate;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(gate.Enter(false, kNever));
  for (int i = 0; i < 8; ++i) gate.Leave(false);
  ASSERT_TRUE(gate.Enter(true, kNever));
  gate.Leave(true);
}

}  // namespace
}  // namespace slipway::engine
