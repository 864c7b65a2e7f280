// Layout rules of an encoding schema (docs/ARCHITECTURE.md, "features"): alphabetical fields, options by
// descending frequency, the "absent" token, minimum count 10, the 1024-cell cap, square side (full) and the
// fixed canvas with tail append (incremental); the schema's JSON form.
#include <gtest/gtest.h>

#include <set>

#include "feature_fixtures.h"

using namespace sg;
using namespace sg::features;

namespace {

TokenCounts counts_of(std::vector<std::string> fields, std::vector<std::map<std::string, uint64_t>> c) {
  TokenCounts t;
  t.fields = std::move(fields);
  t.counts = std::move(c);
  return t;
}

std::vector<std::string> tokens_of(const Schema& s, const std::string& field) {
  std::vector<std::string> out;
  for (const Cell& c : s.cells)
    if (c.kind == CellKind::token && s.fields[c.field].name == field) out.push_back(c.token);
  return out;
}

}  // namespace

TEST(Layout, OrderMinCountAbsentAndSide) {
  TokenCounts c = counts_of({"accept_encoding", "body_length", "method", "uri"},
                            {{{"gzip", 50}, {"deflate", 30}, {"br", 9}, {"absent", 20}, {"zstd", 30}},
                             {},
                             {{"GET", 100}, {"POST", 10}, {"HEAD", 9}},
                             {}});
  LayoutReport rep;
  Schema s = build_schema(Service::http, c, SchemaMode::full, {}, &rep);
  ASSERT_EQ(s.fields.size(), 4u);
  EXPECT_EQ(s.fields[1].name, "body_length");
  EXPECT_EQ(s.fields[1].kind, FieldKind::integer);
  // accept_encoding first (alphabetical); its tokens by descending count, ties by token; br is under 10.
  EXPECT_EQ(tokens_of(s, "accept_encoding"), (std::vector<std::string>{"gzip", "deflate", "zstd", "absent"}));
  EXPECT_EQ(tokens_of(s, "method"), (std::vector<std::string>{"GET", "POST"}));
  ASSERT_EQ(s.cells.size(), 4u + 16 + 2 + 10);
  EXPECT_EQ(s.cells[0].token, "gzip");
  EXPECT_EQ(s.cells[4].kind, CellKind::bit);
  EXPECT_EQ(s.cells[4].index, 0);  // most significant bit first
  EXPECT_EQ(s.cells[19].index, 15);
  EXPECT_EQ(s.cells[20].token, "GET");
  EXPECT_EQ(s.cells[22].kind, CellKind::byte);
  EXPECT_EQ(s.cells[31].index, 9);
  EXPECT_EQ(rep.below_min_count, 2u);
  EXPECT_EQ(rep.tokens_kept, 6u);
  EXPECT_EQ(s.side, 6);  // ⌈√32⌉
  EXPECT_EQ(s.version, 1);

  Schema inc = build_schema(Service::http, c, SchemaMode::incremental, {});
  EXPECT_EQ(inc.side, 32);
  EXPECT_EQ(inc.cells, s.cells);
  EXPECT_EQ(build_schema(Service::dns, counts_of({"qname"}, {{}}), SchemaMode::incremental, {}).side, 16);
  EXPECT_EQ(build_schema(Service::dns, counts_of({"qname"}, {{}}), SchemaMode::full, {}).side, 6);  // ⌈√32⌉
}

TEST(Layout, CapKeepsTheMostFrequentTokens) {
  std::map<std::string, uint64_t> a, b;
  for (int i = 0; i < 600; ++i) a["a" + std::to_string(i)] = 10 + uint64_t(i);
  for (int i = 0; i < 600; ++i) b["b" + std::to_string(i)] = 11 + uint64_t(i);
  LayoutReport rep;
  Schema s =
      build_schema(Service::http, counts_of({"accept", "header_names", "uri"}, {a, b, {}}), SchemaMode::full, {}, &rep);
  EXPECT_EQ(s.cells.size(), 1024u);
  EXPECT_EQ(rep.over_cap, 1200u - 1014);
  EXPECT_EQ(s.side, 32);
  std::set<std::string> kept;
  uint64_t least_kept = UINT64_MAX;
  for (const Cell& c : s.cells)
    if (c.kind == CellKind::token) {
      kept.insert(c.token);
      least_kept = std::min(least_kept, (c.field == 0 ? a : b).at(c.token));
    }
  for (auto* m : {&a, &b})
    for (auto& [t, n] : *m) {
      if (n > least_kept) {
        EXPECT_TRUE(kept.count(t)) << t;
      }
      if (n < least_kept) {
        EXPECT_FALSE(kept.count(t)) << t;
      }
    }
  EXPECT_EQ(tokens_of(s, "accept").front(), "a599");  // descending within the field

  LayoutRules tight;
  tight.cap = 20;
  EXPECT_THROW(build_schema(Service::http, counts_of({"uri", "body_length"}, {{}, {}}), SchemaMode::full, tight),
               std::invalid_argument);  // not alphabetical
  EXPECT_THROW(build_schema(Service::http, counts_of({"body_length", "uri"}, {{}, {}}), SchemaMode::full, tight),
               std::invalid_argument);  // 26 fixed cells > 20
  EXPECT_THROW(build_schema(Service::http, counts_of({"nonsense"}, {{}}), SchemaMode::full, {}), std::invalid_argument);
}

TEST(Layout, GrowAppendsAtTheTailAndCountsWhatDoesNotFit) {
  Schema v1 = build_schema(Service::dns, counts_of({"edns_options", "qname"}, {{{"10", 40}, {"absent", 100}}, {}}),
                           SchemaMode::incremental, {});
  ASSERT_EQ(v1.cells.size(), 2u + 32);
  std::map<std::string, uint64_t> week;
  week["10"] = 500;  // known: not appended again
  week["8"] = 12;
  week["3"] = 5;  // rare
  for (int i = 0; i < 300; ++i) week["x" + std::to_string(i)] = 20 + uint64_t(i);
  LayoutReport rep;
  Schema v2 = grow(v1, counts_of({"edns_options", "qname"}, {week, {}}), {}, rep);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.side, 16);
  ASSERT_EQ(v2.cells.size(), 256u);  // the canvas is full
  EXPECT_TRUE(std::equal(v1.cells.begin(), v1.cells.end(), v2.cells.begin()));
  EXPECT_EQ(v2.cells[34].token, "x299");  // most frequent first
  EXPECT_EQ(rep.tokens_kept, 222u);
  EXPECT_EQ(rep.over_cap, 301u - 222);  // 300 x-tokens and "8" competed for 222 cells
  EXPECT_EQ(rep.below_min_count, 1u);
  LayoutReport again;
  Schema v3 = grow(v2, counts_of({"edns_options", "qname"}, {week, {}}), {}, again);
  EXPECT_EQ(v3.cells, v2.cells);
  EXPECT_EQ(again.tokens_kept, 0u);
  EXPECT_THROW(grow(build_schema(Service::dns, counts_of({"qname"}, {{}}), SchemaMode::full, {}),
                    counts_of({"qname"}, {{}}), {}, again),
               std::invalid_argument);
}

TEST(SchemaJson, RoundTripAndDamage) {
  Schema s = build_schema(Service::http, counts_of({"body_length", "user_agent"}, {{}, {{"curl", 12}, {"a\"b\n", 11}}}),
                          SchemaMode::incremental, {});
  s.version = 3;
  EXPECT_EQ(schema_from_json(schema_to_json(s)), s);
  for (const char* bad :
       {"", "{}", "[]", R"({"service":"http","version":1,"mode":"full","side":1,"fields":[],"cells":[[0,"t","x"]]})",
        R"({"service":"nope","version":1,"mode":"full","side":1,"fields":[],"cells":[]})",
        R"({"service":"http","version":1,"mode":"odd","side":1,"fields":[],"cells":[]})",
        R"({"service":"http","version":1,"mode":"full","side":0,"fields":[],"cells":[]})"})
    EXPECT_THROW(schema_from_json(bad), std::invalid_argument) << bad;
}
