// The pipeline layer without a command line: source discovery, option errors, and the ingest loop's result
// and events (what a front end prints) for a capture stored once and then skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "export/json.h"
#include "pipeline/ingest.h"
#include "pipeline/sources.h"
#include "storage/sqlite.h"
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

// With several jobs each probe reaches the caller's thread as the record encode built on the reading thread
// (batched into one buffer), in input order: the same records as one job and as the Probes themselves
// (probe, without encode); an empty record leaves its probe out.
TEST(PipelineSources, RecordsComeInInputOrderWhateverTheJobs) {
  std::vector<std::string> inputs;
  for (const auto& e : fs::directory_iterator(kCapture.parent_path().parent_path()))
    if (fs::exists(e.path() / "capture.pcap")) inputs.push_back((e.path() / "capture.pcap").string());
  std::sort(inputs.begin(), inputs.end());
  inputs.push_back(inputs.front());  // a file twice: two lanes
  ASSERT_GE(inputs.size(), 5u);
  auto record = [](const Probe& p) { return std::to_string(p.ts_us) + " " + p.src + " " + std::to_string(p.sport); };
  auto run = [&](unsigned jobs, bool encode) {
    pipeline::SourceOptions opt;
    opt.inputs = inputs;
    opt.jobs = jobs;
    pipeline::SourceHooks hooks;
    hooks.begin = [](const std::string&, const pipeline::PreparedSource&) { return true; };
    hooks.end = [](const std::string&, const IngestStats&) {};
    std::vector<std::string> out;
    if (encode) {
      hooks.encode = [&](const Probe& p) {
        thread_local std::string text;
        text = p.service == Service::syn ? "" : record(p);
        return std::string_view(text);
      };
      hooks.record = [&](std::string_view r) { out.emplace_back(r); };
    } else {
      hooks.probe = [&](const Probe& p) {
        if (p.service != Service::syn) out.push_back(record(p));
      };
    }
    pipeline::SourceEvents quiet;
    IngestStats total;
    EXPECT_EQ(pipeline::run_sources(opt, hooks, quiet, total), 0);
    return out;
  };
  const auto probes = run(1, false);
  EXPECT_GT(probes.size(), 5u);
  EXPECT_EQ(run(1, true), probes);
  EXPECT_EQ(run(4, true), probes);
  EXPECT_EQ(run(4, false), probes);
}

// The probe store takes a probe's columns packed on another thread (pack_probe) as it takes the probe; a
// packed record whose sizes do not add up is refused before it reaches a batch.
TEST(PipelineIngest, PackedColumnsAreStoredAsTheProbe) {
  sgtest::TempDir dir("sg_pipeline");
  Probe p;
  p.ts_us = 1'700'000'000'000'000;
  p.src = "2001:db8::7";
  p.dst = "192.0.2.1";
  p.sport = 65535;
  p.dport = 53;
  p.transport = Transport::udp;
  p.service = Service::dns;
  p.dns = DnsProbe{};
  p.truncated = true;
  ProbeStore direct(dir.file("direct.db")), packed(dir.file("packed.db"));
  direct.add_probe(direct.begin_capture("h", "a.pcap", 1), p);
  std::string bytes;
  pack_probe(p, probe_to_jsonl(p), bytes);
  const int64_t cap = packed.begin_capture("h", "a.pcap", 1);
  packed.add_packed(cap, bytes);
  EXPECT_THROW(packed.add_packed(cap, std::string_view(bytes).substr(0, bytes.size() - 1)), std::logic_error);
  EXPECT_THROW(packed.add_packed(cap, "short"), std::logic_error);
  EXPECT_EQ(direct.flush(), 1u);
  EXPECT_EQ(packed.flush(), 1u);
  auto row = [](ProbeStore& s) {
    Stmt q(s.db(),
           "SELECT capture_id || '|' || ts_us || '|' || src || '|' || sport || '|' || dst || '|' || dport || '|' || "
           "transport || '|' || service || '|' || truncated || '|' || source || '|' || sensor || '|' || json "
           "FROM probes");
    return q.step() ? q.col_text(0) : "";
  };
  EXPECT_EQ(row(packed), row(direct));
  EXPECT_EQ(row(packed), "1|1700000000000000|2001:db8::7|65535|192.0.2.1|53|udp|dns|1|pcap|" + packed.sensor() + "|" +
                             probe_to_jsonl(p));
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
