// The conventions every command shares (README, Options every command shares): -q and -v on every command
// and subcommand with one meaning, and --format json as one JSON document on stdout. Real invocations on a
// small simulated database, not --help: an option that parses but does nothing would pass a help loop.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Res {  // one invocation
  int rc;
  std::string out, err;  // stdout and stderr apart: -q is about stderr, --format json about stdout
};

std::string q(const std::string& s) { return "'" + s + "'"; }

class SharedOptions : public ::testing::Test {
 protected:
  // One small database for the whole suite: two days, three listed organisations (censys counts as unknown in
  // evaluation, so shodan and stretchoid are the two a model can learn) and unknown tools.
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("sg_verbosity_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    std::ofstream(path("scenario.json")) << R"({"start": "2025-01-06", "days": 2, "seed": 3,
               "sensors": {"v4": "192.0.2.0/28", "v4_count": 4},
               "orgs": [{"profile": "censys", "sessions": 60, "ips": 4, "v4": ["198.51.100.32/28"]},
                        {"profile": "shodan", "sessions": 60, "ips": 4, "v4": ["198.51.100.64/28"]},
                        {"profile": "stretchoid", "sessions": 60, "ips": 4, "v4": ["198.51.100.96/28"]},
                        {"profile": "unknown", "sessions": 40, "ips": 8, "v4": ["203.0.113.0/24"]}]})";
    Res s = run("simulate -q --scenario " + q(path("scenario.json")) + " --out " + q(path("cap") + "/"));
    ASSERT_EQ(s.rc, 0) << s.err;
    Res i = run("ingest -q --db " + q(db()) + " --sensor-net 192.0.2.0/28 " + q(path("cap")));
    ASSERT_EQ(i.rc, 0) << i.err;
    Res l = run("labels import -q --db " + q(db()) + " " + q(path("cap/labels.tsv")));
    ASSERT_EQ(l.rc, 0) << l.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static std::string db() { return path("x.db"); }
  static std::string captures() { return path("cap"); }

  static Res run(const std::string& args, const std::string& env = "") {
    static int n = 0;
    std::string err_file = path("stderr." + std::to_string(n++));
    FILE* p = popen((env + " " + SG_BINARY + " " + args + " 2>" + q(err_file)).c_str(), "r");
    std::string out;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out, sgtest::read_file(err_file)};
  }

  // stdout of a --format json run: exactly one JSON document.
  static json parse_one(const Res& r, const std::string& args) {
    EXPECT_EQ(r.rc, 0) << args << "\n" << r.err;
    try {
      return json::parse(r.out);  // throws on a second document or trailing garbage
    } catch (const std::exception& e) {
      ADD_FAILURE() << args << ": stdout is not one JSON document: " << e.what() << "\n" << r.out.substr(0, 2000);
      return nullptr;
    }
  }

  static std::string capture_file() {
    for (const auto& e : fs::directory_iterator(captures()))
      if (e.path().extension() == ".pcap") return e.path().string();
    return "";
  }

  static fs::path* dir_;
};

fs::path* SharedOptions::dir_ = nullptr;

// Invocations that work on the small database without models, one per command and subcommand: the
// command's words, then its arguments (a flag goes between them, where scripts put it).
std::vector<std::pair<std::string, std::string>> plain_invocations(const std::string& db, const std::string& dir,
                                                                   const std::string& cap) {
  return {
      {"extract", q(cap)},
      {"ingest", "--db " + q(db) + " " + q(cap)},  // already ingested: skipped
      {"probes", "--db " + q(db) + " --service http"},
      {"simulate", "--scenario " + q(dir + "/scenario.json") + " --out " + q(dir + "/again.pcap")},
      {"lookup", "--db " + q(db) + " 198.51.100.33"},
      {"export", "--db " + q(db)},
      {"select", "--db " + q(db) + " --until 2025-01-08"},
      {"report", "--db " + q(db) + " --out " + q(dir + "/report") + " --no-compute"},
      {"labels import", "--db " + q(db) + " " + q(dir + "/cap/labels.tsv")},
      {"labels lookup", "--db " + q(db) + " --at 2025-01-06 198.51.100.33"},
      {"labels stats", "--db " + q(db)},
      {"labels config", "--db " + q(db)},
      {"labels keygen", "--out " + q(dir + "/other.key")},
      {"labels tag",
       "--key-file " + q(dir + "/tag.key") + " --sensor 1 --record 2 --ip 198.51.100.9 --time 2025-01-06"},
      {"labels find-tags", "--key-file " + q(dir + "/tag.key") + " " + q(dir + "/tags.txt")},
      {"abuse import", "--db " + q(db) + " " + q(dir + "/abuse.json")},
  };
}

void write_side_files(const std::string& dir) {
  std::ofstream(dir + "/abuse.json") << R"({"data":{"ipAddress":"198.51.100.33","abuseConfidenceScore":60}})";
  if (!fs::exists(dir + "/tag.key")) {
    ASSERT_EQ(std::system((std::string(SG_BINARY) + " labels keygen --out '" + dir + "/tag.key'").c_str()), 0);
  }
  std::ofstream(dir + "/tags.txt") << "banner without a tag\n";
}

TEST_F(SharedOptions, EveryCommandTakesQuietAndVerbose) {
  write_side_files(dir_->string());
  for (const auto& [words, rest] : plain_invocations(db(), dir_->string(), capture_file())) {
    run(words + " " + rest);  // a first run may change the database (select freezes its fields)
    Res plain = run(words + " " + rest);
    EXPECT_EQ(plain.rc, 0) << words << "\n" << plain.err;
    for (const std::string flag : {"-q", "--quiet", "-v", "--verbose"}) {
      const std::string cmd = words + " " + flag + " " + rest;
      Res r = run(cmd);
      EXPECT_EQ(r.rc, 0) << cmd << "\n" << r.err;
      EXPECT_EQ(r.out.size(), plain.out.size()) << cmd;  // the result on stdout is the same (lengths: tags vary)
      if (flag == "-q" || flag == "--quiet")
        EXPECT_EQ(r.err, "") << cmd;  // nothing here is an error or lost data
      else                            // -v: at least the time the command took, named
        EXPECT_NE(r.err.find(words + ": "), std::string::npos) << cmd << "\n" << r.err;
    }
  }
  // Before the command too, and never both.
  Res before = run("-q probes --db " + q(db()));
  EXPECT_EQ(before.rc, 0) << before.err;
  Res both = run("probes -q -v --db " + q(db()));
  EXPECT_EQ(both.rc, 2) << both.err;
}

TEST_F(SharedOptions, ModelCommandsTakeQuietVerboseAndFormat) {
  // Their options are the same in both builds; without the models they stop at the missing stage (exit 1),
  // never at a usage error (exit 2).
  ASSERT_EQ(run("select -q --db " + q(db()) + " --until 2025-01-08").rc, 0);  // train needs the fields
  const std::string few = " --iterations 2 --batch 4 --services http";
  const std::vector<std::string> cmds = {
      "train --db " + q(db()) + " --until 2025-01-08 --incremental" + few,
      "refit --db " + q(db()),
      "update --db " + q(db()) + " --week 2025-01-07" + few,
      "identify --db " + q(db()) + " --from 2025-01-06 --to 2025-01-08",
      "evaluate --db " + q(db()) + " --from 2025-01-06 --to 2025-01-08",
      "run --db " + q(path("run.db")) + " --captures " + q(captures()) + " --labels " + q(path("cap/labels.tsv")) +
          " --bootstrap-weeks 1 --iterations 2 --week-iterations 2",
  };
  for (const auto& c : cmds)
    for (const char* extra : {" -q --format json", " -v --format table"}) {
      Res r = run(c + extra);
      EXPECT_NE(r.rc, 2) << c << extra << "\n" << r.err;
      if (!SG_WITH_MODELS) {
        EXPECT_NE(r.err.find("needs the models"), std::string::npos) << c << extra << "\n" << r.err;
      } else {
        EXPECT_EQ(r.rc, 0) << c << extra << "\n" << r.err;
        if (extra[2] == 'q') {
          EXPECT_NO_THROW(json::parse(r.out)) << c << extra << "\n" << r.out.substr(0, 500);
        }
      }
    }
  if (!SG_WITH_MODELS) return;
  // The facts of each, as one object on stdout, and nothing on stderr under -q.
  Res t = run("train -q --format json --db " + q(db()) + " --until 2025-01-08 --incremental" + few);
  json j = parse_one(t, "train");
  EXPECT_EQ(t.err, "");
  EXPECT_EQ(j["services"][0]["service"], "http");
  EXPECT_EQ(j["services"][0]["trained"], true);
  EXPECT_EQ(j["services"][0]["iterations"], 2);
  EXPECT_EQ(j["ensemble"]["classes"], json({"shodan", "stretchoid"}));
  j = parse_one(run("refit -q --format json --db " + q(db())), "refit");
  EXPECT_TRUE(j["ensemble"].contains("theta")) << j.dump();
  j = parse_one(run("update -q --format json --db " + q(db()) + " --week 2025-01-07" + few), "update");
  EXPECT_EQ(j["services"][0]["trained"], true) << j.dump();
  Res id = run("identify -q --format json --db " + q(db()) + " --from 2025-01-06 --to 2025-01-08");
  j = parse_one(id, "identify");
  EXPECT_EQ(id.err, "");
  EXPECT_GT(j["scanners"].get<size_t>(), 0u);
  EXPECT_EQ(j["rows"].size(), j["scanners"].get<size_t>());
  EXPECT_TRUE(j["per_org"].contains("shodan")) << j.dump();
  j = parse_one(run("evaluate -q --format json --db " + q(db()) + " --from 2025-01-06 --to 2025-01-08"), "evaluate");
  EXPECT_TRUE(j.is_object());
  j = parse_one(run("run -q --format json --db " + q(path("run.db")) + " --captures " + q(captures()) + " --labels " +
                    q(path("cap/labels.tsv"))),
                "run");
  EXPECT_EQ(j["ingest"]["files_ingested"], 0);  // the loop above ingested them
  EXPECT_TRUE(j["weeks"].contains("done")) << j.dump();
}

TEST_F(SharedOptions, FormatJsonIsOneDocumentWithTheFacts) {
  write_side_files(dir_->string());
  const std::string cap = capture_file();
  // Rows: the json array holds what jsonl prints, line for line.
  Res lines = run("extract -q " + q(cap));
  size_t n = std::count(lines.out.begin(), lines.out.end(), '\n');
  ASSERT_GT(n, 0u);
  json j = parse_one(run("extract -q --format json " + q(cap)), "extract");
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), n);
  EXPECT_EQ(j[0], json::parse(lines.out.substr(0, lines.out.find('\n'))));

  json probes = parse_one(run("probes --format json --db " + q(db())), "probes");
  ASSERT_TRUE(probes.is_array());
  Res probe_lines = run("probes --db " + q(db()));
  EXPECT_EQ(probes.size(), size_t(std::count(probe_lines.out.begin(), probe_lines.out.end(), '\n')));
  EXPECT_EQ(parse_one(run("probes --format json --db " + q(db()) + " --from 2030-01-01"), "probes"), json::array());

  // Summaries: what the table says on stderr, as one object on stdout (under -q too: it is the result).
  Res fresh =
      run("ingest -q --format json --db " + q(path("fresh.db")) + " --sensor-net 192.0.2.0/28 " + q(captures()));
  j = parse_one(fresh, "ingest");
  EXPECT_EQ(fresh.err, "");
  EXPECT_EQ(j["new_probes"].get<size_t>(), probes.size());
  EXPECT_EQ(j["probes"].get<size_t>(), probes.size());
  EXPECT_GT(j["files_ingested"].get<int>(), 0);
  EXPECT_EQ(j["files_skipped"], 0);
  EXPECT_TRUE(j["probes_by_service"].contains("http")) << j.dump();
  j = parse_one(run("ingest --format json --db " + q(path("fresh.db")) + " " + q(captures())), "ingest again");
  EXPECT_EQ(j["new_probes"], 0);
  EXPECT_EQ(j["files_skipped"].get<int>(), j["files_ingested"].get<int>() + j["files_skipped"].get<int>());

  j = parse_one(run("simulate --format json --scenario " + q(path("scenario.json")) + " --out " + q(path("s2/"))),
                "simulate");
  EXPECT_GT(j["packets"].get<int>(), 0);
  EXPECT_EQ(j["files"].size(), 2u);  // two days
  EXPECT_EQ(j["sensor_nets"][0], "192.0.2.0/28");
  EXPECT_TRUE(j["labels"].get<std::string>().ends_with("labels.tsv"));

  j = parse_one(run("lookup --format json --db " + q(db()) + " 198.51.100.33 203.0.113.250"), "lookup");
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["ip"], "198.51.100.33");
  EXPECT_EQ(j[1]["probes"], 0);
  Res jl = run("lookup --format jsonl --db " + q(db()) + " 198.51.100.33 203.0.113.250");
  EXPECT_EQ(std::count(jl.out.begin(), jl.out.end(), '\n'), 2);

  j = parse_one(run("export --format json --db " + q(db())), "export");
  EXPECT_TRUE(j.is_array());  // no identify yet: no rows, still a document

  j = parse_one(run("select --format json --db " + q(db()) + " --until 2025-01-08 --service http"), "select");
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["service"], "http");

  j = parse_one(run("report --format json --no-compute --db " + q(db()) + " --out " + q(path("rep"))), "report");
  EXPECT_TRUE(j["path"].get<std::string>().ends_with("report.html"));
  EXPECT_TRUE(fs::exists(j["path"].get<std::string>()));
  EXPECT_FALSE(j["sections"].empty());
  EXPECT_EQ(run("report --format json --db " + q(db()) + " --out -").rc, 2);  // the HTML has stdout there

  j = parse_one(run("labels import --format json --db " + q(db()) + " " + q(path("cap/labels.tsv"))), "labels import");
  EXPECT_EQ(j["files"][0]["status"], "unchanged");
  EXPECT_TRUE(j.contains("relabel"));
  j = parse_one(run("labels lookup --format json --db " + q(db()) + " --at 2025-01-06 198.51.100.33 203.0.113.9"),
                "labels lookup");
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["org"], "censys");
  EXPECT_TRUE(j[1]["org"].is_null());
  j = parse_one(run("labels stats --format json --db " + q(db())), "labels stats");
  EXPECT_EQ(j["policy"], "lpm");
  EXPECT_TRUE(j["orgs"].contains("censys")) << j.dump();
  j = parse_one(run("labels config --format json --db " + q(db())), "labels config");
  EXPECT_EQ(j["changed"], false);
  EXPECT_EQ(j["eval_unknown"], json({"censys", "driftnet"}));

  Res tag = run("labels tag --format json --key-file " + q(path("tag.key")) +
                " --sensor 7 --record 1234 --ip 198.51.100.9 --time 2025-01-06 --cookie sid");
  j = parse_one(tag, "labels tag");
  std::ofstream(path("tags.txt")) << "Set-Cookie: sid=" << j["tag"].get<std::string>() << "\n";
  j = parse_one(run("labels find-tags --format json --key-file " + q(path("tag.key")) + " " + q(path("tags.txt"))),
                "find-tags");
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["scanner"], "198.51.100.9");
  EXPECT_EQ(j[0]["record"], 1234);

  j = parse_one(run("abuse import --format json --db " + q(db()) + " " + q(path("abuse.json"))), "abuse import");
  EXPECT_EQ(j["checks"], 1);
  EXPECT_EQ(j["abusive"], 1);
  EXPECT_EQ(j["skipped"], 0);
}

TEST_F(SharedOptions, QuietDropsProgressAndInformationButNotErrorsOrLostData) {
  // Progress is reported every 65536 packets, and a line every microsecond here: the plain lines a log gets
  // (stderr is no terminal).
  const std::string big = q(path("big.pcap")), env = "SG_PROGRESS_SECONDS=0.000001";
  ASSERT_EQ(run("simulate -q --scenario scale --packets 140000 --out " + big).rc, 0);
  Res loud = run("ingest --db " + q(path("quiet.db")) + " " + big, env);
  ASSERT_EQ(loud.rc, 0) << loud.err;
  EXPECT_NE(loud.err.find("progress: "), std::string::npos) << loud.err;
  EXPECT_NE(loud.err.find("stored "), std::string::npos) << loud.err;
  EXPECT_EQ(loud.err.find("\nfile "), std::string::npos) << loud.err;  // per-file lines are -v's
  Res quiet = run("ingest -q --db " + q(path("quiet2.db")) + " " + big, env);
  EXPECT_EQ(quiet.rc, 0);
  EXPECT_EQ(quiet.err, "");
  Res again = run("ingest --quiet --db " + q(path("quiet.db")) + " " + big, env);
  EXPECT_EQ(again.err, "");  // nor "skip: already ingested"
  Res ex = run("extract -q " + big, env);
  EXPECT_EQ(ex.err, "");
  EXPECT_NE(run("extract " + big, env).err.find("progress: "), std::string::npos);

  Res verbose = run("ingest -v --db " + q(path("verbose.db")) + " " + q(captures()));
  EXPECT_NE(verbose.err.find("file " + captures() + "/"), std::string::npos) << verbose.err;
  EXPECT_NE(verbose.err.find("\ningest: "), std::string::npos) << verbose.err;  // the time it took

  // Errors still print.
  std::ofstream(path("not-a-capture.pcap")) << "this is text";
  Res bad = run("extract -q " + q(path("not-a-capture.pcap")));
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("error: "), std::string::npos) << bad.err;
  Res nodb = run("lookup -q --db " + q(path("none.db")) + " 192.0.2.1");
  EXPECT_EQ(nodb.rc, 1);
  EXPECT_NE(nodb.err.find("no such database"), std::string::npos) << nodb.err;

  // Lost data still prints: a capture cut short, label lines refused, abuse records skipped.
  std::string whole = sgtest::read_file(capture_file());
  std::ofstream(path("cut.pcap"), std::ios::binary) << whole.substr(0, whole.size() / 2 + 7);
  Res cut = run("extract -q " + q(path("cut.pcap")));
  EXPECT_NE(cut.err.find("warning: "), std::string::npos) << cut.err;
  EXPECT_EQ(cut.err.find("files "), std::string::npos) << cut.err;  // but no summary
  std::ofstream(path("bad.tsv")) << "198.51.100.0/28\tacme\tsrc\tcurrent\nnot-a-prefix\tacme\tsrc\tcurrent\n";
  Res refused = run("labels import -q --db " + q(path("labels.db")) + " " + q(path("bad.tsv")));
  EXPECT_EQ(refused.rc, 0);
  EXPECT_NE(refused.err.find("refused: "), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("imported "), std::string::npos) << refused.err;
  EXPECT_NE(refused.out.find("org\tacme\t1"), std::string::npos) << refused.out;  // the result is kept
  std::ofstream(path("abuse-bad.json")) << R"({"data":{"abuseConfidenceScore":60}})";
  Res skipped = run("abuse import -q --db " + q(db()) + " " + q(path("abuse-bad.json")));
  EXPECT_NE(skipped.err.find("skip: "), std::string::npos) << skipped.err;
}

TEST_F(SharedOptions, JsonEscapesHostileNames) {
  // A source name with a quote, a backslash and terminal escapes (organisation names are normalised at
  // import; source names are kept as given): the JSON stays one document and carries the name exactly.
  const std::string source = "src\"\\\x1b]0;pwned\x07";
  std::ofstream(path("hostile.tsv")) << "198.51.100.0/28\tacme\t" << source << "\tcurrent\n";
  json j = parse_one(run("labels import -q --format json --db " + q(path("hostile.db")) + " " + q(path("hostile.tsv"))),
                     "labels import");
  EXPECT_TRUE(j["per_source"].contains(source)) << j.dump();
  j = parse_one(run("labels lookup --format json --db " + q(path("hostile.db")) + " 198.51.100.1"), "labels lookup");
  EXPECT_EQ(j[0]["sources"], source);
  j = parse_one(run("labels stats --format json --db " + q(path("hostile.db"))), "labels stats");
  EXPECT_TRUE(j["sources"].contains(source)) << j.dump();
  // The table form goes through term_safe: no raw escape byte reaches a terminal.
  Res table = run("labels stats --db " + q(path("hostile.db")));
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("source\t"), std::string::npos) << table.out;
}

}  // namespace
