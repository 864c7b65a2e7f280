// Db::checkpoint_in_background: from half the pages asked for, a thread of the connection's own copies the
// WAL into the database file while the writer goes on; at the full count the writer copies what is left and
// the WAL starts over; the rows are all there after the connection closes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>

#include "storage/sqlite.h"
#include "support/temp_dir.h"

namespace {

int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// One transaction of about seven 4 KiB pages (the text's overflow pages, the leaf, the root).
void commit_rows(sg::Db& db, int k) {
  sg::Transaction tx(db);
  sg::Stmt s(db, "INSERT INTO t(k, v) VALUES(?, ?)");
  s.bind(1, int64_t(k)).bind(2, std::string(20000, char('a' + k % 26)));
  s.step();
  tx.commit();
}

TEST(BackgroundCheckpoints, AThreadCopiesTheWalAndTheWriterStartsItOver) {
  const std::string path = sgtest::fresh_db_path("checkpoints.db");
  constexpr int kPages = 200;
  {
    sg::Db db(path);
    db.enable_wal();
    db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
    db.checkpoint_in_background(kPages);
    const int64_t empty = file_size(path);
    // About 140 pages (7 a commit): past half the count (the thread's), short of the count (the writer's).
    for (int k = 0; k < 20; ++k) commit_rows(db, k);
    ASSERT_LT(file_size(path + "-wal"), 32 + int64_t(kPages) * (24 + 4096));
    // Only the thread copies pages into the database file now.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (file_size(path) < empty + 50 * 4096 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(file_size(path), empty + 50 * 4096) << "nothing was copied into the database file";
    // Ten times the count: the WAL starts over rather than growing with every commit.
    for (int k = 20; k < 400; ++k) commit_rows(db, k);
    EXPECT_LT(file_size(path + "-wal"), int64_t(3) * kPages * 4096);
    sg::Stmt n(db, "SELECT count(*), sum(length(v)) FROM t");
    ASSERT_TRUE(n.step());
    EXPECT_EQ(n.col_int(0), 400);
  }
  sg::Db again(path, sg::Access::read_only);
  sg::Stmt n(again, "SELECT count(*), sum(length(v)) FROM t");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.col_int(0), 400);
  EXPECT_EQ(n.col_int(1), 400 * 20000);
}

// A database in memory has no WAL and no file for a second connection: nothing is started.
TEST(BackgroundCheckpoints, NothingForADatabaseInMemory) {
  sg::Db db(":memory:");
  db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
  db.checkpoint_in_background(10);
  for (int k = 0; k < 20; ++k) commit_rows(db, k);
  sg::Stmt n(db, "SELECT count(*) FROM t");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.col_int(0), 20);
}

}  // namespace
