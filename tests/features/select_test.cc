// `select` end to end on the simulator's demo capture: ingested by the CLI, labelled from the demo's
// ground truth, ranked and frozen; random fields flagged, sensible fields on top, reruns idempotent.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include "support/cli_run.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "capture/cidr.h"
#include "feature_fixtures.h"
#include "simulate/scenario.h"
#include "storage/sqlite.h"

using namespace sg;
using namespace sg::features;
using nlohmann::json;

namespace {

using CliRun = sgtest::CliResult;
CliRun run(const std::string& args) { return sgtest::run_cli(args); }

// Labels every stored probe whose source falls in a demo prefix (the labels module does this for real).
void label_demo(Db& db) {
  std::vector<std::pair<Cidr, std::string>> prefixes;
  std::istringstream tsv(simulate::demo_labels_tsv());
  std::string line;
  std::getline(tsv, line);  // header
  while (std::getline(tsv, line)) {
    std::istringstream f(line);
    std::string prefix, org;
    std::getline(f, prefix, '\t');
    std::getline(f, org, '\t');
    Cidr c;
    ASSERT_TRUE(parse_cidr(prefix, c)) << prefix;
    prefixes.push_back({c, org});
  }
  ensure_label_table(db);
  Transaction tx(db);
  Stmt q(db, "SELECT id, src FROM probes");
  Stmt ins(db, "INSERT OR REPLACE INTO probe_labels(probe_id, org, source) VALUES(?,?,'simulate-demo')");
  while (q.step()) {
    IpAddr a;
    ASSERT_TRUE(parse_ip(q.col_text(1), a));
    for (const auto& [c, org] : prefixes)
      if (c.contains(a)) {
        ins.bind(1, q.col_int(0)).bind(2, org);
        ins.step();
        ins.reset();
        break;
      }
  }
  tx.commit();
}

const json& service(const json& all, const std::string& name) {
  for (const json& s : all)
    if (s["service"] == name) return s;
  throw std::runtime_error("no service " + name);
}

const json& field(const json& svc, const std::string& name) {
  for (const json& f : svc["ranking"])
    if (f["field"] == name) return f;
  throw std::runtime_error("no field " + name);
}

class Select : public ::testing::Test {
 protected:
  void SetUp() override {
    simulate::SimulateOptions o;
    o.scenario = "demo";
    o.out = dir_.file("demo.pcap");
    simulate::run(o);
    db_ = dir_.file("demo.db");
    CliRun r = run("ingest --db " + db_ + " " + o.out);
    ASSERT_EQ(r.rc, 0) << r.out;
    ProbeStore store(db_);
    label_demo(store.db());
  }
  sgtest::TempDir dir_;
  std::string db_;
};

}  // namespace

TEST_F(Select, RanksFlagsFreezesAndIsIdempotent) {
  CliRun r = run("select --db " + db_ + " --until 2025-01-20 --format json");
  ASSERT_EQ(r.rc, 0) << r.out;
  json all = json::parse(r.out);
  const json& tls = service(all, "tls");
  EXPECT_EQ(tls["status"], "stored");
  EXPECT_GT(tls["probes"].get<int>(), 300);
  EXPECT_GE(tls["orgs"].get<int>(), 5);  // the demo's organisations that send TLS, censys and driftnet left out
  for (const char* f : {"random", "gmt_unix_time", "session_id"}) {
    EXPECT_TRUE(field(tls, f)["random"].get<bool>()) << f;
    EXPECT_FALSE(field(tls, f)["selected"].get<bool>()) << f;
  }
  // the reason they are flagged: MI at H(org) from unique values alone (session ids are empty for some
  // tools, so only the random bytes are unique in every probe)
  for (const char* f : {"random", "gmt_unix_time"})
    EXPECT_NEAR(field(tls, f)["mi"].get<double>(), tls["h_org"].get<double>(), 0.02) << f;
  for (const char* f : {"ciphers", "ja4"}) EXPECT_TRUE(field(tls, f)["selected"].get<bool>()) << f;
  EXPECT_FALSE(field(tls, "compression_methods")["selected"].get<bool>());  // MI 0: every client sends null only
  EXPECT_EQ(tls["selected"].size(), 6u);
  EXPECT_EQ(field(tls, "random")["kind"], "string");
  EXPECT_EQ(field(tls, "random")["width"], 10);

  const json& http = service(all, "http");
  EXPECT_TRUE(field(http, "user_agent")["selected"].get<bool>());
  EXPECT_FALSE(field(http, "method")["selected"].get<bool>());
  for (const json& f : http["ranking"]) EXPECT_FALSE(f["random"].get<bool>()) << f["field"];
  const json& dns = service(all, "dns");
  EXPECT_TRUE(field(dns, "id")["random"].get<bool>());
  EXPECT_FALSE(field(dns, "id")["selected"].get<bool>());
  EXPECT_TRUE(field(dns, "qname")["selected"].get<bool>());
  EXPECT_EQ(service(all, "ssh")["status"], "no informative field");  // one SSH org in the demo

  // Reruns change nothing; a different cut-off is refused unless forced.
  r = run("select --db " + db_ + " --until 2025-01-20");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("random"), std::string::npos);
  EXPECT_EQ(r.out.find("status: stored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("status: unchanged"), std::string::npos);
  r = run("select --db " + db_ + " --until 2025-01-23 --service tls");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("error: tls: a different selection is already frozen"), std::string::npos) << r.out;
  r = run("select --db " + db_ + " --until 2025-01-23 --service tls --force --keep-random --format json");
  ASSERT_EQ(r.rc, 0) << r.out;
  json forced = json::parse(r.out);
  EXPECT_EQ(forced[0]["status"], "replaced");
  EXPECT_TRUE(field(forced[0], "random")["selected"].get<bool>());  // the reference's choice, on request

  ProbeStore store(db_);
  auto sel = load_selection(store.db(), Service::http);
  ASSERT_TRUE(sel);
  EXPECT_EQ(sel->selected.size(), 6u);
  auto full = load_schema(store.db(), Service::http, SchemaMode::full);
  auto inc = load_schema(store.db(), Service::http, SchemaMode::incremental);
  ASSERT_TRUE(full && inc);
  EXPECT_EQ(full->cells, inc->cells);
  EXPECT_EQ(inc->side, 32);
  EXPECT_EQ(full->side, int(std::ceil(std::sqrt(double(full->cells.size())))));
  // The frozen schema encodes the week after the cut-off, with labels for training.
  BatchReader reader(store.db(), *inc, Window{sgtest::kT0 + 14 * sgtest::kDay, sgtest::kT0 + 21 * sgtest::kDay}, 256);
  EncodedBatch b;
  size_t n = 0, labelled = 0, lit = 0;
  while (reader.next(b)) {
    n += b.size();
    for (size_t i = 0; i < b.size(); ++i) {
      labelled += !b.labels[i].empty();
      lit += std::count(b.image(i), b.image(i) + b.cells_per_probe, 255) > 0;
    }
  }
  EXPECT_GT(n, 200u);
  EXPECT_GT(labelled, n / 4);  // a third of the demo's sessions come from unlabelled tools
  EXPECT_EQ(lit, n);           // every probe lights some token of the frozen vocabulary
}

TEST_F(Select, EvaluationUnknownOrgsAreLeftOutOfTheRanking) {
  ProbeStore store(db_);
  Ranking before = rank_fields(store.db(), Service::http, sgtest::kT0 + 14 * sgtest::kDay);
  store.db().exec("INSERT OR REPLACE INTO meta(key, value) VALUES('labels.eval_unknown', 'Shodan, censys, driftnet')");
  Ranking after = rank_fields(store.db(), Service::http, sgtest::kT0 + 14 * sgtest::kDay);
  EXPECT_EQ(after.orgs + 1, before.orgs);
  EXPECT_LT(after.probes, before.probes);
  CliRun r = run("select --db " + db_ + " --until nonsense");
  EXPECT_EQ(r.rc, 1);
  r = run("select --db " + db_ + " --until 2025-01-20 --service other");
  EXPECT_NE(r.rc, 0);
  r = run("select --help");
  EXPECT_NE(r.out.find("Example:"), std::string::npos);
}
