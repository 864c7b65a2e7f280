// scannergrouper links no libtorch; the model commands run in scannergrouper-ml beside it, reached through
// the same command line. Skipped in a build without libtorch (no second binary).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;

const fs::path kBinary = SG_BINARY;
const fs::path kModelBinary = kBinary.parent_path() / "scannergrouper-ml";

sgtest::CliResult run_as(const fs::path& binary, const std::string& args) {
  return sgtest::run_binary(binary.string(), args);
}

TEST(Binaries, TheMainBinaryNeverLoadsLibtorch) {
  if (!fs::exists(kModelBinary)) GTEST_SKIP() << "built without libtorch";
  // The dynamic loader lists every library it opens.
  auto r = sgtest::run_binary("LD_DEBUG=files " + kBinary.string(), "simulate --help");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("libsqlite3"), std::string::npos) << r.out.substr(0, 500);  // the listing works
  EXPECT_EQ(r.out.find("libtorch"), std::string::npos);
  auto ml = sgtest::run_binary("LD_DEBUG=files " + kModelBinary.string(), "train --help");
  EXPECT_NE(ml.out.find("libtorch"), std::string::npos);
}

TEST(Binaries, ModelCommandsAreHandedToTheSecondBinary) {
  if (!fs::exists(kModelBinary)) GTEST_SKIP() << "built without libtorch";
  auto r = sgtest::run_cli("train --help");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("--backbone"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Usage: " + kBinary.string() + " train"), std::string::npos) << r.out;  // reads as ours
  r = sgtest::run_cli("identify --db /nonexistent/x.db --from 2025-01-01 --to 2025-01-08");
  EXPECT_NE(r.rc, 0) << r.out;  // the model binary's own validation, through ours
  EXPECT_NE(r.out.find("/nonexistent/x.db"), std::string::npos) << r.out;
  r = sgtest::run_cli("--help");
  for (const char* c : {"train", "update", "refit", "identify", "evaluate", "run", "clusters", "report", "lookup"})
    EXPECT_NE(r.out.find("  " + std::string(c) + " "), std::string::npos) << c;
}

TEST(Binaries, WithoutTheSecondBinaryOnlyModelCommandsFailAndSayWhy) {
  if (!fs::exists(kModelBinary)) GTEST_SKIP() << "built without libtorch";
  auto dir = fs::temp_directory_path() / ("sg_alone_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::copy_file(kBinary, dir / "scannergrouper");
  auto r = run_as(dir / "scannergrouper", "simulate --scenario demo --out " + (dir / "cap").string() + "/");
  EXPECT_EQ(r.rc, 0) << r.out;
  r = run_as(dir / "scannergrouper", "train --db x.db --until 2025-01-20");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("error: 'train' needs " + (dir / "scannergrouper-ml").string()), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
