// Command-line conventions an analyst's scripts rely on: usage errors exit 2, `help COMMAND`, `-` for
// standard input and output, damaged compressed captures, and help texts that point only inside the repository.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cli_run.h"
#include "support/frames.h"

namespace fs = std::filesystem;
using namespace sgtest;

namespace {

const fs::path kSource = fs::path(__FILE__).parent_path().parent_path().parent_path();

CliResult run_out(const std::string& args) { return run_binary(SG_BINARY, args, /*merge_stderr=*/false); }

class Conventions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sg_conv_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& n) const { return (dir_ / n).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  // `n` HTTP sessions from distinct clients, one second apart.
  std::string capture(const std::string& name, int n, int first = 0) {
    std::vector<Frame> frames;
    for (int i = first; i < first + n; ++i) {
      auto s = tcp_session(1736121600000000 + int64_t(i) * 1000000, {198, 51, 100, uint8_t(i)}, {192, 0, 2, 1},
                           uint16_t(40000 + i), 80, {"GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: s\r\n\r\n"});
      frames.insert(frames.end(), s.begin(), s.end());
    }
    write_pcap(path(name), DLT_EN10MB, frames);
    return path(name);
  }
  static size_t count_lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }
  fs::path dir_;
};

TEST_F(Conventions, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli("extract --no-such-option x.pcap").rc, 2);
  EXPECT_EQ(run_cli("lookup").rc, 2);  // --db is required
  EXPECT_EQ(run_cli("").rc, 2);        // no command
  EXPECT_EQ(run_cli("export --db " + path("x.db") + " --format yaml").rc, 2);
  EXPECT_EQ(run_cli("--help").rc, 0);
}

TEST_F(Conventions, AnUnknownCommandNamesItself) {
  CliResult r = run_cli("lookupp --db x.db 1.2.3.4");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("unknown command 'lookupp'"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("A subcommand is required"), std::string::npos) << r.out;
}

TEST_F(Conventions, HelpCommandIsTheHelpFlag) {
  CliResult top = run_cli("help"), flag = run_cli("--help");
  EXPECT_EQ(top.rc, 0);
  EXPECT_EQ(top.out, flag.out);
  CliResult sub = run_cli("help export"), subflag = run_cli("export --help");
  EXPECT_EQ(sub.rc, 0);
  EXPECT_EQ(sub.out, subflag.out);
  EXPECT_NE(sub.out.find("--format"), std::string::npos) << sub.out;
  EXPECT_EQ(run_cli("help labels import").out, run_cli("labels import --help").out);
}

TEST_F(Conventions, DashReadsCapturesFromStandardInput) {
  std::string cap = capture("in.pcap", 3);
  CliResult file = run_out("extract -q " + cap);
  CliResult piped = run_out("extract -q - < " + cap);
  ASSERT_EQ(piped.rc, 0);
  EXPECT_EQ(piped.out, file.out);
  EXPECT_EQ(count_lines(piped.out), 3u);
  // compressed input on a pipe too
  ASSERT_EQ(system(("gzip -c " + cap + " > " + path("in.pcap.gz")).c_str()), 0);
  EXPECT_EQ(run_out("extract -q - < " + path("in.pcap.gz")).out, file.out);

  std::string db = path("s.db");
  CliResult ing = run_cli("ingest --db " + db + " - < " + cap);
  ASSERT_EQ(ing.rc, 0) << ing.out;
  EXPECT_NE(ing.out.find("stored 3 new probes"), std::string::npos) << ing.out;
  CliResult again = run_cli("ingest --db " + db + " - < " + cap);  // same content: recognised by its hash
  EXPECT_NE(again.out.find("already ingested"), std::string::npos) << again.out;
  EXPECT_EQ(count_lines(run_out("probes --db " + db).out), 3u);
}

TEST_F(Conventions, DashAsOutWritesStandardOutput) {
  std::string db = path("s.db");
  ASSERT_EQ(run_cli("ingest -q --db " + db + " " + capture("in.pcap", 2)).rc, 0);
  CliResult r = run_binary("cd " + dir_.string() + " && " SG_BINARY, "export --db " + db + " --format stix --out -",
                           /*merge_stderr=*/false);
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("\"id\": \"bundle--"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "-"));
}

TEST_F(Conventions, ExportOutThroughASymlinkKeepsTheLink) {
  std::string db = path("s.db");
  ASSERT_EQ(run_cli("ingest -q --db " + db + " " + capture("in.pcap", 2)).rc, 0);
  fs::create_directories(dir_ / "www");
  fs::create_symlink(dir_ / "www" / "feed.json", dir_ / "feed.json");
  CliResult r = run_cli("export --db " + db + " --format stix --out " + path("feed.json"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(fs::is_symlink(dir_ / "feed.json"));
  EXPECT_NE(slurp(path("www/feed.json")).find("bundle"), std::string::npos);
}

// A gzip capture with a bad trailer CRC: every probe is kept (gzip -dc recovers all the data), the damage is
// reported once, naming the file and the offset.
TEST_F(Conventions, GzipWithABadTrailerKeepsEveryProbeAndSaysSoOnce) {
  std::string cap = capture("c.pcap", 20);
  std::string raw = slurp(cap);
  std::string gz(compressBound(raw.size()) + 64, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 0xff);  // the CRC-32
  std::ofstream(path("bad.pcap.gz"), std::ios::binary) << gz;

  CliResult r = run_out("extract " + path("bad.pcap.gz") + " 2>" + path("err.txt"));
  std::string err = slurp(path("err.txt"));
  EXPECT_EQ(r.rc, 0) << err;
  EXPECT_EQ(count_lines(r.out), 20u) << err;
  const std::string what = "bad.pcap.gz: damaged capture at byte offset " + std::to_string(raw.size());
  size_t at = err.find(what);
  EXPECT_NE(at, std::string::npos) << err;
  EXPECT_EQ(err.find("bad.pcap.gz", at + what.size()), std::string::npos) << "reported twice:\n" << err;

  CliResult ing = run_cli("ingest --db " + path("s.db") + " " + path("bad.pcap.gz"));
  EXPECT_NE(ing.out.find("stored 20 new probes"), std::string::npos) << ing.out;
}

// Commands and sub-commands listed in a --help text (CLI11's "Subcommands:" block).
std::vector<std::string> subcommands(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0 || line.rfind("SUBCOMMANDS:", 0) == 0) {
      inside = true;
    } else if (inside && line.rfind("  ", 0) == 0) {
      std::istringstream words(line);
      std::string name;
      words >> name;
      out.push_back(name);
    } else if (inside && !line.empty()) {
      inside = false;
    }
  }
  return out;
}

TEST(Docs, NothingPointsOutsideTheRepository) {
  auto check = [](const std::string& where, const std::string& text) {
    for (const char* bad : {"DESIGN", "../shared"})
      EXPECT_EQ(text.find(bad), std::string::npos) << where << " mentions " << bad;
  };
  std::ifstream readme(kSource / "README.md");
  ASSERT_TRUE(readme) << kSource / "README.md";
  check("README.md", {std::istreambuf_iterator<char>(readme), {}});
  EXPECT_TRUE(fs::exists(kSource / "docs" / "FIELDS.md"));
  EXPECT_TRUE(fs::exists(kSource / "LICENSE"));

  CliResult top = run_cli("--help");
  check("--help", top.out);
  auto commands = subcommands(top.out);
  EXPECT_GE(commands.size(), 10u) << top.out;
  for (const auto& c : commands) {
    CliResult r = run_cli(c + " --help");
    check(c + " --help", r.out);
    for (const auto& s : subcommands(r.out)) check(c + " " + s + " --help", run_cli(c + " " + s + " --help").out);
  }
}

}  // namespace
