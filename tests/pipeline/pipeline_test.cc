// The pipeline layer without a command line: source discovery, option errors, and the ingest loop's result
// and events (what a front end prints) for a capture stored once and then skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/ingest.h"
#include "pipeline/sources.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sg;

namespace {

const fs::path kCapture = fs::path(__FILE__).parent_path().parent_path() / "cases" / "http-curl" / "capture.pcap";

struct Recorder : pipeline::SourceEvents {
  std::vector<std::string> finished, already, unreadable_files;
  void file_finished(const std::string& name, const IngestStats&, double, uint64_t) override {
    finished.push_back(name);
  }
  void already_ingested(const std::string& path, const std::string& status, const std::string&) override {
    already.push_back(path + " " + status);
  }
  void unreadable(const std::string& file, const std::string&) override { unreadable_files.push_back(file); }
};

}  // namespace

TEST(PipelineSources, ExpandsFoldersToTheirCapturesInNameOrder) {
  sgtest::TempDir dir("sg_pipeline");
  fs::create_directories(dir.path() / "sub");
  for (const char* name : {"b.pcap", "a.pcapng.gz", "sub/c.cap.zst", "notes.txt", "x.gz"})
    std::ofstream(dir.file(name)) << "x";
  auto files = pipeline::expand_inputs({dir.path().string(), "named.txt"});
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(fs::path(files[0]).filename(), "a.pcapng.gz");
  EXPECT_EQ(fs::path(files[1]).filename(), "b.pcap");
  EXPECT_EQ(fs::path(files[2]).filename(), "c.cap.zst");
  EXPECT_EQ(files[3], "named.txt");  // named files are taken as they are
}

TEST(PipelineSources, OptionsThatCannotRunNameTheirOption) {
  pipeline::SourceOptions opt;
  pipeline::SourceHooks hooks;
  pipeline::SourceEvents quiet;
  IngestStats total;
  opt.bpf = "port 80";
  opt.inputs = {kCapture.string()};
  try {
    pipeline::run_sources(opt, hooks, quiet, total);
    FAIL() << "--bpf without --live ran";
  } catch (const pipeline::OptionError& e) {
    EXPECT_EQ(e.option, "--bpf");
    EXPECT_EQ(std::string(e.what()), "--bpf: --bpf applies to --live captures only");
  }
  opt.bpf.clear();
  opt.sensor_nets = {"not-a-prefix"};
  EXPECT_THROW(pipeline::run_sources(opt, hooks, quiet, total), std::invalid_argument);
}

TEST(PipelineIngest, StoresACaptureOnceAndReportsTheSkip) {
  ASSERT_TRUE(fs::exists(kCapture)) << kCapture;
  sgtest::TempDir dir("sg_pipeline");
  ProbeStore store(dir.file("p.db"));
  pipeline::SourceOptions opt;
  opt.inputs = {kCapture.string(), dir.file("missing.pcap")};
  Recorder first;
  auto r = pipeline::ingest_captures(store, opt, first);
  EXPECT_EQ(r.exit_code, 1);  // the missing file
  EXPECT_EQ(r.files_ingested, 1u);
  EXPECT_GT(r.new_probes, 0u);
  EXPECT_EQ(first.finished, std::vector<std::string>{kCapture.string()});
  EXPECT_EQ(first.unreadable_files, std::vector<std::string>{dir.file("missing.pcap")});
  EXPECT_EQ(r.total.file_errors.count(dir.file("missing.pcap")), 1u);

  opt.inputs = {kCapture.string()};
  Recorder second;
  auto again = pipeline::ingest_captures(store, opt, second);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.files_ingested, 0u);
  EXPECT_EQ(again.new_probes, 0u);
  ASSERT_EQ(again.skipped.size(), 1u);
  EXPECT_EQ(again.skipped[0].path, kCapture.string());
  EXPECT_EQ(again.skipped[0].same_as, kCapture.string());
  EXPECT_EQ(second.already, std::vector<std::string>{kCapture.string() + " " + again.skipped[0].status});
  EXPECT_TRUE(second.finished.empty());
}
