// Statements kept prepared on a connection (Stmt::reuse): each use binds afresh, two uses of one text at
// once get statements of their own, an abandoned use does not hold the read open, and data_version tells a
// reader that another connection committed.
#include <gtest/gtest.h>

#include "storage/sqlite.h"
#include "support/temp_dir.h"

namespace {

constexpr const char* kByKey = "SELECT v FROM t WHERE k = ?";

std::string value_of(sg::Db& db, int64_t k) {
  sg::Stmt s(db, kByKey, sg::Stmt::reuse);
  s.bind(1, k);
  return s.step() ? s.col_text(0) : std::string("none");
}

TEST(StmtReuse, EachUseBindsAfreshAndNestedUsesAreIndependent) {
  sg::Db db(sgtest::fresh_db_path("stmt_reuse.db"));
  db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(1,'one'),(2,'two'),(3,'three')");
  EXPECT_EQ(value_of(db, 1), "one");
  EXPECT_EQ(value_of(db, 2), "two");
  EXPECT_EQ(value_of(db, 9), "none");
  {
    sg::Stmt outer(db, "SELECT k FROM t ORDER BY k", sg::Stmt::reuse);
    std::string seen;
    while (outer.step()) seen += value_of(db, outer.col_int(0)) + ",";  // the same text twice at once
    EXPECT_EQ(seen, "one,two,three,");
  }
  {
    // Left mid-way: the next use starts from its first row, not where this one stopped.
    sg::Stmt s(db, "SELECT k FROM t ORDER BY k", sg::Stmt::reuse);
    ASSERT_TRUE(s.step());
    ASSERT_TRUE(s.step());
  }
  sg::Stmt again(db, "SELECT k FROM t ORDER BY k", sg::Stmt::reuse);
  ASSERT_TRUE(again.step());
  EXPECT_EQ(again.col_int(0), 1);
}

TEST(StmtReuse, AnAbandonedReadEndsAndDataVersionSeesOtherCommits) {
  const std::string path = sgtest::fresh_db_path("stmt_reuse_wal.db");
  sg::Db writer(path);
  writer.enable_wal();
  writer.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(1,'one')");
  sg::Db reader(path, sg::Access::read_only);
  {
    sg::Stmt s(reader, "SELECT k FROM t", sg::Stmt::reuse);
    ASSERT_TRUE(s.step());  // not stepped to its end: still reading until reset
  }
  const int64_t v1 = reader.data_version();
  EXPECT_EQ(reader.data_version(), v1);
  writer.exec("INSERT INTO t VALUES(2,'two')");
  // Had the abandoned statement kept its read transaction, the reader would not see the new row.
  EXPECT_EQ(value_of(reader, 2), "two");
  EXPECT_NE(reader.data_version(), v1);
  {
    sg::ReadSnapshot snap(reader);
    const int64_t v2 = reader.data_version();  // first in the snapshot: names it
    writer.exec("UPDATE t SET v='TWO' WHERE k=2");
    EXPECT_EQ(reader.data_version(), v2);
    EXPECT_EQ(value_of(reader, 2), "two");  // the snapshot's state
  }
  EXPECT_EQ(value_of(reader, 2), "TWO");
}

}  // namespace
