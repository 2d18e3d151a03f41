// Runs the slipway-emulator program itself: flags, the "listening on" line, SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

int Status(const std::string& base_url, const std::string& path) {
  Poco::URI uri(base_url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer t");
  req.set("User-Agent", "test");
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  return resp.getStatus();
}

TEST(EmulatorMainTest, ServesUntilSigtermWithFaultsFromFlags) {
  fs::path data = fs::temp_directory_path() / ("emu_main_" + std::to_string(::getpid()));
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {SLIPWAY_EMULATOR_BIN, "--data-dir", data.string(), "--port", "0",
                                   "--faults", R"({"rules":[{"path":"/repos/x/*","status":503}]})"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  FILE* child_out = fdopen(out[0], "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof line, child_out), nullptr);  // blocks until the server is ready
  std::string text(line);
  ASSERT_EQ(text.rfind("listening on ", 0), 0u) << text;
  std::string base_url = text.substr(13, text.find_last_not_of("\r\n") - 12);
  EXPECT_EQ(Status(base_url, "/_admin/health"), 200);
  EXPECT_EQ(Status(base_url, "/repos/x/y"), 503);

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(child_out);
  fs::remove_all(data);
}

}  // namespace
