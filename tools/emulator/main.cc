// tools/emulator/main.cc: slipway-emulator, the local cloud emulator as a program.
//
//   slipway-emulator --data-dir DIR [--port N] [--host 127.0.0.1] [--template-dir DIR]
//                    [--template-repo owner/name] [--deploy-delay-ms N] [--faults JSON|@file]
//                    [--smtp-port N]
// Prints "listening on http://host:port" once ready; stops on SIGINT or SIGTERM.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tools/emulator/emulator.h"

namespace {

using slipway::emulator::EmulatorOptions;

int Usage() {
  std::cerr << "usage: slipway-emulator --data-dir DIR [--port N] [--host H] [--template-dir DIR]"
               " [--template-repo owner/name] [--deploy-delay-ms N] [--faults JSON|@file]"
               " [--smtp-port N]\n";
  return 2;
}

bool ReadFaults(const std::string& arg, std::string* out) {
  if (arg.empty() || arg[0] != '@') {
    *out = arg;
    return true;
  }
  std::ifstream in(arg.substr(1));
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool ParseArgs(int argc, char** argv, EmulatorOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (flag == "--port") {
      o->port = std::atoi(value.c_str());
    } else if (flag == "--host") {
      o->host = value;
    } else if (flag == "--data-dir") {
      o->data_dir = value;
    } else if (flag == "--template-dir") {
      o->template_dir = value;
    } else if (flag == "--template-repo") {
      o->template_repo = value;
    } else if (flag == "--smtp-port") {
      o->smtp_port = std::atoi(value.c_str());
    } else if (flag == "--deploy-delay-ms") {
      o->deploy_delay_ms = std::atoll(value.c_str());
    } else if (flag == "--faults") {
      if (!ReadFaults(value, &o->faults_json)) return false;
    } else {
      return false;
    }
  }
  return !o->data_dir.empty();
}

}  // namespace

int main(int argc, char** argv) {
  EmulatorOptions options;
  if (!ParseArgs(argc, argv, &options)) return Usage();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any server thread starts

  auto emulator = slipway::emulator::Emulator::Start(options);
  if (!emulator.ok()) {
    std::cerr << "slipway-emulator: " << emulator.status().ToString() << "\n";
    return 1;
  }
  std::cout << "listening on " << (*emulator)->base_url() << std::endl;
  if ((*emulator)->smtp_port() >= 0) {
    std::cout << "smtp on " << options.host << ":" << (*emulator)->smtp_port() << std::endl;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  (*emulator)->Stop();
  return 0;
}
