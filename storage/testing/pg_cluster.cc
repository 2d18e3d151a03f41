// storage/testing/pg_cluster.cc: PgCluster (see pg_cluster.h).
#include "storage/testing/pg_cluster.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pqxx/pqxx>

#include "engine/base/status.h"

namespace slipway::storage::testing {
namespace {

std::string FindBinaries() {
  if (const char* env = getenv("SLIPWAY_PG_BIN"); env && *env) return env;
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = e.path().filename().string();
    const int major = std::atoi(name.c_str());
    if (major > best_major && std::filesystem::exists(e.path() / "bin" / "initdb")) {
      best_major = major;
      best = (e.path() / "bin").string();
    }
  }
  if (best.empty()) {
    std::cerr << "pg_cluster: no /usr/lib/postgresql/*/bin/initdb: install the Debian package "
                 "'postgresql' (tools/setup.sh does)\n";
    abort();
  }
  return best;
}

}  // namespace

PgCluster& PgCluster::Shared() {
  static PgCluster cluster;  // stopped when the test binary exits
  return cluster;
}

PgCluster::PgCluster() : bin_(FindBinaries()) {
  std::string tmpl = "/tmp/slipway-pg-XXXXXX";  // short: a socket path has ~100 bytes
  SLIPWAY_CHECK(mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      std::cerr << "pg_cluster: running as root needs the 'postgres' user (package postgresql)\n";
      abort();
    }
    SLIPWAY_CHECK(chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) == 0);
    as_postgres_ = true;
  }
  RunTool("initdb", "-D " + dir_ + "/data -U slipway -A trust --no-sync -E UTF8 --locale=C");
  {
    std::ofstream conf(dir_ + "/data/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir_ << "'\n"
         << "fsync = off\nfull_page_writes = off\nmax_connections = 300\n";
    SLIPWAY_CHECK(conf.good());
  }
  RunTool("pg_ctl", "-D " + dir_ + "/data -l " + dir_ + "/server.log -w start");
  StartWatchdog();
}

// A test that crashes or aborts never reaches the destructor, and a server left behind
// would outlive it. So a small shell waits for EOF on a pipe only this process holds (the
// kernel closes it however the process ends), then stops the server and removes the dir.
void PgCluster::StartWatchdog() {
  int fds[2];
  SLIPWAY_CHECK(pipe2(fds, O_CLOEXEC) == 0);
  std::string stop = bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop";
  if (as_postgres_) stop = "runuser -u postgres -- " + stop;
  const std::string script =
      "cat >/dev/null; cd /tmp; " + stop + " >/dev/null 2>&1; rm -rf " + dir_;
  watchdog_ = fork();
  SLIPWAY_CHECK(watchdog_ >= 0);
  if (watchdog_ == 0) {
    dup2(fds[0], 0);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  watchdog_pipe_ = fds[1];
}

PgCluster::~PgCluster() {
  close(watchdog_pipe_);
  int status = 0;
  waitpid(watchdog_, &status, 0);
}

void PgCluster::RunTool(const std::string& tool, const std::string& args) const {
  // From our own directory: the postgres user may not enter the test's working directory.
  std::string cmd =
      "cd " + dir_ + " && " + bin_ + "/" + tool + " " + args + " >>" + dir_ + "/tools.log 2>&1";
  if (as_postgres_) cmd = "runuser -u postgres -- sh -c '" + cmd + "'";
  // The command is built from our own paths (mkdtemp), never from test input.
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "pg_cluster: failed: " << cmd << "\n";
    abort();
  }
}

std::string PgCluster::AdminDsn() const {
  return "host=" + dir_ + " user=slipway dbname=postgres";
}

std::string PgCluster::CreateDatabase() {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    name = "test_" + std::to_string(getpid()) + "_" + std::to_string(next_db_++);
  }
  pqxx::connection c(AdminDsn());
  pqxx::nontransaction t(c);
  t.exec0("CREATE DATABASE " + name + " TEMPLATE template0 STRATEGY FILE_COPY");
  return "host=" + dir_ + " user=slipway dbname=" + name;
}

std::string PgCluster::UrlOf(const std::string& dsn) const {
  const size_t at = dsn.rfind("dbname=");
  SLIPWAY_CHECK(at != std::string::npos);
  return "postgresql://slipway@/" + dsn.substr(at + 7) + "?host=" + dir_;
}

void PgCluster::DropDatabase(const std::string& dsn) {
  const size_t at = dsn.rfind("dbname=");
  SLIPWAY_CHECK(at != std::string::npos);
  pqxx::connection c(AdminDsn());
  pqxx::nontransaction t(c);
  t.exec0("DROP DATABASE IF EXISTS " + dsn.substr(at + 7) + " WITH (FORCE)");
}

}  // namespace slipway::storage::testing
