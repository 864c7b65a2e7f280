// Reading commands on a database nobody may write: a read-only file in a read-only directory (an archive,
// a mount shared with analysts). The tests run as root, where permissions do not stop writes, so the
// commands run as the unprivileged user `nobody` (setpriv); as another user they run directly.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/cli_run.h"
#include "support/frames.h"

namespace fs = std::filesystem;
using namespace sgtest;

namespace {

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(ReadOnly, ReadingCommandsWorkOnADatabaseTheyCannotWrite) {
  std::string runner = SG_BINARY;
  if (::geteuid() == 0) {
    if (::access("/usr/bin/setpriv", X_OK) != 0 || !::getpwnam("nobody"))
      GTEST_SKIP() << "running as root without setpriv or a 'nobody' user: cannot take write access away";
    runner = "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups " + runner;
    if (run_binary(runner, "--version").rc != 0)
      GTEST_SKIP() << "'nobody' cannot run " << SG_BINARY << " (its directories are not readable by others)";
  }
  fs::path dir = fs::temp_directory_path() / ("sg_ro_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "db");
  std::vector<Frame> frames;
  for (int i = 1; i <= 3; ++i) {
    auto s = tcp_session(1736121600000000 + i * 1000000, {198, 51, 100, uint8_t(i)}, {192, 0, 2, 1},
                         uint16_t(40000 + i), 80, {"GET / HTTP/1.1\r\nHost: s\r\n\r\n"});
    frames.insert(frames.end(), s.begin(), s.end());
  }
  write_pcap((dir / "c.pcap").string(), DLT_EN10MB, frames);
  const std::string db = (dir / "db" / "s.db").string();
  ASSERT_EQ(run_cli("ingest -q --db " + db + " " + (dir / "c.pcap").string()).rc, 0);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir / "db", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                  fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const std::string before = file_text(db);

  // an unprivileged write really fails here, so what follows tests read-only access
  if (runner != SG_BINARY) {
    CliResult w = run_binary(runner, "labels config --db " + db + " --policy agree");
    ASSERT_NE(w.rc, 0) << "a write succeeded: the test would prove nothing\n" << w.out;
  }
  CliResult probes = run_binary(runner, "probes --db " + db, /*merge_stderr=*/false);
  EXPECT_EQ(probes.rc, 0) << probes.out;
  EXPECT_EQ(std::count(probes.out.begin(), probes.out.end(), '\n'), 3) << probes.out;
  for (const std::string& args :
       {"lookup --db " + db + " 198.51.100.1", "export --db " + db, "export --db " + db + " --format stix",
        "labels lookup --db " + db + " --at 2025-01-06 198.51.100.1", "labels stats --db " + db,
        "report --db " + db + " --out -"}) {
    CliResult r = run_binary(runner, args);
    EXPECT_EQ(r.rc, 0) << args << "\n" << r.out;
  }
  EXPECT_EQ(file_text(db), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "db"), fs::directory_iterator()), 1);  // no -wal, no -shm
  fs::permissions(dir / "db", fs::perms::owner_all);
  fs::remove_all(dir);
}

}  // namespace
