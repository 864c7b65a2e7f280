#include "storage/cluster_store.h"

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

void replace_cluster_runs(Db& db, int64_t from_us, int64_t to_us, const std::vector<StoredClusterRun>& runs) {
  schema::ensure(db, schema::Tables::clusters);
  Transaction tx(db);
  for (const char* sql :
       {"DELETE FROM cluster_runs WHERE from_us=? AND to_us=?", "DELETE FROM clusters WHERE from_us=? AND to_us=?"}) {
    Stmt del(db, sql);
    del.bind(1, from_us).bind(2, to_us);
    del.step();
  }
  Stmt run(db, "INSERT INTO cluster_runs(from_us, to_us, service, k, probes, json) VALUES(?,?,?,?,?,?)");
  Stmt ins(db,
           "INSERT INTO clusters(from_us, to_us, service, cluster, size, nearest_org, nearest_distance, json) "
           "VALUES(?,?,?,?,?,?,?,?)");
  for (const auto& r : runs) {
    run.reset();
    run.bind(1, from_us).bind(2, to_us).bind(3, r.service).bind(4, r.k).bind(5, r.probes).bind(6, r.json);
    run.step();
    for (const auto& c : r.clusters) {
      ins.reset();
      ins.bind(1, from_us).bind(2, to_us).bind(3, r.service).bind(4, c.cluster).bind(5, c.size);
      ins.bind(6, c.nearest_org).bind_double(7, c.nearest_distance).bind(8, c.json);
      ins.step();
    }
  }
  tx.commit();
}

std::vector<StoredClusterRun> cluster_runs(Db& db, int64_t from_us, int64_t to_us) {
  schema::ensure(db, schema::Tables::clusters);  // creates nothing in a read-only database
  std::vector<StoredClusterRun> out;
  Stmt runs(db, "SELECT service, k, probes, json FROM cluster_runs WHERE from_us=? AND to_us=?");
  runs.bind(1, from_us).bind(2, to_us);
  Stmt cl(db,
          "SELECT cluster, size, nearest_org, nearest_distance, json FROM clusters "
          "WHERE from_us=? AND to_us=? AND service=? ORDER BY cluster");
  while (runs.step()) {
    StoredClusterRun r;
    r.service = runs.col_text(0);
    r.k = runs.col_int(1);
    r.probes = runs.col_int(2);
    r.json = runs.col_text(3);
    cl.reset();
    cl.bind(1, from_us).bind(2, to_us).bind(3, r.service);
    while (cl.step())
      r.clusters.push_back({cl.col_int(0), cl.col_int(1), cl.col_text(2), cl.col_double(3), cl.col_text(4)});
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::pair<int64_t, int64_t>> stored_cluster_ranges(Db& db) {
  schema::ensure(db, schema::Tables::clusters);
  std::vector<std::pair<int64_t, int64_t>> out;
  Stmt s(db, "SELECT DISTINCT from_us, to_us FROM cluster_runs ORDER BY to_us DESC, from_us");
  while (s.step()) out.emplace_back(s.col_int(0), s.col_int(1));
  return out;
}

}  // namespace sg
