#include "tools/slipwayd/sandbox.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/base/sha256.h"

namespace slipway::server {

Result<std::string> RandomToken() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof bytes)) {
    return Internal("cannot read /dev/urandom");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Result<Sandbox> StartSandbox(const std::string& state_dir, const std::string& template_dir,
                             activities::ServiceConfig& services,
                             workflows::WorkflowOptions& options,
                             const ExternalEmulator& external) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir + "/emulator", ec);
  if (ec) return InvalidArgument("--state-dir", "cannot create " + state_dir + ": " + ec.message());
  if (!std::filesystem::exists(template_dir + "/package.json")) {
    return InvalidArgument("--template-dir", template_dir + " has no package.json");
  }
  Result<std::string> service_secret = RandomToken();
  Result<std::string> ops_token = RandomToken();
  if (!service_secret.ok()) return service_secret.status();
  if (!ops_token.ok()) return ops_token.status();

  Sandbox sb;
  if (!external.url.empty()) {
    if (external.url.rfind("http://", 0) != 0 || external.url.back() == '/') {
      return InvalidArgument("--emulator", "must be http://host:port");
    }
    sb.emulator_url = external.url;
  } else {
    emulator::EmulatorOptions eo;
    eo.data_dir = state_dir + "/emulator";
    eo.template_dir = template_dir;
    eo.template_repo = "slipway/site-template";
    eo.default_owner = "sandbox-sites";
    eo.github_token = eo.vercel_token = eo.anthropic_key = *service_secret;
    eo.smtp_port = 0;
    eo.deploy_delay_ms = 1500;
    Result<std::unique_ptr<emulator::Emulator>> emu = emulator::Emulator::Start(eo);
    if (!emu.ok()) return emu.status();
    sb.emulator = std::move(*emu);
    sb.emulator_url = sb.emulator->base_url();
  }
  const std::string base = sb.emulator_url;
  services.github.api_url = services.vercel.api_url = services.anthropic.api_url = base;
  services.github.token = services.vercel.token = services.anthropic.api_key = *service_secret;
  services.github.owner = "sandbox-sites";
  services.github.template_owner = "slipway";
  services.github.template_repo = "site-template";
  const int smtp_port = sb.emulator ? sb.emulator->smtp_port() : external.smtp_port;
  if (smtp_port >= 0) services.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
  services.base_domain = "sandbox.test";
  options.verify_connect_origin = base;  // the emulator serves the deployed sites
  // Its own emulator builds in 1.5 s: looks at Vercel start after 500 ms, not 2 s. An
  // external emulator (the benchmarks, several nodes) keeps slipwayd's default cadence.
  if (sb.emulator) options.deploy_poll_interval_ms = 500;
  sb.ops_token = *ops_token;
  sb.tokens_json = nlohmann::json::array({{{"name", "sandbox"},
                                           {"role", "ops"},
                                           {"token_sha256", Sha256Hex(*ops_token)}}})
                       .dump();
  return sb;
}

}  // namespace slipway::server
