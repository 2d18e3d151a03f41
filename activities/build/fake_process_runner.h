// activities/build/fake_process_runner.h: a scripted ProcessRunner for tests (test-only).
//
// Records every spec it is asked to run and answers from a handler chosen by the command
// (argv joined by spaces, matched by prefix; first match wins). Commands listed in
// `delegate_prefixes` run for real through the wrapped runner (e.g. tar). Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "activities/build/process_runner.h"

namespace slipway::activities::build {

class FakeProcessRunner final : public ProcessRunner {
 public:
  using Handler = std::function<ProcessResult(const ProcessSpec&)>;

  explicit FakeProcessRunner(ProcessRunner* real = nullptr) : real_(real) {}

  void On(std::string command_prefix, Handler handler) {
    handlers_.emplace_back(std::move(command_prefix), std::move(handler));
  }
  // Shorthand: answer with this exit code and output.
  void On(std::string command_prefix, int exit_code, std::string output) {
    On(std::move(command_prefix), [exit_code, output](const ProcessSpec&) {
      ProcessResult r;
      r.exit_code = exit_code;
      r.output = output;
      r.duration_ms = 10;
      return r;
    });
  }
  void Delegate(std::string command_prefix) { delegated_.push_back(std::move(command_prefix)); }

  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    specs_.push_back(spec);
    const std::string command = Command(spec);
    for (const std::string& d : delegated_) {
      if (real_ != nullptr && command.rfind(d, 0) == 0) return real_->Run(spec);
    }
    for (const auto& [prefix, handler] : handlers_) {
      if (command.rfind(prefix, 0) == 0) return handler(spec);
    }
    ProcessResult ok;
    ok.exit_code = 0;
    ok.duration_ms = 1;
    return ok;
  }

  static std::string Command(const ProcessSpec& spec) {
    std::string out;
    for (const std::string& a : spec.argv) out += (out.empty() ? "" : " ") + a;
    return out;
  }
  const std::vector<ProcessSpec>& specs() const { return specs_; }
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const ProcessSpec& s : specs_) out.push_back(Command(s));
    return out;
  }

 private:
  ProcessRunner* real_;
  std::vector<std::pair<std::string, Handler>> handlers_;
  std::vector<std::string> delegated_;
  std::vector<ProcessSpec> specs_;
};

}  // namespace slipway::activities::build
