#include "storage/evaluation_store.h"

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {}  // namespace

void put_evaluation(Db& db, int64_t from_us, int64_t to_us, const std::string& ensemble, const std::string& json) {
  db.exec(schema::ddl(schema::Tables::evaluations));
  Stmt s(db, "INSERT OR REPLACE INTO evaluations(from_us, to_us, ensemble, json) VALUES(?,?,?,?)");
  s.bind(1, from_us).bind(2, to_us).bind(3, ensemble).bind(4, json);
  s.step();
}

}  // namespace sg
