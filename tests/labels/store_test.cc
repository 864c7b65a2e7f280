#include <gtest/gtest.h>

#include "label_fixtures.h"
#include "storage/sqlite.h"

namespace sg::labels {
namespace {

using test::add_probe;
using test::day;
using test::TempDir;

std::map<int64_t, std::string> probe_labels(Db& db) {
  std::map<int64_t, std::string> out;
  Stmt s(db, "SELECT probe_id, org, source FROM probe_labels");
  while (s.step()) out[s.col_int(0)] = s.col_text(1) + "@" + s.col_text(2);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  ImportReport import(const std::vector<std::string>& paths, ImportRequest req = {}) {
    req.paths = paths;
    return run_import(store.db(), req);
  }
  TempDir dir;
  ProbeStore store{dir.path("t.db")};
};

TEST_F(StoreTest, ImportRelabelsProbesAndIsIdempotent) {
  int64_t p1 = add_probe(store.db(), "198.51.100.7", day("2024-03-01"));
  int64_t p2 = add_probe(store.db(), "198.51.100.7", day("2023-03-01"));
  int64_t p3 = add_probe(store.db(), "192.0.2.1", day("2024-03-01"));
  std::string list = dir.file("a.tsv", "198.51.100.0/24\tcensys\tlistA\t2024\n192.0.2.0/24\tshodan\tlistA\tcurrent\n");

  auto r1 = import({list});
  ASSERT_EQ(r1.files.size(), 1u);
  EXPECT_EQ(r1.files[0].status, FileStatus::imported);
  EXPECT_EQ(r1.relabel.probes, 3u);
  EXPECT_EQ(r1.relabel.added, 2u);
  auto labels = probe_labels(store.db());
  EXPECT_EQ(labels[p1], "censys@listA");
  EXPECT_EQ(labels.count(p2), 0u);  // 2023: the 2024 entry does not hold
  EXPECT_EQ(labels[p3], "shodan@listA");

  auto r2 = import({list});
  EXPECT_EQ(r2.files[0].status, FileStatus::unchanged);
  EXPECT_EQ(r2.relabel.added + r2.relabel.changed + r2.relabel.removed, 0u);
  EXPECT_EQ(probe_labels(store.db()), labels);
  Stmt n(store.db(), "SELECT count(*) FROM label_entries");
  n.step();
  EXPECT_EQ(n.col_int(0), 2);

  // A second source disagreeing at the same prefix: the probe loses its label (a conflict), then a
  // narrower entry settles it.
  std::string b = dir.file("b.tsv", "192.0.2.0/24\trapid7\tlistB\tcurrent\n");
  auto r3 = import({b});
  EXPECT_EQ(r3.relabel.removed, 1u);
  EXPECT_EQ(r3.relabel.conflicts, 1u);
  std::string c = dir.file("c.txt", "192.0.2.1\n");
  ImportRequest req;
  req.options.org = "Rapid7";
  auto r4 = import({c}, req);
  EXPECT_EQ(r4.relabel.added, 1u);
  EXPECT_EQ(probe_labels(store.db())[p3], "rapid7@c+listB");
}

TEST_F(StoreTest, ChangedFileReplacesItsEarlierImport) {
  int64_t p = add_probe(store.db(), "203.0.113.5", day("2024-03-01"));
  std::string path = dir.file("list_v4.txt", "203.0.113.0/24\n");
  ImportRequest req;
  req.options.org = "onyphe";
  import({path}, req);
  EXPECT_EQ(probe_labels(store.db())[p], "onyphe@list_v4");
  dir.file("list_v4.txt", "198.51.100.0/24\n");
  auto r = import({path}, req);
  EXPECT_EQ(r.files[0].status, FileStatus::replaced);
  EXPECT_EQ(probe_labels(store.db()).count(p), 0u);
}

TEST_F(StoreTest, EvalUnknownAndPolicyAreStoredWithTheLabels) {
  EXPECT_EQ(eval_unknown(store.db()), (std::vector<std::string>{"censys", "driftnet"}));
  std::string list = dir.file("x.tsv", "198.51.100.0/24\tcensys\tlistA\tcurrent\n");
  ImportRequest req;
  req.eval_unknown = std::vector<std::string>{"censys", "driftnet", "rapid7"};
  req.policy = *parse_policy("agree:2");
  int64_t p = add_probe(store.db(), "198.51.100.1", day("2024-01-01"));
  auto r = import({list}, req);
  EXPECT_EQ(eval_unknown(store.db()), (std::vector<std::string>{"censys", "driftnet", "rapid7"}));
  LabelStore stored(store.db());
  EXPECT_EQ(stored.meta("labels.eval_unknown", ""), "censys,driftnet,rapid7");
  EXPECT_EQ(r.relabel.too_weak, 1u);  // one source is not enough under agree:2
  EXPECT_EQ(probe_labels(store.db()).count(p), 0u);
  LabelStore ls(store.db());
  EXPECT_EQ(to_string(ls.policy()), "agree:2");
}

TEST_F(StoreTest, EvalUnknownOrganisationsKeepTheirTrueName) {
  int64_t p = add_probe(store.db(), "198.51.100.1", day("2024-01-01"));
  import({dir.file("x.tsv", "198.51.100.0/24\tcensys\tlistA\tcurrent\n")});
  LabelStore stored(store.db());
  EXPECT_EQ(stored.meta("labels.eval_unknown", ""), "censys,driftnet");  // the default, stored on first import
  EXPECT_EQ(probe_labels(store.db())[p], "censys@listA");
}

TEST_F(StoreTest, NewProbesAreLabelledIncrementally) {
  import({dir.file("x.tsv", "198.51.100.0/24\tshodan\tlistA\tcurrent\n")});
  int64_t before = max_probe_id(store.db());
  int64_t p = add_probe(store.db(), "198.51.100.1", day("2024-01-01"));
  add_probe(store.db(), "10.1.1.1", day("2024-01-01"));
  RelabelStats st = label_new_probes(store.db(), before);
  EXPECT_EQ(st.probes, 2u);
  EXPECT_EQ(st.labelled, 1u);
  EXPECT_EQ(probe_labels(store.db())[p], "shodan@listA");
}

TEST_F(StoreTest, DirectoryWalkDerivesSourcesAndSkipsNonLists) {
  dir.file("lists/acme/censys_v4.txt", "162.142.125.0/24\n");
  dir.file("lists/acme/README.md", "# lists\nsee the site\n");
  dir.file("lists/other/shodan.txt", "198.20.69.0/24\n");
  auto r = import({dir.path("lists")});
  ASSERT_EQ(r.files.size(), 3u);
  LabelStore ls(store.db());
  auto by_source = ls.count_by("source");
  EXPECT_EQ(by_source["acme"], 1);
  EXPECT_EQ(by_source["other"], 1);
  int not_lists = 0;
  for (const auto& f : r.files) not_lists += f.status == FileStatus::not_a_list;
  EXPECT_EQ(not_lists, 1);
  // A file named on its own that is not a list is an error, and the run changes nothing.
  EXPECT_THROW(import({dir.path("lists/acme/README.md")}), std::runtime_error);
}

TEST_F(StoreTest, RefusalsAreStoredByFileAndLine) {
  import({dir.file("bad.txt", "192.0.2.0/24\nnonsense\n10.0.0.0/8\n")}, [] {
    ImportRequest r;
  r.options.org = "acme";
  return r;
}());
LabelStore ls(store.db());
auto refusals = ls.refusals(10);
ASSERT_EQ(refusals.size(), 2u);
EXPECT_EQ(refusals[0].second.line, 2u);
EXPECT_EQ(refusals[1].second.line, 3u);
EXPECT_EQ(ls.refusal_reasons()["coarse prefix"], 1);
}  // namespace

}  // namespace sg::labels
}  // namespace sg::labels
