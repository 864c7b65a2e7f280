// The paired cases: for every Zeek test case (a trace and the logs Zeek wrote for it) and both paired Suricata
// records, the probes read from the logs against `extract`'s probes of the same trace, field by field on the
// fields the log carries (its export keys; absent ones are not compared). Sessions are matched by 5-tuple
// (btest masked the logs' times). Every disagreement must fall in an explained class (kClasses); the
// per-case table is written to test-artifacts/logs_agreement.md (bench/RESULTS.md quotes it).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "export/json.h"
#include "log_fixture.h"
#include "pipeline/sources.h"

namespace {

namespace fs = std::filesystem;

const fs::path kLogs = fs::path(SG_SHARED_DATA) / "logs";

std::vector<sg::Probe> extract(const std::string& trace) {
  std::vector<sg::Probe> out;
  sg::pipeline::SourceOptions opt;
  opt.inputs = {trace};
  sg::pipeline::SourceHooks hooks;
  hooks.begin = [](const std::string&, const sg::pipeline::PreparedSource&) { return true; };
  hooks.probe = [&](const sg::Probe& p) { out.push_back(p); };
  hooks.end = [](const std::string&, const sg::IngestStats&) {};
  sg::pipeline::SourceEvents events;
  sg::IngestStats total;
  sg::pipeline::run_sources(opt, hooks, events, total);
  return out;
}

std::string text(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  std::string s(b.GetString(), b.GetSize());
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

// Why a log's value differs from the capture's, by field: what each log does to the value.
struct Class {
  const char* source;  // eve | zeek
  const char* key;     // section.key
  const char* why;
};
const Class kClasses[] = {
    {"zeek", "http.uri",
     "Zeek logs the URI with its percent-escapes decoded (%F0%9F%98%84 as the emoji, %07 as \\x07)"},
    {"zeek", "http.body_length",
     "Zeek counts the whole request body; the probe counts what the first message held (Expect: 100-continue "
     "sends the body after the server's answer)"},
    {"zeek", "service",
     "the capture's first client message is not the log's: XMPP before STARTTLS is `other` in the capture, "
     "ssl.log logs the TLS after it"},
    {"zeek", "direction",
     "Zeek flipped the connection (both ports 53, the first packet seen was the answer): the capture's client is "
     "the log's responder"},
    {"zeek", "transport",
     "ssl.log has no transport column: QUIC's TLS (UDP, encrypted Initial) is read as TCP; in the capture it is a "
     "UDP `other` probe"},
};

const char* explain(const std::string& source, const std::string& key) {
  for (const auto& c : kClasses)
    if (source == c.source && key == c.key) return c.why;
  return nullptr;
}

struct CaseRow {
  std::string name;
  int log_probes = 0, matched = 0, fields = 0, agree = 0;
  std::map<std::string, int> disagree;  // key -> count
  std::vector<std::string> unmatched;
};

// Compares every key the log probe exports in its service section (and the service itself).
void compare(const std::string& source, const sg::Probe& log, const sg::Probe& cap, CaseRow& row,
             std::vector<std::string>& examples) {
  rapidjson::Document a, b;
  const std::string ja = sg::probe_to_jsonl(log), jb = sg::probe_to_jsonl(cap);
  a.Parse(ja.data(), ja.size());
  b.Parse(jb.data(), jb.size());
  ++row.fields;
  if (log.service == cap.service) {
    ++row.agree;
  } else {
    ++row.disagree["service"];
    examples.push_back(row.name + ": service log=" + sg::service_name(log.service) +
                       " capture=" + sg::service_name(cap.service));
    return;
  }
  const char* section = sg::service_name(log.service);
  if (!a.HasMember(section)) return;  // syn: nothing but the session itself
  const auto& la = a[section];
  for (auto it = la.MemberBegin(); it != la.MemberEnd(); ++it) {
    const std::string key = std::string(section) + "." + it->name.GetString();
    ++row.fields;
    const rapidjson::Value* other =
        b.HasMember(section) && b[section].HasMember(it->name) ? &b[section][it->name] : nullptr;
    if (other && *other == it->value) {
      ++row.agree;
    } else {
      ++row.disagree[key];
      examples.push_back(row.name + ": " + key + " log=" + text(it->value) +
                         " capture=" + (other ? text(*other) : "(none)"));
    }
  }
}

bool same_session(const sg::Probe& a, const sg::Probe& b) {
  return a.src == b.src && a.sport == b.sport && a.dst == b.dst && a.dport == b.dport && a.transport == b.transport;
}

TEST(PairedLogs, LogProbesAgreeWithTheCaptureOnWhatTheyCarry) {
  if (!fs::exists(kLogs)) GTEST_SKIP() << "no shared data at " << kLogs;
  sgtest::TempDir dir("sg_paired");
  std::vector<CaseRow> rows;
  std::vector<std::string> examples, unexplained;
  std::vector<fs::path> cases;
  for (const char* group : {"zeek", "suricata"})
    for (const auto& e : fs::directory_iterator(kLogs / group))
      if (e.is_directory() && e.path().filename() != "unpaired") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  for (const auto& c : cases) {
    const std::string source = c.parent_path().filename() == "zeek" ? "zeek" : "eve";
    std::string trace;
    std::vector<fs::path> logs;
    for (const auto& f : fs::directory_iterator(c)) {
      const std::string n = f.path().filename().string();
      if (n.ends_with(".log") || n.ends_with(".json") || n.ends_with(".tsv"))
        logs.push_back(f.path());
      else
        trace = f.path().string();
    }
    ASSERT_FALSE(trace.empty()) << c;
    const auto captured = extract(trace);
    CaseRow row;
    row.name = source + "/" + c.filename().string();
    std::sort(logs.begin(), logs.end());
    for (const auto& l : logs) {
      // http-non-printable-tsv-json holds the same entries twice (TSV and JSON): both are compared.
      auto run = sgtest::read_log_text(dir, "log", sgtest::unmask_ts(sgtest::read_text(l.string())));
      EXPECT_TRUE(run.bad.empty()) << l << ": " << (run.bad.empty() ? "" : run.bad[0]);
      for (const auto& p : run.probes) {
        ++row.log_probes;
        const sg::Probe* match = nullptr;
        for (const auto& q : captured)
          if (same_session(p, q) && (!match || (q.service == p.service && match->service != p.service))) match = &q;
        if (!match) {
          // Zeek's direction flip, and ssl.log's missing transport: the session is there in another form.
          for (const auto& q : captured) {
            if (q.src == p.dst && q.sport == p.dport && q.dst == p.src && q.dport == p.sport &&
                q.transport == p.transport)
              match = &q;
          }
          const char* why = match ? "direction" : nullptr;
          if (!match)
            for (const auto& q : captured)
              if (q.src == p.src && q.sport == p.sport && q.dst == p.dst && q.dport == p.dport)
                match = &q, why = "transport";
          if (match) {
            ++row.matched;
            ++row.fields;
            ++row.disagree[why];
            examples.push_back(row.name + ": " + why + " log=" + p.src + ":" + std::to_string(p.sport) + ">" + p.dst +
                               ":" + std::to_string(p.dport) + "/" + sg::transport_name(p.transport) +
                               " capture=" + match->src + ":" + std::to_string(match->sport) + ">" + match->dst + ":" +
                               std::to_string(match->dport) + "/" + sg::transport_name(match->transport) + " " +
                               sg::service_name(match->service));
            continue;
          }
          row.unmatched.push_back(l.filename().string() + " " + p.src + ":" + std::to_string(p.sport) + " > " + p.dst +
                                  ":" + std::to_string(p.dport) + " " + sg::service_name(p.service));
          continue;
        }
        ++row.matched;
        compare(source, p, *match, row, examples);
      }
    }
    for (const auto& [key, n] : row.disagree)
      if (!explain(source, key)) unexplained.push_back(row.name + ": " + key);
    rows.push_back(row);
  }

  // The table, for bench/RESULTS.md.
  fs::create_directories(SG_ARTIFACTS);
  std::ofstream md(std::string(SG_ARTIFACTS) + "/logs_agreement.md");
  md << "| case | log probes | matched in capture | fields compared | agree | disagreeing fields |\n";
  md << "|---|---:|---:|---:|---:|---|\n";
  int total_fields = 0, total_agree = 0, total_probes = 0, total_matched = 0;
  for (const auto& r : rows) {
    std::string dis;
    for (const auto& [k, n] : r.disagree) dis += (dis.empty() ? "" : ", ") + k + " ×" + std::to_string(n);
    if (!r.unmatched.empty()) dis += (dis.empty() ? "" : "; ") + std::string("unmatched: ") + r.unmatched[0];
    md << "| " << r.name << " | " << r.log_probes << " | " << r.matched << " | " << r.fields << " | " << r.agree
       << " | " << dis << " |\n";
    total_fields += r.fields;
    total_agree += r.agree;
    total_probes += r.log_probes;
    total_matched += r.matched;
  }
  md << "| **all** | " << total_probes << " | " << total_matched << " | " << total_fields << " | " << total_agree
     << " (" << (total_fields ? 100.0 * total_agree / total_fields : 0) << "%) | |\n\n";
  md << "Disagreement classes:\n\n";
  for (const auto& c : kClasses) md << "- " << c.source << " `" << c.key << "`: " << c.why << "\n";
  md << "\nEvery disagreement:\n\n";
  for (const auto& e : examples) md << "- " << e << "\n";
  for (const auto& r : rows)
    for (const auto& u : r.unmatched) md << "- " << r.name << ": no capture probe for " << u << "\n";

  EXPECT_TRUE(unexplained.empty()) << "unexplained disagreements, first: " << unexplained[0];
  EXPECT_EQ(total_matched, total_probes) << "every log probe's session is in its capture";
  EXPECT_GE(total_agree * 10, total_fields * 8) << "most compared fields agree";
}

}  // namespace
