// A directory of its own for one test (removed afterwards), a fresh database path, and a whole file read back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sgtest {

class TempDir {
 public:
  // prefix_<pid>_<test name> under the system's temporary directory, empty.
  explicit TempDir(const std::string& prefix) {
    path_ = std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A database path under gtest's temporary directory, with any file (and WAL/SHM companions) an earlier run
// left there removed.
inline std::string fresh_db_path(const std::string& name) {
  std::string path = ::testing::TempDir() + "/" + name;
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace sgtest
