// storage/testing/pg_cluster.h: a real, throwaway PostgreSQL cluster for tests, started from
// Debian's binaries (initdb + pg_ctl) in a fresh temporary directory, reachable only through
// a Unix socket in that directory (no TCP), with fsync off. Never a mock.
//
// PostgreSQL refuses to run as root: when the test runs as root (CI does), the directory is
// given to the "postgres" user (created by Debian's postgresql package) and the server runs as
// that user through runuser(1); the tests connect over the socket as the cluster's superuser
// "slipway" (trust authentication: the socket lives in a private directory).
//
// The binaries are the newest /usr/lib/postgresql/<major>/bin, or $SLIPWAY_PG_BIN.
//
// Shared() starts one cluster per test binary on first use and stops it at exit; each test
// takes a fresh database from it (CreateDatabase). However the binary ends (even killed),
// a watchdog process stops the server and removes the directory. Thread-safe.
#pragma once

#include <mutex>
#include <string>

namespace slipway::storage::testing {

class PgCluster {
 public:
  static PgCluster& Shared();
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // A new, empty database; returns its libpq connection string.
  std::string CreateDatabase();
  // Drops the database named in a string from CreateDatabase (connections are cut).
  void DropDatabase(const std::string& dsn);
  // The same database as a postgresql:// URL (what SLIPWAY_DB takes).
  std::string UrlOf(const std::string& dsn) const;
  // The connection string of the maintenance database "postgres".
  std::string AdminDsn() const;
  const std::string& socket_dir() const { return dir_; }

 private:
  PgCluster();
  // Runs argv (as the cluster's user when we are root); aborts the test binary on failure.
  void RunTool(const std::string& tool, const std::string& args) const;
  void StartWatchdog();

  std::string bin_;
  std::string dir_;
  bool as_postgres_ = false;
  int watchdog_ = -1;       // pid of the shell that stops the server when we are gone
  int watchdog_pipe_ = -1;  // its stdin's write end, held only by this process
  std::mutex mu_;
  int next_db_ = 0;  // guarded by mu_
};

}  // namespace slipway::storage::testing
