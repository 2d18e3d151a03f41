// activities/emulator_fixture.h: test-only fixture that starts tools/emulator in-process on an
// ephemeral loopback port, with a tiny template repository (package.json and one page) made in
// a fresh temporary directory. Not thread-safe; one per test.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "activities/curl_http_client.h"
#include "activities/service_config.h"
#include "tools/emulator/emulator.h"

namespace slipway::activities::testing {

inline constexpr const char* kToken = "ghp_emulatorTestToken0123456789abcdef";

class EmulatorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("slipway_act_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::create_directories(dir_ / "template" / "pages");
    std::ofstream(dir_ / "template" / "package.json")
        << R"({"name":"site","private":true,"scripts":{"build":"tsc"}})" << "\n";
    std::ofstream(dir_ / "template" / "pages" / "index.tsx")
        << "export default function Home() { return <a href=\"/about\">About</a>; }\n";
    options_.data_dir = (dir_ / "data").string();
    options_.template_dir = (dir_ / "template").string();
    options_.template_repo = "tmpl/site";
    options_.github_token = kToken;
    options_.vercel_token = kToken;
    options_.anthropic_key = kToken;
  }
  void TearDown() override {
    http_.CloseIdleConnections();  // the emulator then need not wait out its keep-alives
    emu_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Starts (or restarts) the emulator with options_.
  void StartEmulator() {
    emu_.reset();
    auto started = emulator::Emulator::Start(options_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emu_ = std::move(*started);
  }
  ServiceConfig Config() const {
    ServiceConfig c;
    c.github.api_url = c.vercel.api_url = c.anthropic.api_url = emu_->base_url();
    c.github.token = c.vercel.token = c.anthropic.api_key = kToken;
    c.github.owner = "acme";
    c.github.template_owner = "tmpl";
    c.github.template_repo = "site";
    c.anthropic.model = "claude-sonnet-5";
    return c;
  }
  void Faults(const std::string& json) { ASSERT_TRUE(emu_->faults().Configure(json).ok()); }

  // A loopback port with nothing listening (bound, then closed).
  static int ClosedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  std::filesystem::path dir_;
  emulator::EmulatorOptions options_;
  std::unique_ptr<emulator::Emulator> emu_;
  CurlHttpClient http_;
};

}  // namespace slipway::activities::testing
