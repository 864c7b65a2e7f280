#include "storage/evaluation_store.h"

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {}  // namespace

void put_evaluation(Db& db, int64_t from_us, int64_t to_us, const std::string& ensemble, const std::string& json) {
  schema::ensure(db, schema::Tables::evaluations);
  Stmt s(
      db,
      "INSERT INTO evaluations(from_us, to_us, ensemble, json) VALUES(?,?,?,?) ON CONFLICT(from_us, to_us, ensemble) "
      "DO UPDATE SET json=excluded.json, created=excluded.created");
  s.bind(1, from_us).bind(2, to_us).bind(3, ensemble).bind(4, json);
  s.step();
}

}  // namespace sg
