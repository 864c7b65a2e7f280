#include "features/labels.h"

#include <cctype>

#include "features/tokenize.h"
#include "storage/label_store.h"

namespace sg::features {

void ensure_label_table(Db& db) { ensure_probe_label_tables(db); }

std::string org_key(std::string_view org) {
  while (!org.empty() && std::isspace(static_cast<unsigned char>(org.front()))) org.remove_prefix(1);
  while (!org.empty() && std::isspace(static_cast<unsigned char>(org.back()))) org.remove_suffix(1);
  std::string out(org);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::set<std::string> eval_unknown_orgs(Db& db) {
  ensure_label_table(db);
  auto names = eval_unknown_setting(db);
  return {names.begin(), names.end()};
}

}  // namespace sg::features
