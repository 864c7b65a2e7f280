// Ingests started at the same moment against one new database: each must wait for the others (busy
// timeout) instead of failing with "database is locked" while the first of them creates the schema.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/frames.h"
#include "support/temp_dir.h"

using namespace sgtest;

namespace {

// A capture of `sessions` HTTP sessions from its own client addresses, so captures never share a probe.
void write_capture(const std::string& path, int which, int sessions) {
  std::vector<Frame> frames;
  for (int i = 0; i < sessions; ++i) {
    auto s = tcp_session(1736121600000000 + int64_t(i) * 1000, {198, 51, uint8_t(100 + which), uint8_t(1 + i)},
                         {192, 0, 2, 1}, uint16_t(40000 + i), 80, {"GET / HTTP/1.1\r\nHost: sensor\r\n\r\n"});
    frames.insert(frames.end(), s.begin(), s.end());
  }
  write_pcap(path, DLT_EN10MB, frames);
}

// The ingest's exit status and what it printed, run as its own process.
struct Child {
  pid_t pid;
  std::string log;
};

TEST(ConcurrentIngest, IngestsStartedTogetherOnANewDatabaseAllComplete) {
  TempDir dir("sg_concurrent");
  const int kProcs = 4, kSessions = 5, kRounds = 6;
  for (int i = 0; i < kProcs; ++i) write_capture(dir.file("c" + std::to_string(i) + ".pcap"), i, kSessions + i);
  for (int round = 0; round < kRounds; ++round) {
    const std::string db = dir.file("round" + std::to_string(round) + ".db");
    std::vector<Child> kids;
    for (int i = 0; i < kProcs; ++i) {
      Child c{0, dir.file("log" + std::to_string(round) + "_" + std::to_string(i) + ".txt")};
      const std::string cmd = std::string("exec ") + SG_BINARY + " ingest -q --db " + db + " " +
                              dir.file("c" + std::to_string(i) + ".pcap") + " >" + c.log + " 2>&1";
      c.pid = fork();
      if (c.pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
        _exit(127);
      }
      kids.push_back(c);
    }
    for (const Child& c : kids) {
      int st = 0;
      waitpid(c.pid, &st, 0);
      ASSERT_TRUE(WIFEXITED(st));
      EXPECT_EQ(WEXITSTATUS(st), 0) << "round " << round << ": " << read_file(c.log);
    }
    // Every session of every capture, once.
    const int expected = kProcs * kSessions + kProcs * (kProcs - 1) / 2;
    CliResult n = run_binary("sqlite3", db + " 'SELECT count(*) FROM probes'");
    EXPECT_EQ(n.out, std::to_string(expected) + "\n") << "round " << round;
  }
}

}  // namespace
