// Atomic file replacement: readers see the old file or the new one, never a half-written one or a leftover.
#include "util/atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sg {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  return {std::istreambuf_iterator<char>(f), {}};
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : ~0u;
}

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::path(testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(AtomicFile, ReplacesAndLeavesNothingBehind) {
  auto dir = fresh_dir("sg-atomic-replace");
  auto path = (dir / "report.html").string();
  write_text_atomically(path, "one");
  write_text_atomically(path, "two");
  EXPECT_EQ(slurp(path), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
  EXPECT_EQ(mode_of(path), 0644u);
}

// The streaming form (the simulator's pcap writer): nothing under the name until commit(), the old file
// kept by an abandoned writer, a symlink followed on commit.
TEST(AtomicFile, StreamedWritesAppearOnlyOnCommit) {
  auto dir = fresh_dir("sg-atomic-stream");
  auto path = (dir / "capture.pcap").string();
  write_text_atomically(path, "old");
  {
    AtomicFile f(path);
    EXPECT_NE(f.write_path(), path);
    { std::ofstream(f.write_path()) << "abandoned"; }
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  {
    AtomicFile f(path);
    { std::ofstream(f.write_path()) << "new"; }
    EXPECT_EQ(slurp(path), "old") << "visible before commit";
    f.commit();
    EXPECT_THROW(f.commit(), std::runtime_error);  // once only
  }
  EXPECT_EQ(slurp(path), "new");
  EXPECT_EQ(mode_of(path), 0644u);
  auto link = (dir / "latest.pcap").string();
  fs::create_symlink("capture.pcap", link);
  {
    AtomicFile f(link);
    { std::ofstream(f.write_path()) << "through the link"; }
    f.commit();
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(path), "through the link");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
}

TEST(AtomicFile, SecretsAreOwnerOnly) {
  auto dir = fresh_dir("sg-atomic-mode");
  auto path = (dir / "tag.key").string();
  write_text_atomically(path, "00ff\n", 0600);
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(AtomicFile, AFailedWriterKeepsTheOldFile) {
  auto dir = fresh_dir("sg-atomic-fail");
  auto path = (dir / "model.pt").string();
  write_text_atomically(path, "old");
  EXPECT_THROW(write_file_atomically(path,
                                     [](const std::string& tmp) {
                                       std::ofstream(tmp) << "half";
                                       throw std::runtime_error("disk full");
                                     }),
               std::runtime_error);
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, AMissingDirectoryIsAnErrorNamingThePath) {
  auto path = (fresh_dir("sg-atomic-missing") / "missing" / "r.html").string();
  try {
    write_text_atomically(path, "x");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, ASymlinkStaysALinkAndItsTargetGetsTheContent) {
  auto dir = fresh_dir("sg-atomic-link");
  fs::create_directories(dir / "www");
  auto target = dir / "www" / "scanners.json";
  std::ofstream(target) << "old";
  fs::create_symlink("www/scanners.json", dir / "latest.json");  // relative, as such links usually are
  write_text_atomically((dir / "latest.json").string(), "new");
  EXPECT_TRUE(fs::is_symlink(dir / "latest.json"));
  EXPECT_EQ(slurp(target), "new");
  // the temporary went beside the target, and is gone
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "www"), fs::directory_iterator()), 1);

  fs::create_symlink("www/new.json", dir / "dangling.json");  // a link to a file not written yet
  write_file_atomically((dir / "dangling.json").string(), [](const std::string& tmp) { std::ofstream(tmp) << "made"; });
  EXPECT_TRUE(fs::is_symlink(dir / "dangling.json"));
  EXPECT_EQ(slurp(dir / "www" / "new.json"), "made");
}

TEST(AtomicFile, AFifoIsWrittenInPlaceAndStaysAFifo) {
  auto dir = fresh_dir("sg-atomic-fifo");
  auto fifo = (dir / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  for (int round = 0; round < 2; ++round) {  // write_text, then a writer that opens the path itself
    std::string got;
    int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // open now, so the writer never waits for us
    ASSERT_GE(fd, 0);
    std::thread reader([&] {  // reads to the writer's close, or gives up after 10 s (a writer that never came)
      char buf[4096];
      for (int waited = 0; waited < 10000;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) == 0) {
          waited += 100;
          continue;
        }
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0)
          got.append(buf, static_cast<size_t>(n));
        else if (n == 0 && !got.empty())
          break;  // EOF after the writer was there
        else
          ::usleep(1000);
      }
      ::close(fd);
    });
    std::string text(100000, 'x');  // more than a pipe holds: the writer must wait for the reader
    if (round == 0)
      write_text_atomically(fifo, text);
    else
      write_file_atomically(fifo, [&](const std::string& p) { std::ofstream(p, std::ios::binary) << text; });
    reader.join();
    EXPECT_EQ(got.size(), text.size()) << "round " << round;
    struct stat st {};
    ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "round " << round;
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, ALinkToADeviceWritesTheDevice) {
  auto dir = fresh_dir("sg-atomic-dev");
  fs::create_symlink("/dev/null", dir / "sink");
  write_text_atomically((dir / "sink").string(), "gone");  // followed, then written in place: no rename onto /dev
  EXPECT_TRUE(fs::is_symlink(dir / "sink"));
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, WriteErrorsNameThePathAndTheReason) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full here";
  auto dir = fresh_dir("sg-atomic-full");
  // through a link: a writer that renames onto its path then replaces the link, never the device node
  fs::create_symlink("/dev/full", dir / "full");
  try {
    write_text_atomically((dir / "full").string(), "x");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full: No space left on device"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_text_atomically(dir.string(), "x"), std::runtime_error);  // a directory
}

TEST(AtomicFile, DashIsStandardOutput) {
  fs::current_path(fresh_dir("sg-atomic-dash"));
  testing::internal::CaptureStdout();
  write_text_atomically("-", "to stdout\n");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "to stdout\n");
  EXPECT_FALSE(fs::exists("-"));
}

}  // namespace
}  // namespace sg
