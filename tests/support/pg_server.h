// A PostgreSQL server of the test's own: initdb and pg_ctl (Debian's postgresql package) on a temporary
// directory, reached only by a Unix socket in that directory (listen_addresses empty: no TCP port to clash
// with another test or a real server), trust authentication, superuser `sg`. initdb refuses to run as root,
// so under root the server runs as `nobody` (runuser) and owns the directory. Stopped and removed at the end.
// Where the binaries are absent, `missing` says so and the test calls GTEST_SKIP with it: a skip, never a
// silent pass.
#pragma once

#include <gtest/gtest.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/cli_run.h"

namespace sgtest {

class PgServer {
 public:
  PgServer() {
    bin_ = find_bindir();
    if (bin_.empty()) {
      missing =
          "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin: install the "
          "postgresql package (scripts/install-deps.sh --test) to run the PostgreSQL tests";
      return;
    }
    char tmpl[] = "/tmp/sgpgXXXXXX";  // short: a Unix socket path has at most 107 bytes
    if (!mkdtemp(tmpl)) {
      missing = "cannot create a temporary directory";
      return;
    }
    dir_ = tmpl;
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("nobody");
      if (!pw || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        failure = "cannot hand the server directory to user nobody";
        return;
      }
      as_ = "runuser -u nobody -- ";
    }
    CliResult init =
        run_binary(as_ + bin_ + "/initdb", "-D " + dir_ + "/data -U sg --auth=trust --no-locale -E UTF8 --no-sync");
    if (init.rc != 0) {
      failure = "initdb failed: " + init.out;
      return;
    }
    CliResult start =
        run_binary(as_ + bin_ + "/pg_ctl", "-D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"-k " + dir_ +
                                               " -c listen_addresses='' -p 5432 -c fsync=off"
                                               " -c max_connections=60\" start");
    if (start.rc != 0) {
      failure = "pg_ctl start failed: " + start.out + read_log();
      return;
    }
    started_ = true;
  }

  ~PgServer() {
    if (started_) run_binary(as_ + bin_ + "/pg_ctl", "-D " + dir_ + "/data -m immediate -w stop");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  bool ok() const { return started_; }

  // A new, empty database and its connection URI (the form an operator writes after --db).
  std::string create_db(const std::string& name) {
    CliResult r = run_binary(bin_ + "/psql",
                             "-X -q -h " + dir_ + " -p 5432 -U sg -d postgres -c 'CREATE DATABASE \"" + name + "\"'");
    EXPECT_EQ(r.rc, 0) << r.out;
    return uri(name);
  }
  std::string uri(const std::string& name) const { return "postgresql://sg@/" + name + "?host=" + dir_ + "&port=5432"; }
  // One value (first row, first column) of a query, as psql prints it unaligned.
  std::string query(const std::string& name, const std::string& sql) const {
    CliResult r = run_binary(bin_ + "/psql",
                             "-X -A -t -q -h " + dir_ + " -p 5432 -U sg -d " + name + " -c \"" + sql + "\"", false);
    EXPECT_EQ(r.rc, 0) << sql;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  std::string missing;  // binaries absent: skip
  std::string failure;  // present but the server did not start: a failure

 private:
  static std::string find_bindir() {
    std::string best;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::string bin = e.path().string() + "/bin";
      if (std::filesystem::exists(bin + "/initdb") && std::filesystem::exists(bin + "/pg_ctl") &&
          std::filesystem::exists(bin + "/psql") && bin > best)
        best = bin;
    }
    return best;
  }
  std::string read_log() const {
    CliResult r = run_binary("cat", dir_ + "/server.log");
    return r.out;
  }

  std::string bin_, dir_, as_;
  bool started_ = false;
};

// In a test body: skip where PostgreSQL is not installed, fail where it is but does not start.
#define SG_REQUIRE_PG(server)                                        \
  do {                                                               \
    if (!(server).missing.empty()) GTEST_SKIP() << (server).missing; \
    ASSERT_TRUE((server).ok()) << (server).failure;                  \
  } while (0)

}  // namespace sgtest
