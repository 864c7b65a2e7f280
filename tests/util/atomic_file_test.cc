// Atomic file replacement: readers see the old file or the new one, never a half-written one or a leftover.
#include "util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace sg
