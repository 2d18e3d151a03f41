// tests/testing/process_util.cc: see process_util.h.
#include "tests/testing/process_util.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace slipway::test_process {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string WordAfter(const std::string& text, const std::string& label) {
  size_t at = text.find(label);
  if (at == std::string::npos) return "";
  at += label.size();
  while (at < text.size() && text[at] == ' ') ++at;
  size_t end = text.find_first_of(" \n", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string RandomHex(size_t bytes) {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::vector<unsigned char> raw(bytes);
  urandom.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(bytes));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Reply Request(const std::string& host, uint16_t port, const std::string& method,
              const std::string& path, const std::string& token, const std::string& body,
              std::chrono::milliseconds timeout,
              const std::map<std::string, std::string>& headers) {
  Reply r;
  try {
    Poco::Net::HTTPClientSession session(host, port);
    session.setTimeout(Poco::Timespan(timeout.count() / 1000, (timeout.count() % 1000) * 1000));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    std::stringstream ss;
    ss << in.rdbuf();
    r.status = static_cast<int>(resp.getStatus());
    r.text = ss.str();
    for (const auto& [name, value] : resp) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[lower] = value;
    }
    r.body = nlohmann::json::parse(r.text, nullptr, false);
  } catch (const std::exception& e) {
    r.status = 0;
    r.text = e.what();
  }
  return r;
}

pid_t Spawn(std::vector<std::string> argv, std::vector<std::string> env, const std::string& out,
            const std::string& err, bool append_err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | (append_err ? O_APPEND : O_TRUNC), 0644);
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

bool Alive(pid_t pid) {
  int status = 0;
  return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
}

}  // namespace slipway::test_process
