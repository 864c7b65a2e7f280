#include "features/labels.h"

#include "storage/label_store.h"
#include "util/text.h"

namespace sg::features {

void ensure_label_table(Db& db) { ensure_probe_label_tables(db); }

std::string org_key(std::string_view org) { return lower_trimmed(org); }

std::set<std::string> eval_unknown_orgs(Db& db) {
  ensure_label_table(db);
  auto names = eval_unknown_setting(db);
  return {names.begin(), names.end()};
}

}  // namespace sg::features
