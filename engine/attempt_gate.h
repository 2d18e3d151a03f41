// engine/attempt_gate.h: runs a suspect activity attempt alone in this process.
//
// When a process dies, every attempt it had in flight is lost, the one that killed it and its
// innocent neighbours alike. A step whose last attempt was lost is a *suspect*: its next
// attempt runs alone (no other attempt of this process in flight), so that if the process
// dies again, the suspect is what killed it. Counting only such deaths keeps quarantine
// (step_runner.cc) from catching the bystanders of a poisonous task.
//
// Enter() blocks: a suspect until no other attempt runs; any other attempt while a suspect
// runs or waits (so a suspect is not starved by a steady stream of work). Attempts already
// running finish undisturbed. EnterOrQueue() is the form for callers that must not hold a
// thread while they wait (an admitted attempt may wait for its checkpoint off any thread, and
// its continuation needs a worker). Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace slipway::engine {

class AttemptGate {
 public:
  // Waits until the attempt may start, checking `cancelled` now and then: returns false (and
  // holds nothing) if it became true while waiting, else true: call Leave(suspect) after.
  bool Enter(bool suspect, const std::function<bool()>& cancelled);
  // Admits the attempt now (true), or keeps `admitted` and calls it once, from the thread of
  // the Leave() that lets the attempt in (false). Either way: call Leave(suspect) after.
  bool EnterOrQueue(bool suspect, std::function<void()> admitted);
  void Leave(bool suspect);
  // Whether a suspect waits for the running attempts to end (a worker then stops going
  // straight on into a workflow's next step).
  bool suspect_waiting();

 private:
  bool MayEnter(bool suspect) const;  // Requires: mu_ held.
  void Admit(bool suspect);           // Requires: mu_ held and MayEnter(suspect).
  // Admits the queued attempts that may enter now, in order; returns their callbacks.
  std::vector<std::function<void()>> AdmitQueued();  // Requires: mu_ held.

  std::mutex mu_;
  std::condition_variable changed_;
  int running_ = 0;          // attempts admitted and not yet left, the suspect included
  int suspects_waiting_ = 0;
  bool suspect_running_ = false;
  struct Queued {
    bool suspect;
    std::function<void()> admitted;
  };
  std::deque<Queued> queued_;  // counted in suspects_waiting_ too
};

}  // namespace slipway::engine
