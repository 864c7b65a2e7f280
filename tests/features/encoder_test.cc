// Encoding: cells decode back to the tokens, bytes and numbers they came from; schemas are saved and
// loaded from the database; three weekly growths leave every earlier cell of every probe unchanged; the
// batch reader walks a window a batch at a time with labels.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/json.h"
#include "feature_fixtures.h"

using namespace sg;
using namespace sg::features;
using sgtest::kDay;
using sgtest::kT0;

namespace {

Schema schema_for(Service svc, const std::vector<Probe>& probes, std::vector<std::string> fields,
                  uint64_t min_count = 1) {
  TokenCounts c;
  c.fields = std::move(fields);
  c.counts.resize(c.fields.size());
  ProbeDoc d;
  for (const Probe& p : probes) {
    EXPECT_TRUE(d.parse(probe_to_jsonl(p)));
    add_probe_tokens(d, svc, c);
  }
  LayoutRules rules;
  rules.min_count = min_count;
  return build_schema(svc, c, SchemaMode::full, rules);
}

// The encode → decode round trip against what the registry extracts.
void expect_round_trip(const Encoder& enc, const Probe& p) {
  ProbeDoc d;
  ASSERT_TRUE(d.parse(probe_to_jsonl(p)));
  std::vector<uint8_t> img = enc.encode(d);
  ASSERT_EQ(img.size(), enc.cells_per_probe());
  for (size_t i = enc.schema().cells.size(); i < img.size(); ++i) ASSERT_EQ(img[i], 0) << "padding";
  std::vector<DecodedField> back = enc.decode(img.data());
  ASSERT_EQ(back.size(), enc.schema().fields.size());
  for (const DecodedField& f : back) {
    const FieldSpec* spec = find_field(enc.schema().service, f.name);
    FieldValue v = extract_field(*spec, d, enc.schema().service);
    if (f.kind == FieldKind::option) {
      std::vector<std::string> want = v.present ? v.tokens : std::vector<std::string>{kAbsentToken};
      std::sort(want.begin(), want.end());
      std::vector<std::string> got = f.tokens;
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << f.name;
    } else if (f.kind == FieldKind::string) {
      std::string want = v.bytes.substr(0, size_t(spec->width));
      while (!want.empty() && want.back() == '\0') want.pop_back();
      EXPECT_EQ(f.bytes, want) << f.name;
    } else {
      uint64_t max = (uint64_t(1) << spec->width) - 1;
      EXPECT_EQ(f.number, std::min(v.number, max)) << f.name;
    }
  }
}

}  // namespace

TEST(Encoder, RoundTripHttpTlsDns) {
  std::vector<Probe> http = {
      sgtest::http_probe(kT0, "198.51.100.1", "Mozilla/5.0 zgrab/0.x", {{"Accept-Encoding", "gzip"}}),
      sgtest::http_probe(kT0 + 1, "198.51.100.2", "curl/7.88.1"),
      sgtest::http_probe(kT0 + 2, "198.51.100.3", "python-requests/2.31.0", {{"Connection", "keep-alive"}})};
  http[1].http->uri = "/a/very/long/path/beyond/ten/bytes";
  http[1].http->body_length = 1u << 20;                            // saturates at 16 bits
  http[2].http->headers.erase(http[2].http->headers.begin() + 2);  // no Accept: "absent"
  Schema hs = schema_for(Service::http, http,
                         {"accept", "accept_encoding", "body_length", "header_values", "uri", "user_agent"});
  Encoder he(hs);
  for (const Probe& p : http) expect_round_trip(he, p);
  std::vector<uint8_t> img = he.encode(nlohmann::json::parse(probe_to_jsonl(http[1])));
  auto back = he.decode(img.data());
  EXPECT_EQ(back[2].name, "body_length");
  EXPECT_EQ(back[2].number, 65535u);
  EXPECT_EQ(back[4].bytes, "/a/very/lo");
  for (uint8_t v : img) EXPECT_TRUE(v == 0 || v == 255 || std::isprint(v)) << int(v);

  std::vector<Probe> tls;
  for (uint32_t i = 0; i < 5; ++i)
    tls.push_back(sgtest::tls_probe(kT0 + i, "198.51.100.9", {0x0a0a, 4865, uint16_t(49195 + i)}, i + 1));
  Schema ts = schema_for(Service::tls, tls, {"ciphers", "gmt_unix_time", "random", "session_id_length"});
  Encoder te(ts);
  for (const Probe& p : tls) expect_round_trip(te, p);

  Probe dns;
  dns.service = Service::dns;
  dns.dns = DnsProbe{};
  dns.dns->id = 0x1234;
  dns.dns->rd = true;
  dns.dns->arcount = 999;
  dns.dns->qname = "a-rather-long-name-that-exceeds-32-bytes.example.com";
  Schema ds = schema_for(Service::dns, {dns}, {"arcount", "id", "qname", "rd"});
  Encoder de(ds);
  expect_round_trip(de, dns);
  EXPECT_EQ(de.side(), 8);  // 8 + 16 + 32 + 1 = 57 cells
}

TEST(Encoder, TokensOutsideTheVocabularyLightNothing) {
  std::vector<Probe> seen(12, sgtest::http_probe(kT0, "198.51.100.1", "curl/7.88.1"));
  Encoder enc(schema_for(Service::http, seen, {"user_agent"}, 10));
  ProbeDoc d;
  ASSERT_TRUE(d.parse(probe_to_jsonl(sgtest::http_probe(kT0, "198.51.100.1", "Wget/1.21"))));
  std::vector<uint8_t> img = enc.encode(d);
  EXPECT_TRUE(std::all_of(img.begin(), img.end(), [](uint8_t v) { return v == 0; }));
  ProbeDoc scratch;
  std::vector<uint8_t> out(enc.cells_per_probe(), 7);
  EXPECT_FALSE(enc.encode_text("{broken", scratch, out.data()));
  EXPECT_EQ(out[0], 7);
  EXPECT_THROW(Encoder(Schema{Service::http, 1, SchemaMode::full, 1, {{"nonsense", FieldKind::option, 0}}, {}}),
               std::invalid_argument);
}

namespace {

// Four weeks of HTTP probes: week 0 is the selection period, each later week brings new client versions
// and headers. Every 5th probe is unlabelled.
std::vector<std::pair<Probe, std::string>> weeks_of_probes() {
  std::vector<std::pair<Probe, std::string>> out;
  const char* uas[4][2] = {{"scanA/1.0 (research)", "scanB/2.0"},
                           {"scanA/1.1 (research)", "scanB/2.0"},
                           {"scanA/1.1 (research)", "scanC/3.0 (+http://c.example)"},
                           {"scanA/2.0 (research; v2)", "scanD/0.1"}};
  for (int w = 0; w < 4; ++w)
    for (int i = 0; i < 40; ++i) {
      int org = i % 2;
      std::vector<std::pair<std::string, std::string>> extra = {{"X-Week", std::to_string(w)}};
      if (org) extra.push_back({"Accept-Encoding", w < 2 ? "gzip" : "gzip, br"});
      Probe p = sgtest::http_probe(kT0 + w * 7 * kDay + i * 1000000LL, "198.51.100." + std::to_string(10 + org),
                                   uas[w][org], extra);
      out.push_back({p, i % 5 == 4 ? "" : (org ? "org-b" : "org-a")});
    }
  return out;
}

std::vector<std::vector<uint8_t>> encode_all(Db& db, const Schema& s) {
  std::vector<std::vector<uint8_t>> out;
  BatchReader reader(db, s, Window{}, 13);
  EncodedBatch b;
  while (reader.next(b))
    for (size_t i = 0; i < b.size(); ++i) out.emplace_back(b.image(i), b.image(i) + b.cells_per_probe);
  return out;
}

}  // namespace

TEST(Incremental, ThreeWeeklyGrowthsKeepEveryEarlierCell) {
  sgtest::TempDir dir;
  ProbeStore store(dir.file("w.db"));
  sgtest::store_probes(store, weeks_of_probes());
  SelectOptions opt;
  opt.until_us = kT0 + 7 * kDay;
  opt.rules.top = 4;
  SelectOutcome sel = select_service(store.db(), Service::http, opt);
  ASSERT_EQ(sel.status, SelectStatus::stored);
  std::vector<Schema> versions = {sel.incremental};
  for (int w = 1; w <= 3; ++w) {
    GrowResult g = grow_schema(store.db(), Service::http, kT0 + w * 7 * kDay, kT0 + (w + 1) * 7 * kDay);
    EXPECT_TRUE(g.new_version) << "week " << w;
    EXPECT_GT(g.report.tokens_kept, 0u);
    EXPECT_EQ(g.schema.version, w + 1);
    EXPECT_EQ(*load_schema(store.db(), Service::http, SchemaMode::incremental), g.schema);
    versions.push_back(g.schema);
  }
  // Rerunning a week that was already grown from adds nothing.
  GrowResult again = grow_schema(store.db(), Service::http, kT0 + 21 * kDay, kT0 + 28 * kDay);
  EXPECT_FALSE(again.new_version);
  EXPECT_EQ(again.schema.version, 4);
  EXPECT_EQ(*load_schema(store.db(), Service::http, SchemaMode::incremental, 2), versions[1]);

  std::vector<std::vector<std::vector<uint8_t>>> images;
  for (const Schema& s : versions) images.push_back(encode_all(store.db(), s));
  ASSERT_EQ(images[0].size(), 160u);
  for (size_t v = 1; v < versions.size(); ++v) {
    size_t old_cells = versions[v - 1].cells.size();
    ASSERT_GT(versions[v].cells.size(), old_cells);
    ASSERT_EQ(versions[v].side, 32);
    for (size_t p = 0; p < images[v].size(); ++p)
      ASSERT_TRUE(
          std::equal(images[v - 1][p].begin(), images[v - 1][p].begin() + long(old_cells), images[v][p].begin()))
          << "probe " << p << " changed under version " << v + 1;
  }
  // A token new in a week lights its tail cell for that week's probes.
  const Schema& last = versions.back();
  auto pos = std::find_if(last.cells.begin(), last.cells.end(), [](const Cell& c) { return c.token == "scanD"; });
  ASSERT_NE(pos, last.cells.end());
  size_t cell = size_t(pos - last.cells.begin());
  EXPECT_GE(cell, versions[2].cells.size());
  EXPECT_EQ(images[3][159][cell], 255);
  EXPECT_EQ(images[3][0][cell], 0);
}

TEST(BatchReader, WindowBatchesAndLabels) {
  sgtest::TempDir dir;
  ProbeStore store(dir.file("b.db"));
  auto probes = weeks_of_probes();
  probes[1].second = "Censys";  // evaluation-unknown by default: no training label
  sgtest::store_probes(store, probes);
  // A damaged record is skipped and reported, not fatal.
  store.db().exec("UPDATE probes SET json='{not json' WHERE id=3");
  SelectOptions opt;
  opt.until_us = kT0 + 7 * kDay;
  Schema s = select_service(store.db(), Service::http, opt).full;
  BatchReader reader(store.db(), s, Window{kT0, kT0 + 7 * kDay}, 7);
  EncodedBatch b;
  size_t n = 0, labelled = 0;
  int64_t last_ts = 0;
  while (reader.next(b)) {
    EXPECT_LE(b.size(), 7u);
    EXPECT_EQ(b.cells.size(), b.size() * size_t(b.cells_per_probe));
    EXPECT_EQ(b.cells_per_probe, s.side * s.side);
    for (size_t i = 0; i < b.size(); ++i) {
      EXPECT_GE(b.ts_us[i], last_ts);
      last_ts = b.ts_us[i];
      if (b.probe_ids[i] == 2) {
        EXPECT_EQ(b.orgs[i], "Censys");
        EXPECT_EQ(b.labels[i], "");
      }
      labelled += !b.labels[i].empty();
    }
    n += b.size();
  }
  EXPECT_EQ(n, 39u);
  EXPECT_EQ(labelled, 40u - 8 - 1 - 1);  // 8 unlabelled, one evaluation-unknown, one damaged
  EXPECT_EQ(reader.skips().count, 1u);
  EXPECT_EQ(reader.skips().examples.at(0), "probe 3: stored JSON is not an object");
}
